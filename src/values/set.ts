/**
 * The Redis set type (t_set.c), immutable and structurally shared.
 *
 * Redis 7.0 holds a set in one of two encodings (there are no listpack sets
 * before 7.2):
 * - `intset`: while every member is an integer in string2ll's canonical form
 *   (isSdsRepresentableAsLongLong) and there are at most
 *   `set-max-intset-entries` of them: a sorted array of int64, iterated
 *   ascending (SMEMBERS of an intset lists the integers in order; clients
 *   and tests rely on it). Here: an `IntSet`, a sorted BigInt64Array, copied
 *   on write as Redis's intsetAdd moves memory (at most the threshold long).
 * - `hashtable`: from the first non-integer member or the member past the
 *   threshold on, for good (setTypeAdd converts, nothing converts back).
 *   Here: a `TableSet`, the persistent CHAMP map of structures/hamt.ts with a
 *   unit value, so a change to a big set is O(log n), never a copy.
 *
 * Every new set Redis builds (SADD or SMOVE to a missing key: setTypeCreate;
 * the *STORE results and SPOP's rebuilt rest: createIntsetObject; the RDB
 * loader) starts as an intset or is one exactly when its content allows, so
 * `fromMembers` is the one constructor. Values are never mutated once made.
 */
import { Either } from "effect"
import type { Command } from "../resp/values.js"
import { parseInt64 } from "../int64.js"
import * as Hamt from "../structures/hamt.js"
import type { CommandError } from "../errors.js"
import { defaultEncodingLimits } from "./encoding-limits.js"
import { EmptyCollection } from "./encodings/blob.js"
import { decodeIntset, intsetWidth } from "./intset.js"
import { expectType, type StoredValue, type ValueType } from "./types.js"

/**
 * Redis's default `set-max-intset-entries`: what the RDB loader below uses
 * (commands pass the configured one, see encoding-limits.ts).
 */
export const defaultMaxIntsetEntries = defaultEncodingLimits.setMaxIntsetEntries

/** An intset-encoded set: its members ascending, distinct; never mutated. */
export class IntSet {
  readonly _tag = "IntSet"
  constructor(readonly members: BigInt64Array) {}
}

/** A hashtable-encoded set: a persistent map from member to `true`. */
export class TableSet {
  readonly _tag = "TableSet"
  constructor(readonly members: Hamt.HamtMap<true>) {}
}

export type SetValue = IntSet | TableSet

/** The set with no members: where SADD to a missing key and the *STORE results start (an intset). */
export const emptySet: SetValue = new IntSet(new BigInt64Array(0))

/** A member as an intset holds it, or undefined when it is not a canonical int64 (isSdsRepresentableAsLongLong). */
const asInteger = (member: string): bigint | undefined =>
  member.length <= 20 && member.length > 0 ? parseInt64(member) : undefined

/** Index of `value` in the ascending `members`, or -(insertion point) - 1 (intsetSearch). */
const search = (members: BigInt64Array, value: bigint): number => {
  let low = 0
  let high = members.length - 1
  while (low <= high) {
    const middle = (low + high) >>> 1
    const current = members[middle]
    if (current < value) low = middle + 1
    else if (current > value) high = middle - 1
    else return middle
  }
  return -low - 1
}

export const size = (set: SetValue): number => set._tag === "IntSet" ? set.members.length : Hamt.size(set.members)

export const has = (set: SetValue, member: string): boolean => {
  if (set._tag === "TableSet") return Hamt.has(set.members, member)
  const value = asInteger(member)
  return value !== undefined && search(set.members, value) >= 0
}

/** Every member, in Redis's iteration order for an intset (ascending), in map order for a hashtable. */
export const members = (set: SetValue): Array<string> => {
  if (set._tag === "IntSet") return Array.from(set.members, String)
  const result: Array<string> = []
  Hamt.forEach(set.members, (_, member) => {
    result.push(member)
  })
  return result
}

/** The member at `index` (0 <= index < size) of a fixed order: uniform random picks. */
export const memberAt = (set: SetValue, index: number): string =>
  set._tag === "IntSet" ? String(set.members[index]) : (Hamt.entryAt(set.members, index)?.[0] ?? "")

/** setTypeConvert: the same members in a hashtable. */
const toTable = (set: IntSet): TableSet => new TableSet(Hamt.fromEntries(Array.from(set.members, (m) => [String(m), true] as const)))

const addToTable = (table: Hamt.HamtMap<true>, added: Iterable<string>): TableSet => {
  const edit = Hamt.beginEdit()
  let result = table
  for (const member of added) result = Hamt.set(result, member, true, edit)
  Hamt.endEdit(edit)
  return new TableSet(result)
}

/** Ascending distinct union of ascending distinct `members` and the unsorted `values`. */
const mergeIntegers = (members: BigInt64Array, values: ReadonlyArray<bigint>): BigInt64Array => {
  const sorted = BigInt64Array.from(values).sort()
  const merged = new BigInt64Array(members.length + sorted.length)
  let [i, j, n] = [0, 0, 0]
  while (i < members.length || j < sorted.length) {
    const next = j >= sorted.length || (i < members.length && members[i] <= sorted[j]) ? members[i++] : sorted[j++]
    if (n === 0 || merged[n - 1] !== next) merged[n++] = next
  }
  return merged.slice(0, n)
}

/**
 * `set` with `added` members (setTypeAdd for each): an intset stays one while
 * every member is an integer and its size is at most `maxIntsetEntries`,
 * otherwise it becomes a hashtable; a hashtable stays one.
 */
export const add = (set: SetValue, added: ReadonlyArray<string>, maxIntsetEntries: number): SetValue => {
  if (set._tag === "TableSet") return addToTable(set.members, added)
  const integers: Array<bigint> = []
  for (const member of added) {
    const value = asInteger(member)
    if (value === undefined) return addToTable(toTable(set).members, added)
    integers.push(value)
  }
  const merged = new IntSet(mergeIntegers(set.members, integers))
  return merged.members.length > maxIntsetEntries ? toTable(merged) : merged
}

/** A set of `members` as Redis builds a new one; undefined when there are none (empty sets never exist). */
export const fromMembers = (members: ReadonlyArray<string>, maxIntsetEntries: number): SetValue | undefined =>
  members.length === 0 ? undefined : add(emptySet, members, maxIntsetEntries)

/** `set` without `removed` (setTypeRemove for each, the encoding kept); undefined when nothing is left. */
export const remove = (set: SetValue, removed: ReadonlyArray<string>): SetValue | undefined => {
  let result: SetValue
  if (set._tag === "IntSet") {
    const gone = new Set<bigint>()
    for (const member of removed) {
      const value = asInteger(member)
      if (value !== undefined) gone.add(value)
    }
    result = new IntSet(set.members.filter((member) => !gone.has(member)))
  } else {
    const edit = Hamt.beginEdit()
    let table = set.members
    for (const member of removed) table = Hamt.remove(table, member, edit)
    Hamt.endEdit(edit)
    result = new TableSet(table)
  }
  return size(result) === 0 ? undefined : result
}

/** The integers an intset holds once `members` (ascending, distinct) are loaded, converted past the threshold. */
const fromIntegers = (integers: BigInt64Array, maxIntsetEntries: number): SetValue => {
  const intset = new IntSet(integers)
  return integers.length > maxIntsetEntries ? toTable(intset) : intset
}

/** AOF_REWRITE_ITEMS_PER_CMD: members per rewritten SADD. */
const rewriteItemsPerCommand = 64

/** How many bytes rdbSaveLen writes for `length`. */
const lengthBytes = (length: number): number => length < 64 ? 1 : length < 16384 ? 2 : length <= 0xffffffff ? 5 : 9

const sumOfMembers = (set: SetValue, perMember: (member: string) => number): number => {
  let total = 0
  if (set._tag === "IntSet") for (const member of set.members) total += perMember(String(member))
  else Hamt.forEach(set.members, (_, member) => {
    total += perMember(member)
  })
  return total
}

/** The dict's bucket count: the power of two at or above its size, at least 4 (_dictExpand). */
const dictBuckets = (count: number): number => Math.max(4, 2 ** Math.ceil(Math.log2(Math.max(1, count))))

/** The set type's module. */
export const setType: ValueType<SetValue> = {
  name: "set",
  /**
   * Every set is written as RDB_TYPE_SET (a length, then each member as an RDB
   * string), intset-encoded ones included: redis-server loads that back as an
   * intset when its content allows (rdbLoadObject), exactly as a SET_INTSET.
   */
  rdbType: 2,
  loadsRdbTypes: [2, 11],
  is: (value: StoredValue): value is SetValue => value instanceof IntSet || value instanceof TableSet,
  encoding: (value) => value._tag === "IntSet" ? "intset" : "hashtable",
  refcount: () => 1,
  /**
   * object.c objectComputeSize: the object (16) plus, for an intset, its header
   * (8) and members; for a hashtable, the dict (56), its bucket array and per
   * member a dictEntry (24) and an sds (length + 4). Allocator rounding left out.
   */
  memoryUsage: (value) =>
    value._tag === "IntSet"
      ? 16 + 8 + intsetWidth(value.members) * value.members.length
      : 16 + 56 + 8 * dictBuckets(size(value)) + sumOfMembers(value, (member) => 24 + member.length + 4),
  /** rdbSavedObjectLen of the RDB_TYPE_SET body written (members as plain strings: integer and LZF forms not counted). */
  serializedLength: (value) => lengthBytes(size(value)) + sumOfMembers(value, (member) => lengthBytes(member.length) + member.length),
  rdbSizeBound: (value) => 9 + sumOfMembers(value, (member) => member.length + 9),
  writeRdb: (value, out) => {
    out.length(size(value))
    if (value._tag === "IntSet") for (const member of value.members) out.string(String(member))
    else Hamt.forEach(value.members, (_, member) => out.string(member))
  },
  readRdb: (input, rdbType) => {
    if (rdbType === 11) {
      const decoded = decodeIntset(input.string())
      if (Either.isLeft(decoded)) return input.corrupt(decoded.left)
      if (decoded.right.length === 0) return input.corrupt("empty set")
      return fromIntegers(decoded.right, defaultMaxIntsetEntries)
    }
    const count = input.length()
    // rdbLoadObject: an empty RDB_TYPE_SET is skipped (an empty intset stays corrupt: intsetValidateIntegrity).
    if (count === 0) throw new EmptyCollection()
    const loaded: Array<string> = []
    for (let i = 0; i < count; i++) loaded.push(input.string())
    const set = fromMembers(loaded, defaultMaxIntsetEntries)
    if (set === undefined || size(set) !== count) return input.corrupt("duplicate set members")
    return set
  },
  /** rewriteSetObject: SADD of at most 64 members per command, then the expiry as PEXPIREAT. */
  rewrite: (key, value, expiresAt) => {
    const all = members(value)
    const commands: Array<Command> = []
    for (let i = 0; i < all.length; i += rewriteItemsPerCommand) {
      commands.push(["SADD", key, ...all.slice(i, i + rewriteItemsPerCommand)])
    }
    if (expiresAt !== undefined) commands.push(["PEXPIREAT", key, String(expiresAt)])
    return commands
  }
}

/** The key's set (undefined when missing), or WRONGTYPE. */
export const readSet = (value: StoredValue | undefined): Either.Either<SetValue | undefined, CommandError> =>
  expectType(setType, value)

/**
 * The Redis hash type (t_hash.c): an immutable field -> value map, a
 * persistent CHAMP trie (structures/hamt.ts), so HSET on a large hash makes a
 * new version in O(log n) and a SAVE snapshot shares it unchanged.
 *
 * OBJECT ENCODING is remembered as Redis remembers it: `listpack` while the
 * hash has at most `hash-max-listpack-entries` fields and no field or value
 * longer than `hash-max-listpack-value` bytes, `hashtable` from the first
 * write that breaks either (hashTypeTryConversion, hashTypeSet), and never
 * back (deleting fields keeps `hashtable`). The RDB loader applies the same
 * limits to what it loads (rdb.c rdbLoadObject).
 */
import type { Either } from "effect"
import type { CommandError } from "../errors.js"
import type { Command } from "../resp/values.js"
import * as Hamt from "../structures/hamt.js"
import { EmptyCollection, MalformedBlob } from "./encodings/blob.js"
import { decodeListpack } from "./encodings/listpack.js"
import { decodeZiplist } from "./encodings/ziplist.js"
import { decodeZipmap } from "./encodings/zipmap.js"
import { defaultEncodingLimits, type EncodingLimits } from "./encoding-limits.js"
import { expectType, type RdbValueReader, type StoredValue, type ValueType } from "./types.js"

export type HashEncoding = "listpack" | "hashtable"

/** A hash: its fields and the encoding Redis would hold it in. Never empty when stored. */
export class HashValue {
  readonly _tag = "Hash"
  constructor(
    readonly fields: Hamt.HamtMap<string>,
    readonly encoding: HashEncoding
  ) {}

  get size(): number {
    return Hamt.size(this.fields)
  }
}

/** RDB type bytes (rdb.h). */
export const RdbHashType = { hash: 4, zipmap: 9, ziplist: 13, listpack: 16 } as const

/** AOF_REWRITE_ITEMS_PER_CMD (server.h): the most field/value pairs one rewritten HSET carries. */
const rewriteItemsPerCommand = 64

/**
 * The encoding after a write that set `size` fields and touched the given
 * texts, under the limits in force (`hash-max-listpack-entries` / `-value`).
 */
const encodingAfter = (
  previous: HashEncoding,
  size: number,
  touched: ReadonlyArray<string>,
  limits: EncodingLimits
): HashEncoding =>
  previous === "hashtable" || size > limits.hashMaxListpackEntries ||
    !touched.every((text) => text.length <= limits.hashMaxListpackValue)
    ? "hashtable"
    : "listpack"

/** An empty hash, before its first field (never stored empty). */
export const emptyHash = new HashValue(Hamt.empty<string>(), "listpack")

/**
 * The hash with `pairs` set in order (later pairs win), converted as HSET
 * does: every field and value of the command counts for the length limit
 * (hashTypeTryConversion), the field count after the writes for the entries limit.
 */
export const setFields = (
  hash: HashValue,
  pairs: ReadonlyArray<readonly [string, string]>,
  limits: EncodingLimits
): HashValue => {
  let fields = hash.fields
  const edit = Hamt.beginEdit()
  for (const [field, value] of pairs) fields = Hamt.set(fields, field, value, edit)
  Hamt.endEdit(edit)
  return new HashValue(fields, encodingAfter(hash.encoding, Hamt.size(fields), pairs.flat(), limits))
}

/** The hash with one field set (HSETNX, HINCRBY, HINCRBYFLOAT: hashTypeSet's own length check). */
export const setField = (hash: HashValue, field: string, value: string, limits: EncodingLimits): HashValue =>
  setFields(hash, [[field, value]], limits)

/** The hash without `fields`, or undefined when none is left (the key is deleted); the encoding stays. */
export const removeFields = (hash: HashValue, fields: ReadonlyArray<string>): HashValue | undefined => {
  let remaining = hash.fields
  for (const field of fields) remaining = Hamt.remove(remaining, field)
  if (remaining === hash.fields) return hash
  return Hamt.size(remaining) === 0 ? undefined : new HashValue(remaining, hash.encoding)
}

export const getField = (hash: HashValue, field: string): string | undefined => Hamt.get(hash.fields, field)

/** Every field and value, in the trie's order. */
export const hashEntries = (hash: HashValue): Array<[string, string]> => Array.from(Hamt.entries(hash.fields))

/**
 * A hash as loaded (RDB) or built whole: the encoding its content implies.
 * The RDB loader passes Redis's default limits, not the configured ones.
 */
export const hashFromPairs = (
  pairs: ReadonlyArray<readonly [string, string]>,
  limits: EncodingLimits = defaultEncodingLimits
): HashValue => {
  let fields = Hamt.empty<string>()
  const edit = Hamt.beginEdit()
  for (const [field, value] of pairs) {
    const size = Hamt.size(fields)
    fields = Hamt.set(fields, field, value, edit)
    if (Hamt.size(fields) === size) throw new MalformedBlob(`duplicate hash field`)
  }
  Hamt.endEdit(edit)
  return new HashValue(fields, encodingAfter("listpack", Hamt.size(fields), pairs.flat(), limits))
}

const pairsOf = (flattened: ReadonlyArray<string>): Array<readonly [string, string]> => {
  if (flattened.length % 2 !== 0) throw new MalformedBlob("hash blob with an odd number of entries")
  const pairs: Array<readonly [string, string]> = []
  for (let i = 0; i < flattened.length; i += 2) pairs.push([flattened[i], flattened[i + 1]])
  return pairs
}

/** A hash loaded from `pairs`; none: the key is skipped (rdbLoadObject's emptykey). */
const loadedHash = (pairs: ReadonlyArray<readonly [string, string]>): HashValue => {
  if (pairs.length === 0) throw new EmptyCollection()
  return hashFromPairs(pairs)
}

/** rdbLoadObject's hash cases: a counted list of field/value strings, or one blob string of a compact encoding. */
const readRdb = (input: RdbValueReader, rdbType: number): HashValue => {
  switch (rdbType) {
    case RdbHashType.zipmap:
      return loadedHash(pairsOf(decodeZipmap(input.string())))
    case RdbHashType.ziplist:
      return loadedHash(pairsOf(decodeZiplist(input.string())))
    case RdbHashType.listpack:
      return loadedHash(pairsOf(decodeListpack(input.string())))
  }
  const count = input.length()
  const pairs: Array<readonly [string, string]> = []
  for (let i = 0; i < count; i++) {
    const field = input.string()
    pairs.push([field, input.string()])
  }
  return loadedHash(pairs)
}

/** rdbSaveLen's size. */
const lengthSize = (length: number): number => (length < 1 << 6 ? 1 : length < 1 << 14 ? 2 : length <= 0xffffffff ? 5 : 9)

/** The type-4 body's size without compression: the count, then each string's length and bytes. */
const serializedLength = (hash: HashValue): number => {
  let total = lengthSize(hash.size)
  Hamt.forEach(hash.fields, (value, field) => {
    total += lengthSize(field.length) + field.length + lengthSize(value.length) + value.length
  })
  return total
}

/** sdsReqType's header plus the terminator: what an sds of `length` bytes adds. */
const sdsOverhead = (length: number): number => (length < 32 ? 2 : length < 256 ? 4 : length < 65536 ? 6 : 10)

/** lpEncodeBacklen's size, and the encoding byte(s) of a string element (listpack.c lpEncodeString). */
const listpackEntrySize = (text: string): number => {
  const header = text.length < 64 ? 1 : text.length < 4096 ? 2 : 5
  const element = header + text.length
  return element + (element <= 127 ? 1 : element < 16383 ? 2 : 3)
}

/**
 * MEMORY USAGE's share of the value (object.c objectComputeSize): the object
 * (16) plus a listpack's bytes (header 6 and end 1), or for a hashtable the
 * dict (buckets a power of two, 8 bytes each), a 24-byte entry and two sds
 * strings per field.
 */
const memoryUsage = (hash: HashValue): number => {
  let total = 16
  if (hash.encoding === "listpack") {
    total += 7
    Hamt.forEach(hash.fields, (value, field) => {
      total += listpackEntrySize(field) + listpackEntrySize(value)
    })
    return total
  }
  let buckets = 4
  while (buckets < hash.size) buckets *= 2
  total += 56 + buckets * 8
  Hamt.forEach(hash.fields, (value, field) => {
    total += 24 + field.length + sdsOverhead(field.length) + value.length + sdsOverhead(value.length)
  })
  return total
}

/**
 * rewriteHashObject: HSET (Redis writes HMSET; HSET is its 4.0+ equal) with
 * at most 64 pairs per command, then PEXPIREAT for a volatile key
 * (rewriteAppendOnlyFileRio), so replay gives the same hash and expiry.
 */
const rewrite = (key: string, hash: HashValue, expiresAt: number | undefined): ReadonlyArray<Command> => {
  const commands: Array<Command> = []
  let current: Array<string> = []
  Hamt.forEach(hash.fields, (value, field) => {
    current.push(field, value)
    if (current.length === 2 * rewriteItemsPerCommand) {
      commands.push(["HSET", key, ...current])
      current = []
    }
  })
  if (current.length > 0) commands.push(["HSET", key, ...current])
  if (expiresAt !== undefined) commands.push(["PEXPIREAT", key, String(expiresAt)])
  return commands
}

/** The hash type's module. */
export const hashType: ValueType<HashValue> = {
  name: "hash",
  // Always the plain HASH type: redis-server re-encodes it on load by the same limits (rdbLoadObject).
  rdbType: RdbHashType.hash,
  loadsRdbTypes: [RdbHashType.hash, RdbHashType.zipmap, RdbHashType.ziplist, RdbHashType.listpack],
  is: (value: StoredValue): value is HashValue => value instanceof HashValue,
  encoding: (hash) => hash.encoding,
  refcount: () => 1,
  memoryUsage,
  serializedLength,
  rdbSizeBound: (hash) => {
    // As the string type's bound: a string's bytes plus at most 9 of length and encoding.
    let total = 9
    Hamt.forEach(hash.fields, (value, field) => {
      total += field.length + value.length + 18
    })
    return total
  },
  writeRdb: (hash, out) => {
    out.length(hash.size)
    Hamt.forEach(hash.fields, (value, field) => {
      out.string(field)
      out.string(value)
    })
  },
  readRdb,
  rewrite
}

/** The key's hash (undefined when missing), or WRONGTYPE. */
export const readHash = (value: StoredValue | undefined): Either.Either<HashValue | undefined, CommandError> =>
  expectType(hashType, value)

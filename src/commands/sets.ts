/**
 * The set commands (Redis's t_set.c), each a pure transition over the
 * selected database; the set values are values/set.ts.
 *
 * Randomness: SRANDMEMBER draws its seed from Effect's Random before the
 * step. SPOP's picks are a pure function of the step's clock, the key and
 * the set (a transition may run twice); the AOF logs what it popped as SREM
 * or DEL, as Redis propagates it.
 */
import { Effect, Either, Random } from "effect"
import {
  type CommandError,
  fail,
  invalidCursor,
  limitNegative,
  notInteger,
  numkeysNotPositive,
  numkeysTooMany,
  syntaxError,
  valueMustBePositive,
  valueOutOfRange
} from "../errors.js"
import { parseInt64 } from "../int64.js"
import { propagateAs } from "../persistence/aof/propagation.js"
import { array, bulk, integer, nullBulk, type ByteString, type Command, type RespValue, set as setReply } from "../resp/values.js"
import * as Database from "../store/database.js"
import { type Entry, expiresAtOf, valueOf } from "../store/entry.js"
import { globMatch } from "../store/glob.js"
import type { Store, Transition } from "../store/Store.js"
import { hashKey, scan } from "../structures/hamt.js"
import * as Sets from "../values/set.js"
import { readSet, type SetValue } from "../values/set.js"
import { failure, type Outcome, reply, transact, transactReading, unchanged } from "./keyspace-step.js"
import { parseScanClauses, parseScanCursor } from "./keys.js"
import { groupRow } from "./row.js"
import { keyspaceEvent, type KeyspaceEvent } from "../store/keyspace-events.js"
import type { Handler } from "./types.js"

/** The key's set (undefined when missing), or WRONGTYPE. */
const setAt = (db: Database.Database, key: ByteString): Either.Either<SetValue | undefined, CommandError> => {
  const stored: Entry | undefined = Database.get(db, key)
  return readSet(stored === undefined ? undefined : valueOf(stored))
}

/** The sets at `keys` in order (missing: undefined), or the first WRONGTYPE. */
const setsAt = (db: Database.Database, keys: ReadonlyArray<ByteString>): Either.Either<Array<SetValue | undefined>, CommandError> =>
  Either.all(keys.map((key) => setAt(db, key)))

/** `key` holding `set`, its TTL kept; an empty set deletes the key. */
const keep = (db: Database.Database, key: ByteString, set: SetValue | undefined): Database.Database =>
  set === undefined ? Database.remove(db, key) : Database.put(db, key, set, expiresAtOf(Database.get(db, key)))

const bulks = (members: ReadonlyArray<string>): Array<RespValue> => members.map(bulk)

/** A set command's event on `key`, and `del` after it when the set emptied (t_set.c). */
const setEvents = (event: string, key: ByteString, emptied: boolean): ReadonlyArray<KeyspaceEvent> =>
  emptied ? [keyspaceEvent("set", event, key), keyspaceEvent("generic", "del", key)] : [keyspaceEvent("set", event, key)]
const emptySetReply = setReply([])

/** Runs `f` on the set at `key`; WRONGTYPE changes nothing. */
const withSet = (
  db: Database.Database,
  key: ByteString,
  f: (set: SetValue | undefined) => Transition<Outcome>
): Transition<Outcome> => Either.match(setAt(db, key), { onLeft: (error) => unchanged(db, Either.left(error)), onRight: f })

/** A read-only step over the set at `args[1]`. */
const reading = (answer: (set: SetValue | undefined, args: ReadonlyArray<ByteString>) => RespValue): Handler<Store> => (args, session) =>
  transact(session, [args[1]], (db) => withSet(db, args[1], (set) => unchanged(db, reply(answer(set, args)))))

// ---------------------------------------------------------------------------
// Members

export const sadd: Handler<Store> = (args, session) =>
  transact(session, [args[1]], (db, _nowMs, limits) =>
    withSet(db, args[1], (set) => {
      const before = set ?? Sets.emptySet
      const after = Sets.add(before, args.slice(2), limits.setMaxIntsetEntries)
      const added = Sets.size(after) - Sets.size(before)
      return added === 0 ? unchanged(db, reply(integer(0))) : [reply(integer(added)), keep(db, args[1], after), added, setEvents("sadd", args[1], false)]
    }))

export const srem: Handler<Store> = (args, session) =>
  transact(session, [args[1]], (db) =>
    withSet(db, args[1], (set) => {
      if (set === undefined) return unchanged(db, reply(integer(0)))
      const after = Sets.remove(set, args.slice(2))
      const removed = Sets.size(set) - (after === undefined ? 0 : Sets.size(after))
      return removed === 0
        ? unchanged(db, reply(integer(0)))
        : [reply(integer(removed)), keep(db, args[1], after), removed, setEvents("srem", args[1], after === undefined)]
    }))

export const sismember = reading((set, args) => integer(set !== undefined && Sets.has(set, args[2]) ? 1 : 0))

export const smismember = reading((set, args) =>
  array(args.slice(2).map((member) => integer(set !== undefined && Sets.has(set, member) ? 1 : 0))))

export const scard = reading((set) => integer(set === undefined ? 0 : Sets.size(set)))

export const smembers = reading((set) => set === undefined ? emptySetReply : setReply(bulks(Sets.members(set))))

/** SMOVE source destination member (smoveCommand: a missing source answers 0 before the types are checked). */
export const smove: Handler<Store> = (args, session) => {
  const [, source, destination, member] = args
  return transact(session, [source, destination], (db, _nowMs, limits) => {
    if (Database.get(db, source) === undefined) return unchanged(db, reply(integer(0)))
    return Either.match(setsAt(db, [source, destination]), {
      onLeft: (error) => unchanged(db, Either.left(error)),
      onRight: ([from, to]) => {
        if (from === undefined || !Sets.has(from, member)) return unchanged(db, reply(integer(0)))
        if (source === destination) return unchanged(db, reply(integer(1)))
        const left = Sets.remove(from, [member])
        const afterSource = keep(db, source, left)
        const before = to ?? Sets.emptySet
        const added = Sets.add(before, [member], limits.setMaxIntsetEntries)
        // smoveCommand: srem (and del) on the source, sadd on the destination when the member is new there.
        const events = Sets.size(added) > Sets.size(before)
          ? [...setEvents("srem", source, left === undefined), keyspaceEvent("set", "sadd", destination)]
          : setEvents("srem", source, left === undefined)
        return [reply(integer(1)), keep(afterSource, destination, added), 2, events]
      }
    })
  })
}

// ---------------------------------------------------------------------------
// Random members

/** mulberry32: a small seeded generator, so a step stays a pure function of its seed. */
export const generator = (seed: number) => {
  let state = seed >>> 0
  return (bound: number): number => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 2 ** 32) * bound)
  }
}

/** `count` (< size) distinct members in random order: a partial Fisher-Yates shuffle of the positions. */
const distinctPicks = (set: SetValue, count: number, random: (bound: number) => number): Array<string> => {
  const size = Sets.size(set)
  const positions = new Map<number, number>()
  const picks: Array<string> = []
  for (let i = 0; i < count; i++) {
    const j = i + random(size - i)
    const at = positions.get(j) ?? j
    positions.set(j, positions.get(i) ?? i)
    picks.push(Sets.memberAt(set, at))
  }
  return picks
}

/** SRANDMEMBER's count: any long but LONG_MIN (getRangeLongFromObjectOrReply with -LONG_MAX..LONG_MAX). */
const parseRandomCount = (text: ByteString): Either.Either<bigint, CommandError> => {
  const count = parseInt64(text)
  if (count === undefined) return Either.left(failure(notInteger, "NotInteger"))
  const max = 2n ** 63n - 1n
  return count < -max ? Either.left(failure(valueOutOfRange(-max, max))) : Either.right(count)
}

/** SRANDMEMBER key [count] (srandmemberWithCountCommand). */
export const srandmember: Handler<Store> = (args, session) => {
  if (args.length > 3) return fail(syntaxError)
  const count = args.length === 3 ? parseRandomCount(args[2]) : Either.right(undefined)
  if (Either.isLeft(count)) return Effect.fail(count.left)
  return Effect.flatMap(Random.nextInt, (seed) =>
    transactReading(session, [args[1]], (db) =>
      withSet(db, args[1], (set) => {
        const random = generator(seed)
        const wanted = count.right
        if (wanted === undefined) return unchanged(db, reply(set === undefined ? nullBulk : bulk(Sets.memberAt(set, random(Sets.size(set))))))
        if (set === undefined || wanted === 0n) return unchanged(db, reply(array([])))
        const size = Sets.size(set)
        if (wanted < 0n) return unchanged(db, reply(array(Array.from({ length: Number(-wanted) }, () => bulk(Sets.memberAt(set, random(size)))))))
        if (wanted >= BigInt(size)) return unchanged(db, reply(array(bulks(Sets.members(set)))))
        return unchanged(db, reply(array(bulks(distinctPicks(set, Number(wanted), random)))))
      }), true))
}

/** SPOP's seed: the step's time, the key and the set's size (see the module comment). */
const popSeed = (key: ByteString, nowMs: number, size: number): number => hashKey(key) ^ Math.imul(nowMs % 0x7fffffff, 0x9e3779b1) ^ size

/** SPOP_MOVE_STRATEGY_MUL: when what stays is this small against what goes, the rest is rebuilt (t_set.c). */
const popMoveStrategyFactor = 5

/**
 * SPOP key [count] (spopCommand, spopWithCountCommand). It propagates as
 * Redis 7.0 does: SREM of each popped member (one command each, in the order
 * popped), or DEL when a count takes the whole set.
 */
export const spop: Handler<Store> = (args, session) => {
  if (args.length > 3) return fail(syntaxError)
  const count = args.length === 3 ? parseInt64(args[2]) : undefined
  if (args.length === 3 && (count === undefined || count < 0n)) return fail(valueMustBePositive)
  /** What the published run popped (a transition may run twice: the last run is the one kept). */
  let propagated: ReadonlyArray<Command> = []
  const srem = (members: ReadonlyArray<string>) => {
    propagated = members.map((member) => ["SREM", args[1], member])
    return members
  }
  const step = transact(session, [args[1]], (db, nowMs, limits) =>
    withSet(db, args[1], (set) => {
      if (set === undefined) return unchanged(db, reply(count === undefined ? nullBulk : emptySetReply))
      const size = Sets.size(set)
      const random = generator(popSeed(args[1], nowMs, size))
      if (count === undefined) {
        const [member] = srem([Sets.memberAt(set, random(size))])
        const left = Sets.remove(set, [member])
        return [reply(bulk(member)), keep(db, args[1], left), 1, setEvents("spop", args[1], left === undefined)]
      }
      if (count === 0n) return unchanged(db, reply(emptySetReply))
      if (count >= BigInt(size)) {
        propagated = [["DEL", args[1]]]
        return [reply(setReply(bulks(Sets.members(set)))), Database.remove(db, args[1]), 1, setEvents("spop", args[1], true)]
      }
      const popped = Number(count)
      const remaining = size - popped
      if (remaining * popMoveStrategyFactor > popped) {
        const picks = srem(distinctPicks(set, popped, random))
        return [reply(setReply(bulks(picks))), keep(db, args[1], Sets.remove(set, picks)), 1, setEvents("spop", args[1], false)]
      }
      const kept = distinctPicks(set, remaining, random)
      const rest = Sets.fromMembers(kept, limits.setMaxIntsetEntries)
      const gone = srem(rest === undefined ? Sets.members(set) : Sets.members(set).filter((member) => !Sets.has(rest, member)))
      return [reply(setReply(bulks(gone))), keep(db, args[1], rest), 1, setEvents("spop", args[1], false)]
    }))
  return Effect.tap(step, () => propagated.length === 0 ? Effect.void : propagateAs(propagated))
}

// ---------------------------------------------------------------------------
// Algebra

/** SINTER's members: the smallest set's, in its order, that every other set holds (sinterGenericCommand). */
const intersection = (sets: ReadonlyArray<SetValue | undefined>, limit = 0): Array<string> => {
  const present: Array<SetValue> = []
  for (const set of sets) {
    if (set === undefined) return []
    present.push(set)
  }
  const [smallest, ...others] = [...present].sort((a, b) => Sets.size(a) - Sets.size(b))
  const result: Array<string> = []
  for (const member of Sets.members(smallest)) {
    if (others.every((other) => Sets.has(other, member))) result.push(member)
    if (limit > 0 && result.length >= limit) break
  }
  return result
}

const union = (sets: ReadonlyArray<SetValue | undefined>): Array<string> => {
  const seen = new Set<string>()
  for (const set of sets) if (set !== undefined) for (const member of Sets.members(set)) seen.add(member)
  return [...seen]
}

const difference = ([first, ...others]: ReadonlyArray<SetValue | undefined>): Array<string> =>
  first === undefined ? [] : Sets.members(first).filter((member) => !others.some((other) => other !== undefined && Sets.has(other, member)))

/**
 * SINTER / SUNION / SDIFF key [key ...]: every key type-checked first; SUNION
 * and SDIFF build their result as a new set (intset order when it is one).
 */
const algebra = (combine: (sets: ReadonlyArray<SetValue | undefined>) => Array<string>, rebuild: boolean): Handler<Store> =>
(args, session) =>
  transact(session, args.slice(1), (db, _nowMs, limits) =>
    Either.match(setsAt(db, args.slice(1)), {
      onLeft: (error) => unchanged(db, Either.left(error)),
      onRight: (sets) => {
        const result = combine(sets)
        const built = rebuild ? Sets.fromMembers(result, limits.setMaxIntsetEntries) : undefined
        return unchanged(db, reply(setReply(bulks(built === undefined ? result : Sets.members(built)))))
      }
    }))

/** SINTERSTORE / SUNIONSTORE / SDIFFSTORE destination key [key ...]: an empty result deletes the destination. */
const algebraStore = (combine: (sets: ReadonlyArray<SetValue | undefined>) => Array<string>, event: string): Handler<Store> => (args, session) =>
  transact(session, args.slice(1), (db, _nowMs, limits) =>
    Either.match(setsAt(db, args.slice(2)), {
      onLeft: (error) => unchanged(db, Either.left(error)),
      onRight: (sets) => {
        const stored = Sets.fromMembers(combine(sets), limits.setMaxIntsetEntries)
        if (stored === undefined) {
          const existed = Database.get(db, args[1]) !== undefined
          return existed ? [reply(integer(0)), Database.remove(db, args[1]), 1, [keyspaceEvent("generic", "del", args[1])]] : unchanged(db, reply(integer(0)))
        }
        return [reply(integer(Sets.size(stored))), Database.put(db, args[1], stored, undefined), 1, [keyspaceEvent("set", event, args[1])]]
      }
    }))

export const sinter = algebra(intersection, false)
export const sunion = algebra(union, true)
export const sdiff = algebra(difference, true)
export const sinterstore = algebraStore(intersection, "sinterstore")
export const sunionstore = algebraStore(union, "sunionstore")
export const sdiffstore = algebraStore(difference, "sdiffstore")

/** SINTERCARD numkeys key [key ...] [LIMIT limit] (sinterCardCommand's checks, in its order). */
export const sintercard: Handler<Store> = (args, session) => {
  const numkeys = parseInt64(args[1])
  if (numkeys === undefined || numkeys < 1n) return fail(numkeysNotPositive)
  if (numkeys > BigInt(args.length - 2)) return fail(numkeysTooMany)
  const keys = args.slice(2, 2 + Number(numkeys))
  let limit = 0
  for (let i = 2 + keys.length; i < args.length; i++) {
    if (args[i].toLowerCase() !== "limit" || i + 1 >= args.length) return fail(syntaxError)
    const parsed = parseInt64(args[++i])
    if (parsed === undefined || parsed < 0n) return fail(limitNegative)
    limit = Number(parsed)
  }
  return transact(session, keys, (db) =>
    Either.match(setsAt(db, keys), {
      onLeft: (error) => unchanged(db, Either.left(error)),
      onRight: (sets) => unchanged(db, reply(integer(intersection(sets, limit).length)))
    }))
}

// ---------------------------------------------------------------------------
// SSCAN

const scanReply = (cursor: number, members: ReadonlyArray<string>): RespValue => array([bulk(String(cursor)), array(bulks(members))])

/**
 * SSCAN key cursor [MATCH pattern] [COUNT count]: the cursor is checked first,
 * then the key (missing: an empty finished scan), then the options. An intset
 * answers every member at once with cursor 0; a hashtable pages in hash order
 * (structures/hamt.ts scan).
 */
export const sscan: Handler<Store> = (args, session) => {
  const cursor = parseScanCursor(args[2])
  if (cursor === undefined) return fail(invalidCursor)
  return transact(session, [args[1]], (db) =>
    withSet(db, args[1], (set) => {
      if (set === undefined) return unchanged(db, reply(scanReply(0, [])))
      return unchanged(db, Either.map(parseScanClauses(args, 3, false), ({ count, pattern }) => {
        const [next, page] = set._tag === "IntSet" ? [0, Sets.members(set)] : scan(set.members, Number(cursor), count)
        return scanReply(next, pattern === undefined ? page : page.filter((member) => globMatch(pattern, member)))
      }))
    }))
}

// ---------------------------------------------------------------------------
// Rows (COMMAND INFO / COMMAND DOCS of redis-server 7.0.15)

const setRow = groupRow("set")

export const setCommands = [
  setRow("sadd", -3, ["write", "denyoom", "fast"], [1, 1, 1], "Add one or more members to a set", "1.0.0", sadd),
  setRow("scard", 2, ["readonly", "fast"], [1, 1, 1], "Get the number of members in a set", "1.0.0", scard),
  setRow("sdiff", -2, ["readonly"], [1, -1, 1], "Subtract multiple sets", "1.0.0", sdiff),
  setRow("sdiffstore", -3, ["write", "denyoom"], [1, -1, 1], "Subtract multiple sets and store the resulting set in a key", "1.0.0",
    sdiffstore),
  setRow("sinter", -2, ["readonly"], [1, -1, 1], "Intersect multiple sets", "1.0.0", sinter),
  setRow("sintercard", -3, ["readonly", "movablekeys"], [0, 0, 0], "Intersect multiple sets and return the cardinality of the result", "7.0.0",
    sintercard),
  setRow("sinterstore", -3, ["write", "denyoom"], [1, -1, 1], "Intersect multiple sets and store the resulting set in a key",
    "1.0.0", sinterstore),
  setRow("sismember", 3, ["readonly", "fast"], [1, 1, 1], "Determine if a given value is a member of a set", "1.0.0", sismember),
  setRow("smembers", 2, ["readonly"], [1, 1, 1], "Get all the members in a set", "1.0.0", smembers),
  setRow("smismember", -3, ["readonly", "fast"], [1, 1, 1], "Returns the membership associated with the given elements for a set",
    "6.2.0", smismember),
  setRow("smove", 4, ["write", "fast"], [1, 2, 1], "Move a member from one set to another", "1.0.0", smove),
  setRow("spop", -2, ["write", "fast"], [1, 1, 1], "Remove and return one or multiple random members from a set", "1.0.0", spop),
  setRow("srandmember", -2, ["readonly"], [1, 1, 1], "Get one or multiple random members from a set", "1.0.0", srandmember),
  setRow("srem", -3, ["write", "fast"], [1, 1, 1], "Remove one or more members from a set", "1.0.0", srem),
  setRow("sscan", -3, ["readonly"], [1, 1, 1], "Incrementally iterate Set elements", "2.8.0", sscan),
  setRow("sunion", -2, ["readonly"], [1, -1, 1], "Add multiple sets", "1.0.0", sunion),
  setRow("sunionstore", -3, ["write", "denyoom"], [1, -1, 1], "Add multiple sets and store the resulting set in a key", "1.0.0",
    sunionstore)
]

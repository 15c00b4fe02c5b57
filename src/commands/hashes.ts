/**
 * The hash commands (Redis's t_hash.c), each a pure transition over the
 * selected database. A hash never exists empty: removing its last field
 * deletes the key. Writes keep the key's TTL.
 */
import { Effect, Either, Random } from "effect"
import { PCGRandom } from "effect/Utils"
import {
  type CommandError,
  fail,
  hashNotFloat,
  hashNotInteger,
  countOutOfRange,
  incrementNanOrInfinity,
  invalidCursor,
  notFloat,
  notInteger,
  overflow,
  syntaxError,
  valueNanOrInfinity,
  valueOutOfRange,
  wrongArity
} from "../errors.js"
import { int64Max, int64Min, parseInt64 } from "../int64.js"
import { array, bulk, type ByteString, integer, map, nullBulk, ok, type RespValue } from "../resp/values.js"
import type { Session } from "../state/Session.js"
import * as Database from "../store/database.js"
import { type Entry, expiresAtOf, valueOf } from "../store/entry.js"
import { globMatch } from "../store/glob.js"
import type { Store } from "../store/Store.js"
import type { Transition } from "../store/Store.js"
import * as Hamt from "../structures/hamt.js"
import type { EncodingLimits } from "../values/encoding-limits.js"
import {
  emptyHash,
  getField,
  hashEntries,
  type HashValue,
  readHash,
  removeFields,
  setField,
  setFields
} from "../values/hash.js"
import { commandName } from "./dispatch.js"
import { parseScanClauses, parseScanCursor } from "./keys.js"
import { failure, type Outcome, reply, transact, transactReading, unchanged } from "./keyspace-step.js"
import { addLongDouble, formatLongDouble, parseLongDouble } from "./numbers.js"
import { command } from "./row.js"
import type { CommandSpec, Handler } from "./types.js"
import { keyspaceEvent } from "../store/keyspace-events.js"

type Step = Transition<Outcome>

/** The key's hash (undefined when missing), or WRONGTYPE. */
const hashAt = (stored: Entry | undefined): Either.Either<HashValue | undefined, CommandError> =>
  readHash(stored === undefined ? undefined : valueOf(stored))

/** A read-only command: `answer` on the key's hash, WRONGTYPE for another type. */
const reading = (answer: (hash: HashValue | undefined) => Outcome): Handler<Store> => (args, session) =>
  transactReading(session, [args[1]], (db) => unchanged(db, Either.flatMap(hashAt(Database.get(db, args[1])), answer)), true)

/**
 * A write command: `change` maps the key's hash (an empty one for a missing
 * key) to the reply and the new hash, undefined to delete the key; the same
 * hash object back means nothing changed.
 */
const writing = (
  session: Session,
  key: ByteString,
  change: (hash: HashValue, limits: EncodingLimits) => Either.Either<readonly [RespValue, HashValue | undefined], CommandError>,
  /** The command's keyspace event; `del` follows when the hash emptied. */
  event: string,
  /** Whether the event is raised when nothing changed (hsetCommand and the HINCRBYs notify whenever they succeed). */
  notifiesUnchanged = false
) =>
  transact(session, [key], (db, _nowMs, limits): Step => {
    const stored = Database.get(db, key)
    const current = hashAt(stored)
    if (Either.isLeft(current)) return unchanged(db, Either.left(current.left))
    const before = current.right ?? emptyHash
    const changed = change(before, limits)
    if (Either.isLeft(changed)) return unchanged(db, Either.left(changed.left))
    const [answer, after] = changed.right
    if (after === before) return notifiesUnchanged ? [reply(answer), db, 0, [keyspaceEvent("hash", event, key)]] : unchanged(db, reply(answer))
    const next = after === undefined ? Database.remove(db, key) : Database.put(db, key, after, expiresAtOf(stored))
    const events = after === undefined ? [keyspaceEvent("hash", event, key), keyspaceEvent("generic", "del", key)] : [keyspaceEvent("hash", event, key)]
    return [reply(answer), next, 1, events]
  })

const pairsOf = (args: ReadonlyArray<ByteString>, from: number): Array<readonly [ByteString, ByteString]> => {
  const pairs: Array<readonly [ByteString, ByteString]> = []
  for (let i = from; i < args.length; i += 2) pairs.push([args[i], args[i + 1]])
  return pairs
}

/** HSET / HMSET key field value [field value ...]: an odd count is the arity error (hsetCommand). */
const settingPairs = (answer: (added: number) => RespValue): Handler<Store> => (args, session) => {
  if (args.length % 2 !== 0) return Effect.fail(failure(wrongArity(commandName(args))))
  const pairs = pairsOf(args, 2)
  return writing(session, args[1], (hash, limits) => {
    const after = setFields(hash, pairs, limits)
    return Either.right([answer(after.size - hash.size), after])
  }, "hset", true)
}

export const hset = settingPairs((added) => integer(added))
export const hmset = settingPairs(() => ok)

export const hsetnx: Handler<Store> = (args, session) =>
  writing(session, args[1], (hash, limits) =>
    Either.right(getField(hash, args[2]) !== undefined ? [integer(0), hash] : [integer(1), setField(hash, args[2], args[3], limits)]), "hset")

export const hdel: Handler<Store> = (args, session) =>
  writing(session, args[1], (hash) => {
    if (hash.size === 0) return Either.right([integer(0), hash])
    const fields = args.slice(2)
    const after = removeFields(hash, fields)
    return Either.right([integer(hash.size - (after?.size ?? 0)), after])
  }, "hdel")

const fieldOrNull = (hash: HashValue | undefined, field: ByteString): RespValue => {
  const value = hash === undefined ? undefined : getField(hash, field)
  return value === undefined ? nullBulk : bulk(value)
}

export const hget: Handler<Store> = (args, session) => reading((hash) => reply(fieldOrNull(hash, args[2])))(args, session)

export const hmget: Handler<Store> = (args, session) =>
  reading((hash) => reply(array(args.slice(2).map((field) => fieldOrNull(hash, field)))))(args, session)

export const hlen: Handler<Store> = reading((hash) => reply(integer(hash?.size ?? 0)))

export const hstrlen: Handler<Store> = (args, session) =>
  reading((hash) => reply(integer((hash === undefined ? undefined : getField(hash, args[2]))?.length ?? 0)))(args, session)

export const hexists: Handler<Store> = (args, session) =>
  reading((hash) => reply(integer(hash !== undefined && getField(hash, args[2]) !== undefined ? 1 : 0)))(args, session)

export const hkeys: Handler<Store> = reading((hash) =>
  reply(array(hash === undefined ? [] : hashEntries(hash).map(([field]) => bulk(field)))))

export const hvals: Handler<Store> = reading((hash) =>
  reply(array(hash === undefined ? [] : hashEntries(hash).map(([, value]) => bulk(value)))))

/** HGETALL: a map (RESP3), flattened to field, value ... in RESP2 by the encoder. */
export const hgetall: Handler<Store> = reading((hash) =>
  reply(map(hash === undefined ? [] : hashEntries(hash).map(([field, value]) => [bulk(field), bulk(value)] as const))))

// ---------------------------------------------------------------------------
// Counters

/** hincrbyCommand: the increment first, then the field (string2ll), then the overflow check. */
export const hincrby: Handler<Store> = (args, session) => {
  const increment = parseInt64(args[3])
  if (increment === undefined) return Effect.fail(failure(notInteger, "NotInteger"))
  return writing(session, args[1], (hash, limits) => {
    const current = getField(hash, args[2])
    const value = current === undefined ? 0n : parseInt64(current)
    if (value === undefined) return fail(hashNotInteger, "NotInteger")
    const result = value + increment
    if (result < int64Min || result > int64Max) return fail(overflow, "Overflow")
    const reply = integer(result >= BigInt(Number.MIN_SAFE_INTEGER) && result <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(result) : result)
    return Either.right([reply, setField(hash, args[2], result.toString(), limits)])
  }, "hincrby", true)
}

/** hincrbyfloatCommand: long double arithmetic and formatting, as INCRBYFLOAT (numbers.ts). */
export const hincrbyfloat: Handler<Store> = (args, session) => {
  const increment = parseLongDouble(args[3])
  if (increment === undefined) return Effect.fail(failure(notFloat))
  if (increment._tag === "Infinite") return Effect.fail(failure(valueNanOrInfinity))
  return writing(session, args[1], (hash, limits) => {
    const current = getField(hash, args[2])
    const value = parseLongDouble(current ?? "0")
    if (value === undefined) return fail(hashNotFloat)
    const result = addLongDouble(value, increment)
    if (result._tag === "Infinite") return fail(incrementNanOrInfinity)
    const text = formatLongDouble(result)
    return Either.right([bulk(text), setField(hash, args[2], text, limits)])
  }, "hincrbyfloat", true)
}

// ---------------------------------------------------------------------------
// HRANDFIELD

const longMax = 2n ** 63n - 1n

interface RandomFieldCount {
  readonly count: bigint
  readonly withValues: boolean
}

/** hrandfieldCommand's parsing: the count in [-LONG_MAX, LONG_MAX], WITHVALUES halving that range. */
const parseRandomFieldCount = (args: ReadonlyArray<ByteString>): Either.Either<RandomFieldCount, CommandError> => {
  const count = parseInt64(args[2])
  if (count === undefined) return Either.left(failure(notInteger, "NotInteger"))
  if (count < -longMax) return Either.left(failure(valueOutOfRange(-longMax, longMax)))
  if (args.length > 4 || (args.length === 4 && args[3].toLowerCase() !== "withvalues")) return Either.left(failure(syntaxError))
  const withValues = args.length === 4
  if (withValues && (count < -longMax / 2n || count > longMax / 2n)) return Either.left(failure(countOutOfRange))
  return Either.right({ count, withValues })
}

/** `count` distinct entries chosen uniformly (a partial Fisher-Yates shuffle of the entries). */
const distinctEntries = (hash: HashValue, count: number, random: PCGRandom): Array<readonly [string, string]> => {
  const all: Array<readonly [string, string]> = hashEntries(hash)
  for (let i = 0; i < count; i++) {
    const j = i + random.integer(all.length - i)
    const chosen = all[j]
    all[j] = all[i]
    all[i] = chosen
  }
  return all.slice(0, count)
}

/** `count` entries chosen uniformly with repeats (a negative count). */
const repeatedEntries = (hash: HashValue, count: number, random: PCGRandom): Array<readonly [string, string]> =>
  Array.from({ length: count }, () => Hamt.entryAt(hash.fields, random.integer(hash.size)) ?? ["", ""])

/** hrandfieldWithCountCommand's reply: fields, or field, value ... (RESP2) or [field, value] pairs (RESP3). */
const randomFieldsReply = (entries: ReadonlyArray<readonly [string, string]>, withValues: boolean, protocol: 2 | 3): RespValue => {
  if (!withValues) return array(entries.map(([field]) => bulk(field)))
  if (protocol === 3) return array(entries.map(([field, value]) => array([bulk(field), bulk(value)])))
  return array(entries.flatMap(([field, value]) => [bulk(field), bulk(value)]))
}

/** HRANDFIELD key [count [WITHVALUES]] */
export const hrandfield: Handler<Store> = (args, session) =>
  Effect.flatMap(Random.nextInt, (seed) => {
    const random = new PCGRandom(seed)
    if (args.length === 2) {
      return reading((hash) => {
        const picked = hash === undefined ? undefined : Hamt.entryAt(hash.fields, random.integer(hash.size))
        return reply(picked === undefined ? nullBulk : bulk(picked[0]))
      })(args, session)
    }
    return Either.match(parseRandomFieldCount(args), {
      onLeft: Effect.fail,
      onRight: ({ count, withValues }) =>
        reading((hash) => {
          if (hash === undefined || count === 0n) return reply(array([]))
          const entries = count < 0n
            ? repeatedEntries(hash, Number(-count), random)
            : distinctEntries(hash, Math.min(hash.size, Number(count)), random)
          return reply(randomFieldsReply(entries, withValues, session.protocol))
        })(args, session)
    })
  })

// ---------------------------------------------------------------------------
// HSCAN

/**
 * HSCAN key cursor [MATCH pattern] [COUNT count]: the cursor is parsed first,
 * then the key (missing: an empty page; another type: WRONGTYPE), then the
 * options (hscanCommand). A listpack-encoded hash is answered whole with
 * cursor 0 (scanGenericCommand); a hashtable pages in hash order with the
 * trie's SCAN cursor (structures/hamt-walk.ts).
 */
export const hscan: Handler<Store> = (args, session) => {
  const cursor = parseScanCursor(args[2])
  if (cursor === undefined) return Effect.fail(failure(invalidCursor))
  return reading((hash) => {
    if (hash === undefined) return reply(array([bulk("0"), array([])]))
    return Either.map(parseScanClauses(args, 3, false), ({ count, pattern }) => {
      const items: Array<RespValue> = []
      const visit = (field: string, value: string) => {
        if (pattern === undefined || globMatch(pattern, field)) items.push(bulk(field), bulk(value))
      }
      let next = 0
      if (hash.encoding === "listpack") Hamt.forEach(hash.fields, (value, field) => visit(field, value))
      else next = cursor >= 2n ** 32n ? 0 : Hamt.scanWith(hash.fields, Number(cursor), count, visit)
      return array([bulk(String(next)), array(items)])
    })
  })(args, session)
}

// ---------------------------------------------------------------------------
// Rows (COMMAND INFO / COMMAND DOCS of redis-server 7.0.15)

const oneKey = [1, 1, 1] as const
const row = (
  name: string,
  arity: number,
  flags: CommandSpec<Store>["flags"],
  summary: string,
  since: string,
  handler: Handler<Store>
): CommandSpec<Store> => command({ name, arity, flags, keys: oneKey, summary, since, group: "hash", handler })

/** Every hash command, for the command table (and the AOF replay table: the writes are logged). */
export const hashCommands: ReadonlyArray<CommandSpec<Store>> = [
  row("hdel", -3, ["write", "fast"], "Delete one or more hash fields", "2.0.0", hdel),
  row("hexists", 3, ["readonly", "fast"], "Determine if a hash field exists", "2.0.0", hexists),
  row("hget", 3, ["readonly", "fast"], "Get the value of a hash field", "2.0.0", hget),
  row("hgetall", 2, ["readonly"], "Get all the fields and values in a hash", "2.0.0", hgetall),
  row("hincrby", 4, ["write", "denyoom", "fast"], "Increment the integer value of a hash field by the given number", "2.0.0", hincrby),
  row("hincrbyfloat", 4, ["write", "denyoom", "fast"], "Increment the float value of a hash field by the given amount", "2.6.0", hincrbyfloat),
  row("hkeys", 2, ["readonly"], "Get all the fields in a hash", "2.0.0", hkeys),
  row("hlen", 2, ["readonly", "fast"], "Get the number of fields in a hash", "2.0.0", hlen),
  row("hmget", -3, ["readonly", "fast"], "Get the values of all the given hash fields", "2.0.0", hmget),
  row("hmset", -4, ["write", "denyoom", "fast"], "Set multiple hash fields to multiple values", "2.0.0", hmset),
  row("hrandfield", -2, ["readonly"], "Get one or multiple random fields from a hash", "6.2.0", hrandfield),
  row("hscan", -3, ["readonly"], "Incrementally iterate hash fields and associated values", "2.8.0", hscan),
  row("hset", -4, ["write", "denyoom", "fast"], "Set the string value of a hash field", "2.0.0", hset),
  row("hsetnx", 4, ["write", "denyoom", "fast"], "Set the value of a hash field, only if the field does not exist", "2.0.0", hsetnx),
  row("hstrlen", 3, ["readonly", "fast"], "Get the length of the value of a hash field", "3.2.0", hstrlen),
  row("hvals", 2, ["readonly"], "Get all the values in a hash", "2.0.0", hvals)
]

/**
 * The string commands (Redis's t_string.c), each a pure transition over the
 * selected database.
 */
import { constants } from "node:buffer"
import { Effect, Either } from "effect"
import {
  type CommandError,
  decrementOverflow,
  incrementNanOrInfinity,
  invalidExpireTime,
  notFloat,
  notInteger,
  offsetOutOfRange,
  overflow,
  stringTooLong,
  syntaxError,
  wrongArity
} from "../errors.js"
import { bulk, integer, nullBulk, ok, type ByteString, type RespValue } from "../resp/values.js"
import * as Database from "../store/database.js"
import { type Entry, expiresAtOf, valueOf } from "../store/entry.js"
import type { Store, Transition } from "../store/Store.js"
import { int64Max, int64Min, parseInt64 } from "../int64.js"
import { addLongDouble, formatLongDouble, parseLongDouble } from "./numbers.js"
import { fail } from "../errors.js"
import { failure, type Outcome, reply, transact, unchanged } from "./keyspace-step.js"
import type { CommandSpec, Handler } from "./types.js"
import { commandName } from "./dispatch.js"
import { edited, fresh, readString, textOf } from "../values/string.js"
import { command } from "./row.js"
import { keyspaceEvent } from "../store/keyspace-events.js"
import { pairEvents, setEvents } from "./string-events.js"

/**
 * The largest string a command may build: Redis's default proto-max-bulk-len
 * (512MB), capped at the longest string V8 can hold (2^29 - 24 chars on 64-bit),
 * since values are JS strings; past that SETRANGE and APPEND answer Redis's
 * "string exceeds maximum allowed size" instead of failing the connection.
 */
export const maxStringLength = Math.min(512 * 1024 * 1024, constants.MAX_STRING_LENGTH)


/**
 * A key's string bytes (undefined when missing), or WRONGTYPE for a key of
 * another type (readString, the one typed accessor).
 */
const stringAt = (stored: Entry | undefined): Either.Either<ByteString | undefined, CommandError> =>
  Either.map(readString(stored === undefined ? undefined : valueOf(stored)), (value) => value === undefined ? undefined : textOf(value))

/** A missing key reads as the empty string (APPEND, STRLEN, GETRANGE, SETRANGE). */
const valueOrEmpty = (stored: Entry | undefined): Either.Either<ByteString, CommandError> =>
  Either.map(stringAt(stored), (text) => text ?? "")

const bulkOrNull = (stored: Entry | undefined): Outcome =>
  Either.map(stringAt(stored), (text): RespValue => text === undefined ? nullBulk : bulk(text))

/** A reply integer: a JS number when exact, else a bigint. */
const int64Reply = (value: bigint): RespValue =>
  integer(value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value)

// ---------------------------------------------------------------------------
// Expire options (parseExtendedStringArgumentsOrReply / getExpireMillisecondsOrReply)

export type ExpireUnit = "EX" | "PX" | "EXAT" | "PXAT"

export interface ExpireOption {
  readonly unit: ExpireUnit
  readonly time: ByteString
}

export interface SetOptions {
  readonly nx: boolean
  readonly xx: boolean
  readonly get: boolean
  readonly keepTtl: boolean
  readonly persist: boolean
  readonly expire: ExpireOption | undefined
}

const noOptions: SetOptions = { nx: false, xx: false, get: false, keepTtl: false, persist: false, expire: undefined }

const expireUnits: ReadonlyArray<ExpireUnit> = ["EX", "PX", "EXAT", "PXAT"]

/**
 * Parses SET's (`command` "set") or GETEX's ("getex") options from `args[3..]`
 * (GETEX: `args[2..]`), accepting exactly the combinations Redis 7.0 accepts:
 * a repeated option is allowed, two conflicting ones are a syntax error.
 */
export const parseSetOptions = (
  options: ReadonlyArray<ByteString>,
  command: "set" | "getex"
): Either.Either<SetOptions, CommandError> => {
  let parsed = noOptions
  const isSet = command === "set"
  for (let j = 0; j < options.length; j++) {
    const option = options[j].toUpperCase()
    const next = options[j + 1]
    const unit = expireUnits.find((candidate) => candidate === option)
    if (option === "NX" && !parsed.xx && isSet) parsed = { ...parsed, nx: true }
    else if (option === "XX" && !parsed.nx && isSet) parsed = { ...parsed, xx: true }
    else if (option === "GET" && isSet) parsed = { ...parsed, get: true }
    else if (option === "KEEPTTL" && !parsed.persist && parsed.expire === undefined && isSet) {
      parsed = { ...parsed, keepTtl: true }
    } else if (option === "PERSIST" && !isSet && parsed.expire === undefined && !parsed.keepTtl) {
      parsed = { ...parsed, persist: true }
    } else if (
      unit !== undefined && !parsed.keepTtl && !parsed.persist &&
      (parsed.expire === undefined || parsed.expire.unit === unit) && next !== undefined
    ) {
      parsed = { ...parsed, expire: { unit, time: next } }
      j++
    } else return Either.left(failure(syntaxError))
  }
  return Either.right(parsed)
}

/**
 * The absolute expiry (unix ms) an option names, as getExpireMillisecondsOrReply:
 * not an integer, not positive, or overflowing int64 once made absolute are errors.
 */
export const expireOptionToTime = (
  option: ExpireOption,
  nowMs: number,
  command: string
): Either.Either<number, CommandError> => {
  const parsed = parseInt64(option.time)
  if (parsed === undefined) return Either.left(failure(notInteger, "NotInteger"))
  const seconds = option.unit === "EX" || option.unit === "EXAT"
  if (parsed <= 0n || (seconds && parsed > int64Max / 1000n)) return Either.left(failure(invalidExpireTime(command), "InvalidExpireTime"))
  const milliseconds = seconds ? parsed * 1000n : parsed
  const absolute = option.unit === "EX" || option.unit === "PX" ? milliseconds + BigInt(nowMs) : milliseconds
  return absolute > int64Max ? Either.left(failure(invalidExpireTime(command), "InvalidExpireTime")) : Either.right(Number(absolute))
}

const optionalExpireTime = (
  option: ExpireOption | undefined,
  nowMs: number,
  command: string
): Either.Either<number | undefined, CommandError> =>
  option === undefined ? Either.right(undefined) : expireOptionToTime(option, nowMs, command)

// ---------------------------------------------------------------------------
// SET family

/** SET key value [NX | XX] [GET] [EX s | PX ms | EXAT s | PXAT ms | KEEPTTL] */
export const set: Handler<Store> = (args, session) =>
  Either.match(parseSetOptions(args.slice(3), "set"), {
    onLeft: Effect.fail,
    onRight: (options) =>
      transact(session, [args[1]], (db, nowMs) => {
        const expiresAt = optionalExpireTime(options.expire, nowMs, commandName(args))
        if (Either.isLeft(expiresAt)) return unchanged(db, Either.left(expiresAt.left))
        const previous = Database.get(db, args[1])
        const refused = (options.nx && previous !== undefined) || (options.xx && previous === undefined)
        // setGenericCommand: GET answers WRONGTYPE (and sets nothing) for a key of another type.
        const answer = options.get ? bulkOrNull(previous) : reply(refused ? nullBulk : ok)
        if (refused || Either.isLeft(answer)) return unchanged(db, answer)
        const ttl = expiresAt.right ?? (options.keepTtl ? expiresAtOf(previous) : undefined)
        return [answer, Database.put(db, args[1], args[2], ttl), 1, setEvents(args[1], expiresAt.right !== undefined)]
      })
  })

/** SETEX key seconds value / PSETEX key milliseconds value */
const setWithExpire = (unit: "EX" | "PX"): Handler<Store> => (args, session) =>
  transact(session, [args[1]], (db, nowMs) => {
    const expiresAt = expireOptionToTime({ unit, time: args[2] }, nowMs, commandName(args))
    if (Either.isLeft(expiresAt)) return unchanged(db, Either.left(expiresAt.left))
    return [reply(ok), Database.put(db, args[1], args[3], expiresAt.right), 1, setEvents(args[1], true)]
  })

export const setex: Handler<Store> = setWithExpire("EX")
export const psetex: Handler<Store> = setWithExpire("PX")

export const setnx: Handler<Store> = (args, session) =>
  transact(session, [args[1]], (db) =>
    Database.get(db, args[1]) !== undefined
      ? unchanged(db, reply(integer(0)))
      : [reply(integer(1)), Database.put(db, args[1], args[2], undefined), 1, setEvents(args[1], false)])

/** The pairs of MSET / MSETNX, or the arity error Redis sends for an odd count. */
const keyValuePairs = (args: ReadonlyArray<ByteString>): Either.Either<ReadonlyArray<readonly [ByteString, ByteString]>, CommandError> => {
  if (args.length % 2 === 0) return Either.left(failure(wrongArity(commandName(args))))
  const pairs: Array<readonly [ByteString, ByteString]> = []
  for (let i = 1; i < args.length; i += 2) pairs.push([args[i], args[i + 1]])
  return Either.right(pairs)
}

const putAll = (db: Database.Database, pairs: ReadonlyArray<readonly [ByteString, ByteString]>): Database.Database =>
  pairs.reduce((current, [key, value]) => Database.put(current, key, value, undefined), db)

export const mset: Handler<Store> = (args, session) =>
  Either.match(keyValuePairs(args), {
    onLeft: Effect.fail,
    onRight: (pairs) => transact(session, pairs.map(([key]) => key), (db) => [reply(ok), putAll(db, pairs), pairs.length, pairEvents(pairs)])
  })

export const msetnx: Handler<Store> = (args, session) =>
  Either.match(keyValuePairs(args), {
    onLeft: Effect.fail,
    onRight: (pairs) =>
      transact(session, pairs.map(([key]) => key), (db) =>
        pairs.some(([key]) => Database.get(db, key) !== undefined)
          ? unchanged(db, reply(integer(0)))
          : [reply(integer(1)), putAll(db, pairs), pairs.length, pairEvents(pairs)])
  })

// ---------------------------------------------------------------------------
// GET family

export const get: Handler<Store> = (args, session) =>
  transact(session, [args[1]], (db) => unchanged(db, bulkOrNull(Database.get(db, args[1]))))

export const getdel: Handler<Store> = (args, session) =>
  transact(session, [args[1]], (db) => {
    const previous = stringAt(Database.get(db, args[1]))
    if (Either.isLeft(previous)) return unchanged(db, Either.left(previous.left))
    return previous.right === undefined
      ? unchanged(db, reply(nullBulk))
      : [reply(bulk(previous.right)), Database.remove(db, args[1]), 1, [keyspaceEvent("generic", "del", args[1])]]
  })

/** GETEX key [EX s | PX ms | EXAT s | PXAT ms | PERSIST]; a time already past deletes the key. */
export const getex: Handler<Store> = (args, session) =>
  Either.match(parseSetOptions(args.slice(2), "getex"), {
    onLeft: Effect.fail,
    onRight: (options) =>
      transact(session, [args[1]], (db, nowMs) => {
        const current = Database.get(db, args[1])
        if (current === undefined) return unchanged(db, reply(nullBulk))
        const answer = bulkOrNull(current)
        if (Either.isLeft(answer)) return unchanged(db, answer)
        const expiresAt = optionalExpireTime(options.expire, nowMs, commandName(args))
        if (Either.isLeft(expiresAt)) return unchanged(db, Either.left(expiresAt.left))
        if (expiresAt.right !== undefined) {
          return expiresAt.right <= nowMs
            ? [answer, Database.remove(db, args[1]), 1, [keyspaceEvent("generic", "del", args[1])]]
            : [answer, Database.put(db, args[1], valueOf(current), expiresAt.right), 1, [keyspaceEvent("generic", "expire", args[1])]]
        }
        if (options.persist && expiresAtOf(current) !== undefined) {
          return [answer, Database.put(db, args[1], valueOf(current), undefined), 1, [keyspaceEvent("generic", "persist", args[1])]]
        }
        return unchanged(db, answer)
      })
  })

export const mget: Handler<Store> = (args, session) => {
  const keys = args.slice(1)
  return transact(session, keys, (db) =>
    // mgetCommand: a key of another type reads as nil, not WRONGTYPE.
    unchanged(db, reply({ _tag: "Array", items: keys.map((key) => Either.getOrElse(bulkOrNull(Database.get(db, key)), () => nullBulk)) })))
}

export const strlen: Handler<Store> = (args, session) =>
  transact(session, [args[1]], (db) =>
    unchanged(db, Either.map(valueOrEmpty(Database.get(db, args[1])), (text): RespValue => integer(text.length))))

// ---------------------------------------------------------------------------
// Ranges

/** Redis's checkStringLength: a result longer than proto-max-bulk-len is refused. */
const fitsMaxLength = (length: number): boolean => length <= maxStringLength

export const append: Handler<Store> = (args, session) =>
  transact(session, [args[1]], (db) => {
    const current = Database.get(db, args[1])
    const previous = valueOrEmpty(current)
    if (Either.isLeft(previous)) return unchanged(db, Either.left(previous.left))
    const value = previous.right + args[2]
    if (current !== undefined && !fitsMaxLength(previous.right.length + args[2].length)) {
      return unchanged(db, fail(stringTooLong))
    }
    // appendCommand: a new key's value is tryObjectEncoding'd, an appended one is raw.
    const stored = current === undefined ? fresh(value) : edited(value)
    return [reply(integer(value.length)), Database.put(db, args[1], stored, expiresAtOf(current)), 1, [keyspaceEvent("string", "append", args[1])]]
  })

/** The inclusive byte range GETRANGE returns for a string of `length`, or undefined for "". */
export const getrangeBounds = (start: bigint, end: bigint, length: number): readonly [number, number] | undefined => {
  if (start < 0n && end < 0n && start > end) return undefined
  const size = BigInt(length)
  const from = start < 0n ? (start + size < 0n ? 0n : start + size) : start
  let to = end < 0n ? (end + size < 0n ? 0n : end + size) : end
  if (to >= size) to = size - 1n
  return from > to || length === 0 ? undefined : [Number(from), Number(to)]
}

export const getrange: Handler<Store> = (args, session) => {
  const start = parseInt64(args[2])
  const end = parseInt64(args[3])
  if (start === undefined || end === undefined) return Effect.fail(failure(notInteger, "NotInteger"))
  return transact(session, [args[1]], (db) => {
    const value = valueOrEmpty(Database.get(db, args[1]))
    if (Either.isLeft(value)) return unchanged(db, Either.left(value.left))
    const bounds = getrangeBounds(start, end, value.right.length)
    return unchanged(db, reply(bulk(bounds === undefined ? "" : value.right.slice(bounds[0], bounds[1] + 1))))
  })
}

/** Writes `patch` into `value` at `offset`, padding with zero bytes. */
const overwrite = (value: ByteString, offset: number, patch: ByteString): ByteString =>
  value.padEnd(offset, "\0").slice(0, offset) + patch + value.slice(offset + patch.length)

export const setrange: Handler<Store> = (args, session) => {
  const offset = parseInt64(args[2])
  if (offset === undefined) return Effect.fail(failure(notInteger, "NotInteger"))
  if (offset < 0n) return Effect.fail(failure(offsetOutOfRange))
  const patch = args[3]
  return transact(session, [args[1]], (db) => {
    const current = Database.get(db, args[1])
    const previous = valueOrEmpty(current)
    if (Either.isLeft(previous)) return unchanged(db, Either.left(previous.left))
    if (patch.length === 0) return unchanged(db, reply(integer(previous.right.length)))
    if (offset + BigInt(patch.length) > BigInt(maxStringLength)) return unchanged(db, fail(stringTooLong))
    const value = overwrite(previous.right, Number(offset), patch)
    return [reply(integer(value.length)), Database.put(db, args[1], edited(value), expiresAtOf(current)), 1, [keyspaceEvent("string", "setrange", args[1])]]
  })
}

// ---------------------------------------------------------------------------
// Counters

/** Adds `delta` to the integer at `key` (incrDecrCommand); the TTL is kept. */
const addToInteger = (key: ByteString, delta: bigint) =>
(db: Database.Database) => {
  const current = Database.get(db, key)
  const text = stringAt(current)
  if (Either.isLeft(text)) return unchanged(db, Either.left(text.left))
  const value = text.right === undefined ? 0n : parseInt64(text.right)
  if (value === undefined) return unchanged(db, fail(notInteger, "NotInteger"))
  const result = value + delta
  if (result < int64Min || result > int64Max) return unchanged(db, fail(overflow, "Overflow"))
  const next = Database.put(db, key, result.toString(), expiresAtOf(current))
  return [reply(int64Reply(result)), next, 1, [keyspaceEvent("string", "incrby", key)]] as const
}

const counter = (delta: (args: ReadonlyArray<ByteString>) => Either.Either<bigint, CommandError>): Handler<Store> =>
(args, session) =>
  Either.match(delta(args), {
    onLeft: Effect.fail,
    onRight: (amount) => transact(session, [args[1]], addToInteger(args[1], amount))
  })

const increment = (args: ReadonlyArray<ByteString>): Either.Either<bigint, CommandError> => {
  const amount = parseInt64(args[2])
  return amount === undefined ? Either.left(failure(notInteger, "NotInteger")) : Either.right(amount)
}

export const incr: Handler<Store> = counter(() => Either.right(1n))
export const decr: Handler<Store> = counter(() => Either.right(-1n))
export const incrby: Handler<Store> = counter(increment)
export const decrby: Handler<Store> = counter((args) =>
  Either.flatMap(increment(args), (amount) =>
    amount === int64Min ? Either.left(failure(decrementOverflow, "Overflow")) : Either.right(-amount)))

export const incrbyfloat: Handler<Store> = (args, session) =>
  transact(session, [args[1]], (db): Transition<Outcome> => {
    const current = Database.get(db, args[1])
    const previous = stringAt(current)
    if (Either.isLeft(previous)) return unchanged(db, Either.left(previous.left))
    const value = parseLongDouble(previous.right ?? "0")
    const amount = parseLongDouble(args[2])
    if (value === undefined || amount === undefined) return unchanged(db, fail(notFloat))
    const result = addLongDouble(value, amount)
    if (result._tag === "Infinite") return unchanged(db, fail(incrementNanOrInfinity))
    const text = formatLongDouble(result)
    return [reply(bulk(text)), Database.put(db, args[1], text, expiresAtOf(current)), 1, [keyspaceEvent("string", "incrbyfloat", args[1])]]
  })

/** The rows of this family (Redis 7.0's COMMAND INFO and COMMAND DOCS facts). */
export const stringCommands: ReadonlyArray<CommandSpec<Store>> = [
  command({
    name: "append", arity: 3, flags: ["write", "denyoom", "fast"], keys: [1, 1, 1],
    summary: "Append a value to a key", since: "2.0.0", group: "string", handler: append
  }),
  command({
    name: "decr", arity: 2, flags: ["write", "denyoom", "fast"], keys: [1, 1, 1],
    summary: "Decrement the integer value of a key by one", since: "1.0.0", group: "string", handler: decr
  }),
  command({
    name: "decrby", arity: 3, flags: ["write", "denyoom", "fast"], keys: [1, 1, 1],
    summary: "Decrement the integer value of a key by the given number", since: "1.0.0", group: "string", handler: decrby
  }),
  command({
    name: "get", arity: 2, flags: ["readonly", "fast"], keys: [1, 1, 1],
    summary: "Get the value of a key", since: "1.0.0", group: "string", handler: get
  }),
  command({
    name: "getdel", arity: 2, flags: ["write", "fast"], keys: [1, 1, 1],
    summary: "Get the value of a key and delete the key", since: "6.2.0", group: "string", handler: getdel
  }),
  command({
    name: "getex", arity: -2, flags: ["write", "fast"], keys: [1, 1, 1],
    summary: "Get the value of a key and optionally set its expiration", since: "6.2.0", group: "string", handler: getex
  }),
  command({
    name: "getrange", arity: 4, flags: ["readonly"], keys: [1, 1, 1],
    summary: "Get a substring of the string stored at a key", since: "2.4.0", group: "string", handler: getrange
  }),
  command({
    name: "incr", arity: 2, flags: ["write", "denyoom", "fast"], keys: [1, 1, 1],
    summary: "Increment the integer value of a key by one", since: "1.0.0", group: "string", handler: incr
  }),
  command({
    name: "incrby", arity: 3, flags: ["write", "denyoom", "fast"], keys: [1, 1, 1],
    summary: "Increment the integer value of a key by the given amount", since: "1.0.0", group: "string", handler: incrby
  }),
  command({
    name: "incrbyfloat", arity: 3, flags: ["write", "denyoom", "fast"], keys: [1, 1, 1],
    summary: "Increment the float value of a key by the given amount", since: "2.6.0", group: "string", handler: incrbyfloat
  }),
  command({
    name: "mget", arity: -2, flags: ["readonly", "fast"], keys: [1, -1, 1],
    summary: "Get the values of all the given keys", since: "1.0.0", group: "string", handler: mget
  }),
  command({
    name: "mset", arity: -3, flags: ["write", "denyoom"], keys: [1, -1, 2],
    summary: "Set multiple keys to multiple values", since: "1.0.1", group: "string", handler: mset
  }),
  command({
    name: "msetnx", arity: -3, flags: ["write", "denyoom"], keys: [1, -1, 2],
    summary: "Set multiple keys to multiple values, only if none of the keys exist", since: "1.0.1", group: "string", handler: msetnx
  }),
  command({
    name: "psetex", arity: 4, flags: ["write", "denyoom"], keys: [1, 1, 1],
    summary: "Set the value and expiration in milliseconds of a key", since: "2.6.0", group: "string", handler: psetex
  }),
  command({
    name: "set", arity: -3, flags: ["write", "denyoom"], keys: [1, 1, 1],
    summary: "Set the string value of a key", since: "1.0.0", group: "string", handler: set
  }),
  command({
    name: "setex", arity: 4, flags: ["write", "denyoom"], keys: [1, 1, 1],
    summary: "Set the value and expiration of a key", since: "2.0.0", group: "string", handler: setex
  }),
  command({
    name: "setnx", arity: 3, flags: ["write", "denyoom", "fast"], keys: [1, 1, 1],
    summary: "Set the value of a key, only if the key does not exist", since: "1.0.0", group: "string", handler: setnx
  }),
  command({
    name: "setrange", arity: 4, flags: ["write", "denyoom"], keys: [1, 1, 1],
    summary: "Overwrite part of a string at key starting at the specified offset", since: "2.2.0", group: "string", handler: setrange
  }),
  command({
    name: "strlen", arity: 2, flags: ["readonly", "fast"], keys: [1, 1, 1],
    summary: "Get the length of the value stored in a key", since: "2.2.0", group: "string", handler: strlen
  })
]

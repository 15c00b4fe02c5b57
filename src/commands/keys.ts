/**
 * The keyspace commands (Redis's db.c and expire.c), each a pure transition
 * over the selected database.
 */
import { Effect, Either, Random } from "effect"
import { PCGRandom } from "effect/Utils"
import {
  type CommandError,
  expireGtLtConflict,
  expireNxConflict,
  invalidCursor,
  invalidExpireTime,
  noSuchKey,
  notInteger,
  syntaxError,
  unsupportedOption
} from "../errors.js"
import { array, bulk, integer, nullBulk, ok, simple, type ByteString, type RespValue } from "../resp/values.js"
import * as Database from "../store/database.js"
import { type Entry, expiresAtOf, isExpired, valueOf } from "../store/entry.js"
import { globMatch } from "../store/glob.js"
import { Store } from "../store/Store.js"
import { int64Max, int64Min, parseInt64 } from "../int64.js"
import { failure, reply, transact, unchanged } from "./keyspace-step.js"
import type { CommandSpec, Handler } from "./types.js"
import { commandName } from "./dispatch.js"
import { typeOf } from "../values/registry.js"
import { command, noKeys } from "./row.js"
import { keyspaceEvent, type KeyspaceEvent, newKeyEvent } from "../store/keyspace-events.js"


// ---------------------------------------------------------------------------
// Existence

/** DEL / UNLINK key [key ...]: how many existed. */
export const del: Handler<Store> = (args, session) => {
  const keys = args.slice(1)
  return transact(session, keys, (db) => {
    // delGenericCommand: a `del` for each key it deleted, in order.
    const events: Array<KeyspaceEvent> = []
    let next = db
    for (const key of keys) {
      const before = Database.size(next)
      next = Database.remove(next, key)
      if (Database.size(next) < before) events.push(keyspaceEvent("generic", "del", key))
    }
    return [reply(integer(events.length)), next, events.length, events]
  })
}

/** EXISTS key [key ...]: a key named twice counts twice. */
export const exists: Handler<Store> = (args, session) => {
  const keys = args.slice(1)
  return transact(session, keys, (db) =>
    unchanged(db, reply(integer(keys.filter((key) => Database.get(db, key) !== undefined).length))))
}

/** TYPE's answer: the registered type's name, "none" for a missing key. */
const typeName = (stored: Entry | undefined): string => stored === undefined ? "none" : typeOf(valueOf(stored)).name

export const type: Handler<Store> = (args, session) =>
  transact(session, [args[1]], (db) => unchanged(db, reply(simple(typeName(Database.get(db, args[1]))))))

// ---------------------------------------------------------------------------
// Expiry

interface ExpireFlags {
  readonly nx: boolean
  readonly xx: boolean
  readonly gt: boolean
  readonly lt: boolean
}

/** parseExtendedExpireArgumentsOrReply: NX XX GT LT, any repeats, some pairs conflicting. */
export const parseExpireFlags = (options: ReadonlyArray<ByteString>): Either.Either<ExpireFlags, CommandError> => {
  const flags = { nx: false, xx: false, gt: false, lt: false }
  for (const option of options) {
    const name = option.toLowerCase()
    if (name === "nx" || name === "xx" || name === "gt" || name === "lt") flags[name] = true
    else return Either.left(failure(unsupportedOption(option)))
  }
  if (flags.nx && (flags.xx || flags.gt || flags.lt)) return Either.left(failure(expireNxConflict))
  if (flags.gt && flags.lt) return Either.left(failure(expireGtLtConflict))
  return Either.right(flags)
}

/** Whether the flags let an expiry `when` replace the current one (undefined: none). */
const flagsAllow = (flags: ExpireFlags, current: number | undefined, when: bigint): boolean =>
  !(flags.nx && current !== undefined) &&
  !(flags.xx && current === undefined) &&
  !(flags.gt && (current === undefined || when <= BigInt(current))) &&
  !(flags.lt && current !== undefined && when >= BigInt(current))

/** EXPIRE / PEXPIRE / EXPIREAT / PEXPIREAT key time [NX | XX | GT | LT] (expireGenericCommand). */
const expireCommand = (unit: "seconds" | "milliseconds", relative: boolean): Handler<Store> => (args, session) =>
  Either.match(parseExpireFlags(args.slice(3)), {
    onLeft: Effect.fail,
    onRight: (flags) => {
      const time = parseInt64(args[2])
      if (time === undefined) return Effect.fail(failure(notInteger, "NotInteger"))
      const invalid = failure(invalidExpireTime(commandName(args)), "InvalidExpireTime")
      if (unit === "seconds" && (time > int64Max / 1000n || time < int64Min / 1000n)) return Effect.fail(invalid)
      const milliseconds = unit === "seconds" ? time * 1000n : time
      return transact(session, [args[1]], (db, nowMs) => {
        const base = relative ? BigInt(nowMs) : 0n
        if (milliseconds > int64Max - base) return unchanged(db, Either.left(invalid))
        const when = milliseconds + base
        const current = Database.get(db, args[1])
        if (current === undefined || !flagsAllow(flags, expiresAtOf(current), when)) return unchanged(db, reply(integer(0)))
        // expireGenericCommand: a time already past deletes the key (`del`), else `expire`.
        return when <= BigInt(nowMs)
          ? [reply(integer(1)), Database.remove(db, args[1]), 1, [keyspaceEvent("generic", "del", args[1])]]
          : [reply(integer(1)), Database.put(db, args[1], valueOf(current), Number(when)), 1, [keyspaceEvent("generic", "expire", args[1])]]
      })
    }
  })

export const expire: Handler<Store> = expireCommand("seconds", true)
export const pexpire: Handler<Store> = expireCommand("milliseconds", true)
export const expireat: Handler<Store> = expireCommand("seconds", false)
export const pexpireat: Handler<Store> = expireCommand("milliseconds", false)

/** TTL / PTTL / EXPIRETIME / PEXPIRETIME: -2 missing, -1 persistent (ttlGenericCommand). */
const ttlCommand = (unit: "seconds" | "milliseconds", absolute: boolean): Handler<Store> => (args, session) =>
  transact(session, [args[1]], (db, nowMs) => {
    const current = Database.get(db, args[1])
    if (current === undefined) return unchanged(db, reply(integer(-2)))
    const expiresAt = expiresAtOf(current)
    if (expiresAt === undefined) return unchanged(db, reply(integer(-1)))
    if (absolute) return unchanged(db, reply(integer(unit === "seconds" ? Math.trunc(expiresAt / 1000) : expiresAt)))
    const remaining = Math.max(0, expiresAt - nowMs)
    return unchanged(db, reply(integer(unit === "seconds" ? Math.trunc((remaining + 500) / 1000) : remaining)))
  })

export const ttl: Handler<Store> = ttlCommand("seconds", false)
export const pttl: Handler<Store> = ttlCommand("milliseconds", false)
export const expiretime: Handler<Store> = ttlCommand("seconds", true)
export const pexpiretime: Handler<Store> = ttlCommand("milliseconds", true)

export const persist: Handler<Store> = (args, session) =>
  transact(session, [args[1]], (db) => {
    const current = Database.get(db, args[1])
    return current === undefined || expiresAtOf(current) === undefined
      ? unchanged(db, reply(integer(0)))
      : [reply(integer(1)), Database.put(db, args[1], valueOf(current), undefined), 1, [keyspaceEvent("generic", "persist", args[1])]]
  })

// ---------------------------------------------------------------------------
// Renaming

/** RENAME / RENAMENX source destination: the value moves with its TTL. */
const renameCommand = (onlyIfAbsent: boolean): Handler<Store> => (args, session) => {
  const [, source, destination] = args
  const answer = (done: boolean): RespValue => (onlyIfAbsent ? integer(done ? 1 : 0) : ok)
  return transact(session, [source, destination], (db) => {
    const moved = Database.get(db, source)
    if (moved === undefined) return unchanged(db, Either.left(failure(noSuchKey)))
    if (source === destination) return unchanged(db, reply(answer(!onlyIfAbsent)))
    if (onlyIfAbsent && Database.get(db, destination) !== undefined) return unchanged(db, reply(answer(false)))
    // renameGenericCommand: dbAdd of the destination (`new`, even over a key it deleted first), then rename_from, rename_to.
    const events = [newKeyEvent(destination), keyspaceEvent("generic", "rename_from", source), keyspaceEvent("generic", "rename_to", destination)]
    return [reply(answer(true)), Database.put(Database.remove(db, source), destination, valueOf(moved), expiresAtOf(moved)), 1, events]
  })
}

export const rename: Handler<Store> = renameCommand(false)
export const renamenx: Handler<Store> = renameCommand(true)

// ---------------------------------------------------------------------------
// Iteration

/** KEYS pattern: every live key matching the glob. */
export const keys: Handler<Store> = (args, session) =>
  transact(session, [], (db, nowMs) => {
    const matching: Array<RespValue> = []
    Database.forEach(db, (stored, key) => {
      if (!isExpired(stored, nowMs) && (args[1] === "*" || globMatch(args[1], key))) matching.push(bulk(key))
    })
    return unchanged(db, reply(array(matching)))
  })

/** The clauses after a SCAN-family cursor (scanGenericCommand). */
export interface ScanClauses {
  readonly pattern: ByteString | undefined
  readonly count: number
  readonly type: ByteString | undefined
}

interface ScanOptions extends ScanClauses {
  readonly cursor: number
}

const cursorLimit = 2n ** 64n

/**
 * parseScanCursorOrReply: C's strtoul over the whole text, so an optional sign
 * (a negative cursor wraps modulo 2^64) and the empty text (cursor 0) pass;
 * no leading space, no trailing bytes, no overflow.
 */
export const parseScanCursor = (text: ByteString): bigint | undefined => {
  if (text === "") return 0n
  const match = /^([+-]?)([0-9]+)$/.exec(text)
  if (match === null) return undefined
  const magnitude = BigInt(match[2])
  if (magnitude >= cursorLimit) return undefined
  return match[1] === "-" ? (cursorLimit - magnitude) % cursorLimit : magnitude
}

/**
 * scanGenericCommand's clauses from `args[from]` on: MATCH, COUNT (at least 1)
 * and, for SCAN only (`withType`), TYPE; the first bad one is the error.
 * SCAN, HSCAN and SSCAN share it.
 */
export const parseScanClauses = (
  args: ReadonlyArray<ByteString>,
  from: number,
  withType: boolean
): Either.Either<ScanClauses, CommandError> => {
  let options: ScanClauses = { pattern: undefined, count: 10, type: undefined }
  for (let i = from; i < args.length; i += 2) {
    const option = args[i].toLowerCase()
    const value = args[i + 1]
    if (value === undefined) return Either.left(failure(syntaxError))
    if (option === "count") {
      const count = parseInt64(value)
      if (count === undefined) return Either.left(failure(notInteger, "NotInteger"))
      if (count < 1n) return Either.left(failure(syntaxError))
      options = { ...options, count: Number(count) }
    } else if (option === "match") options = { ...options, pattern: value === "*" ? undefined : value }
    else if (withType && option === "type") options = { ...options, type: value }
    else return Either.left(failure(syntaxError))
  }
  return Either.right(options)
}

/** SCAN cursor [MATCH pattern] [COUNT count] [TYPE type] (scanGenericCommand's parsing). */
export const parseScanOptions = (args: ReadonlyArray<ByteString>): Either.Either<ScanOptions, CommandError> => {
  const cursor = parseScanCursor(args[1])
  if (cursor === undefined) return Either.left(failure(invalidCursor))
  return Either.map(parseScanClauses(args, 2, true), (clauses) => ({ ...clauses, cursor: Number(cursor) }))
}

/**
 * SCAN: the cursor is a position in the keyspace's hash order (Database.scan):
 * O(COUNT) per call, and a key present for the whole iteration is returned at
 * least once. COUNT counts the keys visited, expired ones included, before
 * MATCH and TYPE filter them (scanGenericCommand).
 */
export const scan: Handler<Store> = (args, session) =>
  Either.match(parseScanOptions(args), {
    onLeft: Effect.fail,
    onRight: ({ count, cursor, pattern, type }) =>
      transact(session, [], (db, nowMs) => {
        const shown: Array<RespValue> = []
        const expired: Array<ByteString> = []
        const next = Database.scan(db, cursor, count, (key, stored) => {
          // scanGenericCommand's filters in its order: MATCH, then expireIfNeeded (an expired key that
          // matches is deleted, after the walk), then TYPE.
          if (pattern !== undefined && !globMatch(pattern, key)) return
          if (isExpired(stored, nowMs)) expired.push(key)
          else if (type === undefined || type.toLowerCase() === typeName(stored)) shown.push(bulk(key))
        })
        const remaining = expired.reduce(Database.remove, db)
        const events = expired.map((key) => keyspaceEvent("expired", "expired", key))
        return [reply(array([bulk(String(next)), array(shown)])), remaining, 0, events]
      })
  })

/**
 * RANDOMKEY (db.c dbRandomKey, as a master): a uniformly chosen key in
 * O(log n); an expired key it picks is deleted (expireIfNeeded) and it picks
 * again, so with only expired keys it empties the database and answers nil.
 * Each retry removes a key, so the work is bounded by the expired keys.
 */
export const randomkey: Handler<Store> = (_args, session) =>
  Effect.flatMap(Random.nextInt, (seed) =>
    transact(session, [], (db, nowMs) => {
      const random = new PCGRandom(seed)
      let current = db
      const expired: Array<KeyspaceEvent> = []
      for (;;) {
        const size = Database.size(current)
        const picked = size === 0 ? undefined : Database.entryAt(current, random.integer(size))
        if (picked === undefined) return [reply(nullBulk), current, 0, expired]
        if (!isExpired(picked[1], nowMs)) return [reply(bulk(picked[0])), current, 0, expired]
        current = Database.remove(current, picked[0])
        expired.push(keyspaceEvent("expired", "expired", picked[0]))
      }
    }))

/** DBSIZE: keys held, including expired ones not reclaimed yet (as Redis). */
export const dbsize: Handler<Store> = (_args, session) =>
  transact(session, [], (db) => unchanged(db, reply(integer(Database.size(db)))))

/** FLUSHDB / FLUSHALL [ASYNC | SYNC] (getFlushCommandFlags). */
const flushMode = (args: ReadonlyArray<ByteString>): Either.Either<void, CommandError> => {
  if (args.length > 2) return Either.left(failure(syntaxError))
  if (args.length === 2 && !["sync", "async"].includes(args[1].toLowerCase())) return Either.left(failure(syntaxError))
  return Either.void
}

export const flushdb: Handler<Store> = (args, session) =>
  Either.match(flushMode(args), {
    onLeft: Effect.fail,
    onRight: () => transact(session, [], (db) => [reply(ok), Database.emptyDatabase, Database.size(db)])
  })

export const flushall: Handler<Store> = (args) =>
  Either.match(flushMode(args), {
    onLeft: Effect.fail,
    onRight: () => Effect.flatMap(Store, (store) => Effect.as(store.flushAll, ok))
  })

/** The rows of this family (Redis 7.0's COMMAND INFO and COMMAND DOCS facts). */
export const keyspaceCommands: ReadonlyArray<CommandSpec<Store>> = [
  command({
    name: "dbsize", arity: 1, flags: ["readonly", "fast"], keys: noKeys,
    summary: "Return the number of keys in the selected database", since: "1.0.0", group: "server", handler: dbsize
  }),
  command({
    name: "del", arity: -2, flags: ["write"], keys: [1, -1, 1],
    summary: "Delete a key", since: "1.0.0", group: "generic", handler: del
  }),
  command({
    name: "exists", arity: -2, flags: ["readonly", "fast"], keys: [1, -1, 1],
    summary: "Determine if a key exists", since: "1.0.0", group: "generic", handler: exists
  }),
  command({
    name: "expire", arity: -3, flags: ["write", "fast"], keys: [1, 1, 1],
    summary: "Set a key's time to live in seconds", since: "1.0.0", group: "generic", handler: expire
  }),
  command({
    name: "expireat", arity: -3, flags: ["write", "fast"], keys: [1, 1, 1],
    summary: "Set the expiration for a key as a UNIX timestamp", since: "1.2.0", group: "generic", handler: expireat
  }),
  command({
    name: "expiretime", arity: 2, flags: ["readonly", "fast"], keys: [1, 1, 1],
    summary: "Get the expiration Unix timestamp for a key", since: "7.0.0", group: "generic", handler: expiretime
  }),
  command({
    name: "flushall", arity: -1, flags: ["write"], keys: noKeys,
    summary: "Remove all keys from all databases", since: "1.0.0", group: "server", handler: flushall
  }),
  command({
    name: "flushdb", arity: -1, flags: ["write"], keys: noKeys,
    summary: "Remove all keys from the current database", since: "1.0.0", group: "server", handler: flushdb
  }),
  command({
    name: "keys", arity: 2, flags: ["readonly"], keys: noKeys,
    summary: "Find all keys matching the given pattern", since: "1.0.0", group: "generic", handler: keys
  }),
  command({
    name: "persist", arity: 2, flags: ["write", "fast"], keys: [1, 1, 1],
    summary: "Remove the expiration from a key", since: "2.2.0", group: "generic", handler: persist
  }),
  command({
    name: "pexpire", arity: -3, flags: ["write", "fast"], keys: [1, 1, 1],
    summary: "Set a key's time to live in milliseconds", since: "2.6.0", group: "generic", handler: pexpire
  }),
  command({
    name: "pexpireat", arity: -3, flags: ["write", "fast"], keys: [1, 1, 1],
    summary: "Set the expiration for a key as a UNIX timestamp specified in milliseconds", since: "2.6.0", group: "generic", handler: pexpireat
  }),
  command({
    name: "pexpiretime", arity: 2, flags: ["readonly", "fast"], keys: [1, 1, 1],
    summary: "Get the expiration Unix timestamp for a key in milliseconds", since: "7.0.0", group: "generic", handler: pexpiretime
  }),
  command({
    name: "pttl", arity: 2, flags: ["readonly", "fast"], keys: [1, 1, 1],
    summary: "Get the time to live for a key in milliseconds", since: "2.6.0", group: "generic", handler: pttl
  }),
  command({
    name: "randomkey", arity: 1, flags: ["readonly"], keys: noKeys,
    summary: "Return a random key from the keyspace", since: "1.0.0", group: "generic", handler: randomkey
  }),
  command({
    name: "rename", arity: 3, flags: ["write"], keys: [1, 2, 1],
    summary: "Rename a key", since: "1.0.0", group: "generic", handler: rename
  }),
  command({
    name: "renamenx", arity: 3, flags: ["write", "fast"], keys: [1, 2, 1],
    summary: "Rename a key, only if the new key does not exist", since: "1.0.0", group: "generic", handler: renamenx
  }),
  command({
    name: "scan", arity: -2, flags: ["readonly"], keys: noKeys,
    summary: "Incrementally iterate the keys space", since: "2.8.0", group: "generic", handler: scan
  }),
  command({
    name: "ttl", arity: 2, flags: ["readonly", "fast"], keys: [1, 1, 1],
    summary: "Get the time to live for a key in seconds", since: "1.0.0", group: "generic", handler: ttl
  }),
  command({
    name: "type", arity: 2, flags: ["readonly", "fast"], keys: [1, 1, 1],
    summary: "Determine the type stored at key", since: "1.0.0", group: "generic", handler: type
  }),
  command({
    name: "unlink", arity: -2, flags: ["write", "fast"], keys: [1, -1, 1],
    summary: "Delete a key asynchronously in another thread. Otherwise it is just as DEL, but non blocking.", since: "4.0.0", group: "generic", handler: del
  })
]

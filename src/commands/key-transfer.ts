/**
 * Keys between databases and names (db.c copyCommand, moveCommand,
 * swapdbCommand, touchCommand), GETSET and SUBSTR. A copy stores the same
 * value object: values are immutable, so Redis's dupStringObject (same
 * encoding) is the value itself.
 */
import { Effect, Either } from "effect"
import {
  type CommandError,
  commandError,
  dbIndexOutOfRange,
  invalidFirstDbIndex,
  invalidSecondDbIndex,
  notInteger,
  sameObject,
  syntaxError,
  valueOutOfRange
} from "../errors.js"
import { parseInt64 } from "../int64.js"
import { bulk, integer, nullBulk, ok, type ByteString } from "../resp/values.js"
import * as Database from "../store/database.js"
import { databaseCount, expiresAtOf, valueOf } from "../store/entry.js"
import { Store } from "../store/Store.js"
import { fresh, readString, textOf } from "../values/string.js"
import { reply, transact, unchanged } from "./keyspace-step.js"
import { command } from "./row.js"
import { getrange } from "./strings.js"
import type { CommandSpec, Handler } from "./types.js"
import { keyspaceEvent, type KeyspaceEvent, newKeyEvent } from "../store/keyspace-events.js"

/**
 * copyCommand's events: `copy_to` on the destination, after the dbAdd's `new`;
 * REPLACE deletes an existing destination first, so its `new` is reported here.
 */
const copyEvents = (destination: ByteString, replaced: boolean): ReadonlyArray<KeyspaceEvent> =>
  replaced ? [newKeyEvent(destination), keyspaceEvent("generic", "copy_to", destination)] : [keyspaceEvent("generic", "copy_to", destination)]

const int32Min = -(2n ** 31n)
const int32Max = 2n ** 31n - 1n

/**
 * getIntFromObjectOrReply (getRangeLongFromObjectOrReply over a C int): not
 * an integer, or outside the int range, answers `message` when given, else
 * Redis's two distinct errors.
 */
const parseInt32 = (text: ByteString, message?: string): Either.Either<number, CommandError> => {
  const value = parseInt64(text)
  if (value === undefined) return Either.left(commandError(message ?? notInteger, message === undefined ? "NotInteger" : "Other"))
  if (value < int32Min || value > int32Max) return Either.left(commandError(message ?? valueOutOfRange(int32Min, int32Max)))
  return Either.right(Number(value))
}

const inRange = (db: number): boolean => db >= 0 && db < databaseCount

/** selectDb's check on a parsed index. */
const databaseIndex = (text: ByteString): Either.Either<number, CommandError> =>
  Either.flatMap(parseInt32(text), (db) => inRange(db) ? Either.right(db) : Either.left(commandError(dbIndexOutOfRange)))

export interface CopyOptions {
  readonly replace: boolean
  /** The destination database; undefined: the selected one. */
  readonly db: number | undefined
}

/** COPY's options after the two keys: REPLACE, DB index (needing its argument), else a syntax error. */
export const parseCopyOptions = (options: ReadonlyArray<ByteString>): Either.Either<CopyOptions, CommandError> => {
  let parsed: CopyOptions = { replace: false, db: undefined }
  for (let j = 0; j < options.length; j++) {
    const option = options[j].toLowerCase()
    if (option === "replace") parsed = { ...parsed, replace: true }
    else if (option === "db" && j + 1 < options.length) {
      const db = databaseIndex(options[++j])
      if (Either.isLeft(db)) return Either.left(db.left)
      parsed = { ...parsed, db: db.right }
    } else return Either.left(commandError(syntaxError))
  }
  return Either.right(parsed)
}

/**
 * Copies `source`'s entry (value and expiry) from `from` to `destination` in
 * `to`: 0 when the source is missing or the destination exists without
 * REPLACE. Returns whether it copied, and the destination database.
 */
const copyEntry = (
  from: Database.Database,
  to: Database.Database,
  source: ByteString,
  destination: ByteString,
  replace: boolean
): readonly [copied: boolean, to: Database.Database] => {
  const stored = Database.get(from, source)
  if (stored === undefined) return [false, to]
  if (!replace && Database.get(to, destination) !== undefined) return [false, to]
  return [true, Database.put(to, destination, valueOf(stored), expiresAtOf(stored))]
}

/** COPY source destination [DB destination-db] [REPLACE] */
export const copy: Handler<Store> = (args, session) =>
  Either.match(parseCopyOptions(args.slice(3)), {
    onLeft: Effect.fail,
    onRight: ({ db, replace }) => {
      const [source, destination] = [args[1], args[2]]
      const target = db ?? session.db
      if (target === session.db) {
        if (source === destination) return Effect.fail(commandError(sameObject))
        return transact(session, [source, destination], (database) => {
          const replaced = Database.get(database, destination) !== undefined
          const [copied, next] = copyEntry(database, database, source, destination, replace)
          return copied ? [reply(integer(1)), next, 1, copyEvents(destination, replaced)] : unchanged(database, reply(integer(0)))
        })
      }
      return Effect.flatMap(Store, (store) =>
        store.modifyPair(session.db, target, [source], [destination], (from, to) => {
          const replaced = Database.get(to, destination) !== undefined
          const [copied, next] = copyEntry(from, to, source, destination, replace)
          return copied
            ? [integer(1), from, next, 1, [], copyEvents(destination, replaced)]
            : [integer(0), from, next, 0]
        }, true))
    }
  })

/** MOVE key db: 0 when the key is missing here or exists there. */
export const move: Handler<Store> = (args, session) =>
  Either.match(databaseIndex(args[2]), {
    onLeft: Effect.fail,
    onRight: (target) => {
      if (target === session.db) return Effect.fail(commandError(sameObject))
      const key = args[1]
      return Effect.flatMap(Store, (store) =>
        store.modifyPair(session.db, target, [key], [key], (from, to) => {
          const stored = Database.get(from, key)
          if (stored === undefined || Database.get(to, key) !== undefined) return [integer(0), from, to, 0]
          // moveCommand: move_from in the source database, move_to in the target (after the dbAdd's `new` there).
          return [integer(1), Database.remove(from, key), Database.put(to, key, valueOf(stored), expiresAtOf(stored)), 1,
            [keyspaceEvent("generic", "move_from", key)], [keyspaceEvent("generic", "move_to", key)]]
        }))
    }
  })

/** SWAPDB index1 index2: each index its own error, then the range; swapping a database with itself still counts. */
export const swapdb: Handler<Store> = (args) => {
  const parsed = Either.all([parseInt32(args[1], invalidFirstDbIndex), parseInt32(args[2], invalidSecondDbIndex)])
  if (Either.isLeft(parsed)) return Effect.fail(parsed.left)
  const [first, second] = parsed.right
  if (!inRange(first) || !inRange(second)) return Effect.fail(commandError(dbIndexOutOfRange))
  return Effect.flatMap(Store, (store) =>
    first === second
      ? store.modify(first, [], (database) => [ok, database, 1])
      : store.modifyPair(first, second, [], [], (a, b) => [ok, b, a, 1]))
}

/** TOUCH key [key ...]: how many exist (lookupKeyRead, so expired keys go first). */
export const touch: Handler<Store> = (args, session) => {
  const keys = args.slice(1)
  return transact(session, keys, (database) =>
    unchanged(database, reply(integer(keys.filter((key) => Database.get(database, key) !== undefined).length))))
}

/** GETSET key value: the old string (WRONGTYPE first), then a SET that drops the TTL. */
export const getset: Handler<Store> = (args, session) =>
  transact(session, [args[1]], (database) => {
    const stored = Database.get(database, args[1])
    const previous = readString(stored === undefined ? undefined : valueOf(stored))
    if (Either.isLeft(previous)) return unchanged(database, Either.left(previous.left))
    const answer = previous.right === undefined ? nullBulk : bulk(textOf(previous.right))
    return [reply(answer), Database.put(database, args[1], fresh(args[2]), undefined), 1, [keyspaceEvent("string", "set", args[1])]]
  })

/** COMMAND INFO / COMMAND DOCS of redis-server 7.0.15. */
export const keyTransferCommands: ReadonlyArray<CommandSpec<Store>> = [
  command({
    name: "copy", arity: -3, flags: ["write", "denyoom"], keys: [1, 2, 1],
    summary: "Copy a key", since: "6.2.0", group: "generic", handler: copy
  }),
  command({
    name: "getset", arity: 3, flags: ["write", "denyoom", "fast"], keys: [1, 1, 1],
    summary: "Set the string value of a key and return its old value", since: "1.0.0", group: "string", handler: getset
  }),
  command({
    name: "move", arity: 3, flags: ["write", "fast"], keys: [1, 1, 1],
    summary: "Move a key to another database", since: "1.0.0", group: "generic", handler: move
  }),
  command({
    name: "substr", arity: 4, flags: ["readonly"], keys: [1, 1, 1],
    summary: "Get a substring of the string stored at a key", since: "1.0.0", group: "string", handler: getrange
  }),
  command({
    name: "swapdb", arity: 3, flags: ["write", "fast"], keys: [0, 0, 0],
    summary: "Swaps two Redis databases", since: "4.0.0", group: "server", handler: swapdb
  }),
  command({
    name: "touch", arity: -2, flags: ["readonly", "fast"], keys: [1, -1, 1],
    summary: "Alters the last access time of a key(s). Returns the number of existing keys specified.", since: "3.2.1",
    group: "generic", handler: touch
  })
]

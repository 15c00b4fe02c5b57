/**
 * MIGRATE host port key|"" destination-db timeout [COPY] [REPLACE]
 * [AUTH password] [AUTH2 username password] [KEYS key ...], as Redis 7.0's
 * cluster.c migrateCommand: each key still here is sent as RESTORE (its DUMP
 * payload and remaining TTL) over the connection cached for host:port, after
 * AUTH and, when the target's database changes, SELECT; the keys the target
 * acknowledged are deleted unless COPY, and the AOF records them as one DEL.
 */
import { Clock, Effect, Either } from "effect"
import {
  type CommandError,
  commandError,
  migrateConnectFailed,
  migrateIoFailed,
  migrateKeysNeedEmptyKey,
  migrateTargetError,
  notInteger,
  syntaxError
} from "../errors.js"
import { parseInt64 } from "../int64.js"
import { propagateAs } from "../persistence/aof/propagation.js"
import { encodeCommand } from "../resp/encoder.js"
import { type ByteString, type Command, ok, type RespValue, simple } from "../resp/values.js"
import { MigrateConnections, type MigrateConnection } from "../state/MigrateConnections.js"
import * as Database from "../store/database.js"
import { expiresAtOf, type StoredValue, valueOf } from "../store/entry.js"
import { keyspaceEvent } from "../store/keyspace-events.js"
import { Store } from "../store/Store.js"
import { dumpPayload } from "./dump.js"
import { command } from "./row.js"
import type { CommandSpec, Handler } from "./types.js"

export interface MigrateOptions {
  readonly copy: boolean
  readonly replace: boolean
  readonly username: ByteString | undefined
  readonly password: ByteString | undefined
  /** The keys to move: `key`, or every argument after KEYS. */
  readonly keys: ReadonlyArray<ByteString>
}

/** migrateCommand's option loop, from argv[6]: KEYS takes every remaining argument and needs an empty `key`. */
export const parseMigrateOptions = (args: Command): Either.Either<MigrateOptions, CommandError> => {
  let options: MigrateOptions = { copy: false, replace: false, username: undefined, password: undefined, keys: [args[3]] }
  for (let j = 6; j < args.length; j++) {
    const option = args[j].toLowerCase()
    const more = args.length - 1 - j
    if (option === "copy") options = { ...options, copy: true }
    else if (option === "replace") options = { ...options, replace: true }
    else if (option === "auth") {
      if (more < 1) return Either.left(commandError(syntaxError))
      options = { ...options, password: args[++j] }
    } else if (option === "auth2") {
      if (more < 2) return Either.left(commandError(syntaxError))
      options = { ...options, username: args[j + 1], password: args[j + 2] }
      j += 2
    } else if (option === "keys") {
      if (args[3].length !== 0) return Either.left(commandError(migrateKeysNeedEmptyKey))
      return Either.right({ ...options, keys: args.slice(j + 1) })
    } else return Either.left(commandError(syntaxError))
  }
  return Either.right(options)
}

/** A key found before sending: its value and absolute expiry. */
interface Found {
  readonly key: ByteString
  readonly value: StoredValue
  readonly expiresAt: number | undefined
}

/** getLongFromObjectOrReply. */
const parseLong = (text: ByteString): Either.Either<bigint, CommandError> => {
  const value = parseInt64(text)
  return value === undefined ? Either.left(commandError(notInteger, "NotInteger")) : Either.right(value)
}

/** The RESTORE commands for the keys not expired at `nowMs` (a TTL is at least 1 ms), and those keys. */
const restoreCommands = (found: ReadonlyArray<Found>, replace: boolean, nowMs: number) => {
  const sent: Array<Found> = []
  const commands: Array<Command> = []
  for (const item of found) {
    const ttl = item.expiresAt === undefined ? 0 : Math.max(item.expiresAt - nowMs, 1)
    if (item.expiresAt !== undefined && item.expiresAt - nowMs < 0) continue
    sent.push(item)
    const restore = ["RESTORE", item.key, String(ttl), dumpPayload(item.value)]
    commands.push(replace ? [...restore, "REPLACE"] : restore)
  }
  return { sent, commands }
}

/** connSyncWrite in chunks of 64 KiB, each within the timeout. */
const writeChunks = (connection: MigrateConnection, bytes: Buffer, timeoutMs: number) =>
  Effect.forEach(
    Array.from({ length: Math.ceil(bytes.length / 65536) }, (_, i) => bytes.subarray(i * 65536, (i + 1) * 65536)),
    (chunk) => connection.write(chunk, timeoutMs),
    { discard: true }
  )

/** How one attempt ended: a reply, or a socket error to retry or report. */
type Attempt =
  | { readonly _tag: "Done"; readonly reply: Either.Either<RespValue, CommandError> }
  | { readonly _tag: "SocketError"; readonly writing: boolean; readonly retry: boolean }

const socketError = (writing: boolean, retry: boolean): Attempt => ({ _tag: "SocketError", writing, retry })

interface Target {
  readonly host: string
  readonly port: number
  readonly db: bigint
  readonly timeoutMs: number
}

/**
 * One try (migrateCommand from try_again): send AUTH, SELECT and the RESTOREs,
 * read their replies; deletes each acknowledged key unless COPY. A socket
 * error before any RESTORE reply, not a timeout, may be retried once on a new connection.
 */
const attempt = (target: Target, options: MigrateOptions, found: ReadonlyArray<Found>, db: number, mayRetry: boolean) =>
  Effect.gen(function*() {
    const connections = yield* MigrateConnections
    const connection = yield* connections.get(target.host, target.port, target.timeoutMs)
    const select = connection.lastDb !== Number(target.db)
    const { commands, sent } = restoreCommands(found, options.replace, yield* Clock.currentTimeMillis)
    const preamble: Array<Command> = []
    if (options.password !== undefined) {
      preamble.push(options.username === undefined ? ["AUTH", options.password] : ["AUTH", options.username, options.password])
    }
    if (select) preamble.push(["SELECT", String(target.db)])
    const written = yield* Effect.either(
      writeChunks(connection, Buffer.concat([...preamble, ...commands].map(encodeCommand)), target.timeoutMs)
    )
    if (Either.isLeft(written)) return socketError(true, mayRetry && !written.left.timedOut)
    const preambleReplies = yield* Effect.either(
      Effect.forEach(preamble, () => connection.readLine(target.timeoutMs))
    )
    if (Either.isLeft(preambleReplies)) return socketError(false, mayRetry && !preambleReplies.left.timedOut)
    const targetError = preambleReplies.right.find((line) => line.startsWith("-"))
    let reportedError: string | undefined = undefined
    const acknowledged: Array<ByteString> = []
    let failedRead: { readonly timedOut: boolean; readonly index: number } | undefined = undefined
    for (let j = 0; j < sent.length; j++) {
      const line = yield* Effect.either(connection.readLine(target.timeoutMs))
      if (Either.isLeft(line)) {
        failedRead = { timedOut: line.left.timedOut, index: j }
        break
      }
      const error = targetError ?? (line.right.startsWith("-") ? line.right : undefined)
      if (error !== undefined) {
        // On error assume that the selected database is no longer known.
        if (reportedError === undefined) {
          connection.lastDb = undefined
          reportedError = error.slice(1)
        }
      } else if (!options.copy) acknowledged.push(sent[j].key)
    }
    if (reportedError === undefined && failedRead?.index === 0 && mayRetry && !failedRead.timedOut) {
      return socketError(false, true)
    }
    if (failedRead !== undefined) yield* connections.close(target.host, target.port)
    if (acknowledged.length > 0) yield* deleteMoved(db, acknowledged)
    if (reportedError !== undefined) return done(Either.left(commandError(migrateTargetError(reportedError))))
    if (failedRead !== undefined) return socketError(false, false)
    connection.lastDb = Number(target.db)
    return done(Either.right(ok))
  })

const done = (reply: Either.Either<RespValue, CommandError>): Attempt => ({ _tag: "Done", reply })

/** Deletes the keys the target acknowledged (a "del" event each) and propagates them as one DEL. */
const deleteMoved = (db: number, keys: ReadonlyArray<ByteString>) =>
  Effect.flatMap(Store, (store) =>
    store.modify(db, [], (database) => {
      let next = database
      for (const key of keys) next = Database.remove(next, key)
      return [undefined, next, keys.length, keys.map((key) => keyspaceEvent("generic", "del", key))]
    })).pipe(Effect.zipRight(propagateAs([["DEL", ...keys]])))

/** migrateCommand's socket_err: closes the connection, then retries once or answers IOERR. */
const migrateWith = (
  target: Target,
  options: MigrateOptions,
  found: ReadonlyArray<Found>,
  db: number,
  mayRetry: boolean
): Effect.Effect<RespValue, CommandError, MigrateConnections | Store> =>
  attempt(target, options, found, db, mayRetry).pipe(
    Effect.catchTag("MigrateConnectError", ({ refused }) =>
      Effect.succeed(
        // A refused connect fails only at the first write in Redis (connBlockingConnect waits for writability).
        refused ? socketError(true, mayRetry) : done(Either.left(commandError(migrateConnectFailed)))
      )),
    Effect.flatMap((result) => {
      if (result._tag === "Done") return result.reply
      return Effect.flatMap(MigrateConnections, (connections) => connections.close(target.host, target.port)).pipe(
        Effect.zipRight(
          result.retry
            ? migrateWith(target, options, found, db, false)
            : Effect.fail(commandError(migrateIoFailed(result.writing)))
        )
      )
    })
  )

/** The keys of `keys` present in database `db` (lookupKeyRead: counted as hits or misses), with their values. */
const lookupKeys = (db: number, keys: ReadonlyArray<ByteString>) =>
  Effect.flatMap(Store, (store) =>
    store.modify(db, keys, (database) => {
      const found: Array<Found> = []
      for (const key of keys) {
        const stored = Database.get(database, key)
        if (stored !== undefined) found.push({ key, value: valueOf(stored), expiresAt: expiresAtOf(stored) })
      }
      return [found, database, 0]
    }, true))

/** MIGRATE: +OK, +NOKEY when no key is here, or the target's or the connection's error. */
export const migrate: Handler<Store | MigrateConnections> = (args, session) =>
  Effect.gen(function*() {
    const options = yield* parseMigrateOptions(args)
    const timeout = yield* parseLong(args[5])
    const db = yield* parseLong(args[4])
    const found = yield* lookupKeys(session.db, options.keys)
    if (found.length === 0) return simple("NOKEY")
    // atoi(port): a port that is not a number connects to port 0, and fails.
    const port = Number.parseInt(args[2], 10)
    const target: Target = {
      host: args[1],
      port: Number.isNaN(port) ? 0 : port,
      db,
      timeoutMs: timeout <= 0n ? 1000 : Number(timeout)
    }
    return yield* migrateWith(target, options, found, session.db, true)
  })

/** COMMAND INFO / COMMAND DOCS of redis-server 7.0.15. */
export const migrateCommands: ReadonlyArray<CommandSpec<Store | MigrateConnections>> = [
  command({
    name: "migrate", arity: -6, flags: ["write", "movablekeys"], keys: [3, 3, 1],
    summary: "Atomically transfer a key from a Redis instance to another one.", since: "2.6.0", group: "generic",
    handler: migrate
  })
]

/**
 * Transactions (multi.c): MULTI, EXEC, DISCARD, WATCH, UNWATCH; and the
 * connection's RESET and CLIENT REPLY (networking.c). The queueing of
 * commands while MULTI is open and the running of EXEC are in
 * guards/multi.ts, which holds the server's watch registry and the table EXEC
 * runs; the rows here give the plain behaviour (the table without guards
 * never queues, so its EXEC runs an empty transaction).
 */
import { Clock, Effect } from "effect"
import * as Errors from "../errors.js"
import { commandError } from "../errors.js"
import { array, nullArray, type RespValue, simple } from "../resp/values.js"
import type { Session } from "../state/Session.js"
import { type ClientTransaction, discardTransaction, unwatchAll, type WatchedKey, WatchRegistry } from "../state/Transaction.js"
import * as Database from "../store/database.js"
import { type Entry, isExpired } from "../store/entry.js"
import { Store, type StoreService } from "../store/Store.js"
import { startsAuthenticated } from "./guards/auth.js"
import { command, noKeys } from "./row.js"
import type { Handler } from "./types.js"
import type { LiveConfig } from "../config/LiveConfig.js"
import { PubSub } from "../state/PubSub.js"

const ok = simple("OK")

/*
 * Every handler here changes the session only when its Effect runs (Effect.suspend), never when it is made:
 * a connection makes a batch's effects before it runs the keyspace steps queued ahead of them.
 */

export const multi: Handler<never> = (_args, session) =>
  Effect.suspend(() => {
    const transaction = session.transaction
    if (transaction.queued !== undefined) return commandError(Errors.multiNested)
    transaction.queued = []
    transaction.aborted = false
    return Effect.succeed(ok)
  })

export const discard: Handler<never> = (_args, session) =>
  Effect.suspend(() => {
    if (session.transaction.queued === undefined) return commandError(Errors.discardWithoutMulti)
    discardTransaction(session.transaction)
    return Effect.succeed(ok)
  })

export const unwatch: Handler<never> = (_args, session) =>
  Effect.sync(() => {
    unwatchAll(session.transaction)
    return ok
  })

/** The entry each key holds now, read without expiring it (WATCH and EXEC only look). */
export const currentEntries = (store: StoreService, db: number, keys: ReadonlyArray<string>) =>
  store.modify(db, [], (database) => [keys.map((key) => Database.get(database, key)), database, 0] as const)

/** WATCH's handler, registering the keys in `registry` so that writes naming them touch them. */
export const watchIn = (registry: WatchRegistry): Handler<Store> => (args, session) =>
  Effect.gen(function*() {
    if (session.transaction.queued !== undefined) return yield* commandError(Errors.watchInsideMulti)
    const keys = args.slice(1)
    const nowMs = yield* Clock.currentTimeMillis
    const entries = yield* currentEntries(yield* Store, session.db, keys)
    keys.forEach((key, i) => {
      const entry = entries[i]
      const watched: WatchedKey = {
        db: session.db,
        key,
        entry,
        expiredAtWatch: entry !== undefined && isExpired(entry, nowMs)
      }
      registry.add(session.transaction, watched)
    })
    return ok
  })

/** Whether a watched key changed in a way no write command reported (the module comment of state/Transaction.ts). */
const changedSinceWatch = (watched: WatchedKey, now: Entry | undefined, nowMs: number): boolean => {
  if (now !== watched.entry) return !(watched.expiredAtWatch && now === undefined)
  return now !== undefined && !watched.expiredAtWatch && isExpired(now, nowMs)
}

/** EXEC's CAS check (multi.c isWatchedKeyExpired and CLIENT_DIRTY_CAS): whether any watched key was touched. */
export const watchedKeysTouched = (transaction: ClientTransaction) =>
  Effect.gen(function*() {
    if (transaction.touched) return true
    const store = yield* Store
    const nowMs = yield* Clock.currentTimeMillis
    for (const watched of transaction.watched) {
      const [now] = yield* currentEntries(store, watched.db, [watched.key])
      if (changedSinceWatch(watched, now, nowMs)) return true
    }
    return false
  })

/**
 * EXEC's opening, shared with the guard's EXEC: the errors, the CAS check,
 * and leaving MULTI (unwatching first, as execCommand does). The commands to
 * run, or undefined when a watched key was touched (a null array).
 */
export const beginExec = (session: Session) =>
  Effect.gen(function*() {
    const transaction = session.transaction
    const queued = transaction.queued
    if (queued === undefined) return yield* commandError(Errors.execWithoutMulti)
    if (transaction.aborted) {
      discardTransaction(transaction)
      return yield* commandError(Errors.execAbort)
    }
    const touched = yield* watchedKeysTouched(transaction)
    discardTransaction(transaction)
    return touched ? undefined : queued
  })

/** EXEC without the guard: nothing was queued, so it answers an empty array (or a null one after a touched WATCH). */
export const exec: Handler<Store> = (_args, session) =>
  Effect.map(beginExec(session), (queued): RespValue => queued === undefined ? nullArray : array([]))

/**
 * RESET (networking.c resetCommand, clearClientConnectionState): leaves MULTI
 * and every subscription, CLIENT REPLY back on, database 0, RESP2, no name,
 * authenticated as a new connection is. (CLIENT NO-EVICT stays, as in Redis.)
 */
export const reset: Handler<LiveConfig | PubSub> = (_args, session) =>
  Effect.gen(function*() {
    const authenticated = yield* startsAuthenticated
    yield* Effect.flatMap(PubSub, (pubsub) => pubsub.unsubscribeAll(session.id))
    discardTransaction(session.transaction)
    session.transaction.replies = "on"
    session.db = 0
    session.protocol = 2
    session.name = undefined
    session.authenticated = authenticated
    return simple("RESET")
  })

/** CLIENT REPLY ON|OFF|SKIP: ON answers +OK, OFF and SKIP answer nothing (the connection asks takeReplyWanted). */
export const clientReply: Handler<never> = (args, session) =>
  Effect.suspend(() => {
    const mode = args[2].toLowerCase()
    if (mode === "on") session.transaction.replies = "on"
    else if (mode === "off") session.transaction.replies = "off"
    else if (mode === "skip") session.transaction.replies = session.transaction.replies === "off" ? "off" : "skip-next"
    else return commandError(Errors.syntaxError)
    return Effect.succeed(ok)
  })

const transactionRow = { keys: noKeys, group: "transactions" } as const
const controlFlags = ["noscript", "loading", "stale", "fast", "allow_busy"] as const

/** The rows of this family. WATCH's row registers nowhere: the guard gives it the server's registry. */
const multiRow = command({ ...transactionRow, name: "multi", arity: 1, flags: controlFlags, since: "1.2.0",
  summary: "Mark the start of a transaction block", handler: multi })
const execRow = command({ ...transactionRow, name: "exec", arity: 1, flags: ["noscript", "loading", "stale", "skip_slowlog"],
  since: "1.2.0", summary: "Execute all commands issued after MULTI", handler: exec })

/**
 * What an append-only file's MULTI ... EXEC replays with: the table without
 * guards never queues, so the commands between run as they come and EXEC
 * answers an empty array.
 */
export const aofTransactionCommands = [multiRow, execRow]

export const transactionCommands = [
  multiRow,
  execRow,
  command({ ...transactionRow, name: "discard", arity: 1, flags: controlFlags, since: "2.0.0",
    summary: "Discard all commands issued after MULTI", handler: discard }),
  command({ ...transactionRow, name: "watch", arity: -2, flags: controlFlags, keys: [1, -1, 1], since: "2.2.0",
    summary: "Watch the given keys to determine execution of the MULTI/EXEC block", handler: watchIn(new WatchRegistry()) }),
  command({ ...transactionRow, name: "unwatch", arity: 1, flags: controlFlags, since: "2.2.0",
    summary: "Forget about all watched keys", handler: unwatch }),
  command({ name: "reset", arity: 1, flags: ["noscript", "loading", "stale", "fast", "no_auth", "allow_busy"], keys: noKeys,
    since: "6.2.0", group: "connection", summary: "Reset the connection", handler: reset })
]

/** CLIENT REPLY, a subcommand row for CLIENT's list. */
export const clientReplyCommand = command({
  name: "reply", arity: 3, flags: ["noscript", "loading", "stale"], keys: noKeys, since: "3.2.0", group: "connection",
  summary: "Instruct the server whether to reply to commands", handler: clientReply
})

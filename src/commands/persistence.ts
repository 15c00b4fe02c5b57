/**
 * Persistence commands: SAVE, BGSAVE, LASTSAVE, BGREWRITEAOF, SHUTDOWN, as
 * Redis 7.0's rdb.c, aof.c and server.c answer them.
 */
import { Effect } from "effect"
import * as Errors from "../errors.js"
import { fail } from "../errors.js"
import { AppendOnly } from "../persistence/aof/AppendOnly.js"
import { Snapshots } from "../persistence/Snapshots.js"
import * as Resp from "../resp/values.js"
import type { Command } from "../resp/values.js"
import { Shutdown, type ShutdownOptions } from "../state/Shutdown.js"
import type { Handler } from "./types.js"
import { command, noKeys } from "./row.js"


const backgroundSaveRunning = Effect.flatMap(Snapshots, (snapshots) =>
  Effect.map(snapshots.status, (status) => status.backgroundSaveStartedAt !== undefined))

const rewriteRunning = Effect.flatMap(AppendOnly, (appendOnly) =>
  Effect.map(appendOnly.status, (status) => status.rewriteInProgress))

export const save: Handler<Snapshots> = () =>
  Effect.gen(function*() {
    if (yield* backgroundSaveRunning) return yield* fail(Errors.backgroundSaveInProgress)
    const snapshots = yield* Snapshots
    return yield* snapshots.save.pipe(
      Effect.as(Resp.ok),
      Effect.catchAll((failure) =>
        Effect.zipRight(Effect.logWarning(failure.message), fail(Errors.saveFailed)))
    )
  })

/** BGSAVE [SCHEDULE]: with a rewrite running, SCHEDULE starts the save once it ends. */
export const bgsave: Handler<Snapshots | AppendOnly> = (args) =>
  Effect.gen(function*() {
    const schedule = args.length === 2 && args[1].toLowerCase() === "schedule"
    if (args.length > 1 && !schedule) return yield* fail(Errors.syntaxError)
    if (yield* backgroundSaveRunning) return yield* fail(Errors.backgroundSaveInProgress)
    const snapshots = yield* Snapshots
    if (yield* rewriteRunning) {
      if (!schedule) return yield* fail(Errors.childProcessActive)
      const appendOnly = yield* AppendOnly
      yield* snapshots.backgroundSaveAfter(appendOnly.awaitRewrite)
      return Resp.simple("Background saving scheduled")
    }
    const started = yield* snapshots.backgroundSave
    return started === "started" ? Resp.simple("Background saving started") : yield* fail(Errors.backgroundSaveInProgress)
  })

export const lastsave: Handler<Snapshots> = () =>
  Effect.flatMap(Snapshots, (snapshots) =>
    Effect.map(snapshots.status, (status) => Resp.integer(Math.floor(status.lastSaveAt / 1000))))

export const bgrewriteaof: Handler<Snapshots | AppendOnly> = () =>
  Effect.gen(function*() {
    if (yield* rewriteRunning) return yield* fail(Errors.rewriteInProgress)
    const appendOnly = yield* AppendOnly
    if (yield* backgroundSaveRunning) {
      const snapshots = yield* Snapshots
      yield* appendOnly.rewriteAfter(snapshots.awaitBackgroundSave)
      return Resp.simple("Background append only file rewriting scheduled")
    }
    const started = yield* appendOnly.rewrite
    return started === "started"
      ? Resp.simple("Background append only file rewriting started")
      : yield* fail(Errors.rewriteInProgress)
  })

/** SHUTDOWN's options (shutdownCommand), or undefined for Redis's syntax error. */
export const parseShutdown = (args: Command): (ShutdownOptions & { readonly abort: boolean }) | undefined => {
  const flags = new Set(args.slice(1).map((arg) => arg.toLowerCase()))
  const known = ["nosave", "save", "now", "force", "abort"]
  if (![...flags].every((flag) => known.includes(flag))) return undefined
  if (flags.has("abort") && flags.size > 1) return undefined
  if (flags.has("save") && flags.has("nosave")) return undefined
  return {
    save: flags.has("save") ? "save" : flags.has("nosave") ? "nosave" : "policy",
    force: flags.has("force"),
    abort: flags.has("abort")
  }
}

/**
 * SHUTDOWN [NOSAVE|SAVE] [NOW] [FORCE] [ABORT]. On success there is no
 * reply: the connection stays open until the server closes it. NOW changes
 * nothing (there are no replicas to wait for), so ABORT finds no shutdown.
 */
export const shutdown: Handler<Shutdown> = (args) =>
  Effect.gen(function*() {
    const options = parseShutdown(args)
    if (options === undefined) return yield* fail(Errors.syntaxError)
    if (options.abort) return yield* fail(Errors.noShutdownInProgress)
    const server = yield* Shutdown
    yield* Effect.logWarning("User requested shutdown...")
    yield* server.prepare(options).pipe(Effect.catchTag("ShutdownRefused", () => fail(Errors.shutdownFailed)))
    yield* server.request
    return yield* Effect.never
  })

/** The rows of this family (Redis 7.0's COMMAND INFO and COMMAND DOCS facts). */
export const persistenceCommands = [
  command({ name: "save", arity: 1, flags: ["admin", "noscript", "no_async_loading", "no_multi"], keys: noKeys,
    summary: "Synchronously save the dataset to disk", since: "1.0.0", group: "server",
    handler: save }),
  command({ name: "bgsave", arity: -1, flags: ["admin", "noscript", "no_async_loading"], keys: noKeys,
    summary: "Asynchronously save the dataset to disk", since: "1.0.0", group: "server", handler: bgsave }),
  command({ name: "lastsave", arity: 1, flags: ["loading", "stale", "fast"], keys: noKeys,
    summary: "Get the UNIX time stamp of the last successful save to disk", since: "1.0.0", group: "server",
    handler: lastsave }),
  command({ name: "bgrewriteaof", arity: 1, flags: ["admin", "noscript", "no_async_loading"], keys: noKeys,
    summary: "Asynchronously rewrite the append-only file", since: "1.0.0", group: "server",
    handler: bgrewriteaof }),
  command({ name: "shutdown", arity: -1, flags: ["admin", "noscript", "loading", "stale", "no_multi", "allow_busy"],
    keys: noKeys, summary: "Synchronously save the dataset to disk and then shut down the server",
    since: "1.0.0", group: "server", handler: shutdown })
]

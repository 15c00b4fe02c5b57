/**
 * Loading the append-only file at start (Redis's loadSingleAppendOnlyFile):
 * every logged command runs again through the runner it is given (the data
 * commands' table, in a session of its own: commands/aof-replay.ts), on a store of its own, with the clock stopped at the
 * time the command ran (its `#TS-MS` annotation; commands before any run at
 * the time of the load). So nothing expires but what had expired when the
 * command ran live: a TTL refreshed before it ran out survives, a counter that
 * expired restarts from 0, as they did live. A file cut short in its last
 * command is cut back to its last complete command with a warning
 * (aof-load-truncated yes); any other damage, or an unknown command, stops the
 * start naming the file and the offset.
 */
import * as FileSystem from "@effect/platform/FileSystem"
import { Clock, Data, Effect, Either } from "effect"
import { join } from "node:path"
import type { Command, RespValue } from "../../resp/values.js"
import { Store } from "../../store/Store.js"
import { clockAt } from "./clock.js"
import { type LoggedCommand, parseAof } from "./format.js"

export class AofLoadError extends Data.TaggedError("AofLoadError")<{ readonly path: string; readonly reason: string }> {
  override get message(): string {
    return `Failed loading the append only file ${this.path}: ${this.reason}`
  }
}

/**
 * What runs the logged commands, so that persistence needs no command table:
 * one runner per load, holding its own session (SELECT in the file changes it).
 */
export interface AofCommandRunner {
  /** Whether the command is one an append-only file may hold. */
  readonly knows: (args: Command) => boolean
  /** Runs the command on the replay's store; errors are replies, as they were live. */
  readonly run: (args: Command) => Effect.Effect<RespValue, never, Store>
}

/** The clock a replayed command runs under: stopped at `ms`, its sleeps never end (the replay store's expiry fiber never runs). */
const stoppedClock = (ms: number): Clock.Clock => clockAt(ms, () => Effect.never)

/**
 * The keyspaces `dir/appendfilename` rebuilds (empty ones when there is no
 * file). Keys expired by now are still in them: the store they go into drops them.
 */
export const replayAppendOnlyFile = (dir: string, appendfilename: string, runner: AofCommandRunner) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const path = join(dir, appendfilename)
    const loadError = (reason: string) => new AofLoadError({ path, reason })
    const nowMs = yield* Clock.currentTimeMillis
    const replay = Effect.gen(function*() {
      const store = yield* Store
      if (!(yield* Effect.mapError(fs.exists(path), (cause) => loadError(cause.message)))) return yield* store.snapshot
      const bytes = yield* Effect.mapError(fs.readFile(path), (cause) => loadError(cause.message))
      const parsed = yield* Either.mapLeft(parseAof(bytes), (corrupt) => loadError(corrupt.message))
      if (parsed.validLength < bytes.length) {
        yield* Effect.logWarning(`!!! Warning: short read while loading the AOF file ${path}!!!`)
        yield* Effect.logWarning(`AOF ${path} loaded anyway because aof-load-truncated is enabled`)
        yield* Effect.mapError(fs.truncate(path, parsed.validLength), (cause) => loadError(cause.message))
      }
      // A command that propagates several (SPOP with a count) is logged inside MULTI ... EXEC: its commands
      // run at EXEC, and a transaction the file ends inside is left out (aof.c loadSingleAppendOnlyFile).
      let transaction: Array<LoggedCommand> | undefined = undefined
      for (const logged of parsed.commands) {
        const name = logged.args[0].toLowerCase()
        if (name === "multi") transaction = []
        else if (name === "exec" && transaction !== undefined) {
          for (const { args, atMs } of transaction) yield* Effect.withClock(runner.run(args), stoppedClock(atMs ?? nowMs))
          transaction = undefined
        } else if (!runner.knows(logged.args)) return yield* loadError(`unknown command '${logged.args[0]}'`)
        else if (transaction !== undefined) transaction.push(logged)
        else yield* Effect.withClock(runner.run(logged.args), stoppedClock(logged.atMs ?? nowMs))
      }
      if (transaction !== undefined) yield* Effect.logWarning("Revert incomplete MULTI/EXEC transaction in AOF file")
      yield* Effect.logInfo(`DB loaded from append only file ${path}`)
      return yield* store.snapshot
    })
    return yield* Effect.scoped(replay.pipe(Effect.provide(Store.layer), Effect.withClock(stoppedClock(nowMs))))
  })

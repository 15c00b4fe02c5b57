/**
 * Loading the append-only file at start (Redis's loadSingleAppendOnlyFile):
 * every logged command runs again through the data commands' table, in a
 * session of its own, on a store of its own, with the clock stopped at the
 * time the command ran (its `#TS-MS` annotation; commands before any run at
 * the time of the load). So nothing expires but what had expired when the
 * command ran live: a TTL refreshed before it ran out survives, a counter that
 * expired restarts from 0, as they did live. A file cut short in its last
 * command is cut back to its last complete command with a warning
 * (aof-load-truncated yes); any other damage, or an unknown command, stops the
 * start naming the file and the offset.
 */
import { FileSystem } from "@effect/platform"
import { Clock, Data, Effect, Either } from "effect"
import { join } from "node:path"
import { executeCommand, resolveCommand } from "../../commands/dispatch.js"
import { aofReplayTable } from "../../commands/table.js"
import { internalSession, type Session } from "../../commands/types.js"
import { Store } from "../../store/Store.js"
import { clockAt } from "./clock.js"
import { parseAof } from "./format.js"

export class AofLoadError extends Data.TaggedError("AofLoadError")<{ readonly path: string; readonly reason: string }> {
  override get message(): string {
    return `Failed loading the append only file ${this.path}: ${this.reason}`
  }
}

const replaySession = (): Session => internalSession(0)

/** The clock a replayed command runs under: stopped at `ms`, its sleeps never end (the replay store's expiry fiber never runs). */
const stoppedClock = (ms: number): Clock.Clock => clockAt(ms, () => Effect.never)

/**
 * The keyspaces `dir/appendfilename` rebuilds (empty ones when there is no
 * file). Keys expired by now are still in them: the store they go into drops them.
 */
export const loadAppendOnlyFile = (dir: string, appendfilename: string) =>
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
      const session = replaySession()
      for (const { args, atMs } of parsed.commands) {
        if (resolveCommand(aofReplayTable, args)._tag === "Reject") {
          return yield* loadError(`unknown command '${args[0]}'`)
        }
        yield* Effect.withClock(executeCommand(aofReplayTable, args, session), stoppedClock(atMs ?? nowMs))
      }
      yield* Effect.logInfo(`DB loaded from append only file ${path}`)
      return yield* store.snapshot
    })
    return yield* Effect.scoped(replay.pipe(Effect.provide(Store.layer), Effect.withClock(stoppedClock(nowMs))))
  })

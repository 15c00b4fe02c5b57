/**
 * Loading the append-only file at start (Redis's loadSingleAppendOnlyFile):
 * every logged command runs again through the command table in a session of
 * its own. A file cut short in its last command is cut back to its last
 * complete command with a warning (aof-load-truncated yes); any other damage,
 * or an unknown command, stops the start naming the file and the offset.
 */
import { FileSystem } from "@effect/platform"
import { Data, Effect, Either } from "effect"
import { join } from "node:path"
import { type CommandTable, executeCommand, resolveCommand } from "../../commands/dispatch.js"
import type { Session } from "../../commands/types.js"
import { parseAof } from "./format.js"

export class AofLoadError extends Data.TaggedError("AofLoadError")<{ readonly path: string; readonly reason: string }> {
  override get message(): string {
    return `Failed loading the append only file ${this.path}: ${this.reason}`
  }
}

const replaySession = (): Session => ({
  id: 0,
  db: 0,
  protocol: 2,
  name: undefined,
  libName: undefined,
  libVersion: undefined,
  authenticated: true,
  closeAfterReply: false,
  createdAt: 0,
  lastCommandAt: 0,
  lastCommand: "NULL",
  remoteAddress: "",
  localAddress: ""
})

/** Replays `dir/appendfilename` (none: nothing to do) through `table`; returns how many commands ran. */
export const replayAppendOnlyFile = <R>(dir: string, appendfilename: string, table: CommandTable<R>) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const path = join(dir, appendfilename)
    const loadError = (reason: string) => new AofLoadError({ path, reason })
    if (!(yield* Effect.mapError(fs.exists(path), (cause) => loadError(cause.message)))) return 0
    const bytes = yield* Effect.mapError(fs.readFile(path), (cause) => loadError(cause.message))
    const parsed = yield* Either.mapLeft(parseAof(bytes), (corrupt) => loadError(corrupt.message))
    if (parsed.validLength < bytes.length) {
      yield* Effect.logWarning(`!!! Warning: short read while loading the AOF file ${path}!!!`)
      yield* Effect.logWarning(`AOF ${path} loaded anyway because aof-load-truncated is enabled`)
      yield* Effect.mapError(fs.truncate(path, parsed.validLength), (cause) => loadError(cause.message))
    }
    const session = replaySession()
    for (const args of parsed.commands) {
      if (resolveCommand(table, args)._tag === "Reject") {
        return yield* loadError(`unknown command '${args[0]}'`)
      }
      yield* executeCommand(table, args, session)
    }
    yield* Effect.logInfo(`DB loaded from append only file ${path}`)
    return parsed.commands.length
  })

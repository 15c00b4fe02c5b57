/**
 * The append-only file's replay at start runs the data commands (and SELECT)
 * of the command table: this is the runner persistence/aof/replay.ts is given.
 * FUNCTION LOAD / DELETE / FLUSH / RESTORE (logged as Redis 7.0 logs them)
 * rebuild the libraries' code, which the Scripting service loads once it
 * starts (scripting/functions.ts replayFunctionCommand).
 */
import { Effect } from "effect"
import { replayAppendOnlyFile, type AofCommandRunner } from "../persistence/aof/replay.js"
import * as Resp from "../resp/values.js"
import { replayFunctionCommand } from "../scripting/functions.js"
import { internalSession } from "../state/Session.js"
import { executeCommand, resolveCommand } from "./dispatch.js"
import { aofReplayTable } from "./table.js"

/** A runner with a session of its own, starting on database 0, and the libraries' code the replay rebuilt. */
export const aofReplayRunner = (): AofCommandRunner & { readonly functions: () => ReadonlyArray<string> } => {
  const session = internalSession(0)
  let functions: ReadonlyArray<string> = []
  return {
    knows: (args) => resolveCommand(aofReplayTable, args)._tag === "Run" || replayFunctionCommand(functions, args) !== undefined,
    run: (args) => {
      const next = replayFunctionCommand(functions, args)
      if (next === undefined) return executeCommand(aofReplayTable, args, session)
      return Effect.sync(() => {
        functions = next
        return Resp.ok
      })
    },
    functions: () => functions
  }
}

/** The keyspaces `dir/appendfilename` rebuilds, replayed through the data commands. */
export const loadAppendOnlyFile = (dir: string, appendfilename: string) =>
  replayAppendOnlyFile(dir, appendfilename, aofReplayRunner())

/** As loadAppendOnlyFile, with the function libraries' code the file rebuilds. */
export const loadAppendOnlyFileContents = (dir: string, appendfilename: string) => {
  const runner = aofReplayRunner()
  return Effect.map(replayAppendOnlyFile(dir, appendfilename, runner), (databases) => ({ databases, functions: runner.functions() }))
}

/**
 * The append-only file's replay at start runs the data commands (and SELECT)
 * of the command table: this is the runner persistence/aof/replay.ts is given.
 */
import { replayAppendOnlyFile, type AofCommandRunner } from "../persistence/aof/replay.js"
import { internalSession } from "../state/Session.js"
import { executeCommand, resolveCommand } from "./dispatch.js"
import { aofReplayTable } from "./table.js"

/** A runner with a session of its own, starting on database 0. */
export const aofReplayRunner = (): AofCommandRunner => {
  const session = internalSession(0)
  return {
    knows: (args) => resolveCommand(aofReplayTable, args)._tag === "Run",
    run: (args) => executeCommand(aofReplayTable, args, session)
  }
}

/** The keyspaces `dir/appendfilename` rebuilds, replayed through the data commands. */
export const loadAppendOnlyFile = (dir: string, appendfilename: string) =>
  replayAppendOnlyFile(dir, appendfilename, aofReplayRunner())

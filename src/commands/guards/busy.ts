/**
 * While a script runs past busy-reply-threshold (its run yields between
 * slices: scripting/engine.ts), every command not flagged allow_busy answers
 * BUSY (server.c processCommand, isInsideYieldingLongCommand): SCRIPT KILL,
 * FUNCTION KILL, SHUTDOWN NOSAVE and the like still run. Idle (no busy
 * script), a row's handler returns the command's own effect (the guard rule).
 */
import { Effect } from "effect"
import * as Errors from "../../errors.js"
import { commandError } from "../../errors.js"
import type { ScriptingService } from "../../scripting/Scripting.js"
import type { CommandTable } from "../dispatch.js"
import type { CommandSpec } from "../types.js"

const guarded = <R>(scripting: ScriptingService) => (spec: CommandSpec<R>): CommandSpec<R> => {
  const subcommands = spec.subcommands?.map(guarded(scripting))
  const allowed = spec.flags.includes("allow_busy")
  return {
    ...spec,
    ...(subcommands === undefined ? {} : { subcommands }),
    handler: (args, session) => {
      const running = scripting.running
      if (allowed || running === undefined || !running.run.busy) return spec.handler(args, session)
      return Effect.suspend(() => commandError(running.isEval ? Errors.busyEval : Errors.busyFunction))
    }
  }
}

export const withBusyScript = (scripting: ScriptingService) => <R>(table: CommandTable<R>): CommandTable<R> =>
  new Map(Array.from(table, ([name, spec]) => [name, guarded<R>(scripting)(spec)]))

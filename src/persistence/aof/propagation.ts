/**
 * What a write command propagates to the AOF when it is not its own argv:
 * Redis's rewriteClientCommandVector / replaceClientCommandVector (SPOP as
 * SREM, MIGRATE as DEL) and alsoPropagate (SPOP with a count: one SREM per
 * popped member). A handler states it with `propagateAs`; the AOF's `logged`
 * reads it once the command has run.
 */
import { Effect, FiberRef } from "effect"
import type { Command } from "../../resp/values.js"

/** The commands the running write command propagates instead of its argv; undefined: its argv. */
export const propagated: FiberRef.FiberRef<ReadonlyArray<Command> | undefined> = FiberRef.unsafeMake<
  ReadonlyArray<Command> | undefined
>(undefined)

/** The running command propagates `commands` instead of itself (none: nothing, as preventCommandPropagation). */
export const propagateAs = (commands: ReadonlyArray<Command>): Effect.Effect<void> => FiberRef.set(propagated, commands)

/**
 * Runs `run` and answers its result with what it asked to propagate, if
 * anything; a command run inside another's `withPropagation` starts unset.
 */
export const withPropagation = <A, E, R>(
  run: Effect.Effect<A, E, R>
): Effect.Effect<readonly [A, ReadonlyArray<Command> | undefined], E, R> =>
  Effect.locally(Effect.zip(run, FiberRef.get(propagated)), propagated, undefined)

/**
 * The commands the log records for a write whose argv is `args`: its
 * replacement if any, wrapped in MULTI/EXEC when it is more than one command
 * (server.c propagatePendingCommands).
 */
export const loggedCommands = (args: Command, replacement: ReadonlyArray<Command> | undefined): ReadonlyArray<Command> =>
  replacement === undefined ? [args] : replacement.length > 1 ? [["MULTI"], ...replacement, ["EXEC"]] : replacement

/**
 * The CLIENT PAUSE guard (server.c processCommand, networking.c pauseClients):
 * a command a pause in force holds back waits until the pause ends.
 */
import { Clock, Deferred, Effect } from "effect"
import type { ClientPauseService, Pause } from "../../state/ClientPause.js"
import type { CommandTable } from "../dispatch.js"
import type { CommandSpec } from "../types.js"

/** Whether `pause` holds back the command `spec` (WRITE: commands that write or may replicate). */
export const holdsBack = (pause: Pause, spec: CommandSpec<unknown>): boolean =>
  pause.mode === "all" || spec.flags.includes("write") || spec.flags.includes("may_replicate")

/** Waits until no pause in force holds back `spec`. */
const awaitPauseEnd = (pauses: ClientPauseService, spec: CommandSpec<unknown>): Effect.Effect<void> =>
  Effect.suspend(() => {
    const pause = pauses.current()
    if (pause === undefined || !holdsBack(pause, spec)) return Effect.void
    return Effect.flatMap(Clock.currentTimeMillis, (nowMs) => {
      if (nowMs >= pause.endsAtMs) {
        pauses.expire(nowMs)
        return awaitPauseEnd(pauses, spec)
      }
      return Effect.race(Effect.sleep(pause.endsAtMs - nowMs), Deferred.await(pause.released)).pipe(
        Effect.zipRight(awaitPauseEnd(pauses, spec))
      )
    })
  })

/** Waits as `awaitPauseEnd`, counted among the held commands only when the pause really holds `spec` back. */
const holdUntilPauseEnds = (pauses: ClientPauseService, spec: CommandSpec<unknown>): Effect.Effect<void> =>
  Effect.suspend(() => {
    const pause = pauses.current()
    return pause === undefined || !holdsBack(pause, spec) ? Effect.void : pauses.holding(awaitPauseEnd(pauses, spec))
  })

/** The table with CLIENT PAUSE enforced before every command (subcommands included). */
export const withClientPause = (pauses: ClientPauseService) => <R>(table: CommandTable<R>): CommandTable<R> => {
  const paused = (spec: CommandSpec<R>): CommandSpec<R> => ({
    ...spec,
    subcommands: spec.subcommands?.map(paused),
    handler: (args, session) =>
      pauses.current() === undefined
        ? spec.handler(args, session)
        : Effect.zipRight(holdUntilPauseEnds(pauses, spec), spec.handler(args, session))
  })
  return new Map(Array.from(table, ([name, spec]) => [name, paused(spec)]))
}

/**
 * CLIENT PAUSE (networking.c pauseClients, server.c processCommand): while a
 * pause is in force, commands (ALL) or write commands (WRITE) wait until it
 * ends (its timeout passes or CLIENT UNPAUSE), then run. The pause is a plain
 * field read before every command, so an unpaused server pays one comparison.
 */
import { Clock, Context, Deferred, Effect, Layer } from "effect"
import type { CommandTable } from "../commands/dispatch.js"
import type { CommandSpec } from "../commands/types.js"

export type PauseMode = "write" | "all"

/** A pause in force: what it holds back, until when (unix ms), and what UNPAUSE completes. */
export interface Pause {
  readonly mode: PauseMode
  readonly endsAtMs: number
  readonly released: Deferred.Deferred<void>
}

export interface ClientPauseService {
  /** The pause in force, or undefined; read synchronously before every command. */
  readonly current: () => Pause | undefined
  /** CLIENT PAUSE: as Redis, a pause in force is only ever extended (later end, ALL over WRITE). */
  readonly pause: (mode: PauseMode, endsAtMs: number) => Effect.Effect<void>
  /** CLIENT UNPAUSE: ends the pause and releases the waiting commands. */
  readonly unpause: Effect.Effect<void>
  /** Forgets the pause once its end time has passed. */
  readonly expire: (nowMs: number) => void
}

const makeClientPause = (): ClientPauseService => {
  let current: Pause | undefined = undefined
  return {
    current: () => current,
    pause: (mode, endsAtMs) =>
      Effect.map(current === undefined ? Deferred.make<void>() : Effect.succeed(current.released), (released) => {
        current = current === undefined
          ? { mode, endsAtMs, released }
          : { mode: current.mode === "all" ? "all" : mode, endsAtMs: Math.max(current.endsAtMs, endsAtMs), released }
      }),
    unpause: Effect.suspend(() => {
      const ended = current
      current = undefined
      return ended === undefined ? Effect.void : Deferred.succeed(ended.released, undefined)
    }),
    expire: (nowMs) => {
      if (current !== undefined && nowMs >= current.endsAtMs) current = undefined
    }
  }
}

export class ClientPause extends Context.Tag("effect-kv/ClientPause")<ClientPause, ClientPauseService>() {
  static readonly layer: Layer.Layer<ClientPause> = Layer.sync(this, makeClientPause)
}

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

/** The table with CLIENT PAUSE enforced before every command (subcommands included). */
export const withClientPause = (pauses: ClientPauseService) => <R>(table: CommandTable<R>): CommandTable<R> => {
  const paused = (spec: CommandSpec<R>): CommandSpec<R> => ({
    ...spec,
    subcommands: spec.subcommands?.map(paused),
    handler: (args, session) =>
      pauses.current() === undefined
        ? spec.handler(args, session)
        : Effect.zipRight(awaitPauseEnd(pauses, spec), spec.handler(args, session))
  })
  return new Map(Array.from(table, ([name, spec]) => [name, paused(spec)]))
}

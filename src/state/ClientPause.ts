/**
 * CLIENT PAUSE (networking.c pauseClients, server.c processCommand): while a
 * pause is in force, commands (ALL) or write commands (WRITE) wait until it
 * ends (its timeout passes or CLIENT UNPAUSE), then run. The pause is a plain
 * field read before every command, so an unpaused server pays one comparison;
 * the guard that holds commands back is commands/guards/pause.ts.
 */
import { Context, Deferred, Effect, Layer } from "effect"

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
  /**
   * Runs `wait` counted as a held command: Redis counts a client a pause
   * holds back among INFO's blocked_clients (blockClient with BLOCKED_POSTPONE).
   */
  readonly holding: <A, E, R>(wait: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  /** How many commands a pause holds back now. */
  readonly held: () => number
}

const makeClientPause = (): ClientPauseService => {
  let current: Pause | undefined = undefined
  let held = 0
  return {
    held: () => held,
    holding: (wait) =>
      Effect.suspend(() => {
        held++
        return Effect.ensuring(wait, Effect.sync(() => {
          held--
        }))
      }),
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

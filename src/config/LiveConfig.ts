/**
 * The running server's settings: the ServerConfig it started with, as
 * CONFIG SET changes it. Whatever reads a setting at run time (requirepass,
 * maxmemory, timeout, slowlog...) reads it here.
 */
import { Context, Effect, Layer } from "effect"
import type { ServerConfig } from "./config.js"

export interface LiveConfigService {
  /** The settings in force now. */
  readonly get: Effect.Effect<ServerConfig>
  /** The same, read synchronously (the connection loop reads it once per socket chunk). */
  readonly current: () => ServerConfig
  /** Replaces the settings (CONFIG SET, after validating every change). */
  readonly set: (config: ServerConfig) => Effect.Effect<void>
}

/** One connection fiber or command at a time reads or replaces it: a plain field suffices. */
const makeLiveConfig = (initial: ServerConfig): LiveConfigService => {
  let config = initial
  return {
    get: Effect.sync(() => config),
    current: () => config,
    set: (next) =>
      Effect.sync(() => {
        config = next
      })
  }
}

export class LiveConfig extends Context.Tag("effect-kv/LiveConfig")<LiveConfig, LiveConfigService>() {
  static readonly layer = (initial: ServerConfig): Layer.Layer<LiveConfig> =>
    Layer.sync(LiveConfig, () => makeLiveConfig(initial))
}

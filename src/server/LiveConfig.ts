/**
 * The running server's settings: the ServerConfig it started with, as
 * CONFIG SET changes it. Whatever reads a setting at run time (requirepass,
 * maxmemory, timeout, slowlog...) reads it here.
 */
import { Context, Effect, Layer, Ref } from "effect"
import type { ServerConfig } from "./config.js"

export interface LiveConfigService {
  /** The settings in force now. */
  readonly get: Effect.Effect<ServerConfig>
  /** Replaces the settings (CONFIG SET, after validating every change). */
  readonly set: (config: ServerConfig) => Effect.Effect<void>
}

export class LiveConfig extends Context.Tag("effect-kv/LiveConfig")<LiveConfig, LiveConfigService>() {
  static readonly layer = (initial: ServerConfig): Layer.Layer<LiveConfig> =>
    Layer.effect(
      LiveConfig,
      Effect.map(Ref.make(initial), (ref) => ({ get: Ref.get(ref), set: (config) => Ref.set(ref, config) }))
    )
}

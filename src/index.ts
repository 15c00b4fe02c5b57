/**
 * effect-kv's public API: the Layers and services to run the store in-process
 * or serve it over RESP, and `startServer` for plain Node tests.
 */
import { Context, Effect, Exit, Fiber, Layer, Scope } from "effect"
import { defaultServerConfig, type ServerConfig } from "./server/config.js"
import { serverLayer } from "./server/program.js"
import * as PersistenceMemory from "./persistence/PersistenceMemory.js"
import { ServerAddress } from "./server/Server.js"
import { Shutdown } from "./server/Shutdown.js"

export { Store } from "./store/Store.js"
export type { StoreService } from "./store/Store.js"
export type { Entry, Keyspace } from "./store/entry.js"
export { ServerAddress, layer as ServerLayer } from "./server/Server.js"
export { serverLayer } from "./server/program.js"
export { defaultServerConfig } from "./server/config.js"
export type { ServerConfig } from "./server/config.js"
export { CommandError, ProtocolError } from "./errors.js"
export { effectKvVersion, redisCompatibleVersion } from "./version.js"

/** startServer's own options. */
export interface StartOptions {
  /**
   * Where SAVE, BGSAVE and the save policy write: "memory" (the default: no
   * file is read or written) or "file" (`dir/dbfilename`, loaded at start).
   */
  readonly persistence?: "memory" | "file"
}

/** A server started by `startServer`. */
export interface RunningServer {
  readonly host: string
  readonly port: number
  /** `redis://host:port`, for clients that take a URL. */
  readonly url: string
  /** Stops accepting, closes every connection and releases the store. */
  readonly close: () => Promise<void>
}

/**
 * Starts a server from plain JavaScript (a Vitest or Jest setup, say).
 * `port: 0` (the default here) picks a free port; the result says which.
 *
 * @example
 * const server = await startServer()
 * const redis = new Redis(server.port)
 * // ...
 * await server.close()
 */
export const startServer = async (
  options: Partial<ServerConfig> & StartOptions = {}
): Promise<RunningServer> => {
  const { persistence: mode, ...settings } = options
  const config: ServerConfig = { ...defaultServerConfig, port: 0, loglevel: "warning", ...settings }
  const scope = Effect.runSync(Scope.make())
  const persistence = mode === "file" ? {} : { persistence: PersistenceMemory.layer }
  let onShutdown: Fiber.RuntimeFiber<void> | undefined = undefined
  const close = () =>
    Effect.runPromise(Effect.zipRight(onShutdown === undefined ? Effect.void : Fiber.interrupt(onShutdown), Scope.close(scope, Exit.void)))
  try {
    const context = await Effect.runPromise(Layer.buildWithScope(serverLayer(config, persistence), scope))
    const address = Context.get(context, ServerAddress)
    // SHUTDOWN closes the server as close() does.
    onShutdown = Effect.runFork(Effect.zipRight(Context.get(context, Shutdown).requested, Scope.close(scope, Exit.void)))
    return { host: address.host, port: address.port, url: `redis://${address.host}:${address.port}`, close }
  } catch (failure) {
    await close()
    throw failure
  }
}

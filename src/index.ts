/**
 * effect-kv's public API: the Layers and services to run the store in-process
 * or serve it over RESP, and `startServer` for plain Node tests.
 *
 * Byte strings: the store keeps every key and value as bytes. The typed API
 * takes `string` (stored as its UTF-8 bytes) or `Uint8Array`, and returns
 * UTF-8 text, or bytes from the `...Bytes` variants. (Internally a byte string
 * is a JS string with one char per byte, latin1.)
 */
import { Context, Effect, Exit, Fiber, Layer, Scope } from "effect"
import { defaultServerConfig, type ServerConfig } from "./config/config.js"
import { serverLayer } from "./server/program.js"
import * as PersistenceMemory from "./persistence/PersistenceMemory.js"
import { ServerAddress } from "./server/Server.js"
import { Shutdown } from "./state/Shutdown.js"

// --- The store and its typed API

/** The Store service: 16 databases of keys; `Store.layer` is an empty store in memory. */
export { Store } from "./store/Store.js"
/** What the Store service offers (low level: commands as pure transitions; prefer `Kv`). */
export type { StoreService } from "./store/Store.js"
/** A stored value and its expiry; one database's keyspace. */
export type { Entry, Keyspace, VolatileEntry } from "./store/entry.js"
/** Reading a snapshot's entries: the value (byte string) and the expiry (unix ms) of an entry. */
export { entry, expiresAtOf, valueOf } from "./store/entry.js"
/** The typed in-process API (`Kv.layer` needs the Store) and its option types. */
export { Kv } from "./api/Kv.js"
export type { ExpireOptions, KvDatabase, KvService, ScanOptions, SetOptions } from "./api/Kv.js"
/** A key or value as the API takes it: `string` (stored as UTF-8) or `Uint8Array`. */
export type { Input as KeyOrValue } from "./api/bytes.js"
/** The typed errors of the API; each `message` is the Redis error string. */
export {
  InvalidArgumentError,
  InvalidExpireTimeError,
  NotAnIntegerError,
  OverflowError,
  WrongTypeError
} from "./api/errors.js"
export type { KvError } from "./api/errors.js"
/** @effect/platform's KeyValueStore backed by one database of the store. */
export { layerKeyValueStore } from "./api/KeyValueStore.js"
export type { KeyValueStoreOptions } from "./api/KeyValueStore.js"
export { KvScripting, ScriptError } from "./api/KvScripting.js"
export type { KvScriptingService, ScriptValue } from "./api/KvScripting.js"
export { Scripting } from "./scripting/Scripting.js"

// --- Persistence

/** The store loaded from the last snapshot, with Snapshots (SAVE, BGSAVE, save rules); RDB to a file. */
export { layerFilePersistence, layerPersistentStore, layerStoreFromSnapshot } from "./api/layers.js"
export type { PersistentStoreOptions } from "./api/layers.js"
/** Snapshots kept in memory (for tests): `layer`, or `layerWithSnapshot(rdbBytes)`. */
export * as PersistenceMemory from "./persistence/PersistenceMemory.js"
/** The Persistence service (where snapshots go) and its error. */
export { Persistence, PersistenceError } from "./persistence/Persistence.js"
/** The Snapshots service: `save`, `backgroundSave`, `status`. */
export { Snapshots } from "./persistence/Snapshots.js"
export type { SnapshotsService } from "./persistence/Snapshots.js"

// --- The server

/** Where a running server listens; the bare server Layer (needs the Store and the command services). */
export { ServerAddress, layer as ServerLayer } from "./server/Server.js"
/** The whole server (store, persistence, AOF, listener) as one Layer; its output includes the Store. */
export { serverLayer } from "./server/program.js"
export type { ServerLayerOptions } from "./server/program.js"
/** Pub/sub: `publish`, and `subscribe(topics)` giving a Stream of messages (the same registry clients use). */
export { PubSub, SubscriberOverflow } from "./state/PubSub.js"
export type { PubSubMessage, PubSubService, Topics } from "./state/PubSub.js"
/** redis-server's default settings, and the settings' type. */
export { defaultServerConfig } from "./config/config.js"
export type { SaveRule, ServerConfig } from "./config/config.js"
/** A Redis error reply as a failure; a broken request stream. */
export { CommandError, ProtocolError } from "./errors.js"

// --- RESP

/** The request decoder as a Stream stage: byte chunks in, batches of commands out (see its TSDoc). */
export { decodeRequestStream } from "./resp/stream.js"
export { defaultRequestLimits } from "./resp/decoder.js"
export type { RequestLimits } from "./resp/decoder.js"
/** effect-kv's version, and the Redis version it follows. */
export { effectKvVersion, redisCompatibleVersion } from "./version.js"

/** startServer's own options. */
export interface StartOptions {
  /**
   * Where SAVE, BGSAVE and the save policy write: "memory" (the default: no
   * file is read or written) or "file" (`dir/dbfilename`, loaded at start).
   * `dir` is created if missing when something goes to disk: with "file", or
   * with `appendonly: true` (the AOF is always a file in `dir`).
   */
  readonly persistence?: "memory" | "file"
}

/** A server started by `startServer`. */
export interface RunningServer {
  /** The address it listens on (`bind`, 127.0.0.1 by default). */
  readonly host: string
  /** The port it listens on (the one picked when 0 was asked for). */
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

export { KeyspaceEvents } from "./api/KeyspaceEvents.js"
export type { KeyspaceEventsService, KeyspaceNotification, SubscribeOptions as KeyspaceEventsOptions } from "./api/KeyspaceEvents.js"

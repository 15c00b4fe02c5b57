/**
 * The whole server as one Layer: persistence, store (loaded from the dump, or
 * from the append-only file when appendonly is on, before the port opens),
 * snapshots and the save policy, the AOF, shutdown, and the TCP listener.
 */
import type * as FileSystem from "@effect/platform/FileSystem"
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import { Context, Effect, Layer } from "effect"
import { AppendOnly } from "../persistence/aof/AppendOnly.js"
import { makeDataDirectory } from "../persistence/directory.js"
import { type AofLoadError } from "../persistence/aof/replay.js"
import { loadAppendOnlyFileContents } from "../commands/aof-replay.js"
import { FunctionCodes } from "../persistence/FunctionCodes.js"
import { Persistence, type PersistenceError } from "../persistence/Persistence.js"
import * as PersistenceFile from "../persistence/PersistenceFile.js"
import { Snapshots } from "../persistence/Snapshots.js"
import { Store } from "../store/Store.js"
import type { ServerConfig } from "../config/config.js"
import { loggerLayer } from "./logger.js"
import { Activity } from "../state/Activity.js"
import { LiveConfig } from "../config/LiveConfig.js"
import * as Server from "./Server.js"
import { Shutdown } from "../state/Shutdown.js"
import { layerStoreFromSnapshot } from "../api/layers.js"

export interface ServerLayerOptions {
  /** Where snapshots go; by default `dir/dbfilename` on disk. Tests pass PersistenceMemory.layer. */
  readonly persistence?: Layer.Layer<Persistence>
}

/** The store (and the function libraries) rebuilt by replaying the append-only file; the replay does not count as changes. */
const storeFromAppendOnlyFile = (config: ServerConfig) =>
  Layer.unwrapEffect(Effect.map(loadAppendOnlyFileContents(config.dir, config.appendfilename), ({ databases, functions }) =>
    Layer.merge(Store.layerFrom(databases), FunctionCodes.layer(functions))))

/**
 * Everything a running server needs, built from its settings. Gives the listening address and Shutdown.
 * `dir` is created when something goes to disk (the default file persistence, or appendonly).
 */
export const serverLayer = (config: ServerConfig, options: ServerLayerOptions = {}) => {
  const persistence = options.persistence ??
    PersistenceFile.layer({ dir: config.dir, dbfilename: config.dbfilename }).pipe(Layer.provide(NodeFileSystem.layer))
  const store: Layer.Layer<Store | FunctionCodes, PersistenceError | AofLoadError, Persistence | FileSystem.FileSystem> =
    config.appendonly ? storeFromAppendOnlyFile(config) : layerStoreFromSnapshot
  const appendOnly = config.appendonly
    ? AppendOnly.layer({ dir: config.dir, appendfilename: config.appendfilename, appendfsync: config.appendfsync })
    : AppendOnly.layerDisabled
  // One LiveConfig for the commands and the save policy, so CONFIG SET save / stop-writes-on-bgsave-error apply at once.
  const liveConfig = LiveConfig.layer(config)
  // The dump (saved at shutdown) and the AOF go to `dir`: create it first, as the CLI does.
  const onDisk = options.persistence === undefined || config.appendonly
  const dataDirectory = onDisk ? Layer.effectDiscard(makeDataDirectory(config.dir)) : Layer.empty
  const snapshots = Layer.unwrapEffect(
    Effect.map(LiveConfig, (live) =>
      Snapshots.layer(Effect.map(live.get, (current) => ({
        save: current.save,
        stopWritesOnBgsaveError: current.stopWritesOnBgsaveError
      }))))
  ).pipe(Layer.provide(liveConfig))
  return Server.layer({ host: config.bind, port: config.port }).pipe(
    Layer.provideMerge(Shutdown.layer),
    Layer.provide(Layer.provideMerge(Activity.layer, liveConfig)),
    Layer.provideMerge(Layer.merge(snapshots, appendOnly)),
    Layer.provideMerge(store),
    Layer.provideMerge(persistence),
    Layer.provide(dataDirectory),
    Layer.provide(NodeFileSystem.layer),
    Layer.provide(loggerLayer(config.loglevel))
  )
}

/**
 * Runs the server until SHUTDOWN (or until interrupted, e.g. by SIGTERM/SIGINT
 * under runMain). A start that fails (a damaged dump or AOF, a port in use) is
 * logged, as redis-server logs why it aborts, before the failure is returned.
 */
export const runServer = (config: ServerConfig, options: ServerLayerOptions = {}) =>
  Effect.scoped(
    Effect.flatMap(Layer.build(serverLayer(config, options)), (context) =>
      Context.get(context, Shutdown).requested)
  ).pipe(
    Effect.tapError((failure) => Effect.logError(failure.message).pipe(Effect.provide(loggerLayer(config.loglevel))))
  )


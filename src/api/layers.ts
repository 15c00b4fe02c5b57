/**
 * Layers for embedding: the store with RDB persistence (file or memory), to
 * compose with the user's own layers. The store alone is `Store.layer`; the
 * server with its store is `serverLayer(config)` (server/program.ts).
 */
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import { Clock, Effect, Layer } from "effect"
import * as Hamt from "../structures/hamt.js"
import { FunctionCodes } from "../persistence/FunctionCodes.js"
import { Persistence, type PersistenceError } from "../persistence/Persistence.js"
import * as PersistenceFile from "../persistence/PersistenceFile.js"
import { Snapshots } from "../persistence/Snapshots.js"
import type { SaveRule } from "../config/config.js"
import { Store } from "../store/Store.js"
import { isExpired, type Keyspace } from "../store/entry.js"

/** Snapshots to a file `dir/dbfilename` (RDB, written atomically); the directory must exist. */
export const layerFilePersistence = (options: PersistenceFile.FileOptions): Layer.Layer<Persistence> =>
  PersistenceFile.layer(options).pipe(Layer.provide(NodeFileSystem.layer))

/** The store as the last snapshot left it (keys expired meanwhile dropped); empty without one. */
/** The keyspaces without the keys already expired at `nowMs`, with how many keys stay and how many went (Redis drops them at load). */
const dropExpired = (keyspaces: ReadonlyArray<Keyspace>, nowMs: number): readonly [ReadonlyArray<Keyspace>, number, number] => {
  let kept = 0
  let expired = 0
  const result = keyspaces.map((keyspace) => {
    const expiredKeys: Array<string> = []
    Hamt.forEach(keyspace, (stored, key) => {
      if (isExpired(stored, nowMs)) expiredKeys.push(key)
    })
    kept += Hamt.size(keyspace) - expiredKeys.length
    expired += expiredKeys.length
    return expiredKeys.reduce((remaining, key) => Hamt.remove(remaining, key), keyspace)
  })
  return [result, kept, expired]
}

/** With the function libraries the snapshot held (FunctionCodes), which the Scripting service loads. */
export const layerStoreFromSnapshot: Layer.Layer<Store | FunctionCodes, PersistenceError, Persistence> = Layer.unwrapEffect(
  Effect.gen(function*() {
    const persistence = yield* Persistence
    const startedAt = performance.now()
    const contents = yield* persistence.loadContents()
    if (contents === undefined) return Layer.merge(Store.layer, FunctionCodes.layer())
    const [loaded, keys, expired] = dropExpired(contents.databases, yield* Clock.currentTimeMillis)
    // rdb.c rdbLoadRioWithLoadingCtx and server.c loadDataFromDisk, at notice.
    yield* Effect.logInfo(`Done loading RDB, keys loaded: ${keys}, keys expired: ${expired}.`)
    yield* Effect.logInfo(`DB loaded from disk: ${((performance.now() - startedAt) / 1000).toFixed(3)} seconds`)
    return Layer.merge(Store.layerFrom(loaded), FunctionCodes.layer(contents.functions))
  })
)

export interface PersistentStoreOptions {
  /** Redis's `save` rules: snapshot after `seconds` once `changes` keys changed. None by default: save explicitly. */
  readonly save?: ReadonlyArray<SaveRule>
}

/**
 * The store loaded from the last snapshot, and the Snapshots service (`save`,
 * `backgroundSave`, and the `save` rules running in the background), over
 * the Persistence given: `layerFilePersistence(...)` or `PersistenceMemory.layer`.
 */
export const layerPersistentStore = (
  options: PersistentStoreOptions = {}
): Layer.Layer<Store | FunctionCodes | Snapshots, PersistenceError, Persistence> =>
  Snapshots.layer(Effect.succeed({ save: options.save ?? [], stopWritesOnBgsaveError: false })).pipe(
    Layer.provideMerge(layerStoreFromSnapshot)
  )

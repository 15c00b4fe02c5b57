/**
 * Layers for embedding: the store with RDB persistence (file or memory), to
 * compose with the user's own layers. The store alone is `Store.layer`; the
 * server with its store is `serverLayer(config)` (server/program.ts).
 */
import { NodeFileSystem } from "@effect/platform-node"
import { Clock, Effect, Layer } from "effect"
import { Persistence, type PersistenceError } from "../persistence/Persistence.js"
import * as PersistenceFile from "../persistence/PersistenceFile.js"
import { Snapshots } from "../persistence/Snapshots.js"
import type { SaveRule } from "../config/config.js"
import { Store } from "../store/Store.js"

/** Snapshots to a file `dir/dbfilename` (RDB, written atomically); the directory must exist. */
export const layerFilePersistence = (options: PersistenceFile.FileOptions): Layer.Layer<Persistence> =>
  PersistenceFile.layer(options).pipe(Layer.provide(NodeFileSystem.layer))

/** The store as the last snapshot left it (keys expired meanwhile dropped); empty without one. */
export const layerStoreFromSnapshot: Layer.Layer<Store, PersistenceError, Persistence> = Layer.unwrapEffect(
  Effect.gen(function*() {
    const persistence = yield* Persistence
    const loaded = yield* persistence.load(yield* Clock.currentTimeMillis)
    if (loaded === undefined) return Store.layer
    yield* Effect.logInfo(`DB loaded from disk: ${persistence.location}`)
    return Store.layerFrom(loaded)
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
): Layer.Layer<Store | Snapshots, PersistenceError, Persistence> =>
  Snapshots.layer(Effect.succeed({ save: options.save ?? [], stopWritesOnBgsaveError: false })).pipe(
    Layer.provideMerge(layerStoreFromSnapshot)
  )

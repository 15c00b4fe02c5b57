/**
 * @effect/platform's KeyValueStore backed by the store, so Effect code written
 * against that interface runs on effect-kv unchanged. Keys are UTF-8 text;
 * values are text or bytes (stored as they are). `clear` and `size` cover the
 * whole database the layer uses (FLUSHDB, DBSIZE). `modify` is the platform's
 * default: a get then a set, not one atomic step.
 */
import * as KeyValueStore from "@effect/platform/KeyValueStore"
import { Effect, Layer } from "effect"
import type { Store } from "../store/Store.js"
import type { InvalidArgumentError } from "./errors.js"
import { Kv, type KvDatabase } from "./Kv.js"

export interface KeyValueStoreOptions {
  /** The database the store uses (0 to 15); 0 by default. */
  readonly db?: number
}

const fromDatabase = (database: KvDatabase): KeyValueStore.KeyValueStore =>
  KeyValueStore.make({
    // Only strings exist in the store, so get cannot meet another kind of value.
    get: (key) => Effect.orDie(database.get(key)),
    getUint8Array: (key) => Effect.orDie(database.getBytes(key)),
    set: (key, value) => Effect.asVoid(Effect.orDie(database.set(key, value))),
    remove: (key) => Effect.asVoid(database.del(key)),
    clear: database.flushDb,
    size: database.dbSize,
    has: (key) => Effect.map(database.exists(key), (count) => count > 0)
  })

/**
 * A KeyValueStore on one database of the store; fails when `db` is out of range.
 *
 * @example
 * const program = Effect.flatMap(KeyValueStore.KeyValueStore, (store) => store.set("a", "1"))
 * program.pipe(Effect.provide(layerKeyValueStore().pipe(Layer.provide(Store.layer))))
 */
export const layerKeyValueStore = (
  options: KeyValueStoreOptions = {}
): Layer.Layer<KeyValueStore.KeyValueStore, InvalidArgumentError, Store> =>
  Layer.effect(
    KeyValueStore.KeyValueStore,
    Effect.flatMap(Kv, (kv) => Effect.map(kv.db(options.db ?? 0), fromDatabase))
  ).pipe(Layer.provide(Kv.layer))

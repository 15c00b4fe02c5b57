import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import * as Database from "../../src/store/database.js"
import { type KeyspaceEvent, keyspaceEvent } from "../../src/store/keyspace-events.js"
import { Store } from "../../src/store/Store.js"
import * as Hamt from "../../src/structures/hamt.js"

describe("Store keyspace events", () => {
  it.effect("publishes a transition's events to listeners after it commits, in order, with its database", () =>
    Effect.gen(function*() {
      const store = yield* Store
      const heard: Array<readonly [number, ReadonlyArray<KeyspaceEvent>]> = []
      const remove = store.addEventListener((db, events) => {
        // The update is already published when a listener hears it.
        expect(Hamt.size(store.snapshot.pipe(Effect.runSync)[db])).toBeGreaterThan(0)
        heard.push([db, events])
      })
      const set = keyspaceEvent("string", "set", "k")
      yield* store.modify(3, [], (database) => [undefined, Database.put(database, "k", "v", undefined), 1, [set]])
      yield* store.modify(3, [], (database) => [undefined, database, 0])
      yield* store.modifyEach(3, [
        { keys: [], run: (database) => [1, Database.put(database, "a", "1", undefined), 1, [keyspaceEvent("string", "set", "a")]] },
        { keys: [], run: (database) => [2, Database.remove(database, "a"), 1, [keyspaceEvent("generic", "del", "a")]] }
      ])
      // The Store adds `new` before the first event naming a key the step added (db.c dbAdd).
      expect(heard).toEqual([
        [3, [keyspaceEvent("new", "new", "k"), set]],
        [3, [keyspaceEvent("new", "new", "a"), keyspaceEvent("string", "set", "a"), keyspaceEvent("generic", "del", "a")]]
      ])
      remove()
      yield* store.modify(3, [], (database) => [undefined, database, 0, [set]])
      expect(heard).toHaveLength(2)
    }).pipe(Effect.provide(Store.layer)))

  it.effect("modifyPair publishes each database's events", () =>
    Effect.gen(function*() {
      const store = yield* Store
      const heard: Array<readonly [number, string]> = []
      store.addEventListener((db, events) => events.forEach((event) => heard.push([db, event.event])))
      yield* store.modifyPair(0, 1, [], [], (first, second) => [
        undefined,
        first,
        Database.put(second, "k", "v", undefined),
        1,
        [keyspaceEvent("generic", "move_from", "k")],
        [keyspaceEvent("generic", "move_to", "k")]
      ])
      // As MOVE: the added key's `new` goes out before either database's own events.
      expect(heard).toEqual([[1, "new"], [0, "move_from"], [1, "move_to"]])
    }).pipe(Effect.provide(Store.layer)))
})

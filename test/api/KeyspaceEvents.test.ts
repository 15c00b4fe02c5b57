/**
 * KeyspaceEvents: the keyspace events as an Effect Stream, driven by the Kv
 * API and the TestClock (lazy and active expiry), no socket.
 */
import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Layer, Stream, TestClock } from "effect"
import { KeyspaceEvents } from "../../src/api/KeyspaceEvents.js"
import { Kv } from "../../src/api/Kv.js"
import { Store } from "../../src/store/Store.js"

const layer = Layer.merge(Kv.layer, KeyspaceEvents.layer).pipe(Layer.provideMerge(Store.layer))

const shown = (events: Chunk.Chunk<{ readonly db: number; readonly event: string; readonly key: string }>) =>
  Chunk.toReadonlyArray(events).map(({ db, event, key }) => `${db} ${event} ${key}`)

describe("KeyspaceEvents", () => {
  it.scoped("a command's events, with new before them, in order", () =>
    Effect.gen(function*() {
      const kv = yield* Kv
      const events = yield* (yield* KeyspaceEvents).subscribe()
      yield* kv.set("a", "1")
      yield* kv.set("a", "2", { px: 5000 })
      yield* kv.del("a", "missing")
      expect(shown(yield* Stream.runCollect(Stream.take(events, 5)))).toEqual([
        "0 new a",
        "0 set a",
        "0 set a",
        "0 expire a",
        "0 del a"
      ])
    }).pipe(Effect.provide(layer)))

  it.scoped("active expiry tells a key expired, with no command touching it", () =>
    Effect.gen(function*() {
      const kv = yield* Kv
      const expired = yield* (yield* KeyspaceEvents).subscribe({ events: ["expired"] })
      yield* kv.set("session:1", "x", { px: 1000 })
      yield* kv.set("session:2", "y", { px: 3000 })
      yield* TestClock.adjust(1500)
      const first = yield* Stream.runCollect(Stream.take(expired, 1))
      expect(shown(first)).toEqual(["0 expired session:1"])
      yield* TestClock.adjust(2000)
      expect(shown(yield* Stream.runCollect(Stream.take(expired, 1)))).toEqual(["0 expired session:2"])
    }).pipe(Effect.provide(layer)))

  it.scoped("lazy expiry: a read of an expired key raises expired", () =>
    Effect.gen(function*() {
      const kv = yield* Kv
      const store = yield* Store
      yield* store.setActiveExpiry(false)
      const events = yield* (yield* KeyspaceEvents).subscribe({ events: ["expired", "del"] })
      yield* kv.set("k", "v", { px: 100 })
      yield* kv.set("other", "v", { px: 100 })
      yield* TestClock.adjust(200)
      expect(yield* kv.exists("k")).toBe(0)
      yield* kv.del("other")
      expect(shown(yield* Stream.runCollect(Stream.take(events, 2)))).toEqual(["0 expired k", "0 expired other"])
    }).pipe(Effect.provide(layer)))

  it.scoped("options filter by database", () =>
    Effect.gen(function*() {
      const kv = yield* Kv
      const keyspaceEvents = yield* KeyspaceEvents
      const inDb1 = yield* keyspaceEvents.subscribe({ dbs: [1] })
      yield* kv.set("zero", "0")
      yield* (yield* kv.db(1)).set("one", "1")
      expect(shown(yield* Stream.runCollect(Stream.take(inDb1, 2)))).toEqual(["1 new one", "1 set one"])
    }).pipe(Effect.provide(layer)))
})

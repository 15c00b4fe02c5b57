import { describe, expect, it } from "@effect/vitest"
import { Effect, HashMap, Option, RedBlackTree, TestClock } from "effect"
import * as Database from "../../src/store/database.js"
import { entry, expiresAtOf, type Keyspace, valueOf, VolatileEntry } from "../../src/store/entry.js"
import { activeExpiry, Store } from "../../src/store/Store.js"

const put = (db: number, key: string, value: string, expiresAt?: number) =>
  Effect.flatMap(Store, (store) =>
    store.modify(db, [], (database) => [undefined, Database.put(database, key, value, expiresAt), 1]))

const read = (db: number, key: string) =>
  Effect.flatMap(Store, (store) =>
    store.modify(db, [key], (database) => {
      const stored = Database.get(database, key)
      return [stored === undefined ? undefined : valueOf(stored), database, 0]
    }))

const keyspace = (db: number) => Effect.flatMap(Store, (store) => Effect.map(store.snapshot, (all) => all[db]))

describe("Store", () => {
  it.effect("lazy expiry: a read past the expiry sees nothing and removes the key", () =>
    Effect.gen(function*() {
      yield* put(0, "k", "v", 1000)
      expect(yield* read(0, "k")).toBe("v")
      yield* TestClock.setTime(1001)
      expect(HashMap.has(yield* keyspace(0), "k")).toBe(true)
      expect(yield* read(0, "k")).toBeUndefined()
      expect(HashMap.has(yield* keyspace(0), "k")).toBe(false)
    }).pipe(Effect.provide(Store.layer)))

  it.effect("active expiry reclaims keys without any read", () =>
    Effect.gen(function*() {
      for (let i = 0; i < 50; i++) yield* put(3, `k${i}`, "v", 500)
      yield* put(3, "stays", "v")
      yield* TestClock.adjust("600 millis")
      expect(HashMap.size(yield* keyspace(3))).toBe(1)
    }).pipe(Effect.provide(Store.layer)))

  it.effect("counts lazily and actively expired keys, and a read's lookups as hits and misses (INFO stats)", () =>
    Effect.gen(function*() {
      const store = yield* Store
      yield* put(0, "lazy", "v", 100)
      yield* put(0, "active", "v", 100)
      yield* put(0, "kept", "v")
      yield* TestClock.setTime(101)
      const lookup = (keys: ReadonlyArray<string>) => store.modify(0, keys, (database) => [undefined, database, 0], true)
      yield* lookup(["lazy", "kept", "missing"])
      expect(store.stats).toMatchObject({ expired: 1, hits: 1, misses: 2 })
      yield* store.modify(0, ["kept", "missing"], (database) => [undefined, database, 0])
      expect(store.stats).toMatchObject({ hits: 1, misses: 2 })
      yield* TestClock.adjust("200 millis")
      expect(store.stats.expired).toBe(2)
    }).pipe(Effect.provide(Store.layer)))

  it.effect("one cycle's work per database is bounded; later cycles finish the job", () =>
    Effect.gen(function*() {
      const volatile = 1000
      const perCycle = activeExpiry.keysPerStep * activeExpiry.maxStepsPerDatabase
      const store = yield* Store
      yield* store.modify(0, [], (database) => {
        let next = database
        for (let i = 0; i < volatile; i++) next = Database.put(next, `k${i}`, "v", 10)
        return [undefined, next, volatile]
      })
      yield* TestClock.setTime(50)
      expect(yield* store.reclaimExpired).toBe(perCycle)
      expect(yield* store.reclaimExpired).toBe(perCycle)
      yield* TestClock.adjust("1 second")
      expect(HashMap.size((yield* store.snapshot)[0])).toBe(0)
    }).pipe(Effect.provide(Store.layer)))

  it.effect("dirty counts key changes; markSaved subtracts what was saved", () =>
    Effect.gen(function*() {
      const store = yield* Store
      yield* put(0, "a", "1")
      yield* put(1, "b", "1")
      expect(yield* store.dirty).toBe(2)
      yield* store.markSaved(2)
      expect(yield* store.dirty).toBe(0)
      expect(yield* store.flushAll).toBe(2)
      expect(yield* store.dirty).toBe(2)
    }).pipe(Effect.provide(Store.layer)))

  it.effect("layerFrom loads keyspaces and indexes their expiries", () => {
    const loaded: Keyspace = HashMap.make(["a", entry("a", "1", 100)], ["b", entry("b", "2", undefined)])
    return Effect.gen(function*() {
      const store = yield* Store
      expect((yield* store.snapshot)[5]).toBe(loaded)
      yield* TestClock.adjust("200 millis")
      expect(HashMap.keys((yield* store.snapshot)[5]).next().value).toBe("b")
      expect(HashMap.size((yield* store.snapshot)[5])).toBe(1)
    }).pipe(Effect.provide(Store.layerFrom([HashMap.empty(), HashMap.empty(), HashMap.empty(), HashMap.empty(), HashMap.empty(), loaded])))
  })
})

describe("Database", () => {
  it("keeps the expiry index in step with the keyspace", () => {
    let db = Database.put(Database.emptyDatabase, "a", "1", 100)
    db = Database.put(db, "a", "2", 200)
    db = Database.put(db, "b", "3", 50)
    db = Database.put(db, "b", "4", undefined)
    expect(RedBlackTree.size(db.expiries)).toBe(1)
    expect(Database.reclaimExpired(db, 150, 10)[1]).toBe(0)
    expect(Database.reclaimExpired(db, 201, 10)[1]).toBe(1)
    db = Database.remove(db, "a")
    expect(RedBlackTree.size(db.expiries)).toBe(0)
    expect(Option.isSome(HashMap.get(db.keyspace, "b"))).toBe(true)
  })

  it("reclaims only expired keys, earliest first, up to the limit", () => {
    let db = Database.emptyDatabase
    for (const [key, at] of [["x", 30], ["y", 10], ["z", 20], ["w", 99]] as const) db = Database.put(db, key, "v", at)
    const [after, removed] = Database.reclaimExpired(db, 25, 1)
    expect(removed).toBe(1)
    expect(Database.get(after, "y")).toBeUndefined()
    const [final, more] = Database.reclaimExpired(after, 25, 10)
    expect(more).toBe(1)
    expect(Array.from(HashMap.keys(final.keyspace)).sort()).toEqual(["w", "x"])
  })

  it("stores a persistent key's value bare and a volatile key's value with its key and expiry", () => {
    const db = Database.put(Database.put(Database.emptyDatabase, "p", "1", undefined), "v", "2", 70)
    expect(Database.get(db, "p")).toBe("1")
    expect(Database.get(db, "v")).toEqual(new VolatileEntry("v", "2", 70))
    expect(expiresAtOf(Database.get(db, "p"))).toBeUndefined()
    expect(Array.from(RedBlackTree.keys(db.expiries))).toEqual([new VolatileEntry("v", "2", 70)])
  })

  it("orders keys expiring at the same time by name and removes exactly the one replaced", () => {
    let db = Database.emptyDatabase
    for (const key of ["c", "a", "b"]) db = Database.put(db, key, "v", 40)
    db = Database.put(db, "b", "w", 40)
    expect(Array.from(RedBlackTree.keys(db.expiries), (volatile) => [volatile.key, volatile.value])).toEqual([
      ["a", "v"],
      ["b", "w"],
      ["c", "v"]
    ])
    db = Database.remove(db, "a")
    expect(Array.from(RedBlackTree.keys(db.expiries), (volatile) => volatile.key)).toEqual(["b", "c"])
  })

  it("indexes the volatile entries of a loaded keyspace", () => {
    const db = Database.fromKeyspace(HashMap.make(["a", entry("a", "1", 9)], ["b", entry("b", "2", undefined)]))
    expect(Array.from(RedBlackTree.keys(db.expiries), (volatile) => volatile.key)).toEqual(["a"])
    expect(Database.reclaimExpired(db, 10, 5)[1]).toBe(1)
  })
})

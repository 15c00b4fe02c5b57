import { describe, expect, it } from "@effect/vitest"
import { Clock, Effect, Random, TestClock } from "effect"
import { PCGRandom } from "effect/Utils"
import * as fc from "fast-check"
import * as Database from "../../src/store/database.js"
import { entry, expiresAtOf, type Keyspace, valueOf, VolatileEntry } from "../../src/store/entry.js"
import { activeExpiry, type Step, Store } from "../../src/store/Store.js"
import * as Hamt from "../../src/structures/hamt.js"

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

  it.effect("lazy expiry: a read past the expiry sees nothing and removes the key", () =>
    Effect.gen(function*() {
      yield* put(0, "k", "v", 1000)
      expect(yield* read(0, "k")).toBe("v")
      yield* TestClock.setTime(1001)
      expect(Hamt.has(yield* keyspace(0), "k")).toBe(true)
      expect(yield* read(0, "k")).toBeUndefined()
      expect(Hamt.has(yield* keyspace(0), "k")).toBe(false)
    }).pipe(Effect.provide(Store.layer)))

  it.effect("active expiry reclaims keys without any read", () =>
    Effect.gen(function*() {
      for (let i = 0; i < 50; i++) yield* put(3, `k${i}`, "v", 500)
      yield* put(3, "stays", "v")
      yield* TestClock.adjust("600 millis")
      expect(Hamt.size(yield* keyspace(3))).toBe(1)
    }).pipe(Effect.provide(Store.layer)))

  it.effect("one cycle's work is bounded; later cycles finish the job", () =>
    Effect.gen(function*() {
      const perCycle = activeExpiry.keysPerLoop * activeExpiry.maxLoopsPerCycle
      const volatile = perCycle + 500
      const store = yield* Store
      yield* store.modify(0, [], (database) => {
        let next = database
        for (let i = 0; i < volatile; i++) next = Database.put(next, `k${i}`, "v", 10)
        return [undefined, next, volatile]
      })
      yield* TestClock.setTime(50)
      expect(yield* store.reclaimExpired).toBe(perCycle)
      expect(Hamt.size((yield* store.snapshot)[0])).toBe(500)
      yield* TestClock.adjust("1 second")
      expect(Hamt.size((yield* store.snapshot)[0])).toBe(0)
    }).pipe(Effect.provide(Store.layer)))

  it.effect("DEBUG SET-ACTIVE-EXPIRE 0 stops the cycle; lazy expiry goes on", () =>
    Effect.gen(function*() {
      const store = yield* Store
      yield* store.setActiveExpiry(false)
      for (let i = 0; i < 30; i++) yield* put(0, `k${i}`, "v", 10)
      yield* TestClock.adjust("1 second")
      expect(Hamt.size(yield* keyspace(0))).toBe(30)
      expect(yield* read(0, "k0")).toBeUndefined()
      expect(Hamt.size(yield* keyspace(0))).toBe(29)
      yield* store.setActiveExpiry(true)
      yield* TestClock.adjust("1 second")
      expect(Hamt.size(yield* keyspace(0))).toBe(0)
    }).pipe(Effect.provide(Store.layer)))

  it.effect("the same Random seed reclaims the same keys", () =>
    Effect.gen(function*() {
      const reclaimOnce = () => Effect.gen(function*() {
        const store = yield* Store
        yield* store.setActiveExpiry(false)
        const now = yield* Clock.currentTimeMillis
        yield* store.modify(0, [], (database) => {
          let next = database
          for (let i = 0; i < 200; i++) next = Database.put(next, `k${i}`, "v", now + (i % 2 === 0 ? 10 : 10_000))
          return [undefined, next, 200]
        })
        yield* TestClock.adjust("50 millis")
        yield* store.reclaimExpired
        return Array.from(Hamt.entries((yield* store.snapshot)[0]), ([key]) => key).sort()
      }).pipe(Effect.withRandom(Random.make(7)), Effect.provide(Store.layer))
      const first = yield* reclaimOnce()
      expect(first.length).toBeLessThan(200)
      expect(yield* reclaimOnce()).toEqual(first)
    }))

  it.effect("a snapshot taken before a batch is unchanged after it", () =>
    Effect.gen(function*() {
      const store = yield* Store
      yield* store.modify(0, [], (database) => {
        let next = database
        for (let i = 0; i < 2000; i++) next = Database.put(next, `k${i}`, `v${i}`, i % 3 === 0 ? 1_000_000 : undefined)
        return [undefined, next, 2000]
      })
      const before = (yield* store.snapshot)[0]
      const contents = [...Hamt.entries(before)]
      const steps = Array.from({ length: 300 }, (_, i): Step<number> => ({
        keys: [`k${i}`],
        run: (database) => {
          const changed = i % 3 === 0 ? Database.remove(database, `k${i * 5}`) : Database.put(database, `k${i * 7}`, "new", i % 2 === 0 ? 99 : undefined)
          return [i, Database.put(changed, `fresh${i}`, "x", undefined), 2]
        }
      }))
      yield* store.modifyEach(0, steps)
      expect([...Hamt.entries(before)]).toEqual(contents)
      expect(Hamt.size(before)).toBe(2000)
      const after = (yield* store.snapshot)[0]
      expect(Hamt.get(after, "fresh299")).toBe("x")
      expect(Hamt.get(after, "k0")).toBeUndefined()
      expect(Hamt.get(before, "k0")).toEqual(entry("k0", "v0", 1_000_000))
      // The published database is frozen too: a later batch leaves it as it was.
      const afterContents = [...Hamt.entries(after)]
      yield* store.modifyEach(0, steps)
      expect([...Hamt.entries(after)]).toEqual(afterContents)
    }).pipe(Effect.provide(Store.layer)))

  it.effect("a step that uses a database it already changed runs again without an edit", () =>
    Effect.gen(function*() {
      const store = yield* Store
      yield* put(0, "a", "1")
      const replies = yield* store.modifyEach<string | number>(0, [
        { keys: [], run: (database) => ["first", Database.put(database, "b", "2", undefined), 1] },
        {
          keys: [],
          run: (database) => {
            Database.put(database, "discarded", "x", undefined)
            return [Database.size(database), Database.put(database, "c", "3", undefined), 1]
          }
        }
      ])
      expect(replies).toEqual(["first", 2])
      expect(Array.from(Hamt.entries(yield* keyspace(0)), ([key]) => key).sort()).toEqual(["a", "b", "c"])
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
    const loaded: Keyspace = Hamt.fromEntries([["a", entry("a", "1", 100)], ["b", entry("b", "2", undefined)]])
    return Effect.gen(function*() {
      const store = yield* Store
      expect((yield* store.snapshot)[5]).toBe(loaded)
      yield* TestClock.adjust("200 millis")
      expect(Array.from(Hamt.entries((yield* store.snapshot)[5]), ([key]) => key)).toEqual(["b"])
    }).pipe(Effect.provide(Store.layerFrom([Hamt.empty(), Hamt.empty(), Hamt.empty(), Hamt.empty(), Hamt.empty(), loaded])))
  })
})

const budget = (loops: number, checksBeforeTimeout = Number.POSITIVE_INFINITY): Database.CycleBudget => {
  let checks = 0
  return { loopsLeft: loops, outOfTime: () => ++checks > checksBeforeTimeout }
}
const fixedRandom = (seed: number) => {
  const random = new PCGRandom(seed)
  return (n: number) => random.integer(n)
}

describe("Database", () => {
  it("keeps expires in step with the keyspace", () => {
    let db = Database.put(Database.emptyDatabase, "a", "1", 100)
    db = Database.put(db, "a", "2", 200)
    db = Database.put(db, "b", "3", 50)
    db = Database.put(db, "b", "4", undefined)
    expect(Database.volatileSize(db)).toBe(1)
    expect(Database.reclaimExpired(db, 150, fixedRandom(1), budget(10))[1]).toBe(0)
    expect(Database.reclaimExpired(db, 201, fixedRandom(1), budget(10))[1]).toBe(1)
    db = Database.remove(db, "a")
    expect(Database.volatileSize(db)).toBe(0)
    expect(Database.get(db, "b")).toBe("4")
  })

  it("stores a persistent key's value bare and a volatile key's value with its key and expiry, in expires too", () => {
    const db = Database.put(Database.put(Database.emptyDatabase, "p", "1", undefined), "v", "2", 70)
    expect(Database.get(db, "p")).toBe("1")
    expect(Database.get(db, "v")).toEqual(new VolatileEntry("v", "2", 70))
    expect(expiresAtOf(Database.get(db, "p"))).toBeUndefined()
    expect(Database.volatileAt(db, 0)).toBe(Database.get(db, "v"))
  })

  it("indexes the volatile entries of a loaded keyspace", () => {
    const db = Database.fromKeyspace(Hamt.fromEntries([["a", entry("a", "1", 9)], ["b", entry("b", "2", undefined)]]))
    expect(Database.volatileAt(db, 0)?.key).toBe("a")
    expect(Database.volatileSize(db)).toBe(1)
    expect(Database.reclaimExpired(db, 10, fixedRandom(1), budget(5))[1]).toBe(1)
  })

  it("a cycle stops once no more than a quarter of a sample was expired", () => {
    let db = Database.emptyDatabase
    for (let i = 0; i < 1000; i++) db = Database.put(db, `live${i}`, "v", 10_000)
    for (let i = 0; i < 10; i++) db = Database.put(db, `gone${i}`, "v", 10)
    const left = budget(100)
    const [, removed] = Database.reclaimExpired(db, 50, fixedRandom(3), left)
    expect(left.loopsLeft).toBe(99)
    expect(removed).toBeLessThanOrEqual(5)
  })

  it("a cycle stops when its time is up, and removes only expired keys", () => {
    let db = Database.emptyDatabase
    for (let i = 0; i < 1000; i++) db = Database.put(db, `k${i}`, "v", i < 900 ? 10 : 10_000)
    const [after, removed] = Database.reclaimExpired(db, 50, fixedRandom(5), budget(100, 3))
    expect(removed).toBeLessThanOrEqual(3 * activeExpiry.keysPerLoop)
    expect(removed).toBeGreaterThan(0)
    expect(Database.size(after)).toBe(1000 - removed)
    for (let i = 900; i < 1000; i++) expect(Database.get(after, `k${i}`)).toBeDefined()
  })

  it("batches: changes in place, published frozen, equal to the same changes made persistently", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 40 }), fc.option(fc.integer({ min: 0, max: 100 }), { nil: undefined }), fc.boolean())),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 40 }), fc.option(fc.integer({ min: 0, max: 100 }), { nil: undefined }), fc.boolean()), { maxLength: 60 }),
        (initial, changes) => {
          const apply = (db: Database.Database, [key, expiresAt, removes]: readonly [number, number | undefined, boolean]) =>
            removes ? Database.remove(db, `k${key}`) : Database.put(db, `k${key}`, `v${key}`, expiresAt)
          const start = initial.reduce(apply, Database.emptyDatabase)
          const startContents = [...Hamt.entries(start.keyspace)]
          const persistent = changes.reduce(apply, start)
          const published = Database.closeBatch(changes.reduce(apply, Database.openBatch(start)))
          expect([...Hamt.entries(start.keyspace)]).toEqual(startContents)
          expect(published).toBeDefined()
          const sortedKeys = (map: Hamt.HamtMap<unknown>) => Array.from(Hamt.entries(map)).sort(([a], [b]) => (a < b ? -1 : 1))
          expect(sortedKeys(published?.keyspace ?? Hamt.empty())).toEqual(sortedKeys(persistent.keyspace))
          expect(sortedKeys(published?.expires ?? Hamt.empty())).toEqual(sortedKeys(persistent.expires))
        }
      )
    )
  })
})

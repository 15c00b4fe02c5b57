import { describe, expect, it } from "@effect/vitest"
import { Chunk, Duration, Effect, Exit, Layer, Option, Stream, TestClock } from "effect"
import { Kv } from "../../src/api/Kv.js"
import { Store } from "../../src/store/Store.js"
import * as Errors from "../../src/errors.js"

const kvLayer = Kv.layer.pipe(Layer.provideMerge(Store.layer))

const withKv = <A, E>(f: (kv: Effect.Effect.Success<typeof Kv>) => Effect.Effect<A, E>) =>
  Effect.flatMap(Kv, f).pipe(Effect.provide(kvLayer))

describe("Kv", () => {
  it.effect("get and set round-trip UTF-8 text and raw bytes", () =>
    withKv((kv) =>
      Effect.gen(function*() {
        expect(yield* kv.get("missing")).toEqual(Option.none())
        expect(yield* kv.set("greeting", "héllo ✓")).toBe(true)
        expect(yield* kv.get("greeting")).toEqual(Option.some("héllo ✓"))
        const bytes = new Uint8Array([0, 255, 128, 10, 13])
        yield* kv.set(new Uint8Array([1, 2]), bytes)
        expect(yield* kv.getBytes(new Uint8Array([1, 2]))).toEqual(Option.some(bytes))
        // A string key is its UTF-8 bytes: the same key as the bytes of "é".
        yield* kv.set(new Uint8Array([0xc3, 0xa9]), "accent")
        expect(yield* kv.get("é")).toEqual(Option.some("accent"))
      })))

  it.effect("set options: NX, XX, GET, KEEPTTL and expiries", () =>
    withKv((kv) =>
      Effect.gen(function*() {
        expect(yield* kv.set("k", "1", { xx: true })).toBe(false)
        expect(yield* kv.set("k", "1", { nx: true })).toBe(true)
        expect(yield* kv.set("k", "2", { nx: true })).toBe(false)
        expect(yield* kv.set("k", "3", { get: true })).toEqual(Option.some("1"))
        expect(yield* kv.set("fresh", "x", { get: true })).toEqual(Option.none())
        yield* kv.set("k", "4", { ex: 10 })
        expect(yield* kv.ttl("k")).toBe(10)
        yield* kv.set("k", "5", { keepTtl: true })
        expect(yield* kv.pttl("k")).toBe(10_000)
        yield* kv.set("k", "6")
        expect(yield* kv.ttl("k")).toBe(-1)
        yield* kv.set("k", "7", { px: 1500 })
        expect(yield* kv.pttl("k")).toBe(1500)
        yield* TestClock.adjust(1501)
        expect(yield* kv.get("k")).toEqual(Option.none())
        yield* kv.set("at", "v", { pxat: 5000 })
        expect(yield* kv.pttl("at")).toBe(5000 - 1501)
        yield* kv.set("at", "v", { exat: 10 })
        expect(yield* kv.pttl("at")).toBe(10_000 - 1501)
      })))

  it.effect("set fails with SET's own errors", () =>
    withKv((kv) =>
      Effect.gen(function*() {
        const zero = yield* Effect.flip(kv.set("k", "v", { ex: 0 }))
        expect(zero._tag).toBe("InvalidExpireTimeError")
        expect(zero.message).toBe(Errors.invalidExpireTime("set"))
        const fraction = yield* Effect.flip(kv.set("k", "v", { px: 1.5 }))
        expect(fraction._tag).toBe("NotAnIntegerError")
        const conflict = yield* Effect.flip(kv.set("k", "v", { nx: true, xx: true }))
        expect(conflict._tag).toBe("InvalidArgumentError")
        expect(conflict.message).toBe(Errors.syntaxError)
        expect(yield* kv.exists("k")).toBe(0)
      })))

  it.effect("del, exists, dbSize, flushDb", () =>
    withKv((kv) =>
      Effect.gen(function*() {
        yield* kv.mset({ a: "1", b: "2" })
        yield* kv.mset([["c", "3"], [new Uint8Array([0]), "4"]])
        expect(yield* kv.dbSize).toBe(4)
        expect(yield* kv.exists("a", "a", "nope")).toBe(2)
        expect(yield* kv.del("a", "nope")).toBe(1)
        expect(yield* kv.mget("a", "b", "c")).toEqual([Option.none(), Option.some("2"), Option.some("3")])
        expect(yield* kv.mgetBytes(new Uint8Array([0]))).toEqual([Option.some(new Uint8Array([52]))])
        yield* kv.flushDb
        expect(yield* kv.dbSize).toBe(0)
      })))

  it.effect("expire with durations and conditions, ttl, persist", () =>
    withKv((kv) =>
      Effect.gen(function*() {
        expect(yield* kv.expire("missing", "1 second")).toBe(false)
        expect(yield* kv.ttl("missing")).toBe(-2)
        yield* kv.set("k", "v")
        expect(yield* kv.expire("k", "10 seconds", { xx: true })).toBe(false)
        expect(yield* kv.expire("k", "10 seconds", { nx: true })).toBe(true)
        expect(yield* kv.expire("k", "5 seconds", { gt: true })).toBe(false)
        expect(yield* kv.expire("k", "5 seconds", { lt: true })).toBe(true)
        expect(yield* kv.ttl("k")).toBe(5)
        expect(yield* kv.persist("k")).toBe(true)
        expect(yield* kv.persist("k")).toBe(false)
        expect(yield* kv.ttl("k")).toBe(-1)
        const conflict = yield* Effect.flip(kv.expire("k", 1000, { nx: true, gt: true }))
        expect(conflict.message).toBe(Errors.expireNxConflict)
        expect((yield* Effect.flip(kv.expire("k", Duration.infinity)))._tag).toBe("NotAnIntegerError")
        expect(yield* kv.expire("k", 0)).toBe(true)
        expect(yield* kv.exists("k")).toBe(0)
      })))

  it.effect("active expiry removes keys as time passes", () =>
    withKv((kv) =>
      Effect.gen(function*() {
        yield* kv.set("k", "v", { px: 50 })
        expect(yield* kv.dbSize).toBe(1)
        yield* TestClock.adjust(200)
        expect(yield* kv.dbSize).toBe(0)
      })))

  it.effect("incr and incrBy are exact int64 counters with typed errors", () =>
    withKv((kv) =>
      Effect.gen(function*() {
        expect(yield* kv.incr("n")).toBe(1n)
        expect(yield* kv.incrBy("n", 41)).toBe(42n)
        expect(yield* kv.incrBy("big", 2n ** 62n)).toBe(2n ** 62n)
        expect((yield* Effect.flip(kv.incrBy("big", 2n ** 62n)))._tag).toBe("OverflowError")
        yield* kv.set("text", "abc")
        const notInteger = yield* Effect.flip(kv.incr("text"))
        expect(notInteger._tag).toBe("NotAnIntegerError")
        expect(notInteger.message).toBe(Errors.notInteger)
        expect((yield* Effect.flip(kv.incrBy("n", 0.5)))._tag).toBe("NotAnIntegerError")
      })))

  it.effect("keys and scan", () =>
    withKv((kv) =>
      Effect.gen(function*() {
        const names = Array.from({ length: 100 }, (_, i) => `user:${i}`)
        yield* kv.mset(names.map((name) => [name, "x"] as const))
        yield* kv.set("other", "y")
        expect([...(yield* kv.keys("user:*"))].sort()).toEqual([...names].sort())
        expect(yield* kv.keys("oth?r")).toEqual(["other"])
        const scanned = yield* Stream.runCollect(kv.scan({ match: "user:*", count: 7 }))
        expect(new Set(Chunk.toReadonlyArray(scanned))).toEqual(new Set(names))
        expect(Chunk.size(yield* Stream.runCollect(kv.scan()))).toBeGreaterThanOrEqual(101)
      })))

  it.effect("databases are separate; flushAll empties them all", () =>
    withKv((kv) =>
      Effect.gen(function*() {
        const one = yield* kv.db(1)
        yield* one.set("k", "in one")
        expect(yield* kv.get("k")).toEqual(Option.none())
        expect(yield* one.get("k")).toEqual(Option.some("in one"))
        yield* kv.set("k", "in zero")
        yield* kv.flushAll
        expect(yield* one.dbSize).toBe(0)
        expect(yield* kv.dbSize).toBe(0)
        const outOfRange = yield* Effect.exit(kv.db(16))
        expect(outOfRange).toEqual(Exit.fail(expect.objectContaining({ message: Errors.dbIndexOutOfRange })))
      })))

  it.effect("writes through the API are seen by the Store (and count as changes)", () =>
    Effect.gen(function*() {
      const kv = yield* Kv
      const store = yield* Store
      yield* kv.set("k", "v")
      yield* kv.del("k")
      expect(yield* store.dirty).toBe(2)
    }).pipe(Effect.provide(kvLayer)))
})

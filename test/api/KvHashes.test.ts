import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Layer, Option } from "effect"
import { Kv } from "../../src/api/Kv.js"
import { NotAnIntegerError, OverflowError, WrongTypeError } from "../../src/api/errors.js"
import * as Errors from "../../src/errors.js"
import { Store } from "../../src/store/Store.js"

const kvLayer = Kv.layer.pipe(Layer.provideMerge(Store.layer))

const withKv = <A, E>(f: (kv: Effect.Effect.Success<typeof Kv>) => Effect.Effect<A, E>) =>
  Effect.flatMap(Kv, f).pipe(Effect.provide(kvLayer))

describe("Kv hashes", () => {
  it.effect("hset from a record or a Map, hget, hgetAll, hlen, hdel", () =>
    withKv((kv) =>
      Effect.gen(function*() {
        expect(yield* kv.hset("user:1", { name: "Ada", city: "Zürich" })).toBe(2)
        expect(yield* kv.hset("user:1", new Map([["name", "Ada L."], ["born", "1815"]]))).toBe(1)
        expect(yield* kv.hset("user:1", {})).toBe(0)
        expect(yield* kv.hget("user:1", "city")).toEqual(Option.some("Zürich"))
        expect(yield* kv.hget("user:1", "missing")).toEqual(Option.none())
        expect(yield* kv.hgetAll("user:1")).toEqual(new Map([["name", "Ada L."], ["city", "Zürich"], ["born", "1815"]]))
        expect(yield* kv.hgetAll("nobody")).toEqual(new Map())
        expect(yield* kv.hlen("user:1")).toBe(3)
        expect(yield* kv.hdel("user:1", "city", "nope")).toBe(1)
        expect(yield* kv.hdel("user:1", "name", "born")).toBe(2)
        expect(yield* kv.exists("user:1")).toBe(0)
      })))

  it.effect("hincrBy: bigint results, typed errors", () =>
    withKv((kv) =>
      Effect.gen(function*() {
        expect(yield* kv.hincrBy("counters", "visits", 5)).toBe(5n)
        expect(yield* kv.hincrBy("counters", "visits", -7n)).toBe(-2n)
        yield* kv.hset("counters", { text: "abc", max: "9223372036854775807" })
        const notInteger = yield* Effect.exit(kv.hincrBy("counters", "text", 1))
        expect(notInteger).toEqual(Exit.fail(new NotAnIntegerError({ message: Errors.hashNotInteger })))
        const overflow = yield* Effect.exit(kv.hincrBy("counters", "max", 1))
        expect(overflow).toEqual(Exit.fail(new OverflowError({ message: Errors.overflow })))
      })))

  it.effect("a key of the other type is a WrongTypeError both ways", () =>
    withKv((kv) =>
      Effect.gen(function*() {
        yield* kv.set("s", "text")
        yield* kv.hset("h", { f: "v" })
        const wrong = Exit.fail(new WrongTypeError({ message: Errors.wrongType }))
        expect(yield* Effect.exit(kv.hget("s", "f"))).toEqual(wrong)
        expect(yield* Effect.exit(kv.hset("s", { f: "v" }))).toEqual(wrong)
        expect(yield* Effect.exit(kv.hgetAll("s"))).toEqual(wrong)
        expect(yield* Effect.exit(kv.hlen("s"))).toEqual(wrong)
        expect(yield* Effect.exit(kv.hdel("s", "f"))).toEqual(wrong)
        expect(yield* Effect.exit(kv.get("h"))).toEqual(wrong)
        expect(yield* Effect.exit(kv.incr("h"))).toEqual(wrong)
        expect(yield* kv.mget("s", "h")).toEqual([Option.some("text"), Option.none()])
      })))
})

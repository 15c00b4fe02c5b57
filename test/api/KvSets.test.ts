import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, Option } from "effect"
import { Kv } from "../../src/api/Kv.js"
import type { WrongTypeError } from "../../src/api/errors.js"
import { Store } from "../../src/store/Store.js"
import * as Errors from "../../src/errors.js"

const kvLayer = Kv.layer.pipe(Layer.provideMerge(Store.layer))

const withKv = <A, E>(f: (kv: Effect.Effect.Success<typeof Kv>) => Effect.Effect<A, E>) =>
  Effect.flatMap(Kv, f).pipe(Effect.provide(kvLayer))

describe("Kv set methods", () => {
  it.effect("sadd, srem, smembers, sismember, scard; the last member removed deletes the key", () =>
    withKv((kv) =>
      Effect.gen(function*() {
        expect(yield* kv.smembers("tags")).toEqual(new Set())
        expect(yield* kv.sadd("tags", "red", "grün ✓", "red")).toBe(2)
        expect(yield* kv.sadd("tags", new Uint8Array([0x67, 0x72, 0xc3, 0xbc, 0x6e, 0x20, 0xe2, 0x9c, 0x93]), "blue")).toBe(1)
        expect(yield* kv.smembers("tags")).toEqual(new Set(["red", "grün ✓", "blue"]))
        expect(yield* kv.sismember("tags", "blue")).toBe(true)
        expect(yield* kv.sismember("tags", "green")).toBe(false)
        expect(yield* kv.scard("tags")).toBe(3)
        expect(yield* kv.scard("none")).toBe(0)
        expect(yield* kv.srem("tags", "red", "nope")).toBe(1)
        expect(yield* kv.srem("tags", "grün ✓", "blue")).toBe(2)
        expect(yield* kv.exists("tags")).toBe(0)
      })))

  it.effect("each answers WrongTypeError on a string key, and string reads keep working beside sets", () =>
    withKv((kv) =>
      Effect.gen(function*() {
        yield* kv.set("s", "v")
        const attempts: ReadonlyArray<Effect.Effect<unknown, WrongTypeError>> = [
          kv.sadd("s", "a"), kv.srem("s", "a"), kv.smembers("s"), kv.sismember("s", "a"), kv.scard("s")
        ]
        for (const attempt of attempts) {
          const failure = yield* Effect.flip(attempt)
          expect(failure._tag).toBe("WrongTypeError")
          expect(failure.message).toBe(Errors.wrongType)
        }
        yield* kv.sadd("members", "1")
        expect(yield* kv.get("s")).toEqual(Option.some("v"))
        const db1 = yield* kv.db(1)
        expect(yield* db1.scard("members")).toBe(0)
      })))
})

import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, Option } from "effect"
import { Kv } from "../../src/api/Kv.js"
import type { InvalidArgumentError, WrongTypeError } from "../../src/api/errors.js"
import { Store } from "../../src/store/Store.js"
import * as Errors from "../../src/errors.js"

const kvLayer = Kv.layer.pipe(Layer.provideMerge(Store.layer))

const withKv = <A, E>(f: (kv: Effect.Effect.Success<typeof Kv>) => Effect.Effect<A, E>) =>
  Effect.flatMap(Kv, f).pipe(Effect.provide(kvLayer))

describe("Kv sorted-set methods", () => {
  it.effect("zadd, zincrBy, zscore, zrank, zrange, zrangeByScore, zcount, pops; the last member removed deletes the key", () =>
    withKv((kv) =>
      Effect.gen(function*() {
        expect(yield* kv.zadd("board", { ann: 3, bob: 1.5, cy: Infinity })).toBe(3)
        expect(yield* kv.zadd("board", [["ann", 1], ["dee", 2]], { nx: true })).toBe(1)
        expect(yield* kv.zscore("board", "ann")).toEqual(Option.some(3))
        expect(yield* kv.zscore("board", "nobody")).toEqual(Option.none())
        expect(yield* kv.zincrBy("board", -2.5, "ann")).toBe(0.5)
        expect(yield* kv.zcard("board")).toBe(4)
        expect(yield* kv.zrank("board", "bob")).toEqual(Option.some(1))
        expect(yield* kv.zrank("board", "bob", true)).toEqual(Option.some(2))
        expect(yield* kv.zrange("board", 0, 1)).toEqual([{ member: "ann", score: 0.5 }, { member: "bob", score: 1.5 }])
        expect(yield* kv.zrange("board", 0, 0, true)).toEqual([{ member: "cy", score: Infinity }])
        expect(yield* kv.zrangeByScore("board", { exclusive: 0.5 }, Infinity, { offset: 0, count: 2 })).toEqual([
          { member: "bob", score: 1.5 },
          { member: "dee", score: 2 }
        ])
        expect(yield* kv.zcount("board", -Infinity, { exclusive: 2 })).toBe(2)
        expect(yield* kv.zpopMax("board")).toEqual([{ member: "cy", score: Infinity }])
        expect(yield* kv.zpopMin("board", 2)).toEqual([{ member: "ann", score: 0.5 }, { member: "bob", score: 1.5 }])
        expect(yield* kv.zrem("board", "dee", "nobody")).toBe(1)
        expect(yield* kv.exists("board")).toBe(0)
      })))

  it.effect("a NaN result is an InvalidArgumentError; a string key answers WrongTypeError", () =>
    withKv((kv) =>
      Effect.gen(function*() {
        yield* kv.zadd("z", { a: Infinity })
        const nan = yield* Effect.flip(kv.zincrBy("z", -Infinity, "a"))
        expect(nan._tag).toBe("InvalidArgumentError")
        expect(nan.message).toBe(Errors.zsetNanResult)
        yield* kv.set("s", "v")
        const attempts: ReadonlyArray<Effect.Effect<unknown, WrongTypeError | InvalidArgumentError>> = [
          kv.zadd("s", { a: 1 }), kv.zscore("s", "a"), kv.zcard("s"), kv.zrange("s", 0, -1), kv.zpopMin("s")
        ]
        for (const attempt of attempts) {
          const failure = yield* Effect.flip(attempt)
          expect(failure._tag).toBe("WrongTypeError")
        }
      })))
})

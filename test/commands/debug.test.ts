import { expect, it } from "@effect/vitest"
import { Effect, Layer, TestClock } from "effect"
import { debug } from "../../src/commands/object.js"
import { Persistence } from "../../src/persistence/Persistence.js"
import * as PersistenceMemory from "../../src/persistence/PersistenceMemory.js"
import * as Resp from "../../src/resp/values.js"
import { Store } from "../../src/store/Store.js"
import { realisticNow, run, runner, testSession } from "./helpers.js"
import * as Hamt from "../../src/structures/hamt.js"

const stores = Layer.merge(Store.layer, PersistenceMemory.layer)

it.effect("DEBUG SET-ACTIVE-EXPIRE 0 stops the background expiry, lazy expiry stays; 1 restarts it", () =>
  Effect.zipRight(
    TestClock.setTime(realisticNow),
    Effect.gen(function*() {
      const redis = runner()
      const session = testSession()
      expect(yield* debug(["DEBUG", "SET-ACTIVE-EXPIRE", "0"], session)).toEqual(Resp.ok)
      yield* redis("SET", "a", "1", "PX", "50")
      yield* redis("SET", "b", "1", "PX", "50")
      yield* TestClock.adjust(1000)
      expect(yield* redis("DBSIZE")).toEqual(Resp.integer(2))
      expect(yield* redis("GET", "a")).toEqual(Resp.nullBulk)
      expect(yield* redis("DBSIZE")).toEqual(Resp.integer(1))
      expect(yield* debug(["DEBUG", "SET-ACTIVE-EXPIRE", "1"], session)).toEqual(Resp.ok)
      yield* TestClock.adjust(1000)
      expect(yield* redis("DBSIZE")).toEqual(Resp.integer(0))
    }).pipe(Effect.provide(stores))
  ))

it.effect("DEBUG RELOAD saves and loads the dataset back: values and TTLs unchanged", () =>
  Effect.zipRight(
    TestClock.setTime(realisticNow),
    Effect.gen(function*() {
      const redis = runner()
      const session = testSession()
      yield* redis("SET", "plain", "v")
      yield* redis("SET", "timed", "w", "PX", "5000")
      yield* run(testSession(3), "SET", "other", "x")
      expect(yield* debug(["DEBUG", "RELOAD"], session)).toEqual(Resp.ok)
      expect(yield* redis("GET", "plain")).toEqual(Resp.bulk("v"))
      expect(yield* redis("GET", "timed")).toEqual(Resp.bulk("w"))
      expect(yield* redis("PTTL", "timed")).toEqual(Resp.integer(5000))
      expect(yield* run(testSession(3), "GET", "other")).toEqual(Resp.bulk("x"))
      const saved = yield* Effect.flatMap(Persistence, (persistence) => persistence.load())
      expect(saved?.map(Hamt.size)).toEqual([2, 0, 0, 1, ...Array.from({ length: 12 }, () => 0)])
      expect(yield* Effect.flip(debug(["DEBUG", "RELOAD", "NOSAVE"], session))).toMatchObject({
        message: "ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options."
      })
    }).pipe(Effect.provide(stores))
  ))

import { expect, it } from "@effect/vitest"
import { Effect, TestClock } from "effect"
import { debug } from "../../src/commands/server.js"
import * as Resp from "../../src/resp/values.js"
import { Store } from "../../src/store/Store.js"
import { realisticNow, runner, testSession } from "./helpers.js"

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
    }).pipe(Effect.provide(Store.layer))
  ))

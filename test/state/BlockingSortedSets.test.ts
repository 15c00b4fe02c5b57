/**
 * BZPOPMIN, BZPOPMAX and BZMPOP on TestClock: they block until a write readies
 * a key, in blocking order; time out on the Clock; answer at once inside EXEC;
 * log the served pop as ZPOPMIN/ZPOPMAX; and CLIENT UNBLOCK ends their wait.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber, TestClock } from "effect"
import { sortedSetCommands } from "../../src/commands/sorted-sets.js"
import { AppendOnly } from "../../src/persistence/aof/AppendOnly.js"
import { array, bulk, double, error, integer, nullArray } from "../../src/resp/values.js"
import { blockingOf } from "../../src/state/Blocking.js"
import { blockedCount, client, sender, settle } from "./blocking-harness.js"
import { Store } from "../../src/store/Store.js"

const send = sender(sortedSetCommands)

describe("blocking sorted-set pops", () => {
  it.effect("block until ZADD, served in blocking order; one ZADD of several members serves several", () =>
    Effect.gen(function*() {
      const first = yield* Effect.fork(send(client(1), "BZPOPMIN", "a", "z", "0"))
      yield* settle
      const second = yield* Effect.fork(send(client(2), "BZPOPMAX", "z", "0"))
      yield* settle
      const third = yield* Effect.fork(send(client(3), "BZMPOP", "0", "1", "z", "MIN", "COUNT", "5"))
      yield* settle
      expect(yield* blockedCount).toBe(3)
      expect(yield* send(client(9), "ZADD", "z", "1", "x", "2", "y", "3", "w", "4", "v")).toEqual(integer(4))
      expect(yield* Fiber.join(first)).toEqual(array([bulk("z"), bulk("x"), double(1)]))
      expect(yield* Fiber.join(second)).toEqual(array([bulk("z"), bulk("v"), double(4)]))
      expect(yield* Fiber.join(third)).toEqual(array([bulk("z"), array([array([bulk("y"), double(2)]), array([bulk("w"), double(3)])])]))
      expect(yield* send(client(9), "ZCARD", "z")).toEqual(integer(0))
      expect(yield* blockedCount).toBe(0)
    }).pipe(Effect.provide(Store.layer)))

  it.effect("ZINCRBY readies a key; the timeout passes on the Clock", () =>
    Effect.gen(function*() {
      const waiting = yield* Effect.fork(send(client(1), "BZPOPMIN", "z", "0.5"))
      yield* settle
      yield* TestClock.adjust("499 millis")
      expect(waiting.unsafePoll()).toBeNull()
      yield* TestClock.adjust("1 millis")
      expect(yield* Fiber.join(waiting)).toEqual(nullArray)
      const served = yield* Effect.fork(send(client(1), "BZMPOP", "1", "1", "z", "MAX"))
      yield* settle
      yield* send(client(2), "ZINCRBY", "z", "2.5", "m")
      expect(yield* Fiber.join(served)).toEqual(array([bulk("z"), array([array([bulk("m"), double(2.5)])])]))
    }).pipe(Effect.provide(Store.layer)))

  it.effect("inside EXEC they answer a null array at once; WRONGTYPE is served now", () =>
    Effect.gen(function*() {
      const inExec = client(1)
      inExec.transaction.executing = true
      expect(yield* send(inExec, "BZPOPMIN", "z", "0")).toEqual(nullArray)
      expect(yield* send(inExec, "BZMPOP", "0", "1", "z", "MIN")).toEqual(nullArray)
      expect(yield* blockedCount).toBe(0)
      yield* send(client(2), "ZADD", "z", "1", "a")
      expect(yield* send(inExec, "BZPOPMAX", "z", "0")).toEqual(array([bulk("z"), bulk("a"), double(1)]))
    }).pipe(Effect.provide(Store.layer)))

  it.effect("CLIENT UNBLOCK ends the wait with a null array or the UNBLOCKED error", () =>
    Effect.gen(function*() {
      const timedOut = yield* Effect.fork(send(client(5), "BZPOPMIN", "z", "0"))
      const failed = yield* Effect.fork(send(client(6), "BZMPOP", "0", "1", "z", "MIN"))
      yield* settle
      const blocking = blockingOf(yield* Store)
      expect(blocking.unblock(5, "timeout")).toBe(true)
      expect(blocking.unblock(6, "error")).toBe(true)
      expect(yield* Fiber.join(timedOut)).toEqual(nullArray)
      expect(yield* Fiber.join(failed)).toEqual(error("UNBLOCKED client unblocked via CLIENT UNBLOCK"))
    }).pipe(Effect.provide(Store.layer)))

  it.effect("a served pop is logged as ZPOPMIN/ZPOPMAX key [count], after the ZADD", () =>
    Effect.gen(function*() {
      const logged: Array<string> = []
      const recording = AppendOnly.of({
        ...Effect.runSync(AppendOnly.pipe(Effect.provide(AppendOnly.layerDisabled))),
        propagate: (db, args) => {
          logged.push(`${db} ${args.join(" ")}`)
        }
      })
      const program = Effect.gen(function*() {
        const min = yield* Effect.fork(send(client(1), "BZPOPMIN", "z", "0"))
        const multi = yield* Effect.fork(send(client(2), "BZMPOP", "0", "1", "z", "MAX", "COUNT", "2"))
        yield* settle
        yield* send(client(3), "ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d")
        yield* Fiber.join(min)
        yield* Fiber.join(multi)
        expect(yield* send(client(3), "BZPOPMAX", "z", "0")).toEqual(array([bulk("z"), bulk("b"), double(2)]))
      })
      yield* program.pipe(Effect.provideService(AppendOnly, recording))
      expect(logged).toEqual(["0 ZPOPMIN z", "0 ZPOPMAX z 2", "0 ZPOPMAX z"])
    }).pipe(Effect.provide(Store.layer)))
})

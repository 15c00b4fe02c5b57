/**
 * Blocked clients on TestClock: the timeout (fractional seconds, 0 forever),
 * the serving order (first blocked, first served; a push of several elements
 * serves several clients), the served pop's events and AOF line, BLMOVE
 * making its destination ready, CLIENT UNBLOCK, interruption, and Kv.blpop.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber, Layer, Option, TestClock } from "effect"
import { Kv } from "../../src/api/Kv.js"
import { blockingListCommands, nonBlockingListCommands } from "../../src/commands/lists-blocking.js"
import { listCommands } from "../../src/commands/lists.js"
import { AppendOnly } from "../../src/persistence/aof/AppendOnly.js"
import { array, bulk, type Command, error, integer, nullArray, nullBulk } from "../../src/resp/values.js"
import { blockingOf } from "../../src/state/Blocking.js"
import { blockedCount, client, sender, settle } from "./blocking-harness.js"
import type { KeyspaceEvent } from "../../src/store/keyspace-events.js"
import { Store } from "../../src/store/Store.js"

const send = sender([...listCommands, ...blockingListCommands])

describe("blocking list commands", () => {
  it.effect("a timeout in fractional seconds passes on the Clock; 0 waits forever", () =>
    Effect.gen(function*() {
      const waiting = yield* Effect.fork(send(client(1), "BLPOP", "q", "1.5"))
      const forever = yield* Effect.fork(send(client(2), "BRPOP", "other", "0"))
      yield* settle
      expect(yield* blockedCount).toBe(2)
      yield* TestClock.adjust("1499 millis")
      expect(waiting.unsafePoll()).toBeNull()
      yield* TestClock.adjust("1 millis")
      expect(yield* Fiber.join(waiting)).toEqual(nullArray)
      // (not days: the Store's expiry cycle runs every 100 ms of the TestClock)
      yield* TestClock.adjust("30 seconds")
      expect(forever.unsafePoll()).toBeNull()
      expect(yield* blockedCount).toBe(1)
      yield* Fiber.interrupt(forever)
      expect(yield* blockedCount).toBe(0)
    }).pipe(Effect.provide(Store.layer)))

  it.effect("clients are served in the order they blocked; one push of several elements serves several", () =>
    Effect.gen(function*() {
      const first = yield* Effect.fork(send(client(1), "BLPOP", "a", "q", "0"))
      yield* settle
      const second = yield* Effect.fork(send(client(2), "BRPOP", "q", "0"))
      yield* settle
      const third = yield* Effect.fork(send(client(3), "BLPOP", "q", "0"))
      yield* settle
      expect(yield* send(client(9), "RPUSH", "q", "x", "y")).toEqual(integer(2))
      expect(yield* Fiber.join(first)).toEqual(array([bulk("q"), bulk("x")]))
      expect(yield* Fiber.join(second)).toEqual(array([bulk("q"), bulk("y")]))
      expect(third.unsafePoll()).toBeNull()
      // The list emptied: the key is gone, and the third client still waits.
      expect(yield* send(client(9), "LLEN", "q")).toEqual(integer(0))
      expect(yield* blockedCount).toBe(1)
      yield* send(client(9), "LPUSH", "q", "z")
      expect(yield* Fiber.join(third)).toEqual(array([bulk("q"), bulk("z")]))
      expect(yield* blockedCount).toBe(0)
    }).pipe(Effect.provide(Store.layer)))

  it.effect("the served pop raises its events after the push's, and BLMOVE's destination becomes ready in turn", () =>
    Effect.gen(function*() {
      const store = yield* Store
      const seen: Array<string> = []
      store.addEventListener((_db, events: ReadonlyArray<KeyspaceEvent>) => {
        for (const event of events) seen.push(`${event.event}:${event.key}`)
      })
      const mover = yield* Effect.fork(send(client(1), "BLMOVE", "src", "dst", "LEFT", "RIGHT", "0"))
      yield* settle
      const popper = yield* Effect.fork(send(client(2), "BLMPOP", "0", "1", "dst", "LEFT", "COUNT", "5"))
      yield* settle
      yield* send(client(3), "RPUSH", "src", "e")
      expect(yield* Fiber.join(mover)).toEqual(bulk("e"))
      expect(yield* Fiber.join(popper)).toEqual(array([bulk("dst"), array([bulk("e")])]))
      expect(seen).toEqual(["new:src", "rpush:src", "new:dst", "rpush:dst", "lpop:src", "del:src", "lpop:dst", "del:dst"])
    }).pipe(Effect.provide(Store.layer)))

  it.effect("BRPOPLPUSH pushes onto an existing destination list when served", () =>
    Effect.gen(function*() {
      const mover = yield* Effect.fork(send(client(1), "BRPOPLPUSH", "src", "dst", "0"))
      yield* settle
      yield* send(client(2), "LPUSH", "dst", "not-moved-into")
      yield* send(client(2), "LSET", "dst", "0", "still-a-list")
      yield* send(client(2), "RPUSH", "src", "v")
      expect(yield* Fiber.join(mover)).toEqual(bulk("v"))
      expect(yield* send(client(2), "LRANGE", "dst", "0", "-1")).toEqual(array([bulk("v"), bulk("still-a-list")]))
    }).pipe(Effect.provide(Store.layer)))

  it.effect("CLIENT UNBLOCK ends a wait with the timeout reply or the UNBLOCKED error", () =>
    Effect.gen(function*() {
      const blocking = blockingOf(yield* Store)
      const timedOut = yield* Effect.fork(send(client(5), "BLPOP", "q", "0"))
      const failed = yield* Effect.fork(send(client(6), "BLMOVE", "q", "d", "LEFT", "LEFT", "0"))
      yield* settle
      expect(blocking.unblock(5, "timeout")).toBe(true)
      expect(blocking.unblock(6, "error")).toBe(true)
      expect(blocking.unblock(6, "error")).toBe(false)
      expect(yield* Fiber.join(timedOut)).toEqual(nullArray)
      expect(yield* Fiber.join(failed)).toEqual(error("UNBLOCKED client unblocked via CLIENT UNBLOCK"))
      expect(blocking.blockedClients()).toBe(0)
    }).pipe(Effect.provide(Store.layer)))

  it.effect("an interrupted wait leaves nothing behind: the next push stays in the list", () =>
    Effect.gen(function*() {
      const waiting = yield* Effect.fork(send(client(1), "BLPOP", "q", "0"))
      yield* settle
      yield* Fiber.interrupt(waiting)
      expect(yield* blockedCount).toBe(0)
      yield* send(client(2), "RPUSH", "q", "kept")
      expect(yield* send(client(2), "LRANGE", "q", "0", "-1")).toEqual(array([bulk("kept")]))
    }).pipe(Effect.provide(Store.layer)))

  it.effect("the non-blocking forms serve now or answer at once (null array; null for the moves)", () =>
    Effect.gen(function*() {
      const now = (...args: Command) => {
        const handler = nonBlockingListCommands.get(args[0].toLowerCase())
        if (handler === undefined) return Effect.die("missing")
        return Effect.catchAll(handler(args, client(1)), (failure) => Effect.succeed(error(failure.message)))
      }
      expect(yield* now("blpop", "q", "0")).toEqual(nullArray)
      expect(yield* now("blmove", "q", "d", "LEFT", "LEFT", "0")).toEqual(nullBulk)
      expect(yield* now("brpoplpush", "q", "d", "0")).toEqual(nullBulk)
      expect(yield* now("blmpop", "0", "1", "q", "LEFT")).toEqual(nullArray)
      yield* send(client(2), "RPUSH", "q", "1", "2", "3")
      expect(yield* now("brpop", "q", "0")).toEqual(array([bulk("q"), bulk("3")]))
      expect(yield* now("blmpop", "0", "1", "q", "LEFT", "COUNT", "9")).toEqual(array([bulk("q"), array([bulk("1"), bulk("2")])]))
      expect(yield* blockedCount).toBe(0)
    }).pipe(Effect.provide(Store.layer)))

  it.effect("a served pop is logged as the non-blocking command Redis propagates, after the push", () =>
    Effect.gen(function*() {
      const logged: Array<string> = []
      const recording = AppendOnly.of({
        ...Effect.runSync(AppendOnly.pipe(Effect.provide(AppendOnly.layerDisabled))),
        propagate: (db, args) => {
          logged.push(`${db} ${args.join(" ")}`)
        }
      })
      const program = Effect.gen(function*() {
        const waiting = yield* Effect.fork(send(client(1), "BLPOP", "q", "0"))
        const moving = yield* Effect.fork(send(client(2), "BLMOVE", "q", "d", "RIGHT", "LEFT", "0"))
        yield* settle
        yield* send(client(3), "RPUSH", "q", "a", "b", "c")
        yield* Fiber.join(waiting)
        yield* Fiber.join(moving)
        expect(yield* send(client(3), "BLPOP", "q", "0")).toEqual(array([bulk("q"), bulk("b")]))
        expect(yield* send(client(3), "BLMPOP", "0", "1", "d", "RIGHT", "COUNT", "5")).toEqual(array([bulk("d"), array([bulk("c")])]))
      })
      yield* program.pipe(Effect.provideService(AppendOnly, recording))
      expect(logged).toEqual(["0 LPOP q", "0 LMOVE q d RIGHT LEFT", "0 LPOP q", "0 RPOP d 1"])
    }).pipe(Effect.provide(Store.layer)))
})

describe("Kv.blpop", () => {
  const kvLayer = Kv.layer.pipe(Layer.provideMerge(Store.layer))

  it.effect("suspends until another fiber pushes, times out on the Clock, and can be interrupted", () =>
    Effect.gen(function*() {
      const kv = yield* Kv
      const waiting = yield* Effect.fork(kv.blpop(["jobs"]))
      yield* settle
      expect(yield* kv.rpush("jobs", "job-1", "job-2")).toBe(2)
      expect(yield* Fiber.join(waiting)).toEqual(Option.some(["jobs", "job-1"]))
      expect(yield* kv.lrange("jobs", 0, -1)).toEqual(["job-2"])
      expect(yield* kv.brpop(["jobs"], "1 second")).toEqual(Option.some(["jobs", "job-2"]))

      const timed = yield* Effect.fork(kv.blpop(["jobs"], "2 seconds"))
      yield* settle
      yield* TestClock.adjust("2 seconds")
      expect(yield* Fiber.join(timed)).toEqual(Option.none())

      const interrupted = yield* Effect.fork(kv.blpop(["jobs"]))
      yield* settle
      yield* Fiber.interrupt(interrupted)
      expect(yield* kv.lpush("jobs", "later")).toBe(1)
      expect(yield* kv.lpop("jobs")).toEqual(Option.some("later"))
      expect(yield* kv.llen("jobs")).toBe(0)
    }).pipe(Effect.provide(kvLayer)))
})

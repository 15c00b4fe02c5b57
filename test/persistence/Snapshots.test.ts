/**
 * The save policy (serverCron's save points), SAVE/BGSAVE bookkeeping and the
 * MISCONF guard, on the TestClock, with the in-memory Persistence or a
 * Persistence whose saves fail while a switch says so.
 */
import { describe, expect, it } from "@effect/vitest"
import { Deferred, Effect, Layer, Ref, TestClock } from "effect"
import { aofReplayTable } from "../../src/commands/table.js"
import { executeCommand } from "../../src/commands/dispatch.js"
import * as Errors from "../../src/errors.js"
import { AppendOnly } from "../../src/persistence/aof/AppendOnly.js"
import { diskError, withPersistence } from "../../src/commands/guards/persistence.js"
import { Persistence, PersistenceError } from "../../src/persistence/Persistence.js"
import * as PersistenceMemory from "../../src/persistence/PersistenceMemory.js"
import { bgsaveRetryDelayMs, dueRule, type SaveSettings, Snapshots } from "../../src/persistence/Snapshots.js"
import { bulk, error, ok } from "../../src/resp/values.js"
import type { SaveRule } from "../../src/config/config.js"
import { Store } from "../../src/store/Store.js"
import { realisticNow, runner, testSession } from "../commands/helpers.js"
import * as Hamt from "../../src/structures/hamt.js"

const settings = (save: ReadonlyArray<SaveRule>, stopWritesOnBgsaveError = true): Effect.Effect<SaveSettings> =>
  Effect.succeed({ save, stopWritesOnBgsaveError })

/** A Persistence that counts its saves and fails them while `failing` is true (a removed `dir`, say). */
const switchable = Effect.gen(function*() {
  const failing = yield* Ref.make(true)
  const attempts = yield* Ref.make(0)
  const memory = yield* Effect.provide(Persistence, PersistenceMemory.layer)
  const persistence = Persistence.of({
    location: "switchable",
    load: memory.load,
    loadContents: memory.loadContents,
    save: (databases, nowMs) =>
      Effect.zipRight(
        Ref.update(attempts, (n) => n + 1),
        Effect.flatMap(Ref.get(failing), (fails) =>
          fails
            ? Effect.fail(new PersistenceError({ operation: "save", location: "switchable", reason: "No such file or directory" }))
            : memory.save(databases, nowMs))
      )
  })
  return { failing, attempts, persistence }
})

/** Runs `body` with the clock at a real date (a whole second), a fresh Store, Snapshots over `persistence`. */
const withSnapshots = <A, E, R>(
  rules: Effect.Effect<SaveSettings>,
  persistence: Persistence["Type"],
  body: Effect.Effect<A, E, R>
) =>
  Effect.zipRight(
    TestClock.setTime(realisticNow),
    body.pipe(
      Effect.provide(
        Layer.provideMerge(
          Layer.merge(Snapshots.layer(rules), AppendOnly.layerDisabled),
          Layer.merge(Store.layer, Layer.succeed(Persistence, persistence))
        )
      )
    )
  )

const dirty = Effect.flatMap(Store, (store) => store.dirty)
const status = Effect.flatMap(Snapshots, (snapshots) => snapshots.status)
/** Lets the policy fiber and a background save it started run to the end at `ms` later. */
const advance = (ms: number) =>
  Effect.zipRight(TestClock.adjust(ms), Effect.flatMap(Snapshots, (snapshots) => snapshots.awaitBackgroundSave))

describe("dueRule (serverCron's save points)", () => {
  const fresh = {
    lastSaveAt: 0,
    lastBackgroundSaveOk: true,
    backgroundSaveStartedAt: undefined,
    lastBackgroundSaveDurationMs: undefined,
    lastBackgroundSaveTryAt: 0,
    saves: 0
  }
  it("compares whole unix seconds, strictly more than the rule's", () => {
    const rule = { seconds: 1, changes: 1 }
    expect(dueRule([rule], fresh, 1, 1999)).toBeUndefined()
    expect(dueRule([rule], fresh, 1, 2000)).toBe(rule)
    expect(dueRule([rule], fresh, 0, 60_000)).toBeUndefined()
  })
  it("picks the first rule that is due", () => {
    const rules = [{ seconds: 3600, changes: 1 }, { seconds: 60, changes: 5 }, { seconds: 10, changes: 3 }]
    expect(dueRule(rules, fresh, 5, 61_000)).toBe(rules[1])
    expect(dueRule(rules, fresh, 3, 61_000)).toBe(rules[2])
  })
  it("after a failed try, waits more than 5 s from the try", () => {
    const failed = { ...fresh, lastBackgroundSaveOk: false, lastBackgroundSaveTryAt: 10_000 }
    const rule = { seconds: 1, changes: 1 }
    expect(dueRule([rule], failed, 1, 10_000 + bgsaveRetryDelayMs)).toBeUndefined()
    expect(dueRule([rule], failed, 1, 10_000 + bgsaveRetryDelayMs + 1000)).toBe(rule)
  })
})

describe("the save policy on the TestClock", () => {
  it.effect("`save 1 1`: nothing before more than a second has passed, a background save after", () =>
    Effect.gen(function*() {
      const memory = yield* Effect.provide(Persistence, PersistenceMemory.layer)
      yield* withSnapshots(settings([{ seconds: 1, changes: 1 }]), memory, Effect.gen(function*() {
        const redis = runner()
        yield* redis("SET", "k", "v")
        yield* redis("SET", "t", "w", "PX", "60000")
        yield* advance(1000)
        expect(yield* memory.load()).toBeUndefined()
        expect(yield* dirty).toBe(2)
        yield* advance(1000)
        expect((yield* status).saves).toBe(1)
        expect(yield* dirty).toBe(0)
        expect((yield* status).lastSaveAt).toBe(realisticNow + 2000)
        const saved = yield* memory.load()
        expect(Hamt.get(saved?.[0] ?? Hamt.empty(), "t")).toEqual(
          Hamt.get((yield* Effect.flatMap(Store, (store) => store.snapshot))[0], "t")
        )
        expect(Hamt.size(saved?.[0] ?? Hamt.empty())).toBe(2)
        // Nothing changed since: no further save however long we wait.
        yield* advance(3000)
        expect((yield* status).saves).toBe(1)
      }))
    }))

  it.effect("too few changes never trigger a save; `save \"\"` never saves", () =>
    Effect.gen(function*() {
      const memory = yield* Effect.provide(Persistence, PersistenceMemory.layer)
      yield* withSnapshots(settings([{ seconds: 1, changes: 2 }]), memory, Effect.gen(function*() {
        yield* runner()("SET", "k", "v")
        yield* advance(3000)
        expect((yield* status).saves).toBe(0)
        expect(yield* dirty).toBe(1)
      }))
      yield* withSnapshots(settings([]), memory, Effect.gen(function*() {
        yield* runner()("SET", "k", "v")
        yield* advance(3000)
        expect((yield* status).saves).toBe(0)
        expect(yield* memory.load()).toBeUndefined()
      }))
    }))

  it.effect("a failed save keeps the dirty count; the policy retries only more than 5 s after the try", () =>
    Effect.gen(function*() {
      const { attempts, failing, persistence } = yield* switchable
      yield* withSnapshots(settings([{ seconds: 1, changes: 1 }]), persistence, Effect.gen(function*() {
        yield* runner()("SET", "k", "v")
        yield* advance(2000)
        expect(yield* Ref.get(attempts)).toBe(1)
        const failed = yield* status
        expect(failed).toMatchObject({ lastBackgroundSaveOk: false, saves: 0, lastSaveAt: realisticNow })
        expect(failed.lastBackgroundSaveTryAt).toBe(realisticNow + 2000)
        expect(yield* dirty).toBe(1)

        yield* advance(bgsaveRetryDelayMs)
        expect(yield* Ref.get(attempts)).toBe(1)
        yield* advance(1000)
        expect(yield* Ref.get(attempts)).toBe(2)
        expect(yield* dirty).toBe(1)

        yield* Ref.set(failing, false)
        yield* advance(bgsaveRetryDelayMs)
        expect(yield* Ref.get(attempts)).toBe(2)
        yield* advance(1000)
        expect(yield* Ref.get(attempts)).toBe(3)
        expect(yield* status).toMatchObject({ lastBackgroundSaveOk: true, saves: 1, lastSaveAt: realisticNow + 14_000 })
        expect(yield* dirty).toBe(0)
      }))
    }))

  it.effect("a failed SAVE answers an error but leaves the background status ok (Redis's rdbSave)", () =>
    Effect.gen(function*() {
      const { persistence } = yield* switchable
      yield* withSnapshots(settings([{ seconds: 3600, changes: 1 }]), persistence, Effect.gen(function*() {
        yield* runner()("SET", "k", "v")
        const snapshots = yield* Snapshots
        const failure = yield* Effect.flip(snapshots.save)
        expect(failure.message).toBe("Failed saving the DB to switchable: No such file or directory")
        expect((yield* status).lastBackgroundSaveOk).toBe(true)
        expect(yield* dirty).toBe(1)
        expect(yield* diskError).toBeUndefined()
      }))
    }))

  it.effect("writes made while a background save runs stay dirty after it", () =>
    Effect.gen(function*() {
      const memory = yield* Effect.provide(Persistence, PersistenceMemory.layer)
      const release = yield* Deferred.make<void>()
      const slow = Persistence.of({
        ...memory,
        save: (databases, nowMs) => Effect.zipRight(Deferred.await(release), memory.save(databases, nowMs))
      })
      yield* withSnapshots(settings([]), slow, Effect.gen(function*() {
        const redis = runner()
        yield* redis("SET", "a", "1")
        yield* redis("SET", "b", "2")
        const snapshots = yield* Snapshots
        expect(yield* snapshots.backgroundSave).toBe("started")
        expect(yield* snapshots.backgroundSave).toBe("already-running")
        yield* redis("SET", "c", "3")
        yield* Deferred.succeed(release, undefined)
        yield* snapshots.awaitBackgroundSave
        expect(yield* dirty).toBe(1)
        const saved = yield* memory.load()
        expect(Array.from(Hamt.entries(saved?.[0] ?? Hamt.empty()), ([key]) => key).sort()).toEqual(["a", "b"])
      }))
    }))
})

describe("MISCONF (writeCommandsDeniedByDiskError for RDB)", () => {
  const table = withPersistence(aofReplayTable)
  const run = (...args: Array<string>) => executeCommand(table, args, session)
  const session = testSession()
  const misconf = error(Errors.bgsaveError)

  it.effect("after a failed BGSAVE writes answer MISCONF, reads work; a successful save clears it", () =>
    Effect.gen(function*() {
      const { failing, persistence } = yield* switchable
      yield* withSnapshots(settings([{ seconds: 3600, changes: 1 }]), persistence, Effect.gen(function*() {
        expect(yield* run("SET", "k", "v")).toEqual(ok)
        const snapshots = yield* Snapshots
        yield* snapshots.backgroundSave
        yield* snapshots.awaitBackgroundSave
        expect(yield* diskError).toBe(Errors.bgsaveError)
        expect(yield* run("SET", "k", "w")).toEqual(misconf)
        expect(yield* run("DEL", "k")).toEqual(misconf)
        expect(yield* run("INCR", "n")).toEqual(misconf)
        expect(yield* run("GET", "k")).toEqual(bulk("v"))
        expect(yield* run("EXISTS", "k")).toMatchObject({ value: 1 })

        yield* Ref.set(failing, false)
        yield* snapshots.save
        expect(yield* diskError).toBeUndefined()
        expect(yield* run("SET", "k", "w")).toEqual(ok)
      }))
    }))

  it.effect("no MISCONF without a save policy or with stop-writes-on-bgsave-error no", () =>
    Effect.gen(function*() {
      for (const rules of [settings([]), settings([{ seconds: 3600, changes: 1 }], false)]) {
        const { persistence } = yield* switchable
        yield* withSnapshots(rules, persistence, Effect.gen(function*() {
          const snapshots = yield* Snapshots
          yield* snapshots.backgroundSave
          yield* snapshots.awaitBackgroundSave
          expect((yield* status).lastBackgroundSaveOk).toBe(false)
          expect(yield* run("SET", "k", "v")).toEqual(ok)
        }))
      }
    }))
})

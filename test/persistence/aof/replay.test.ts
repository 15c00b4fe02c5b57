/**
 * The AOF's promise: replaying the log a live server wrote gives back its
 * state. A random sequence of write commands (every expiry form, conditional
 * sets, counters, renames, flushes, several databases) runs against a Store
 * logging to a temp-dir file, the TestClock moving between commands so that
 * relative expiries, TTL refreshes and keys expiring mid-sequence all happen;
 * then the file is loaded as at start and compared with the live keyspaces.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, TestClock, TestContext } from "effect"
import fc from "fast-check"
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { clockAt } from "../../../src/persistence/aof/clock.js"
import { parseAof } from "../../../src/persistence/aof/format.js"
import type { Keyspace } from "../../../src/store/entry.js"
import { expiresAtOf, isExpired, valueOf } from "../../../src/store/entry.js"
import { realisticNow } from "../../commands/helpers.js"
import * as Hamt from "../../../src/structures/hamt.js"
import { appendfilename, endOf, loadLog, runLive, type TimedCommand, withTempDir } from "./live-log.js"

const nowSeconds = realisticNow / 1000

const key = fc.constantFrom("a", "b", "\x00\xff")
const value = fc.constantFrom("", "v", "0", "7", "-3", "1.5", "xyz\r\n")
const count = fc.integer({ min: -3, max: 10 }).map(String)
const expiryOption = fc.oneof(
  fc.tuple(fc.constant("EX"), fc.integer({ min: 1, max: 3 }).map(String)),
  fc.tuple(fc.constant("PX"), fc.integer({ min: 1, max: 3000 }).map(String)),
  fc.tuple(fc.constant("EXAT"), fc.integer({ min: nowSeconds - 1, max: nowSeconds + 20 }).map(String)),
  fc.tuple(fc.constant("PXAT"), fc.integer({ min: realisticNow - 1000, max: realisticNow + 20_000 }).map(String)),
  fc.constant(["KEEPTTL"])
)
const expireFlag = fc.constantFrom([], ["NX"], ["XX"], ["GT"], ["LT"])

/** One write command (or SELECT), as a client would send it. */
const command: fc.Arbitrary<ReadonlyArray<string>> = fc.oneof(
  fc.tuple(key, value, fc.option(expiryOption, { nil: undefined }), fc.constantFrom([], ["NX"], ["XX"]), fc.constantFrom([], ["GET"]))
    .map(([k, v, expiry, condition, get]) => ["SET", k, v, ...(expiry ?? []), ...condition, ...get]),
  fc.tuple(key, fc.integer({ min: 1, max: 4 }), value).map(([k, s, v]) => ["SETEX", k, String(s), v]),
  fc.tuple(key, fc.integer({ min: 1, max: 4000 }), value).map(([k, ms, v]) => ["PSETEX", k, String(ms), v]),
  fc.tuple(fc.constantFrom("EXPIRE", "PEXPIRE"), key, fc.integer({ min: -1, max: 4000 }), expireFlag)
    .map(([name, k, t, flag]) => [name, k, String(name === "EXPIRE" ? Math.floor(t / 1000) : t), ...flag]),
  fc.tuple(key, fc.integer({ min: -2, max: 20 }), expireFlag).map(([k, s, flag]) => ["EXPIREAT", k, String(nowSeconds + s), ...flag]),
  fc.tuple(key, fc.integer({ min: -2000, max: 20_000 }), expireFlag).map(([k, ms, flag]) => ["PEXPIREAT", k, String(realisticNow + ms), ...flag]),
  fc.tuple(key, fc.option(fc.oneof(expiryOption.filter((o) => o[0] !== "KEEPTTL"), fc.constant(["PERSIST"])), { nil: undefined }))
    .map(([k, option]) => ["GETEX", k, ...(option ?? [])]),
  key.map((k) => ["PERSIST", k]),
  fc.uniqueArray(key, { minLength: 1, maxLength: 2 }).map((keys) => ["DEL", ...keys]),
  key.map((k) => ["GETDEL", k]),
  fc.tuple(fc.constantFrom("INCR", "DECR"), key).map(([name, k]) => [name, k]),
  fc.tuple(fc.constantFrom("INCRBY", "DECRBY"), key, count).map(([name, k, n]) => [name, k, n]),
  fc.tuple(key, fc.constantFrom("1.5", "-2", "0.1")).map(([k, n]) => ["INCRBYFLOAT", k, n]),
  fc.tuple(key, value).map(([k, v]) => ["APPEND", k, v]),
  fc.tuple(key, fc.integer({ min: 0, max: 6 }), value).map(([k, offset, v]) => ["SETRANGE", k, String(offset), v]),
  fc.tuple(key, value).map(([k, v]) => ["SETNX", k, v]),
  fc.tuple(key, key, value, value).map(([k1, k2, v1, v2]) => ["MSET", k1, v1, k2, v2]),
  fc.tuple(key, key, value).map(([k1, k2, v]) => ["MSETNX", k1, v, k2, v]),
  fc.tuple(fc.constantFrom("RENAME", "RENAMENX"), key, key).map(([name, from, to]) => [name, from, to]),
  fc.constant(["FLUSHDB"]),
  fc.integer({ min: 0, max: 2 }).map((db) => ["SELECT", String(db)])
)

/** A command and how long (ms) the clock moves before it. */
const step = fc.tuple(fc.constantFrom(0, 0, 1, 250, 999, 1000, 1500), command)

/** Each database's keys alive at `nowMs`, sorted, with value and expiry. */
const alive = (keyspaces: ReadonlyArray<Keyspace>, nowMs: number) =>
  keyspaces.map((keyspace) =>
    [...Hamt.entries(keyspace)].filter(([, stored]) => !isExpired(stored, nowMs))
      .map(([k, stored]) => [k, valueOf(stored), expiresAtOf(stored)] as const)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))

const replayEqualsLive = (steps: ReadonlyArray<TimedCommand>) =>
  withTempDir((dir) =>
    Effect.gen(function*() {
      yield* TestClock.setTime(realisticNow)
      const live = yield* runLive(dir, steps)
      const nowMs = endOf(realisticNow, steps)
      expect(alive(yield* loadLog(dir), nowMs)).toEqual(alive(live, nowMs))
    }))

describe("AOF replay", () => {
  it("the replay of a random command sequence equals the live state", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 20 }), (steps) =>
        Effect.runPromise(replayEqualsLive(steps).pipe(Effect.provide(TestContext.TestContext)))),
      { numRuns: 20, seed: 20_231_114, endOnFailure: true }
    )
  }, 60_000)

  it.effect("a TTL refreshed before it ran out survives the replay after the first TTL has passed", () =>
    replayEqualsLive([
      [0, ["SET", "session", "data", "EX", "2"]],
      [1000, ["EXPIRE", "session", "10"]],
      [3000, ["APPEND", "session", "+"]]
    ]))

  it.effect("a command's log line and its effect share one time, however the clock moves while it runs", () =>
    withTempDir((dir) =>
      Effect.gen(function*() {
        let ms = realisticNow
        const ticking = clockAt(0, () => Effect.never)
        const advancing = { ...ticking, unsafeCurrentTimeMillis: () => ms++, currentTimeMillis: Effect.sync(() => ms++) }
        const live = yield* runLive(dir, [[0, ["SET", "k", "v", "EX", "10"]], [0, ["EXPIRE", "j", "5"]], [0, ["PSETEX", "j", "20", "w"]]]).pipe(
          Effect.withClock(advancing)
        )
        expect(alive(yield* loadLog(dir), realisticNow)).toEqual(alive(live, realisticNow))
      })))

  it.effect("logs relative expiries as absolute times", () =>
    withTempDir((dir) =>
      Effect.gen(function*() {
        yield* TestClock.setTime(realisticNow)
        yield* runLive(dir, [[0, ["SET", "k", "v", "EX", "5"]], [0, ["SETEX", "s", "1", "v"]], [0, ["EXPIRE", "k", "7", "GT"]]])
        const parsed = parseAof(readFileSync(join(dir, appendfilename)))
        const at = (args: ReadonlyArray<string>) => ({ args, atMs: realisticNow })
        expect(parsed).toEqual(Either.right({
          commands: [
            at(["SELECT", "0"]),
            at(["SET", "k", "v", "PXAT", String(realisticNow + 5000)]),
            at(["SET", "s", "v", "PXAT", String(realisticNow + 1000)]),
            at(["PEXPIREAT", "k", String(realisticNow + 7000), "GT"])
          ],
          validLength: readFileSync(join(dir, appendfilename)).length
        }))
      })))
})

/**
 * Hashes in the AOF: replaying the log of a random sequence of hash writes
 * (mixed with string writes and expiries on the same keys) gives back the live
 * hashes, encodings included; and BGREWRITEAOF's form (HSET of at most 64
 * pairs, then PEXPIREAT) replays to the same fields and TTLs.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, TestClock, TestContext } from "effect"
import fc from "fast-check"
import { writeFileSync } from "node:fs"
import { join } from "node:path"
import { rewriteLog } from "../../../src/persistence/aof/rewrite.js"
import { expiresAtOf, isExpired, type Keyspace, valueOf } from "../../../src/store/entry.js"
import * as Hamt from "../../../src/structures/hamt.js"
import { hashEntries, HashValue } from "../../../src/values/hash.js"
import { realisticNow } from "../../commands/helpers.js"
import { endOf, loadLog, runLive, type TimedCommand, withTempDir } from "./live-log.js"


const key = fc.constantFrom("h", "g", "\x00\xff")
const field = fc.constantFrom("a", "b", "c", "", "n", "\r\n")
const value = fc.constantFrom("", "v", "7", "-3", "1.5", "x".repeat(70))

const command: fc.Arbitrary<ReadonlyArray<string>> = fc.oneof(
  { weight: 4, arbitrary: fc.tuple(key, fc.array(fc.tuple(field, value), { minLength: 1, maxLength: 4 })).map(([k, pairs]) => ["HSET", k, ...pairs.flat()]) },
  fc.tuple(key, field, value).map(([k, f, v]) => ["HSETNX", k, f, v]),
  fc.tuple(key, fc.array(field, { minLength: 1, maxLength: 3 })).map(([k, fields]) => ["HDEL", k, ...fields]),
  fc.tuple(key, field, fc.integer({ min: -5, max: 5 })).map(([k, f, n]) => ["HINCRBY", k, f, String(n)]),
  fc.tuple(key, field, fc.constantFrom("0.1", "-2", "1e3")).map(([k, f, n]) => ["HINCRBYFLOAT", k, f, n]),
  fc.tuple(key, fc.integer({ min: 1, max: 4000 })).map(([k, ms]) => ["PEXPIRE", k, String(ms)]),
  fc.tuple(key, value).map(([k, v]) => ["SET", k, v]),
  fc.tuple(key, key).map(([from, to]) => ["RENAME", from, to]),
  key.map((k) => ["PERSIST", k])
)

const step = fc.tuple(fc.constantFrom(0, 0, 1, 500, 1500), command)

/** Live keys at `nowMs`: a hash as its sorted fields (and its encoding when `withEncoding`), with its expiry. */
const alive = (keyspaces: ReadonlyArray<Keyspace>, nowMs: number, withEncoding = true) =>
  keyspaces.map((keyspace) =>
    [...Hamt.entries(keyspace)].filter(([, stored]) => !isExpired(stored, nowMs))
      .map(([k, stored]) => {
        const v = valueOf(stored)
        const shown = v instanceof HashValue
          ? [withEncoding ? v.encoding : "", hashEntries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))]
          : v
        return [k, shown, expiresAtOf(stored)] as const
      })
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))

const replayAndRewriteEqualLive = (steps: ReadonlyArray<TimedCommand>) =>
  withTempDir((dir) =>
    Effect.gen(function*() {
      yield* TestClock.setTime(realisticNow)
      const live = yield* runLive(dir, steps)
      const nowMs = endOf(realisticNow, steps)
      expect(alive(yield* loadLog(dir), nowMs)).toEqual(alive(live, nowMs))
      writeFileSync(join(dir, "rewritten.aof"), Buffer.concat([...rewriteLog(live, nowMs)]))
      expect(alive(yield* loadLog(dir, "rewritten.aof"), nowMs, false)).toEqual(alive(live, nowMs, false))
    }))

describe("AOF and hashes", () => {
  it("the replay and the rewrite of a random hash sequence equal the live state", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 25 }), (steps) =>
        Effect.runPromise(replayAndRewriteEqualLive(steps).pipe(Effect.provide(TestContext.TestContext)))),
      { numRuns: 25, endOnFailure: true }
    )
  }, 60_000)

  it.effect("a big volatile hash rewrites in chunks of 64 pairs and replays whole", () =>
    replayAndRewriteEqualLive([
      [0, ["HSET", "big", ...Array.from({ length: 200 }, (_, i) => [`f${i}`, `v${i}`]).flat()]],
      [0, ["PEXPIRE", "big", "100000"]]
    ]))
})

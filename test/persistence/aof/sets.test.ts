/**
 * Sets in the AOF: the replay of a log of set writes (SPOP included: its picks
 * follow the logged time) gives back the live sets, and BGREWRITEAOF's form
 * (SADD of at most 64 members, then PEXPIREAT) replays to the same sets,
 * encodings and expiries.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, TestClock, TestContext } from "effect"
import * as Hamt from "../../../src/structures/hamt.js"
import fc from "fast-check"
import { writeFileSync } from "node:fs"
import { join } from "node:path"
import { parseAof } from "../../../src/persistence/aof/format.js"
import { rewriteLog } from "../../../src/persistence/aof/rewrite.js"
import { type Entry, expiresAtOf, isExpired, type Keyspace, valueOf } from "../../../src/store/entry.js"
import * as Sets from "../../../src/values/set.js"
import { setType } from "../../../src/values/set.js"
import { realisticNow } from "../../commands/helpers.js"
import { Either } from "effect"
import { endOf, loadLog, runLive, type TimedCommand, withTempDir } from "./live-log.js"


const key = fc.constantFrom("a", "b", "\x00\xff")
const member = fc.oneof(fc.integer({ min: -5, max: 5 }).map(String), fc.constantFrom("x", "y", "z\r\n", "01"))
const members = fc.array(member, { minLength: 1, maxLength: 5 })

/** One set write command (or one that mixes in strings, expiries and databases). */
const command: fc.Arbitrary<ReadonlyArray<string>> = fc.oneof(
  fc.tuple(key, members).map(([k, m]) => ["SADD", k, ...m]),
  fc.tuple(key, members).map(([k, m]) => ["SADD", k, ...m]),
  fc.tuple(key, members).map(([k, m]) => ["SREM", k, ...m]),
  key.map((k) => ["SPOP", k]),
  fc.tuple(key, fc.integer({ min: 0, max: 8 })).map(([k, n]) => ["SPOP", k, String(n)]),
  fc.tuple(key, key, member).map(([from, to, m]) => ["SMOVE", from, to, m]),
  fc.tuple(fc.constantFrom("SINTERSTORE", "SUNIONSTORE", "SDIFFSTORE"), key, key, key).map((parts) => [...parts]),
  fc.tuple(key, fc.integer({ min: 1, max: 3000 })).map(([k, ms]) => ["PEXPIRE", k, String(ms)]),
  key.map((k) => ["SET", k, "string"]),
  fc.integer({ min: 0, max: 1 }).map((db) => ["SELECT", String(db)])
)
const step = fc.tuple(fc.constantFrom(0, 0, 1, 700, 1500), command)

/** Each database's live keys, sorted, as comparable data: a set as its encoding and sorted members. */
const alive = (keyspaces: ReadonlyArray<Keyspace>, nowMs: number, rebuilt = false) =>
  keyspaces.map((keyspace) =>
    [...Hamt.entries(keyspace)].filter(([, stored]) => !isExpired(stored, nowMs))
      .map(([k, stored]) => [k, comparable(stored, rebuilt), expiresAtOf(stored)] as const)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))

/**
 * A set as its encoding and sorted members. `rebuilt`: the encoding a new set
 * of these members has, as after a rewrite (Redis's too: a hashtable left
 * holding only integers comes back from SADDs as an intset).
 */
const comparable = (stored: Entry, rebuilt: boolean) => {
  const value = valueOf(stored)
  if (!setType.is(value)) return value
  const encoding = setType.encoding(rebuilt ? Sets.fromMembers(Sets.members(value), Sets.defaultMaxIntsetEntries) ?? value : value)
  return [encoding, Sets.members(value).sort()]
}

const replayAndRewriteEqualLive = (steps: ReadonlyArray<TimedCommand>) =>
  withTempDir((dir) =>
    Effect.gen(function*() {
      yield* TestClock.setTime(realisticNow)
      const live = yield* runLive(dir, steps)
      const nowMs = endOf(realisticNow, steps)
      expect(alive(yield* loadLog(dir), nowMs)).toEqual(alive(live, nowMs))
      writeFileSync(join(dir, "rewritten.aof"), Buffer.concat([...rewriteLog(live, nowMs)]))
      expect(alive(yield* loadLog(dir, "rewritten.aof"), nowMs)).toEqual(alive(live, nowMs, true))
    }))

describe("sets in the AOF", () => {
  it("the replay of a random set command sequence, and its rewrite, equal the live state", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 25 }), (steps) =>
        Effect.runPromise(replayAndRewriteEqualLive(steps).pipe(Effect.provide(TestContext.TestContext)))),
      { numRuns: 30, endOnFailure: true }
    )
  }, 120_000)

  it.effect("a big volatile set rewrites as SADDs of 64 members and a PEXPIREAT, and replays as a hashtable", () =>
    replayAndRewriteEqualLive([
      [0, ["SADD", "big", ...Array.from({ length: 600 }, (_, i) => String(i))]],
      [0, ["PEXPIRE", "big", "100000"]]
    ]).pipe(Effect.zipRight(withTempDir((dir) =>
      Effect.gen(function*() {
        yield* TestClock.setTime(realisticNow)
        const live = yield* runLive(dir, [[0, ["SADD", "big", ...Array.from({ length: 130 }, (_, i) => `m${i}`)]], [0, ["PEXPIRE", "big", "5000"]]])
        writeFileSync(join(dir, "rewritten.aof"), Buffer.concat([...rewriteLog(live, realisticNow)]))
        const parsed = Either.getOrThrow(parseAof(Buffer.concat([...rewriteLog(live, realisticNow)])))
        expect(parsed.commands.map(({ args }) => [args[0], args.length])).toEqual([
          ["SELECT", 2], ["SADD", 66], ["SADD", 66], ["SADD", 4], ["PEXPIREAT", 3]
        ])
        expect(parsed.commands[4].args).toEqual(["PEXPIREAT", "big", String(realisticNow + 5000)])
      })))))
})

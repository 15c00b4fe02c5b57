/**
 * Sorted sets across effect-kv and the real Redis 7.0 binaries on PATH:
 * - RDB: our dump (listpacks as ZSET_LISTPACK, skiplists as ZSET_2) passes
 *   redis-check-rdb and loads in redis-server with the same members, scores,
 *   encodings and TTLs; redis-server's dump loads in our reader alike.
 * - DUMP / RESTORE: a payload of either server restores in the other, small
 *   (listpack) and large (skiplist) sets, infinities and -0 included.
 */
import { Either } from "effect"
import { spawnSync } from "node:child_process"
import { readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { Redis } from "ioredis"
import { afterEach, describe, expect, it } from "vitest"
import { startServer } from "../../src/index.js"
import { readRdb } from "../../src/persistence/rdb/reader.js"
import { writeRdb } from "../../src/persistence/rdb/writer.js"
import { databaseCount, entry, type Entry, expiresAtOf, type Keyspace, valueOf } from "../../src/store/entry.js"
import * as Hamt from "../../src/structures/hamt.js"
import * as Z from "../../src/values/zset.js"
import { zsetType } from "../../src/values/zset-type.js"
import { startRedis, tempDir } from "./redis-server.js"

const cleanups: Array<() => void | Promise<void>> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

const nowMs = Date.now()
const bytes = (s: string): Buffer => Buffer.from(s, "latin1")
type Pairs = ReadonlyArray<readonly [number, string]>
const many = (count: number, prefix: string): Pairs => Array.from({ length: count }, (_, i) => [(i % 13) * 1.25 - 3, `${prefix}${i}`])

const zsetOf = (pairs: Pairs): Z.ZSetValue => {
  const zset = Z.fromEntries(pairs, Z.defaultZSetLimits)
  if (zset === undefined) throw new Error("empty sorted set")
  return zset
}

const ourSets: ReadonlyArray<readonly [string, Pairs, number | undefined]> = [
  ["small", [[1, "a"], [1, "b"], [-Infinity, "low"], [Infinity, "high"], [2.5, "bin\x00\r\n\xff"], [123456789, "int"]], undefined],
  ["small-volatile", [[0.1, "x"], [-7, "y"]], nowMs + 3_600_000],
  ["long-member", [[1, "m".repeat(65)], [2, "n"]], undefined],
  ["just-128", many(128, "j"), undefined],
  ["big", many(1000, "member:"), undefined],
  ["big-negzero", [[-0, "z"], [1e-300, "tiny"], [1.7976931348623157e308, "huge"], ...many(200, "p")], undefined]
]

/** What redis-server answers to ZRANGE key 0 -1 WITHSCORES, as [member, score text] pairs. */
const expectedRange = (pairs: Pairs): Array<string> =>
  Z.allEntries(zsetOf(pairs)).flatMap(([score, member]) => [member, score === Infinity ? "inf" : score === -Infinity ? "-inf" : String(score)])

const rangeOf = async (client: Redis, key: string): Promise<Array<string>> =>
  (await client.zrangeBuffer(bytes(key), 0, -1, "WITHSCORES")).map((b) => b.toString("latin1"))

const ours: ReadonlyArray<Keyspace> = Array.from({ length: databaseCount }, (_, db) =>
  db === 0
    ? Hamt.fromEntries(ourSets.map(([key, pairs, expiresAt]) => [key, entry(key, zsetOf(pairs), expiresAt)] as const))
    : Hamt.empty<Entry>())

describe("sorted sets and Redis 7.0: RDB", () => {
  it("a dump of ours passes redis-check-rdb and loads in redis-server with the same members, scores, encodings and TTLs", async () => {
    const dir = tempDir(cleanups)
    writeFileSync(join(dir, "ours.rdb"), Buffer.concat([...writeRdb(ours, nowMs)]))
    const check = spawnSync("redis-check-rdb", [join(dir, "ours.rdb")], { encoding: "utf8" })
    expect(check.status, check.stdout + check.stderr).toBe(0)
    const client = await startRedis(cleanups, dir, "ours.rdb")
    expect(await client.dbsize()).toBe(ourSets.length)
    for (const [key, pairs, expiresAt] of ourSets) {
      expect([key, (await rangeOf(client, key)).length]).toEqual([key, pairs.length * 2])
      expect([key, await client.object("ENCODING", bytes(key))]).toEqual([key, zsetOf(pairs).encoding])
      expect(await client.call("PEXPIRETIME", bytes(key))).toBe(expiresAt ?? -1)
    }
    expect(await rangeOf(client, "small")).toEqual(expectedRange(ourSets[0][1]))
    expect(await client.zscore("big-negzero", "z")).toBe("-0")
    expect(await client.zscore("big-negzero", "huge")).toBe("1.7976931348623157e+308")
  })

  it("a dump of redis-server's (ZSET_LISTPACK and ZSET_2) loads in our reader with the same members, scores and encodings", async () => {
    const dir = tempDir(cleanups)
    const client = await startRedis(cleanups, dir, "theirs.rdb")
    for (const [key, pairs] of ourSets) await client.zadd(bytes(key), ...pairs.flatMap(([score, member]) => [String(score), bytes(member)]))
    await client.pexpire("small-volatile", 3_600_000)
    const expiresAt = Number(await client.call("PEXPIRETIME", "small-volatile"))
    expect(await client.save()).toBe("OK")
    const read = Either.getOrThrow(readRdb(readFileSync(join(dir, "theirs.rdb"))))
    for (const [key] of ourSets) {
      const stored = Hamt.get(read[0], key)
      if (stored === undefined) throw new Error(`${key} did not load`)
      const value = valueOf(stored)
      if (!zsetType.is(value)) throw new Error(`${key} is not a sorted set`)
      const theirs = await rangeOf(client, key)
      const loaded = Z.allEntries(value).flatMap(([score, member]) => [member, score])
      expect([key, loaded.length]).toEqual([key, theirs.length])
      for (let i = 0; i < theirs.length; i += 2) {
        expect(loaded[i]).toBe(theirs[i])
        expect(loaded[i + 1]).toBe(Number(String(theirs[i + 1]).replace(/^(-?)inf$/, "$1Infinity")))
      }
      expect([key, zsetType.encoding(value)]).toEqual([key, await client.object("ENCODING", bytes(key))])
    }
    expect(expiresAtOf(Hamt.get(read[0], "small-volatile"))).toBe(expiresAt)
  })
})

describe("sorted sets and Redis 7.0: DUMP / RESTORE", () => {
  it("payloads move both ways, small and large", async () => {
    const dir = tempDir(cleanups)
    const redis = await startRedis(cleanups, dir, "dump.rdb")
    const server = await startServer({ port: 0 })
    cleanups.push(() => server.close())
    const kv = new Redis({ port: server.port, lazyConnect: true })
    await kv.connect()
    cleanups.push(() => {
      kv.disconnect()
    })
    for (const [key, pairs] of ourSets) {
      const args = pairs.flatMap(([score, member]) => [String(score), bytes(member)])
      await redis.zadd(bytes(`r:${key}`), ...args)
      await kv.zadd(bytes(`k:${key}`), ...args)
    }
    for (const [key] of ourSets) {
      const fromRedis = await redis.dumpBuffer(bytes(`r:${key}`))
      expect(await kv.restore(bytes(`r:${key}`), 0, fromRedis)).toBe("OK")
      const fromKv = await kv.dumpBuffer(bytes(`k:${key}`))
      expect(await redis.restore(bytes(`k:${key}`), 0, fromKv)).toBe("OK")
      for (const copy of [`r:${key}`, `k:${key}`]) {
        expect([copy, await rangeOf(kv, copy)]).toEqual([copy, await rangeOf(redis, copy)])
        expect([copy, await kv.object("ENCODING", bytes(copy))]).toEqual([copy, await redis.object("ENCODING", bytes(copy))])
      }
    }
  })
})

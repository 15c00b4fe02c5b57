/**
 * RDB interoperability of sets with the real Redis 7.0 binaries on PATH:
 * our dumps (every set as RDB_TYPE_SET) pass redis-check-rdb and load in
 * redis-server with the same members, encodings and TTLs; redis-server's
 * dumps (intsets as RDB_TYPE_SET_INTSET, hashtables as RDB_TYPE_SET) load in
 * our reader with the same members and encodings.
 */
import { Either } from "effect"
import * as Hamt from "../../src/structures/hamt.js"
import { spawnSync } from "node:child_process"
import { readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { afterEach, describe, expect, it } from "vitest"
import { readRdb } from "../../src/persistence/rdb/reader.js"
import { writeRdb } from "../../src/persistence/rdb/writer.js"
import { databaseCount, entry, type Entry, expiresAtOf, type Keyspace, valueOf } from "../../src/store/entry.js"
import * as Sets from "../../src/values/set.js"
import { setType } from "../../src/values/set.js"
import { startRedis, tempDir } from "./redis-server.js"

const cleanups: Array<() => void | Promise<void>> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})



const nowMs = Date.now()
const bytes = (s: string): Buffer => Buffer.from(s, "latin1")
const range = (from: number, length: number) => Array.from({ length }, (_, i) => String(from + i))
const setOf = (members: ReadonlyArray<string>): Sets.SetValue => {
  const set = Sets.fromMembers(members, Sets.defaultMaxIntsetEntries)
  if (set === undefined) throw new Error("empty set")
  return set
}

const ourSets: ReadonlyArray<readonly [string, ReadonlyArray<string>, number | undefined]> = [
  ["small-ints", ["3", "-1", "9223372036854775807", "-9223372036854775808", "70000"], undefined],
  ["ints-volatile", range(-10, 20), nowMs + 3_600_000],
  ["just-512", range(0, 512), undefined],
  ["big-ints", range(1000, 700), undefined],
  ["strings", ["a", "bin\x00\r\n\xff", "1", "01", "compress me ".repeat(10)], undefined]
]

const ours: ReadonlyArray<Keyspace> = Array.from({ length: databaseCount }, (_, db) =>
  db === 0
    ? Hamt.fromEntries(ourSets.map(([key, members, expiresAt]) => [key, entry(key, setOf(members), expiresAt)] as const))
    : Hamt.empty<Entry>())

const setMembers = (stored: Entry | undefined): Array<string> => {
  const value = stored === undefined ? undefined : valueOf(stored)
  return value !== undefined && setType.is(value) ? Sets.members(value).sort() : []
}

describe("RDB interoperability of sets with Redis 7.0", () => {
  it("a dump of ours passes redis-check-rdb and loads in redis-server with the same members, encodings and TTLs", async () => {
    const dir = tempDir(cleanups)
    writeFileSync(join(dir, "ours.rdb"), Buffer.concat([...writeRdb(ours, nowMs)]))
    const check = spawnSync("redis-check-rdb", [join(dir, "ours.rdb")], { encoding: "utf8" })
    expect(check.status, check.stdout + check.stderr).toBe(0)
    expect(check.stdout).toContain("RDB looks OK")
    const client = await startRedis(cleanups, dir, "ours.rdb")
    expect(await client.dbsize()).toBe(ourSets.length)
    for (const [key, members, expiresAt] of ourSets) {
      const theirs = (await client.smembersBuffer(bytes(key))).map((b) => b.toString("latin1")).sort()
      expect(theirs).toEqual([...members].sort())
      expect([key, await client.object("ENCODING", bytes(key))]).toEqual([key, setType.encoding(setOf(members))])
      expect(await client.call("PEXPIRETIME", bytes(key))).toBe(expiresAt ?? -1)
    }
    expect(await client.smembers("small-ints")).toEqual(["-9223372036854775808", "-1", "3", "70000", "9223372036854775807"])
  })

  it("a dump of redis-server's (SET_INTSET and SET) loads in our reader with the same members and encodings", async () => {
    const dir = tempDir(cleanups)
    const client = await startRedis(cleanups, dir, "theirs.rdb")
    const theirSets: ReadonlyArray<readonly [string, ReadonlyArray<string>]> = [
      ["i16", ["1", "-5", "300"]],
      ["i32", ["1", "70000"]],
      ["i64", ["1", "9223372036854775807", "-9223372036854775808"]],
      ["i512", range(0, 512)],
      ["big", range(0, 2000)],
      ["mixed", ["x", "1", "bin\x00\xff"]]
    ]
    for (const [key, members] of theirSets) await client.sadd(bytes(key), ...members.map(bytes))
    // an intset whose width outlived its widest member (intsetRemove never narrows)
    await client.sadd("narrowed", "1", "2", "5000000000")
    await client.srem("narrowed", "5000000000")
    await client.pexpire("i16", 3_600_000)
    const expiresAt = Number(await client.call("PEXPIRETIME", "i16"))
    expect(await client.save()).toBe("OK")

    const read = Either.getOrThrow(readRdb(readFileSync(join(dir, "theirs.rdb"))))
    for (const [key, members] of [...theirSets, ["narrowed", ["1", "2"]] as const]) {
      const stored = Hamt.get(read[0], key)
      if (stored === undefined) throw new Error(`${key} did not load`)
      expect([key, setMembers(stored)]).toEqual([key, [...members].sort()])
      const value = valueOf(stored)
      expect([key, setType.is(value) ? setType.encoding(value) : "?"]).toEqual([key, await client.object("ENCODING", key)])
    }
    expect(expiresAtOf(Hamt.get(read[0], "i16"))).toBe(expiresAt)
    const i64Entry = Hamt.get(read[0], "i64")
    if (i64Entry === undefined) throw new Error("i64 did not load")
    const i64 = valueOf(i64Entry)
    expect(setType.is(i64) ? Sets.members(i64) : []).toEqual(["-9223372036854775808", "1", "9223372036854775807"])
  })
})

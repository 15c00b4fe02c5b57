/**
 * Interoperability with the real Redis 7.0 binaries on PATH (redis-server,
 * redis-check-rdb): our dumps pass the checker and load in Redis with the same
 * keys, values and TTLs; Redis's dumps load in our reader. A missing binary
 * fails the test (CI installs them).
 */
import { Either } from "effect"
import { spawnSync } from "node:child_process"
import { readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { afterEach, describe, expect, it } from "vitest"
import { readRdb } from "../../src/persistence/rdb/reader.js"
import { writeRdb } from "../../src/persistence/rdb/writer.js"
import { databaseCount, entry, type Entry, expiresAtOf, type Keyspace, valueOf } from "../../src/store/entry.js"
import { readString, textOf } from "../../src/values/string.js"
import { requireBinary, startRedis, tempDir } from "./redis-server.js"
import * as Hamt from "../../src/structures/hamt.js"


const cleanups: Array<() => void | Promise<void>> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})


/** Starts redis-server on a free loopback port with `dir/dbfilename`; stopped after the test. */

const nowMs = Date.now()

const bytes = (s: string): Buffer => Buffer.from(s, "latin1")

const ours: ReadonlyArray<Keyspace> = Array.from({ length: databaseCount }, (_, db) => {
  switch (db) {
    case 0:
      return Hamt.fromEntries([
        ["plain", entry("plain", "hello", undefined)],
        ["bin\x00\r\n\xff", entry("bin\x00\r\n\xff", "\x00\x01\x80\xff\r\n", undefined)],
        ["long", entry("long", "compress me ".repeat(50), nowMs + 3_600_000)],
        ["int8", entry("int8", "-12", undefined)],
        ["int16", entry("int16", "-300", undefined)],
        ["int32", entry("int32", "70000", undefined)],
        ["bigint", entry("bigint", "2147483648", undefined)],
        ["not-canonical", entry("not-canonical", "007", undefined)],
        ["empty", entry("empty", "", nowMs + 7_200_000)],
        ["expired", entry("expired", "gone", nowMs - 1)]
      ])
    case 9:
      return Hamt.fromEntries([["in nine", entry("in nine", "9".repeat(30), undefined)]])
    default:
      return Hamt.empty<Entry>()
  }
})

describe("RDB interoperability with Redis 7.0", () => {
  it("a dump we write passes redis-check-rdb and loads in redis-server with the same keys, values and TTLs", async () => {
    requireBinary("redis-check-rdb")
    const dir = tempDir(cleanups)
    writeFileSync(join(dir, "ours.rdb"), Buffer.concat([...writeRdb(ours, nowMs)]))
    const check = spawnSync("redis-check-rdb", [join(dir, "ours.rdb")], { encoding: "utf8" })
    expect(check.status, check.stdout + check.stderr).toBe(0)
    expect(check.stdout).toContain("RDB looks OK")

    const client = await startRedis(cleanups, dir, "ours.rdb")
    for (const [db, keyspace] of ours.entries()) {
      await client.select(db)
      const expected = [...Hamt.entries(keyspace)].filter(([key]) => key !== "expired")
      expect(await client.dbsize()).toBe(expected.length)
      for (const [key, stored] of expected) {
        expect(await client.getBuffer(bytes(key))).toEqual(bytes(textOf(Either.getOrThrow(readString(valueOf(stored))) ?? "")))
        const pexpiretime = await client.call("PEXPIRETIME", bytes(key))
        expect(pexpiretime).toBe(expiresAtOf(stored) ?? -1)
      }
    }
  })

  it("a dump redis-server writes loads in our reader with the same content", async () => {
    const dir = tempDir(cleanups)
    const client = await startRedis(cleanups, dir, "theirs.rdb")
    const long = "abcdefghij".repeat(30)
    await client.set("long", long)
    for (const n of ["12", "-300", "70000", "2147483648", "-2147483649", "007"]) await client.set(`n:${n}`, n)
    await client.set(bytes("bin\x00\xff"), bytes("\x00\r\n\xfe"))
    await client.set("ttl", "v", "PX", 3_600_000)
    const expiresAt = Number(await client.call("PEXPIRETIME", "ttl"))
    await client.select(4)
    await client.set("four", "4".repeat(40))
    await client.select(15)
    await client.set("fifteen", "")
    expect(await client.save()).toBe("OK")

    const read = Either.getOrThrow(readRdb(readFileSync(join(dir, "theirs.rdb"))))
    const sorted = (keyspace: Keyspace) => [...Hamt.entries(keyspace)].sort(([a], [b]) => (a < b ? -1 : 1))
    expect(sorted(read[0])).toEqual([
      ["bin\x00\xff", entry("bin\x00\xff", "\x00\r\n\xfe", undefined)],
      ["long", entry("long", long, undefined)],
      ["n:-2147483649", entry("n:-2147483649", "-2147483649", undefined)],
      ["n:-300", entry("n:-300", "-300", undefined)],
      ["n:007", entry("n:007", "007", undefined)],
      ["n:12", entry("n:12", "12", undefined)],
      ["n:2147483648", entry("n:2147483648", "2147483648", undefined)],
      ["n:70000", entry("n:70000", "70000", undefined)],
      ["ttl", entry("ttl", "v", expiresAt)]
    ])
    expect(sorted(read[4])).toEqual([["four", entry("four", "4".repeat(40), undefined)]])
    expect(sorted(read[15])).toEqual([["fifteen", entry("fifteen", "", undefined)]])
    expect(read.filter((keyspace) => Hamt.size(keyspace) > 0).length).toBe(3)
  })
})

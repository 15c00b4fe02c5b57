/**
 * Hashes between effect-kv and the real redis-server 7.0.15: a dump Redis
 * writes (listpack hashes as RDB_TYPE_HASH_LISTPACK, hashtable ones as
 * RDB_TYPE_HASH) loads in our reader with the same fields and encodings; a
 * dump we write (always RDB_TYPE_HASH) passes redis-check-rdb and loads in
 * redis-server with the same fields, TTLs and the encodings Redis re-derives.
 */
import { defaultEncodingLimits } from "../../src/values/encoding-limits.js"
import { Either } from "effect"
import * as Hamt from "../../src/structures/hamt.js"
import { spawnSync } from "node:child_process"
import { readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { afterEach, describe, expect, it } from "vitest"
import { readRdb } from "../../src/persistence/rdb/reader.js"
import { writeRdb } from "../../src/persistence/rdb/writer.js"
import { databaseCount, entry, type Entry, expiresAtOf, type Keyspace, valueOf } from "../../src/store/entry.js"
import { emptyHash, hashEntries, HashValue, setFields } from "../../src/values/hash.js"
import { type Cleanups, requireBinary, startRedis, tempDir } from "./redis-server.js"

const cleanups: Cleanups = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

const bytes = (s: string): Buffer => Buffer.from(s, "latin1")
const nowMs = Date.now()

const manyFields = Array.from({ length: 600 }, (_, i) => [`field:${i}`, `value ${i}`] as const)
const smallFields = [["a", "1"], ["int", "-70000"], ["big", "9223372036854775807"], ["bin\x00\xff", "\r\n\x00"], ["", "empty field"]] as const
const longValue = [["f", "v".repeat(100)]] as const

const ours: ReadonlyArray<Keyspace> = Array.from({ length: databaseCount }, (_, db) =>
  db === 0
    ? Hamt.fromEntries<Entry>([
      ["small", entry("small", setFields(emptyHash, smallFields, defaultEncodingLimits), undefined)],
      ["many", entry("many", setFields(emptyHash, manyFields, defaultEncodingLimits), nowMs + 3_600_000)],
      ["long", entry("long", setFields(emptyHash, longValue, defaultEncodingLimits), undefined)],
      ["s", entry("s", "string", undefined)]
    ])
    : Hamt.empty<Entry>())

const fieldsOf = (stored: Entry | undefined): Map<string, string> => {
  const value = stored === undefined ? undefined : valueOf(stored)
  if (!(value instanceof HashValue)) throw new Error("not a hash")
  return new Map(hashEntries(value))
}

const encodingOf = (stored: Entry | undefined): string | undefined => {
  const value = stored === undefined ? undefined : valueOf(stored)
  return value instanceof HashValue ? value.encoding : undefined
}

describe("hash RDB interoperability with Redis 7.0", () => {
  it("a dump we write passes redis-check-rdb and loads in redis-server with the same hashes", async () => {
    requireBinary("redis-check-rdb")
    const dir = tempDir(cleanups)
    writeFileSync(join(dir, "ours.rdb"), Buffer.concat([...writeRdb(ours, nowMs)]))
    const check = spawnSync("redis-check-rdb", [join(dir, "ours.rdb")], { encoding: "utf8" })
    expect(check.status, check.stdout + check.stderr).toBe(0)
    expect(check.stdout).toContain("RDB looks OK")

    const client = await startRedis(cleanups, dir, "ours.rdb")
    expect(await client.dbsize()).toBe(4)
    for (const key of ["small", "many", "long"]) {
      const stored = Hamt.get(ours[0], key)
      const theirs = await client.hgetallBuffer(bytes(key))
      expect(new Map(Object.entries(theirs).map(([f, v]) => [f, v.toString("latin1")])).size).toBe(fieldsOf(stored).size)
      for (const [field, value] of fieldsOf(stored)) {
        expect((await client.hgetBuffer(bytes(key), bytes(field)))?.toString("latin1")).toBe(value)
      }
      expect(await client.call("OBJECT", "ENCODING", key)).toBe(encodingOf(stored))
      expect(await client.call("PEXPIRETIME", key)).toBe(expiresAtOf(stored) ?? -1)
    }
  })

  it("a dump redis-server writes (listpack and hashtable hashes) loads in our reader", async () => {
    const dir = tempDir(cleanups)
    const client = await startRedis(cleanups, dir, "theirs.rdb")
    for (const [field, value] of smallFields) await client.hset("small", bytes(field), bytes(value))
    await client.hset("many", Object.fromEntries(manyFields))
    await client.hset("long", Object.fromEntries(longValue))
    await client.hset("ttl", "f", "v")
    await client.pexpire("ttl", 3_600_000)
    const expiresAt = Number(await client.call("PEXPIRETIME", "ttl"))
    expect(await client.call("OBJECT", "ENCODING", "small")).toBe("listpack")
    expect(await client.call("OBJECT", "ENCODING", "many")).toBe("hashtable")
    expect(await client.save()).toBe("OK")

    const read = Either.getOrThrow(readRdb(readFileSync(join(dir, "theirs.rdb"))))
    expect(Hamt.size(read[0])).toBe(4)
    expect(fieldsOf(Hamt.get(read[0], "small"))).toEqual(new Map(smallFields))
    expect(encodingOf(Hamt.get(read[0], "small"))).toBe("listpack")
    expect(fieldsOf(Hamt.get(read[0], "many"))).toEqual(new Map(manyFields))
    expect(encodingOf(Hamt.get(read[0], "many"))).toBe("hashtable")
    expect(encodingOf(Hamt.get(read[0], "long"))).toBe("hashtable")
    expect(expiresAtOf(Hamt.get(read[0], "ttl"))).toBe(expiresAt)
  })
})

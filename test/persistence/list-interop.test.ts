/**
 * Lists between effect-kv and the real redis-server 7.0.15, small and large
 * (many quicklist nodes, long and integer elements): an RDB Redis writes
 * (QUICKLIST_2) loads in our reader; one we write passes redis-check-rdb and
 * loads in redis-server; DUMP payloads move both ways through RESTORE.
 */
import { Either } from "effect"
import { Redis } from "ioredis"
import { spawnSync } from "node:child_process"
import { readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { afterEach, describe, expect, it } from "vitest"
import { startServer } from "../../src/index.js"
import { readRdb } from "../../src/persistence/rdb/reader.js"
import { writeRdb } from "../../src/persistence/rdb/writer.js"
import { databaseCount, entry, type Entry, expiresAtOf, type Keyspace, valueOf } from "../../src/store/entry.js"
import * as Hamt from "../../src/structures/hamt.js"
import { listElements, listFromArray, ListValue } from "../../src/values/list.js"
import { type Cleanups, requireBinary, startRedis, tempDir } from "./redis-server.js"

const cleanups: Cleanups = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

const bytes = (s: string): Buffer => Buffer.from(s, "latin1")
const nowMs = Date.now()

const small = ["a", "1", "-70000", "9223372036854775807", "bin\x00\xff", ""]
const large = Array.from({ length: 20_000 }, (_, i) => (i % 7 === 0 ? String(i * 1000) : `element:${i}:${"x".repeat(i % 90)}`))
const huge = ["y".repeat(20_000), "z"]
const lists: ReadonlyArray<readonly [string, ReadonlyArray<string>]> = [["small", small], ["large", large], ["huge", huge]]

const elementsOf = (stored: Entry | undefined): ReadonlyArray<string> => {
  const value = stored === undefined ? undefined : valueOf(stored)
  if (!(value instanceof ListValue)) throw new Error("not a list")
  return listElements(value)
}

const lrange = async (client: Redis, key: string): Promise<ReadonlyArray<string>> =>
  (await client.lrangeBuffer(bytes(key), 0, -1)).map((element) => element.toString("latin1"))

describe("list RDB and DUMP interoperability with Redis 7.0", () => {
  it("a dump we write passes redis-check-rdb and loads in redis-server with the same lists", async () => {
    requireBinary("redis-check-rdb")
    const dir = tempDir(cleanups)
    const ours: ReadonlyArray<Keyspace> = Array.from({ length: databaseCount }, (_, db) =>
      db === 0
        ? Hamt.fromEntries<Entry>(lists.map(([key, items], i) => [key, entry(key, listFromArray(items), i === 1 ? nowMs + 3_600_000 : undefined)]))
        : Hamt.empty<Entry>())
    writeFileSync(join(dir, "ours.rdb"), Buffer.concat([...writeRdb(ours, nowMs)]))
    const check = spawnSync("redis-check-rdb", [join(dir, "ours.rdb")], { encoding: "utf8" })
    expect(check.status, check.stdout + check.stderr).toBe(0)

    const client = await startRedis(cleanups, dir, "ours.rdb")
    for (const [key, items] of lists) {
      expect(await lrange(client, key)).toEqual(items)
      expect(await client.call("OBJECT", "ENCODING", key)).toBe("quicklist")
    }
    expect(await client.call("PEXPIRETIME", "large")).toBe(nowMs + 3_600_000)
  })

  it("a dump redis-server writes loads in our reader", async () => {
    const dir = tempDir(cleanups)
    const client = await startRedis(cleanups, dir, "theirs.rdb")
    for (const [key, items] of lists) {
      for (let i = 0; i < items.length; i += 1000) await client.rpush(bytes(key), ...items.slice(i, i + 1000).map(bytes))
    }
    await client.pexpire("small", 3_600_000)
    const expiresAt = Number(await client.call("PEXPIRETIME", "small"))
    expect(await client.save()).toBe("OK")
    const read = Either.getOrThrow(readRdb(readFileSync(join(dir, "theirs.rdb"))))
    for (const [key, items] of lists) expect(elementsOf(Hamt.get(read[0], key))).toEqual(items)
    expect(expiresAtOf(Hamt.get(read[0], "small"))).toBe(expiresAt)
  })

  it("DUMP payloads move both ways through RESTORE", async () => {
    const dir = tempDir(cleanups)
    const redis = await startRedis(cleanups, dir, "unused.rdb")
    const server = await startServer({ port: 0 })
    cleanups.push(() => server.close())
    const ours = new Redis({ port: server.port, host: server.host })
    cleanups.push(() => ours.disconnect())
    for (const [key, items] of lists) {
      for (let i = 0; i < items.length; i += 1000) {
        await redis.rpush(bytes(key), ...items.slice(i, i + 1000).map(bytes))
        await ours.rpush(bytes(`ours:${key}`), ...items.slice(i, i + 1000).map(bytes))
      }
      const theirPayload = await redis.dumpBuffer(key)
      expect(await ours.restore(bytes(key), 0, theirPayload)).toBe("OK")
      expect(await lrange(ours, key)).toEqual(items)
      const ourPayload = await ours.dumpBuffer(`ours:${key}`)
      expect(await redis.restore(bytes(`ours:${key}`), 0, ourPayload)).toBe("OK")
      expect(await lrange(redis, `ours:${key}`)).toEqual(items)
    }
  })
})

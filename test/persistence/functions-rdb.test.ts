/**
 * Function libraries in the RDB file (rdb.c rdbSaveFunctions /
 * rdbFunctionLoad): FUNCTION2 records round-trip through our writer and
 * reader, the 7.0-rc FUNCTION record is read as Redis reads it, libraries
 * survive SAVE / BGSAVE and a restart (FCALL works after), FLUSHALL and DEBUG
 * RELOAD keep them, and files move both ways with redis-server 7.0.15.
 */
import { Either } from "effect"
import fc from "fast-check"
import { Redis } from "ioredis"
import { spawnSync } from "node:child_process"
import { copyFileSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { afterEach, describe, expect, it } from "vitest"
import { startServer } from "../../src/index.js"
import { crc64 } from "../../src/persistence/rdb/crc64.js"
import { readRdbContents } from "../../src/persistence/rdb/reader.js"
import { writeRdb } from "../../src/persistence/rdb/writer.js"
import { databaseCount, type Entry, type Keyspace } from "../../src/store/entry.js"
import * as Hamt from "../../src/structures/hamt.js"
import { type Cleanups, requireBinary, startRedis, tempDir } from "./redis-server.js"

const cleanups: Cleanups = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

const emptyDatabases: ReadonlyArray<Keyspace> = Array.from({ length: databaseCount }, () => Hamt.empty<Entry>())

const library = (name: string, ...functions: ReadonlyArray<string>): string =>
  `#!lua name=${name}\n` + functions.map((fn) => `redis.register_function{function_name='${fn}', callback=function(keys, args) return '${fn}:' .. (args[1] or '') end, flags={'no-writes'}, description='${fn} of ${name}'}`).join("\n")

const codes = [library("alpha", "a1", "a2"), library("beta", "b1"), `${library("gamma", "g1")}\n-- ${"padding ".repeat(40)}`]

/** Our server on the dump `dir/dbfilename`, with a client; both closed by the cleanups. */
const startOurs = async (dir: string, dbfilename = "dump.rdb"): Promise<Redis> => {
  const server = await startServer({ port: 0, persistence: "file", dir, dbfilename })
  cleanups.push(() => server.close())
  const client = new Redis({ port: server.port, lazyConnect: true, maxRetriesPerRequest: 0 })
  cleanups.push(() => client.disconnect())
  await client.connect()
  return client
}

/** FUNCTION LIST WITHCODE, libraries and each library's functions sorted by name (redis-server's order is a seeded hash's). */
const listing = async (client: Redis): Promise<unknown> => {
  const reply = await client.call("FUNCTION", "LIST", "WITHCODE")
  if (!Array.isArray(reply)) throw new Error("FUNCTION LIST did not answer an array")
  const byName = (a: unknown, b: unknown) => String(Array.isArray(a) ? a[1] : a).localeCompare(String(Array.isArray(b) ? b[1] : b))
  return reply
    .map((entry: unknown) => Array.isArray(entry) ? entry.map((field: unknown, i) => i === 5 && Array.isArray(field) ? [...field].sort(byName) : field) : entry)
    .sort(byName)
}

describe("functions in the RDB file", () => {
  it("FUNCTION2 records round-trip through the writer and the reader (random codes)", () => {
    const code = fc.tuple(fc.stringMatching(/^[A-Za-z0-9_]{1,20}$/), fc.string({ maxLength: 300 }))
      .map(([name, body]) => `#!lua name=${name}\n${body}`)
    fc.assert(fc.property(fc.array(code, { maxLength: 5 }), fc.boolean(), (functions, compression) => {
      const file = Buffer.concat([...writeRdb(emptyDatabases, 0, { functions, compression })])
      expect(Either.getOrThrow(readRdbContents(file)).functions).toEqual(functions)
    }), { numRuns: Number(process.env.FUZZ_RUNS ?? 200) })
  })

  it("reads the 7.0-rc FUNCTION record (name, engine, description, body) as Redis does", () => {
    const string = (s: string) => Buffer.concat([Buffer.from([s.length]), Buffer.from(s, "latin1")])
    const body = Buffer.concat([
      Buffer.from("REDIS0010"),
      Buffer.from([246]), string("old"), string("LUA"), Buffer.from([1]), string("a description"),
      string("redis.register_function('o', function() return 1 end)"),
      Buffer.from([255])
    ])
    const file = Buffer.alloc(body.length + 8)
    body.copy(file)
    file.writeBigUInt64LE(crc64(body), body.length)
    expect(Either.getOrThrow(readRdbContents(file)).functions).toEqual([
      "#!LUA name=old\nredis.register_function('o', function() return 1 end)"
    ])
  })

  it("libraries survive SAVE and a restart, run with FCALL after it; FLUSHALL and DEBUG RELOAD keep them", async () => {
    const dir = tempDir(cleanups)
    const first = await startOurs(dir)
    for (const code of codes) await first.call("FUNCTION", "LOAD", code)
    await first.set("key", "value")
    expect(await first.call("FLUSHALL")).toBe("OK")
    expect(await first.call("FCALL", "b1", "0", "x")).toBe("b1:x")
    expect(await first.call("DEBUG", "RELOAD")).toBe("OK")
    expect(await first.call("FCALL", "a2", "0", "y")).toBe("a2:y")
    const before = await listing(first)
    expect(await first.save()).toBe("OK")

    const second = await startOurs(dir)
    expect(await listing(second)).toEqual(before)
    expect(await second.call("FCALL_RO", "g1", "0", "z")).toBe("g1:z")
    // The restarted server's DUMP is the first one's, and a library loads on top as before.
    expect(await second.call("FUNCTION", "LOAD", library("delta", "d1"))).toBe("delta")
    await expect(second.call("FUNCTION", "LOAD", library("other", "a1"))).rejects.toThrow("ERR Function a1 already exists")
  })

  it("BGSAVE writes the libraries too", async () => {
    const dir = tempDir(cleanups)
    const client = await startOurs(dir)
    await client.call("FUNCTION", "LOAD", codes[0])
    expect(await client.bgsave()).toBe("Background saving started")
    for (let attempt = 0; attempt < 100; attempt++) {
      const info = await client.info("persistence")
      if (info.includes("rdb_bgsave_in_progress:0") && info.includes("rdb_saves:1")) break
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
    expect(Either.getOrThrow(readRdbContents(readFileSync(join(dir, "dump.rdb")))).functions).toEqual([codes[0]])
  })

  it("a file redis-server writes with libraries loads into effect-kv (same FUNCTION LIST, FCALL runs)", async () => {
    const dir = tempDir(cleanups)
    const redis = await startRedis(cleanups, dir, "theirs.rdb")
    for (const code of codes) await redis.call("FUNCTION", "LOAD", code)
    await redis.set("key", "value")
    expect(await redis.save()).toBe("OK")
    const ourDir = tempDir(cleanups)
    copyFileSync(join(dir, "theirs.rdb"), join(ourDir, "dump.rdb"))
    const ours = await startOurs(ourDir)
    expect(await listing(ours)).toEqual(await listing(redis))
    expect(await ours.call("FCALL", "a1", "0", "q")).toBe("a1:q")
    expect(await ours.get("key")).toBe("value")
  })

  it("a file effect-kv writes with libraries passes redis-check-rdb and loads into redis-server", async () => {
    requireBinary("redis-check-rdb")
    const dir = tempDir(cleanups)
    const ours = await startOurs(dir, "ours.rdb")
    for (const code of codes) await ours.call("FUNCTION", "LOAD", code)
    await ours.set("key", "value")
    expect(await ours.save()).toBe("OK")
    const check = spawnSync("redis-check-rdb", [join(dir, "ours.rdb")], { encoding: "utf8" })
    expect(check.status, check.stdout + check.stderr).toBe(0)
    const redis = await startRedis(cleanups, dir, "ours.rdb")
    expect(await listing(redis)).toEqual(await listing(ours))
    expect(await redis.call("FCALL", "b1", "0", "r")).toBe("b1:r")
    expect(await redis.get("key")).toBe("value")
  })
})

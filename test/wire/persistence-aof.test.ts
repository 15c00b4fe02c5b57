/**
 * The append-only file end to end with real processes (`--appendonly yes
 * --appendfsync always --save ""`): restart after SIGTERM, BGREWRITEAOF while
 * writes go on, a truncated last command cut with a warning, a corrupt middle
 * refusing the start. (SIGKILL crash tests live with the hardening tests.)
 */
import { readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import type { Redis } from "ioredis"
import { afterEach, describe, expect, it } from "vitest"
import { encodeCommand } from "../../src/persistence/aof/format.js"
import { cleanUp, spawnEffectKv, startEffectKv, tempDir, waitForOutput } from "./persistence-processes.js"

afterEach(cleanUp)

const aofFlags = (dir: string, appendfsync = "always") =>
  ["--save", "", "--appendonly", "yes", "--appendfsync", appendfsync, "--dir", dir]

/** Every key of databases 0-2 with its value and PEXPIRETIME, sorted (pipelined: thousands of keys). */
const contents = async (client: Redis) => {
  const all: Array<readonly [number, string, string | undefined, number]> = []
  for (const db of [0, 1, 2]) {
    await client.select(db)
    const keys = await client.keysBuffer("*")
    const reads = client.pipeline()
    for (const key of keys) reads.getBuffer(key).call("PEXPIRETIME", key)
    const replies = (await reads.exec()) ?? []
    keys.forEach((key, i) => {
      const value = replies[2 * i]?.[1]
      const expiry = replies[2 * i + 1]?.[1]
      all.push([db, key.toString("latin1"), Buffer.isBuffer(value) ? value.toString("latin1") : undefined, Number(expiry)])
    })
  }
  await client.select(0)
  return all.sort(([dbA, a], [dbB, b]) => dbA - dbB || (a < b ? -1 : a > b ? 1 : 0))
}

describe("AOF across restarts", () => {
  it("every acknowledged write is back after SIGTERM and restart, TTLs unchanged", async () => {
    const dir = tempDir()
    const first = await startEffectKv(aofFlags(dir))
    const redis = first.client
    await redis.set("plain", "v")
    await redis.set(Buffer.from("bin\x00\xff", "latin1"), Buffer.from("\r\n\x00", "latin1"))
    await redis.set("ttl", "t", "EX", 3600)
    await redis.setex("setex", 600, "s")
    await redis.incrby("counter", 41)
    await redis.incr("counter")
    await redis.append("counter", "!")
    await redis.set("refreshed", "r", "PX", 100_000)
    await redis.expire("refreshed", 7200)
    await redis.set("gone", "g")
    await redis.del("gone")
    await redis.select(2)
    await redis.set("two", "2", "PXAT", Date.now() + 500_000)
    await redis.rename("two", "deux")
    await redis.select(1)
    await redis.set("one", "1")
    await redis.flushdb()
    const before = await contents(redis)
    expect(before.length).toBe(7)
    expect(await first.stop("SIGTERM")).toBe(0)

    const second = await startEffectKv(aofFlags(dir))
    expect(await contents(second.client)).toEqual(before)
    expect(await second.stop("SIGTERM")).toBe(0)
  }, 120_000)

  // everysec: under `always` every pipelined write is its own fsync (see the report), too slow for CI.
  it("BGREWRITEAOF while writes go on: the rewritten log, then the restart, give the same data", async () => {
    const dir = tempDir()
    const first = await startEffectKv(aofFlags(dir, "everysec"))
    const redis = first.client
    const seed = redis.pipeline()
    for (let i = 0; i < 5000; i++) {
      const value = `value:${i}:${"x".repeat(100)}`
      if (i % 5 === 0) seed.set(`key:${i}`, value, "EX", 3600)
      else seed.set(`key:${i}`, value)
    }
    await seed.exec()

    const during = redis.pipeline()
    for (let i = 0; i < 1000; i++) {
      during.incr(`counter:${i % 7}`)
      if (i % 10 === 0) during.del(`key:${i / 2}`)
      if (i % 25 === 0) during.append(`key:${i / 5 + 1}`, "+")
    }
    const [rewrite] = await Promise.all([redis.call("BGREWRITEAOF"), during.exec()])
    expect(rewrite).toBe("Background append only file rewriting started")
    await waitForOutput(first, /Background AOF rewrite finished successfully/)
    await redis.set("after", "rewrite", "PX", 900_000)
    await redis.incr("counter:0")

    const log = readFileSync(join(dir, "appendonly.aof"), "latin1")
    // The rewritten log: the snapshot's time, then one SET per key (no INCR from before the rewrite at its head).
    expect(log).toMatch(/^#TS-MS:\d+\r\n\*2\r\n\$6\r\nSELECT\r\n\$1\r\n0\r\n\*[35]\r\n\$3\r\nSET\r\n/)

    const before = await contents(redis)
    expect(await first.stop("SIGTERM")).toBe(0)
    const second = await startEffectKv(aofFlags(dir, "everysec"))
    expect(await contents(second.client)).toEqual(before)
    expect(await second.client.get("counter:0")).toBe("144")
    expect(await second.stop("SIGTERM")).toBe(0)
  }, 120_000)
})

describe("damaged AOF at start", () => {
  const complete = Buffer.concat([encodeCommand(["SET", "a", "1"]), encodeCommand(["SET", "b", "2"])])

  it("a truncated last command is cut off with a warning; the rest loads", async () => {
    const dir = tempDir()
    const path = join(dir, "appendonly.aof")
    writeFileSync(path, Buffer.concat([complete, encodeCommand(["SET", "c", "3"]).subarray(0, 20)]))
    const server = await startEffectKv(aofFlags(dir))
    expect(server.output()).toContain(`# !!! Warning: short read while loading the AOF file ${path}!!!`)
    expect(server.output()).toContain(`# AOF ${path} loaded anyway because aof-load-truncated is enabled`)
    expect(await server.client.mget("a", "b", "c")).toEqual(["1", "2", null])
    expect(readFileSync(path).subarray(0, complete.length).equals(complete)).toBe(true)
    await server.client.set("c", "again")
    expect(await server.stop("SIGTERM")).toBe(0)

    const restarted = await startEffectKv(aofFlags(dir))
    expect(restarted.output()).not.toContain("short read")
    expect(await restarted.client.mget("a", "b", "c")).toEqual(["1", "2", "again"])
    expect(await restarted.stop("SIGTERM")).toBe(0)
  }, 120_000)

  it("corruption in the middle stops the start with exit code 1 and the offset; the file is untouched", async () => {
    const dir = tempDir()
    const path = join(dir, "appendonly.aof")
    const corrupt = Buffer.concat([complete, Buffer.from("+OK\r\n"), encodeCommand(["DEL", "a"])])
    writeFileSync(path, corrupt)
    const server = spawnEffectKv(aofFlags(dir))
    expect(await server.exited).toBe(1)
    expect(server.output()).toContain(
      `Failed loading the append only file ${path}: Bad file format reading the append only file at offset ${complete.length}`
    )
    expect(server.output()).not.toContain("Ready to accept connections")
    expect(readFileSync(path).equals(corrupt)).toBe(true)
  }, 120_000)
})

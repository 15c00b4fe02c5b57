/**
 * The new write commands in the append-only file: COPY ... DB, MOVE, SWAPDB,
 * GETSET, SETBIT, BITOP and RESTORE with a relative TTL (logged absolute) come
 * back unchanged after a restart.
 */
import type { Redis } from "ioredis"
import { afterEach, describe, expect, it } from "vitest"
import { cleanUp, startEffectKv, tempDir } from "./persistence-processes.js"

afterEach(cleanUp)

const aofFlags = (dir: string) => ["--save", "", "--appendonly", "yes", "--appendfsync", "always", "--dir", dir]

/** Every key of databases 0-2 with its value and PEXPIRETIME, sorted. */
const contents = async (client: Redis) => {
  const all: Array<readonly [number, string, string, unknown]> = []
  for (const db of [0, 1, 2]) {
    await client.select(db)
    for (const key of (await client.keys("*")).sort()) {
      const value = await client.getBuffer(key)
      all.push([db, key, value === null ? "" : value.toString("latin1"), await client.call("PEXPIRETIME", key)])
    }
  }
  await client.select(0)
  return all
}

describe("AOF: key transfer, bitmaps and RESTORE", () => {
  it("replays to the same databases, values and expiry times", async () => {
    const dir = tempDir()
    const first = await startEffectKv(aofFlags(dir))
    const redis = first.client
    await redis.set("a", "alpha", "EX", 3600)
    await redis.call("COPY", "a", "b", "DB", "1")
    await redis.call("COPY", "a", "c")
    await redis.set("m", "moved")
    await redis.move("m", 2)
    await redis.call("SWAPDB", "1", "2")
    await redis.getset("c", "replaced")
    await redis.setbit("bits", 9, 1)
    await redis.bitop("NOT", "inverted", "bits")
    const payload = await redis.dumpBuffer("a")
    await redis.restore("r", 60_000, payload)
    const before = await contents(redis)
    expect(before.map(([db, key]) => `${db}:${key}`)).toEqual(["0:a", "0:bits", "0:c", "0:inverted", "0:r", "1:m", "2:b"])
    expect(await first.stop("SIGTERM")).toBe(0)

    const second = await startEffectKv(aofFlags(dir))
    expect(await contents(second.client)).toEqual(before)
    expect(await second.stop("SIGTERM")).toBe(0)
  }, 120_000)
})

/**
 * A Vitest suite testing code that talks to Redis through ioredis, against an
 * effect-kv server started in-process: no redis-server to install or run.
 * Each file gets its own server on a free port; snapshots stay in memory.
 */
import { startServer, type RunningServer } from "effect-kv"
import { Redis } from "ioredis"
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest"

/** The code under test: a fixed-window rate limiter on INCR + EXPIRE. */
const allowRequest = async (redis: Redis, user: string, limit: number, windowSeconds: number): Promise<boolean> => {
  const key = `rate:${user}`
  const count = await redis.incr(key)
  if (count === 1) await redis.expire(key, windowSeconds)
  return count <= limit
}

let server: RunningServer
let redis: Redis

beforeAll(async () => {
  server = await startServer({ port: 0 })
  redis = new Redis(server.url)
})

afterAll(async () => {
  await redis.quit()
  await server.close()
})

beforeEach(async () => {
  await redis.flushdb()
})

describe("rate limiter on effect-kv", () => {
  it("allows up to the limit, then refuses", async () => {
    const answers = []
    for (let i = 0; i < 5; i++) answers.push(await allowRequest(redis, "ada", 3, 60))
    expect(answers).toEqual([true, true, true, false, false])
    expect(await redis.ttl("rate:ada")).toBe(60)
  })

  it("counts each user separately", async () => {
    expect(await allowRequest(redis, "ada", 1, 60)).toBe(true)
    expect(await allowRequest(redis, "grace", 1, 60)).toBe(true)
    expect(await allowRequest(redis, "ada", 1, 60)).toBe(false)
  })
})

describe("plain ioredis calls", () => {
  it("strings, options and binary values", async () => {
    expect(await redis.set("k", "v", "EX", 100, "NX")).toBe("OK")
    expect(await redis.set("k", "other", "NX")).toBeNull()
    expect(await redis.get("k")).toBe("v")
    const bytes = Buffer.from([0, 255, 10, 13])
    await redis.set("bin", bytes)
    expect(await redis.getBuffer("bin")).toEqual(bytes)
    expect(await redis.mget("k", "missing")).toEqual(["v", null])
  })

  it("SCAN through scanStream", async () => {
    await redis.mset(Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`item:${i}`, String(i)])))
    const keys: Array<string> = []
    for await (const batch of redis.scanStream({ match: "item:*", count: 10 })) keys.push(...batch)
    expect(new Set(keys).size).toBe(50)
  })
})

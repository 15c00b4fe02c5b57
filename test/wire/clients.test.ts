/**
 * Real clients over a real socket: ioredis and node-redis against startServer.
 */
import { Redis } from "ioredis"
import { createClient } from "redis"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type RunningServer, startServer } from "../../src/index.js"

let server: RunningServer

beforeAll(async () => {
  server = await startServer({ port: 0 })
})

afterAll(async () => {
  await server.close()
})

describe("ioredis", () => {
  it("sets, gets, checks existence, deletes and reads TTLs", async () => {
    const redis = new Redis({ port: server.port, host: server.host, lazyConnect: true })
    await redis.connect()
    try {
      expect(await redis.set("ioredis:a", "1")).toBe("OK")
      expect(await redis.get("ioredis:a")).toBe("1")
      expect(await redis.set("ioredis:b", "two", "EX", 100)).toBe("OK")
      expect(await redis.exists("ioredis:a", "ioredis:b", "ioredis:none")).toBe(2)
      expect(await redis.ttl("ioredis:b")).toBe(100)
      expect(await redis.ttl("ioredis:a")).toBe(-1)
      expect(await redis.del("ioredis:a", "ioredis:none")).toBe(1)
      expect(await redis.get("ioredis:a")).toBeNull()
      await expect(redis.incr("ioredis:b")).rejects.toThrow("ERR value is not an integer or out of range")
    } finally {
      redis.disconnect()
    }
  })

  it("pipelines many commands and gets every reply in order", async () => {
    const redis = new Redis({ port: server.port, host: server.host })
    try {
      const pipeline = redis.pipeline()
      for (let i = 0; i < 1000; i++) pipeline.set(`pipe:${i}`, String(i))
      for (let i = 0; i < 1000; i++) pipeline.get(`pipe:${i}`)
      const results = await pipeline.exec()
      expect(results).not.toBeNull()
      const replies = (results ?? []).map(([failure, value]) => (failure === null ? value : failure))
      expect(replies.slice(0, 1000).every((reply) => reply === "OK")).toBe(true)
      expect(replies.slice(1000)).toEqual(Array.from({ length: 1000 }, (_, i) => String(i)))
    } finally {
      redis.disconnect()
    }
  })

  it("keeps binary values intact", async () => {
    const redis = new Redis({ port: server.port, host: server.host })
    try {
      const bytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i))
      await redis.set(Buffer.from([0, 255, 13, 10]), bytes)
      expect(await redis.getBuffer(Buffer.from([0, 255, 13, 10]))).toEqual(bytes)
    } finally {
      redis.disconnect()
    }
  })
})

describe("node-redis", () => {
  it("connects (HELLO / CLIENT SETINFO), sets, gets, expires and pipelines", async () => {
    const client = createClient({ url: server.url })
    await client.connect()
    try {
      expect(await client.set("node:a", "value", { EX: 50 })).toBe("OK")
      expect(await client.get("node:a")).toBe("value")
      expect(await client.ttl("node:a")).toBe(50)
      expect(await client.exists(["node:a", "node:a", "node:b"])).toBe(2)
      const replies = await client.multi().set("node:x", "1").incr("node:x").get("node:x").execAsPipeline()
      expect(replies).toEqual(["OK", 2, "2"])
      expect(await client.del("node:a")).toBe(1)
    } finally {
      await client.quit()
    }
  })

  it("speaks RESP3", async () => {
    const client = createClient({ url: server.url, RESP: 3 })
    await client.connect()
    try {
      expect(await client.set("resp3:a", "1")).toBe("OK")
      expect(await client.get("resp3:a")).toBe("1")
      expect(await client.get("resp3:missing")).toBeNull()
    } finally {
      await client.quit()
    }
  })
})

/**
 * Client tracking with real clients: node-redis's client-side cache (RESP3,
 * invalidations as pushes) and ioredis with REDIRECT to a subscriber on
 * `__redis__:invalidate` (RESP2). Byte-level comparisons with redis-server
 * are in test/differential/tracking.test.ts.
 */
import { Redis } from "ioredis"
import { BasicClientSideCache, createClient } from "redis"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type RunningServer, startServer } from "../../src/index.js"

let server: RunningServer

beforeAll(async () => {
  server = await startServer({ port: 0 })
})

afterAll(async () => {
  await server.close()
})

/** Resolves once `check` holds, polling the event loop (invalidations arrive asynchronously). */
const eventually = async (check: () => boolean): Promise<void> => {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((resolve) => setImmediate(resolve))
  expect(check()).toBe(true)
}

describe("client tracking with real clients", () => {
  it("node-redis's client-side cache serves repeated reads and drops a key another client writes", async () => {
    const cache = new BasicClientSideCache({ ttl: 0, maxEntries: 0, evictPolicy: "LRU" })
    const cached = createClient({ url: `redis://127.0.0.1:${server.port}`, RESP: 3, clientSideCache: cache })
    const writer = createClient({ url: `redis://127.0.0.1:${server.port}` })
    await cached.connect()
    await writer.connect()
    try {
      await writer.set("csc:key", "one")
      expect(await cached.get("csc:key")).toBe("one")
      expect(await cached.get("csc:key")).toBe("one")
      expect(cache.stats().hitCount).toBe(1)
      expect(cache.size()).toBe(1)
      await writer.set("csc:key", "two")
      await eventually(() => cache.size() === 0)
      expect(await cached.get("csc:key")).toBe("two")
      await writer.flushAll()
      await eventually(() => cache.size() === 0)
    } finally {
      await cached.quit()
      await writer.quit()
    }
  })

  it("ioredis: a RESP2 client redirects its invalidations to a subscriber", async () => {
    const subscriber = new Redis(server.port, "127.0.0.1")
    const reader = new Redis(server.port, "127.0.0.1")
    const writer = new Redis(server.port, "127.0.0.1")
    try {
      const subscriberId = await subscriber.client("ID")
      const messages: Array<unknown> = []
      // ioredis hands the message's key array over as its string form.
      subscriber.on("message", (channel: string, message: unknown) => messages.push([channel, String(message)]))
      await subscriber.subscribe("__redis__:invalidate")
      expect(await reader.call("CLIENT", "TRACKING", "on", "REDIRECT", String(subscriberId))).toBe("OK")
      expect(await reader.call("CLIENT", "GETREDIR")).toBe(subscriberId)
      await reader.get("io:key")
      await writer.set("io:key", "v")
      await eventually(() => messages.length === 1)
      expect(messages[0]).toEqual(["__redis__:invalidate", "io:key"])
      // Forgotten once invalidated: a second write sends nothing until the key is read again.
      await writer.set("io:key", "w")
      await reader.get("io:key")
      await writer.del("io:key")
      await eventually(() => messages.length === 2)
      expect(messages).toHaveLength(2)
    } finally {
      subscriber.disconnect()
      reader.disconnect()
      writer.disconnect()
    }
  })

  it("CLIENT INFO shows the tracking flags and the redirect", async () => {
    const client = new Redis(server.port, "127.0.0.1")
    try {
      const info = async (): Promise<string> => String(await client.call("CLIENT", "INFO"))
      expect(await info()).toMatch(/ flags=N .* redir=-1 /)
      await client.call("CLIENT", "TRACKING", "on", "BCAST")
      expect(await info()).toMatch(/ flags=tB .* redir=0 /)
      await client.call("CLIENT", "TRACKING", "off")
      expect(await info()).toMatch(/ flags=N .* redir=-1 /)
    } finally {
      client.disconnect()
    }
  })
})

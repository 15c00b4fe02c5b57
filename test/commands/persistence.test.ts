/**
 * SAVE, BGSAVE, LASTSAVE, SHUTDOWN over the wire with the in-memory Persistence.
 */
import { Redis } from "ioredis"
import { afterEach, describe, expect, it } from "vitest"
import { type RunningServer, startServer } from "../../src/index.js"

let server: RunningServer | undefined
afterEach(async () => {
  await server?.close()
  server = undefined
})

describe("persistence commands", () => {
  it("SAVE, BGSAVE, LASTSAVE and their syntax errors", async () => {
    server = await startServer({ save: [] })
    const redis = new Redis(server.port, { lazyConnect: true })
    await redis.connect()
    expect(await redis.call("SAVE")).toBe("OK")
    expect(await redis.call("BGSAVE")).toBe("Background saving started")
    await expect(redis.call("BGSAVE", "x")).rejects.toThrow("ERR syntax error")
    expect(await redis.call("LASTSAVE")).toBeTypeOf("number")
    await expect(redis.call("SHUTDOWN", "SAVE", "NOSAVE")).rejects.toThrow("ERR syntax error")
    await expect(redis.call("SHUTDOWN", "ABORT")).rejects.toThrow("ERR No shutdown in progress.")
    redis.disconnect()
  })

  it("SHUTDOWN NOSAVE closes the server", async () => {
    server = await startServer({ save: [] })
    const redis = new Redis(server.port, { lazyConnect: true, retryStrategy: () => null })
    await redis.connect()
    const closed = new Promise<void>((resolve) => redis.once("end", () => resolve()))
    redis.call("SHUTDOWN", "NOSAVE").catch(() => undefined)
    await closed
  })
})

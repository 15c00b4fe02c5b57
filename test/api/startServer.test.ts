import { Redis } from "ioredis"
import { existsSync } from "node:fs"
import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterEach, describe, expect, it } from "vitest"
import { startServer } from "../../src/index.js"

let parent: string | undefined

afterEach(async () => {
  if (parent !== undefined) await rm(parent, { recursive: true, force: true })
})

const withClient = async (dir: string, options: Parameters<typeof startServer>[0], f: (redis: Redis) => Promise<void>) => {
  const server = await startServer({ ...options, dir })
  const redis = new Redis(server.url)
  try {
    await f(redis)
  } finally {
    await redis.quit()
    await server.close()
  }
}

describe("startServer and dir", () => {
  it("creates a missing dir for file persistence; SAVE writes there", async () => {
    parent = await mkdtemp(join(tmpdir(), "effect-kv-start-"))
    const dir = join(parent, "nested", "data")
    await withClient(dir, { persistence: "file" }, async (redis) => {
      await redis.set("k", "v")
      expect(await redis.save()).toBe("OK")
    })
    expect(existsSync(join(dir, "dump.rdb"))).toBe(true)
  })

  it("leaves the disk alone with the default memory persistence", async () => {
    parent = await mkdtemp(join(tmpdir(), "effect-kv-start-"))
    const dir = join(parent, "unused")
    await withClient(dir, {}, async (redis) => {
      await redis.set("k", "v")
      expect(await redis.save()).toBe("OK")
    })
    expect(existsSync(dir)).toBe(false)
  })
})

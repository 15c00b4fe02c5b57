/**
 * SPOP in the append-only file as Redis 7.0 propagates it (t_set.c
 * spopCommand, spopWithCountCommand): SREM of the popped member; with a
 * count, one SREM per popped member in the order popped, inside MULTI/EXEC
 * when there are several; DEL when the count takes the whole set; nothing
 * when nothing is popped. What redis-server 7.0.15 wrote for the same script
 * has this shape too. The log replays to the same set after a restart.
 */
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { Either } from "effect"
import { Redis } from "ioredis"
import { afterEach, describe, expect, it } from "vitest"
import { startServer } from "../../src/index.js"
import { parseAof } from "../../src/persistence/aof/format.js"
import { type Cleanups, tempDir } from "../persistence/redis-server.js"

const cleanups: Cleanups = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

const start = async (dir: string) => {
  const server = await startServer({ appendonly: true, appendfsync: "always", dir })
  const client = new Redis({ port: server.port, host: "127.0.0.1", maxRetriesPerRequest: 1 })
  cleanups.push(() => server.close(), () => client.disconnect())
  return { server, client }
}

const srems = (key: string, members: ReadonlyArray<string>) => members.map((member) => ["SREM", key, member])

describe("SPOP in the AOF", () => {
  it("is logged as SREMs of the popped members (MULTI/EXEC when several) or DEL of the whole set", async () => {
    const dir = tempDir(cleanups)
    const { client, server } = await start(dir)
    await client.sadd("s", "a", "b", "c", "d", "e", "f", "g", "h", "i", "j")
    const three = await client.spop("s", 3)
    const one = await client.spop("s")
    const single = await client.spop("s", 1)
    const most = await client.spop("s", 4)
    const rest = await client.smembers("s")
    expect(await client.spop("s", 0)).toEqual([])
    expect(await client.spop("missing", 2)).toEqual([])
    expect(await client.spop("missing")).toBe(null)
    await client.sadd("t", "1", "2", "3")
    await client.spop("t", 5)
    // Most of the set: spopWithCountCommand's case 3 (the rest rebuilt), still SREMs in reply order.
    await client.sadd("u", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10")
    const nine = await client.spop("u", 9)

    const logged = Either.getOrThrow(parseAof(readFileSync(join(dir, "appendonly.aof")))).commands.map(({ args }) => args)
    expect(logged).toEqual([
      ["SELECT", "0"],
      ["sadd", "s", "a", "b", "c", "d", "e", "f", "g", "h", "i", "j"],
      ["MULTI"], ...srems("s", three), ["EXEC"],
      ["SREM", "s", one ?? ""],
      ...srems("s", single),
      ["MULTI"], ...srems("s", most), ["EXEC"],
      ["sadd", "t", "1", "2", "3"],
      ["DEL", "t"],
      ["sadd", "u", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10"],
      ["MULTI"], ...srems("u", nine), ["EXEC"]
    ])
    expect(rest).toHaveLength(1)

    client.disconnect()
    await server.close()
    const restarted = await start(dir)
    expect(await restarted.client.smembers("s")).toEqual(rest)
    expect(await restarted.client.exists("t")).toBe(0)
    expect(await restarted.client.scard("u")).toBe(1)
  }, 30_000)
})

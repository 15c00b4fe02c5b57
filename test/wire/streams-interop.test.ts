/**
 * Streams move both ways between effect-kv and redis-server 7.0.15 as DUMP
 * payloads (RDB_TYPE_STREAM_LISTPACKS_2): several nodes, entries flagged
 * deleted by an exact trim inside a node, fields shared with the master entry
 * or not, a last ID set by XSETID. The payload RESTOREs on the other side
 * with the same entries, length and IDs, and the same nodes: approximate
 * trims after it remove the same entries.
 */
import { Redis } from "ioredis"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type Servers, startServers } from "../differential/servers.js"

let servers: Servers
let redis: Redis
let effectKv: Redis

beforeAll(async () => {
  servers = await startServers()
  redis = new Redis({ port: servers.redisPort, host: "127.0.0.1" })
  effectKv = new Redis({ port: servers.effectKvPort, host: "127.0.0.1" })
})

afterAll(async () => {
  redis?.disconnect()
  effectKv?.disconnect()
  await servers?.stop()
})

/** A stream of 250 entries over three nodes and more, 40 of them trimmed inside the first remaining node. */
const buildStream = async (client: Redis, key: string): Promise<void> => {
  await client.del(key)
  for (let i = 1; i <= 250; i++) {
    const fields = i % 7 === 0 ? ["other", String(i), "extra", "x".repeat(i % 50)] : ["event", i % 2 === 0 ? "waiting" : "active", "jobId", String(i)]
    await client.call("XADD", key, `${1000 + Math.floor(i / 4)}-${i % 4}`, ...fields)
  }
  await client.call("XTRIM", key, "MAXLEN", "210")
  await client.call("XSETID", key, "99999-0")
}

/** What a client sees of the stream: its length, its entries, the entries after approximate trims. */
const contents = async (client: Redis, key: string) => ({
  length: await client.call("XLEN", key),
  entries: await client.call("XRANGE", key, "-", "+"),
  trimmed: await client.call("XTRIM", key, "MAXLEN", "~", "120"),
  lengthAfter: await client.call("XLEN", key),
  first: await client.call("XRANGE", key, "-", "+", "COUNT", "1")
})

describe("stream DUMP payloads between effect-kv and redis-server", () => {
  it("redis-server's payload RESTOREs in effect-kv to the same stream, and effect-kv DUMPs the same bytes", async () => {
    await buildStream(redis, "s")
    const payload = await redis.dumpBuffer("s")
    await effectKv.del("s")
    await effectKv.restore("s", 0, payload)
    expect(await effectKv.dumpBuffer("s")).toEqual(payload)
    expect(await contents(effectKv, "s")).toEqual(await contents(redis, "s"))
  })

  it("effect-kv's payload RESTOREs in redis-server to the same stream", async () => {
    await buildStream(effectKv, "t")
    const payload = await effectKv.dumpBuffer("t")
    await redis.del("t")
    await redis.restore("t", 0, payload)
    expect(await redis.dumpBuffer("t")).toEqual(payload)
    expect(await contents(redis, "t")).toEqual(await contents(effectKv, "t"))
  })
})

/**
 * MIGRATE over the wire: from effect-kv to a second effect-kv and to a real
 * redis-server 7.0, and the same commands sent by a redis-server source, whose
 * replies effect-kv must match (errors from the target, IOERR on timeouts and
 * refused connections, NOKEY). The AOF records a MIGRATE as DEL of the moved keys.
 */
import { readFileSync } from "node:fs"
import { createServer, type Server, type Socket } from "node:net"
import { join } from "node:path"
import { Redis } from "ioredis"
import { afterEach, describe, expect, it } from "vitest"
import { startServer } from "../../src/index.js"
import { freePort } from "../hardening/server-process.js"
import { type Cleanups, startRedis, tempDir } from "../persistence/redis-server.js"

const cleanups: Cleanups = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

/** An in-process effect-kv and a client of it, both stopped after the test. */
const effectKv = async (settings: Parameters<typeof startServer>[0] = {}) => {
  const server = await startServer(settings)
  cleanups.push(() => server.close())
  const client = new Redis({ port: server.port, host: "127.0.0.1", maxRetriesPerRequest: 1, password: settings.requirepass })
  cleanups.push(() => client.disconnect())
  return { port: server.port, client }
}

const redisServer = async () => {
  const client = await startRedis(cleanups, tempDir(cleanups), "dump.rdb")
  return { port: Number(client.options.port), client }
}

/** A TCP server that accepts connections and never answers. */
const silentServer = async () => {
  const sockets: Array<Socket> = []
  let open = 0
  const server: Server = createServer((socket) => {
    sockets.push(socket)
    open++
    socket.on("close", () => open--)
    socket.on("end", () => socket.destroy())
    socket.resume()
  })
  const port = await freePort()
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve))
  cleanups.push(() => new Promise<void>((resolve) => {
    server.close(() => resolve())
    for (const socket of sockets) socket.destroy()
  }))
  return { port, open: () => open }
}

/** The reply or the error message of a command. */
const answer = (client: Redis, ...args: ReadonlyArray<string | number>): Promise<unknown> =>
  client.call(String(args[0]), ...args.slice(1).map(String)).catch((error: Error) => `error: ${error.message}`)

describe("MIGRATE", () => {
  it("moves a key with its TTL to another effect-kv, deleting it here; COPY keeps it, REPLACE overwrites", async () => {
    const source = await effectKv()
    const target = await effectKv()
    await source.client.set("k", "v", "PX", 100_000)
    await source.client.hset("h", "f", "1", "g", "2")
    expect(await answer(source.client, "MIGRATE", "127.0.0.1", target.port, "k", 0, 5000)).toBe("OK")
    expect(await source.client.exists("k")).toBe(0)
    expect(await target.client.get("k")).toBe("v")
    const ttl = await target.client.pttl("k")
    expect(ttl).toBeGreaterThan(90_000)
    expect(ttl).toBeLessThanOrEqual(100_000)

    expect(await answer(source.client, "MIGRATE", "127.0.0.1", target.port, "h", 0, 5000, "COPY")).toBe("OK")
    expect(await source.client.hgetall("h")).toEqual({ f: "1", g: "2" })
    expect(await target.client.hgetall("h")).toEqual({ f: "1", g: "2" })
    await source.client.hset("h", "f", "changed")
    expect(await answer(source.client, "MIGRATE", "127.0.0.1", target.port, "h", 0, 5000, "COPY")).toBe(
      "error: ERR Target instance replied with error: BUSYKEY Target key name already exists."
    )
    expect(await answer(source.client, "MIGRATE", "127.0.0.1", target.port, "h", 0, 5000, "REPLACE")).toBe("OK")
    expect(await target.client.hget("h", "f")).toBe("changed")
    expect(await source.client.exists("h")).toBe(0)
    expect(await target.client.ttl("h")).toBe(-1)
  }, 30_000)

  it("moves several keys with KEYS to another database, skipping missing ones; NOKEY when none is here", async () => {
    const source = await effectKv()
    const target = await effectKv()
    await source.client.set("a", "1")
    await source.client.sadd("s", "x", "y")
    await source.client.set("b", "2")
    expect(await answer(source.client, "MIGRATE", "127.0.0.1", target.port, "", 3, 5000, "KEYS", "a", "missing", "s", "b"))
      .toBe("OK")
    expect(await source.client.dbsize()).toBe(0)
    await target.client.select(3)
    expect((await target.client.keys("*")).sort()).toEqual(["a", "b", "s"])
    expect((await target.client.smembers("s")).sort()).toEqual(["x", "y"])
    expect(await answer(source.client, "MIGRATE", "127.0.0.1", target.port, "", 3, 5000, "KEYS", "a")).toBe("NOKEY")
  }, 30_000)

  it("moves every type to a real redis-server, which reads our payloads", async () => {
    const source = await effectKv()
    const target = await redisServer()
    await source.client.set("str", "hello")
    await source.client.set("int", "12345", "EX", 1000)
    await source.client.hset("hash", "f", "v")
    await source.client.sadd("set", "1", "2", "3")
    await source.client.sadd("bigset", ...Array.from({ length: 600 }, (_, i) => `m${i}`))
    expect(await answer(source.client, "MIGRATE", "127.0.0.1", target.port, "", 5, 5000, "KEYS", "str", "int", "hash", "set", "bigset"))
      .toBe("OK")
    await target.client.select(5)
    expect(await target.client.get("str")).toBe("hello")
    expect(await target.client.get("int")).toBe("12345")
    expect(await target.client.ttl("int")).toBeGreaterThan(990)
    expect(await target.client.hgetall("hash")).toEqual({ f: "v" })
    expect(await target.client.scard("bigset")).toBe(600)
    expect(await target.client.object("ENCODING", "set")).toBe("intset")
    expect(await source.client.dbsize()).toBe(0)
  }, 30_000)

  it("answers as a redis-server source does: target errors, wrong passwords, syntax, refused and silent targets", async () => {
    const ours = await effectKv()
    const theirs = await redisServer()
    const target = await effectKv({ requirepass: "secret" })
    const silent = await silentServer()
    const refused = await freePort()
    const scenarios: ReadonlyArray<ReadonlyArray<string | number>> = [
      ["MIGRATE", "127.0.0.1", target.port, "k", 0, 2000],
      ["MIGRATE", "127.0.0.1", target.port, "k", 0, 2000, "AUTH", "wrong"],
      ["MIGRATE", "127.0.0.1", target.port, "k", 0, 2000, "AUTH2", "default", "wrong"],
      ["MIGRATE", "127.0.0.1", target.port, "k", 0, 2000, "AUTH", "secret", "COPY"],
      ["MIGRATE", "127.0.0.1", target.port, "k", 0, 2000, "AUTH", "secret", "COPY"],
      ["MIGRATE", "127.0.0.1", target.port, "k", 0, 2000, "AUTH", "secret", "COPY", "REPLACE"],
      ["MIGRATE", "127.0.0.1", target.port, "k", 99, 2000, "AUTH", "secret", "COPY"],
      ["MIGRATE", "127.0.0.1", target.port, "k", 0, 2000, "AUTH"],
      ["MIGRATE", "127.0.0.1", target.port, "k", 0, 2000, "AUTH2", "x"],
      ["MIGRATE", "127.0.0.1", target.port, "k", 0, 2000, "BOGUS"],
      ["MIGRATE", "127.0.0.1", target.port, "k", 0, 2000, "KEYS", "k"],
      ["MIGRATE", "127.0.0.1", target.port, "k", "x", 2000],
      ["MIGRATE", "127.0.0.1", target.port, "k", 0, "soon"],
      ["MIGRATE", "127.0.0.1", target.port, "missing", 0, 2000],
      ["MIGRATE", "127.0.0.1", refused, "k", 0, 500],
      ["MIGRATE", "127.0.0.1", silent.port, "k", 0, 300]
    ]
    const replies = async (client: Redis) => {
      await client.set("k", "value")
      const all: Array<unknown> = []
      for (const scenario of scenarios) all.push(await answer(client, ...scenario))
      all.push(await client.get("k"))
      return all
    }
    const fromRedis = await replies(theirs.client)
    await target.client.flushall()
    const fromEffectKv = await replies(ours.client)
    expect(fromEffectKv).toEqual(fromRedis)
    expect(fromRedis).toContain("error: IOERR error or timeout reading to target instance")
    expect(fromRedis).toContain("error: IOERR error or timeout writing to target instance")
    // Both sources closed the connection that timed out.
    await expect.poll(silent.open).toBe(0)
  }, 60_000)

  it("sends SELECT only when the target database changes, over one cached connection, as redis-server does", async () => {
    const target = await effectKv()
    const calls = async (source: Redis) => {
      await target.client.config("RESETSTAT")
      await source.mset("x", "1", "y", "2", "z", "3")
      for (const [key, db] of [["x", 0], ["y", 0], ["z", 1]] as const) {
        expect(await answer(source, "MIGRATE", "127.0.0.1", target.port, key, db, 5000)).toBe("OK")
      }
      const stats = await target.client.info("commandstats")
      await target.client.flushall()
      return [/cmdstat_select:calls=(\d+)/.exec(stats)?.[1], /cmdstat_restore:calls=(\d+)/.exec(stats)?.[1]]
    }
    const ours = await effectKv()
    const theirs = await redisServer()
    const fromEffectKv = await calls(ours.client)
    expect(fromEffectKv).toEqual(await calls(theirs.client))
    expect(fromEffectKv).toEqual(["2", "3"])
    expect(Number(/connected_clients:(\d+)/.exec(await target.client.info("clients"))?.[1])).toBe(3)
  }, 30_000)

  it("is logged to the AOF as DEL of the moved keys only; COPY and NOKEY log nothing", async () => {
    const dir = tempDir(cleanups)
    const source = await effectKv({ appendonly: true, appendfsync: "always", dir })
    const target = await effectKv()
    await source.client.set("a", "1")
    await source.client.set("b", "2")
    await source.client.set("c", "3")
    await target.client.set("b", "taken")
    expect(await answer(source.client, "MIGRATE", "127.0.0.1", target.port, "", 0, 5000, "KEYS", "a", "b", "c")).toBe(
      "error: ERR Target instance replied with error: BUSYKEY Target key name already exists."
    )
    expect(await answer(source.client, "MIGRATE", "127.0.0.1", target.port, "b", 0, 5000, "COPY", "REPLACE")).toBe("OK")
    expect(await answer(source.client, "MIGRATE", "127.0.0.1", target.port, "zz", 0, 5000)).toBe("NOKEY")
    expect(await source.client.keys("*")).toEqual(["b"])
    const log = readFileSync(join(dir, "appendonly.aof"), "latin1")
    const words = log.split("\r\n").filter((line) => line !== "" && !/^[*$#]/.test(line))
    expect(words).toEqual(["SELECT", "0", "set", "a", "1", "set", "b", "2", "set", "c", "3", "DEL", "a", "c"])
  }, 30_000)
})

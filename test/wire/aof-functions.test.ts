/**
 * Function libraries in the append-only file as Redis 7.0 writes it: FUNCTION
 * LOAD / DELETE / FLUSH / RESTORE logged as given (functions.c counts them in
 * server.dirty; redis-server 7.0.15's incr file for the same script has the
 * same lines), replayed at start (FCALL works after a restart), and the
 * rewrite starts with one FUNCTION LOAD per library (aof.c rewriteFunctions).
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

const library = (name: string, fn: string, result: number): string =>
  `#!lua name=${name}\nredis.register_function('${fn}', function() return ${result} end)`

const logged = (dir: string): ReadonlyArray<ReadonlyArray<string>> =>
  Either.getOrThrow(parseAof(readFileSync(join(dir, "appendonly.aof")))).commands.map(({ args }) => args)

describe("functions in the AOF", () => {
  it("FUNCTION LOAD / DELETE / FLUSH / RESTORE are logged as given and replayed at start", async () => {
    const dir = tempDir(cleanups)
    const first = await start(dir)
    await first.client.call("FUNCTION", "LOAD", library("a", "fa", 1))
    await first.client.call("FUNCTION", "LOAD", "REPLACE", library("a", "fa", 2))
    await first.client.call("FUNCTION", "LOAD", library("b", "fb", 1))
    await first.client.call("FUNCTION", "DELETE", "b")
    await first.client.set("x", "1")
    await expect(first.client.call("FUNCTION", "LOAD", library("a", "fa", 3))).rejects.toThrow("ERR Library 'a' already exists")
    const payload = await first.client.callBuffer("FUNCTION", "DUMP")
    if (!Buffer.isBuffer(payload)) throw new Error("FUNCTION DUMP did not answer a bulk string")
    await first.client.call("FUNCTION", "FLUSH", "ASYNC")
    await first.client.call("FUNCTION", "LOAD", library("c", "fc", 3))
    await first.client.callBuffer("FUNCTION", "RESTORE", payload)

    expect(logged(dir)).toEqual([
      ["SELECT", "0"],
      ["FUNCTION", "LOAD", library("a", "fa", 1)],
      ["FUNCTION", "LOAD", "REPLACE", library("a", "fa", 2)],
      ["FUNCTION", "LOAD", library("b", "fb", 1)],
      ["FUNCTION", "DELETE", "b"],
      ["set", "x", "1"],
      ["FUNCTION", "FLUSH", "ASYNC"],
      ["FUNCTION", "LOAD", library("c", "fc", 3)],
      ["FUNCTION", "RESTORE", payload.toString("latin1")]
    ])
    await first.server.close()

    const second = await start(dir)
    expect(await second.client.call("FCALL", "fa", "0")).toBe(2)
    expect(await second.client.call("FCALL", "fc", "0")).toBe(3)
    await expect(second.client.call("FCALL", "fb", "0")).rejects.toThrow("ERR Function not found")
    expect(await second.client.get("x")).toBe("1")
  })

  it("BGREWRITEAOF writes one FUNCTION LOAD per library before the databases; the rewritten log replays", async () => {
    const dir = tempDir(cleanups)
    const first = await start(dir)
    await first.client.call("FUNCTION", "LOAD", library("a", "fa", 1))
    await first.client.call("FUNCTION", "LOAD", library("b", "fb", 2))
    await first.client.set("x", "1")
    expect(await first.client.bgrewriteaof()).toBe("Background append only file rewriting started")
    for (let attempt = 0; attempt < 200; attempt++) {
      if ((await first.client.info("persistence")).includes("aof_rewrites:1")) break
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
    expect(logged(dir)).toEqual([
      ["FUNCTION", "LOAD", library("a", "fa", 1)],
      ["FUNCTION", "LOAD", library("b", "fb", 2)],
      ["SELECT", "0"],
      ["SET", "x", "1"]
    ])
    await first.server.close()
    const second = await start(dir)
    expect(await second.client.call("FCALL", "fb", "0")).toBe(2)
    expect(await second.client.call("FUNCTION", "LOAD", library("c", "fc", 3))).toBe("c")
  })
})

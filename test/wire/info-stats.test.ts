/**
 * INFO's counters over a real socket (issue 11, part 4): keyspace hits and
 * misses, errors, network bytes, commandstats and errorstats, CONFIG
 * RESETSTAT. The expected figures are what redis-server 7.0.15 answers to the
 * same requests.
 */
import { Redis } from "ioredis"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type RunningServer, startServer } from "../../src/index.js"
import { connectRaw } from "./raw-client.js"

let server: RunningServer

beforeAll(async () => {
  server = await startServer({ port: 0, save: [] })
})

afterAll(async () => {
  await server.close()
})

/** `name:value` fields of an INFO reply. */
const fields = (text: string): ReadonlyMap<string, string> =>
  new Map(text.split("\r\n").filter((line) => line.includes(":")).map((line) => {
    const colon = line.indexOf(":")
    return [line.slice(0, colon), line.slice(colon + 1)] as const
  }))

describe("INFO stats, commandstats, errorstats", () => {
  it("counts calls, rejected and failed calls, error codes, keyspace hits and misses as Redis does", async () => {
    const redis = new Redis({ port: server.port, host: server.host })
    try {
      await redis.config("RESETSTAT")
      await redis.set("a", "1")
      await redis.get("a")
      await redis.get("b")
      await redis.exists("a", "b", "a")
      await redis.set("s", "x")
      const errors = await Promise.allSettled([
        redis.call("GET"),
        redis.call("INCR", "a", "x"),
        redis.incr("s"),
        redis.call("NOSUCH"),
        redis.call("CONFIG", "FOO")
      ])
      expect(errors.every((result) => result.status === "rejected")).toBe(true)
      const stats = fields(await redis.info("stats"))
      expect(stats.get("keyspace_hits")).toBe("3")
      expect(stats.get("keyspace_misses")).toBe("2")
      expect(stats.get("total_error_replies")).toBe("5")
      const commands = fields(await redis.info("commandstats"))
      const shape = /^calls=(\d+),usec=\d+,usec_per_call=\d+\.\d\d,rejected_calls=(\d+),failed_calls=(\d+)$/
      const counts = (name: string) => shape.exec(commands.get(`cmdstat_${name}`) ?? "")?.slice(1).map(Number)
      expect(counts("get")).toEqual([2, 1, 0])
      expect(counts("set")).toEqual([2, 0, 0])
      expect(counts("exists")).toEqual([1, 0, 0])
      expect(counts("incr")).toEqual([1, 1, 1])
      expect(counts("config|resetstat")).toEqual([1, 0, 0])
      expect([...commands.keys()].some((name) => name.includes("nosuch") || name === "cmdstat_config")).toBe(false)
      expect(await redis.info("errorstats")).toBe("# Errorstats\r\nerrorstat_ERR:count=5\r\n")
      await redis.config("RESETSTAT")
      const reset = fields(await redis.info("stats", "commandstats", "errorstats"))
      expect(reset.get("keyspace_hits")).toBe("0")
      expect(reset.get("total_error_replies")).toBe("0")
      expect([...reset.keys()].filter((name) => name.startsWith("cmdstat_"))).toEqual(["cmdstat_config|resetstat"])
      expect([...reset.keys()].some((name) => name.startsWith("errorstat_"))).toBe(false)
    } finally {
      redis.disconnect()
    }
  })

  it("counts every byte in and out", async () => {
    const client = await connectRaw(server.port)
    try {
      const resetstat = "*2\r\n$6\r\nCONFIG\r\n$9\r\nRESETSTAT\r\n"
      client.send(resetstat)
      expect(await client.read(5)).toBe("+OK\r\n")
      const ping = "*1\r\n$4\r\nPING\r\n"
      client.send(ping)
      expect(await client.read(7)).toBe("+PONG\r\n")
      const info = "*2\r\n$4\r\nINFO\r\n$5\r\nstats\r\n"
      client.send(info)
      let reply = ""
      while (!reply.endsWith("\r\n\r\n")) reply += await client.read(1)
      // Redis counts the input before it runs INFO; the output written so far is RESETSTAT's +OK (after the reset) and +PONG.
      const stats = fields(reply)
      expect(stats.get("total_net_input_bytes")).toBe(String(ping.length + info.length))
      expect(stats.get("total_net_output_bytes")).toBe(String("+OK\r\n+PONG\r\n".length))
    } finally {
      client.close()
    }
  })
})

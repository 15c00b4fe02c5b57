/**
 * INFO, CONFIG, SLOWLOG, MONITOR and CLIENT KILL over a real socket, with
 * ioredis, node-redis and redis-cli.
 */
import { execFile, spawn } from "node:child_process"
import { promisify } from "node:util"
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

/** redis-cli against the in-process server (asynchronously: the server runs on this event loop). */
const cli = async (...args: Array<string>): Promise<string> =>
  (await promisify(execFile)("redis-cli", ["-p", String(server.port), ...args], { encoding: "latin1", timeout: 10_000 })).stdout

describe("INFO", () => {
  it("passes ioredis's ready check and reports Redis's fields", async () => {
    const redis = new Redis({ port: server.port, host: server.host })
    try {
      await redis.set("info:a", "1")
      const text = await redis.info()
      expect(text).toMatch(/^# Server\r\nredis_version:7\.0\.15\r\n/)
      expect(text).toContain("redis_mode:standalone\r\n")
      expect(text).toContain(`tcp_port:${server.port}\r\n`)
      expect(text).toContain("loading:0\r\n")
      expect(text).toContain("role:master\r\n")
      expect(text).toMatch(/db0:keys=\d+,expires=\d+,avg_ttl=0/)
      expect(text).not.toContain("# Commandstats")
      expect(await redis.info("clients", "stats")).toMatch(/^# Clients\r\nconnected_clients:\d+\r\n[^]*\r\n\r\n# Stats\r\n/)
    } finally {
      redis.disconnect()
    }
  })

  it("is read by redis-cli INFO and redis-cli --stat", async () => {
    expect(await cli("INFO", "server")).toContain("effect_kv_version:")
    const stat = spawn("redis-cli", ["-p", String(server.port), "--stat", "-i", "0.1"])
    const output = await new Promise<string>((resolve) => {
      let text = ""
      stat.stdout.on("data", (chunk: Buffer) => {
        text += chunk.toString("latin1")
        if (text.split("\n").length > 3) resolve(text)
      })
    })
    stat.kill()
    const [, header, firstLine] = output.split("\n")
    expect(header).toMatch(/keys\s+mem\s+clients/)
    expect(firstLine).toMatch(/^\d+\s+\S+\s+\d+/)
  })
})

describe("CONFIG", () => {
  it("gets by glob, sets runtime parameters and refuses protected ones (node-redis)", async () => {
    const client = createClient({ socket: { port: server.port, host: server.host } })
    await client.connect()
    try {
      expect(await client.configGet("maxmemory*")).toEqual({
        maxmemory: "0", "maxmemory-policy": "noeviction", "maxmemory-clients": "0", "maxmemory-samples": "5",
        "maxmemory-eviction-tenacity": "10"
      })
      expect(await client.configSet("maxmemory", "10mb")).toBe("OK")
      expect(await client.configGet("maxmemory")).toEqual({ maxmemory: "10485760" })
      await expect(client.configSet("dir", "/tmp")).rejects.toThrow(
        "ERR CONFIG SET failed (possibly related to argument 'dir') - can't set protected config")
      await expect(client.configSet("foo", "1")).rejects.toThrow("ERR Unknown option or number of arguments for CONFIG SET - 'foo'")
      await client.configSet("maxmemory", "0")
    } finally {
      await client.quit()
    }
  })
})

describe("SLOWLOG, MONITOR, CLIENT KILL", () => {
  it("logs commands over the threshold", async () => {
    const redis = new Redis({ port: server.port, host: server.host })
    try {
      await redis.config("SET", "slowlog-log-slower-than", "0")
      await redis.slowlog("RESET")
      await redis.echo("slow")
      await redis.config("SET", "slowlog-log-slower-than", "10000")
      const entries = await redis.call("SLOWLOG", "GET", "-1")
      expect(JSON.stringify(entries)).toContain("\"echo\",\"slow\"")
    } finally {
      redis.disconnect()
    }
  })

  it("streams commands to a monitor as Redis formats them", async () => {
    const monitor = await new Redis({ port: server.port, host: server.host }).monitor()
    const redis = new Redis({ port: server.port, host: server.host })
    try {
      const seen = new Promise<ReadonlyArray<string>>((resolve) => {
        monitor.on("monitor", (_time: string, args: ReadonlyArray<string>) => {
          if (args[0] === "echo") resolve(args)
        })
      })
      await redis.echo("watched")
      expect(await seen).toEqual(["echo", "watched"])
    } finally {
      monitor.disconnect()
      redis.disconnect()
    }
  })

  it("stamps MONITOR lines with microseconds (`1732780000.123456`), not milliseconds", async () => {
    const monitor = await new Redis({ port: server.port, host: server.host }).monitor()
    const redis = new Redis({ port: server.port, host: server.host })
    try {
      const times: Array<string> = []
      const seen = new Promise<void>((resolve) => {
        monitor.on("monitor", (time: string, args: ReadonlyArray<string>) => {
          if (args[0] !== "echo") return
          times.push(time)
          if (times.length === 20) resolve()
        })
      })
      for (let i = 0; i < 20; i++) await redis.echo(`tick${i}`)
      await seen
      const nowSeconds = Date.now() / 1000
      for (const time of times) {
        expect(time).toMatch(/^\d{10}\.\d{6}$/)
        expect(Math.abs(Number(time) - nowSeconds)).toBeLessThan(10)
      }
      // A millisecond clock times 1000 always ends in 000; twenty real microsecond readings do not.
      expect(times.some((time) => !time.endsWith("000"))).toBe(true)
    } finally {
      monitor.disconnect()
      redis.disconnect()
    }
  })

  it("kills a client by id", async () => {
    const victim = new Redis({ port: server.port, host: server.host, retryStrategy: () => null })
    const redis = new Redis({ port: server.port, host: server.host })
    try {
      const id = await victim.client("ID")
      const closed = new Promise<void>((resolve) => victim.once("end", () => resolve()))
      expect(await redis.client("KILL", "ID", String(id))).toBe(1)
      await closed
      await expect(redis.client("KILL", "1.2.3.4:5")).rejects.toThrow("ERR No such client")
    } finally {
      victim.disconnect()
      redis.disconnect()
    }
  })
})

describe("redis-cli key tools", () => {
  it("--scan and --bigkeys walk the keyspace", async () => {
    await cli("SET", "tools:a", "1")
    await cli("SET", "tools:b", "a longer value")
    expect((await cli("--scan", "--pattern", "tools:*")).split("\n").filter(Boolean).sort()).toEqual(["tools:a", "tools:b"])
    expect(await cli("--bigkeys")).toMatch(/Biggest string found '[^']+' has \d+ bytes/)
  })
})

describe("INFO persistence", () => {
  it("reports the persistence services' state (a SAVE moves rdb_saves and resets the changes)", async () => {
    const server = await startServer({ port: 0 })
    const redis = new Redis({ port: server.port, host: server.host })
    try {
      await redis.set("info:persist", "1")
      const before = await redis.info("persistence")
      expect(before).toContain("rdb_changes_since_last_save:1\r\n")
      expect(before).toContain("rdb_saves:0\r\n")
      expect(await redis.save()).toBe("OK")
      const after = await redis.info("persistence")
      expect(after).toContain("rdb_changes_since_last_save:0\r\n")
      expect(after).toContain("rdb_saves:1\r\n")
      expect(after).toContain("rdb_last_bgsave_status:ok\r\n")
    } finally {
      redis.disconnect()
      await server.close()
    }
  })
})

describe("DEBUG RELOAD", () => {
  it("answers OK and keeps the data and TTLs", async () => {
    const redis = new Redis({ port: server.port, host: server.host })
    try {
      await redis.set("reload:a", "1", "EX", "1000")
      expect(await redis.call("DEBUG", "RELOAD")).toBe("OK")
      expect(await redis.get("reload:a")).toBe("1")
      expect(await redis.ttl("reload:a")).toBeGreaterThan(990)
    } finally {
      redis.disconnect()
    }
  })
})

describe("CLIENT PAUSE", () => {
  it("holds a write until another client's CLIENT UNPAUSE; reads go on", async () => {
    const writer = new Redis({ port: server.port, host: server.host })
    const other = new Redis({ port: server.port, host: server.host })
    try {
      expect(await other.call("CLIENT", "PAUSE", "60000", "WRITE")).toBe("OK")
      let written = false
      const write = writer.set("pause:a", "1").then((reply) => {
        written = true
        return reply
      })
      expect(await other.get("pause:a")).toBeNull()
      expect(written).toBe(false)
      expect(await other.call("CLIENT", "UNPAUSE")).toBe("OK")
      expect(await write).toBe("OK")
      expect(await other.get("pause:a")).toBe("1")
    } finally {
      writer.disconnect()
      other.disconnect()
    }
  })
})

/**
 * CONFIG GET and SET over every parameter redis-server 7.0.15 has (issue 11,
 * part 4). The fixture is redis-server 7.0.15's `CONFIG GET *` at its
 * defaults (started with --port 7501 --daemonize yes --logfile ... --dir /tmp).
 */
import { readFileSync } from "node:fs"
import { Redis } from "ioredis"
import * as fc from "fast-check"
import { Either } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type RunningServer, startServer } from "../../src/index.js"
import { formatKeyspaceEvents, parseKeyspaceEvents } from "../../src/config/parameter-syntax.js"

let server: RunningServer
let redis: Redis

beforeAll(async () => {
  server = await startServer({ port: 0, save: [] })
  redis = new Redis({ port: server.port, host: server.host })
})

afterAll(async () => {
  redis.disconnect()
  await server.close()
})

const fixture = readFileSync(new URL("../fixtures/redis-7.0.15-config-get-all.txt", import.meta.url), "utf8").split("\n")
const redisDefaults = new Map(Array.from({ length: Math.floor(fixture.length / 2) }, (_, i) => [fixture[2 * i], fixture[2 * i + 1]] as const))
/** Where effect-kv's answer is its own setting (the listener, the directory, an embedded server's loglevel), or the reference ran daemonized with a log file. */
const ownSettings = new Set(["bind", "port", "dir", "daemonize", "logfile", "pidfile", "save", "loglevel"])

const configGet = async (pattern: string): Promise<Map<string, string>> => {
  const reply: unknown = await redis.config("GET", pattern)
  const flat = Array.isArray(reply) ? reply.map(String) : []
  return new Map(Array.from({ length: flat.length / 2 }, (_, i) => [flat[2 * i], flat[2 * i + 1]] as const))
}

const setError = async (name: string, value: string): Promise<string> =>
  redis.config("SET", name, value).then(() => "OK", (error: Error) => error.message)

describe("CONFIG GET", () => {
  it("answers every parameter of Redis 7.0.15 with its default", async () => {
    const all = await configGet("*")
    expect([...all.keys()].sort()).toEqual([...redisDefaults.keys()].sort())
    for (const [name, value] of redisDefaults) {
      if (!ownSettings.has(name)) expect([name, all.get(name)]).toEqual([name, value])
    }
    expect(await configGet("databases")).toEqual(new Map([["databases", "16"]]))
  })
})

describe("CONFIG SET", () => {
  it("sets the encodings' thresholds under either name, and refuses bad values with Redis's errors", async () => {
    expect(await redis.config("SET", "hash-max-ziplist-entries", "100")).toBe("OK")
    expect(await configGet("hash-max-*-entries")).toEqual(new Map([["hash-max-listpack-entries", "100"], ["hash-max-ziplist-entries", "100"]]))
    expect(await redis.config("SET", "zset-max-listpack-value", "1kb", "list-max-listpack-size", "-3")).toBe("OK")
    expect((await configGet("zset-max-listpack-value")).get("zset-max-listpack-value")).toBe("1024")
    await redis.config("SET", "hash-max-listpack-entries", "512", "zset-max-listpack-value", "64", "list-max-listpack-size", "-2")
    const failed = (name: string, reason: string) => `ERR CONFIG SET failed (possibly related to argument '${name}') - ${reason}`
    expect(await setError("databases", "3")).toBe(failed("databases", "can't set immutable config"))
    expect(await setError("set-max-intset-entries", "x")).toBe(failed("set-max-intset-entries", "argument couldn't be parsed into an integer"))
    expect(await setError("active-defrag-cycle-max", "100")).toBe(failed("active-defrag-cycle-max", "argument must be between 1 and 99 inclusive"))
    expect(await setError("repl-backlog-size", "0")).toBe(failed("repl-backlog-size", "argument must be between 1 and 9223372036854775807 inclusive"))
    expect(await setError("activerehashing", "maybe")).toBe(failed("activerehashing", "argument must be 'yes' or 'no'"))
    expect(await setError("repl-diskless-load", "x")).toBe(
      failed("repl-diskless-load", "argument(s) must be one of the following: disabled, on-empty-db, swapdb"))
    expect(await setError("notify-keyspace-events", "KEq")).toBe(
      failed("notify-keyspace-events", "Invalid event class character. Use 'Ag$lshzxeKEtmdn'."))
    expect(await setError("client-output-buffer-limit", "master 1 2 3")).toBe(
      failed("client-output-buffer-limit", "Invalid client class specified in buffer limit configuration."))
    expect(await setError("oom-score-adj-values", "1 2")).toBe(failed("oom-score-adj-values", "wrong number of arguments"))
    expect(await setError("maxmemory-clients", "101%")).toBe(failed("maxmemory-clients", "percentage argument must be less or equal to 100"))
  })

  it("remembers parameters effect-kv does not act on, in CONFIG GET's normal form", async () => {
    await redis.config("SET", "notify-keyspace-events", "KEA", "hz", "20", "client-output-buffer-limit", "normal 1mb 2kb 3 replica 1 2 3")
    const got = await configGet("*")
    expect(got.get("notify-keyspace-events")).toBe("AKE")
    expect(got.get("hz")).toBe("20")
    expect(got.get("client-output-buffer-limit")).toBe("normal 1048576 2048 3 slave 1 2 3 pubsub 33554432 8388608 60")
    await redis.config("SET", "notify-keyspace-events", "mEKn$g", "hz", "10")
    expect((await configGet("notify-keyspace-events")).get("notify-keyspace-events")).toBe("g$nKEm")
    await redis.config("SET", "notify-keyspace-events", "")
  })
})

describe("notify-keyspace-events", () => {
  it("reads back what it shows (format . parse is idempotent) and refuses any other character", () => {
    fc.assert(fc.property(fc.string({ unit: fc.constantFrom(..."Ag$lshzxeKEtmdn") }), (text) => {
      const flags = Either.getOrThrow(parseKeyspaceEvents(text))
      const shown = formatKeyspaceEvents(flags)
      expect(formatKeyspaceEvents(Either.getOrThrow(parseKeyspaceEvents(shown)))).toBe(shown)
    }))
    expect(Either.isLeft(parseKeyspaceEvents("Kq"))).toBe(true)
  })
})

/**
 * Scripting over real sockets: EVAL / EVALSHA / SCRIPT through ioredis
 * (defineCommand) and node-redis, the exact error replies, read-only
 * scripts, BUSY and SCRIPT KILL, and two applications built on scripts:
 * redlock and rate-limiter-flexible's RateLimiterRedis.
 */
import { Redis } from "ioredis"
import { createHash } from "node:crypto"
import { RateLimiterRedis } from "rate-limiter-flexible"
import Redlock from "redlock"
import { createClient } from "redis"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type RunningServer, startServer } from "../../src/index.js"

let server: RunningServer
let client: Redis

beforeAll(async () => {
  server = await startServer({ port: 0 })
  client = new Redis({ port: server.port, lazyConnect: true, maxRetriesPerRequest: 0 })
  await client.connect()
})

afterAll(async () => {
  client.disconnect()
  await server.close()
})

describe("EVAL and friends", () => {
  it("run scripts with KEYS and ARGV, cache them by SHA-1 and answer as Redis", async () => {
    expect(await client.eval("redis.call('SET', KEYS[1], ARGV[1]) return redis.call('GET', KEYS[1])", 1, "k", "v")).toBe("v")
    const sha = await client.script("LOAD", "return {KEYS[1], ARGV[1], 3.7, true, false}")
    expect(sha).toBe(createHash("sha1").update("return {KEYS[1], ARGV[1], 3.7, true, false}").digest("hex"))
    expect(await client.evalsha(String(sha), 1, "a", "b")).toEqual(["a", "b", 3, 1, null])
    expect(await client.script("EXISTS", String(sha), "0000000000000000000000000000000000000000")).toEqual([1, 0])
    await expect(client.evalsha("0000000000000000000000000000000000000000", 0)).rejects.toThrow("NOSCRIPT No matching script. Please use EVAL.")
    expect(await client.script("FLUSH")).toBe("OK")
    expect(await client.script("EXISTS", String(sha))).toEqual([0])
  })

  it("phrase errors with the script's SHA-1 and line", async () => {
    const incr = "return redis.call('INCR', KEYS[1])"
    const incrSha = createHash("sha1").update(incr).digest("hex")
    await client.set("k", "v")
    await expect(client.eval(incr, 1, "k")).rejects.toThrow(
      `ERR value is not an integer or out of range script: ${incrSha}, on @user_script:1.`
    )
    await expect(client.eval("x=1", 0)).rejects.toThrow("ERR user_script:1: Attempt to modify a readonly table script: 7caf6056913504f0508c65faf2dc3f94ff65bcfd, on @user_script:1.")
    await expect(client.eval("return 10 // 3", 0)).rejects.toThrow("ERR Error compiling script (new function): user_script:1: unexpected symbol near '/'")
    await expect(client.eval("return 1", -1)).rejects.toThrow("ERR Number of keys can't be negative")
    await expect(client.eval("return redis.call('subscribe', 'x')", 0)).rejects.toThrow("ERR This Redis command is not allowed from script")
    await expect(client.call("EVAL_RO", "return redis.call('set', 'x', '1')", "0")).rejects.toThrow("ERR Write commands are not allowed from read-only scripts.")
  })

  it("work through ioredis defineCommand and node-redis", async () => {
    client.defineCommand("incrTwice", { numberOfKeys: 1, lua: "redis.call('INCR', KEYS[1]) return redis.call('INCR', KEYS[1])" })
    // defineCommand adds the method at run time.
    expect(await client.call("EVAL", "redis.call('DEL', KEYS[1]) return 0", "1", "counter")).toBe(0)
    expect(await Reflect.apply(Reflect.get(client, "incrTwice"), client, ["counter"])).toBe(2)
    expect(await Reflect.apply(Reflect.get(client, "incrTwice"), client, ["counter"])).toBe(4)
    const nodeRedis = createClient({ socket: { port: server.port } })
    await nodeRedis.connect()
    expect(await nodeRedis.eval("return redis.call('HSET', KEYS[1], 'f', ARGV[1])", { keys: ["h"], arguments: ["1"] })).toBe(1)
    expect(await nodeRedis.eval("return redis.call('HGETALL', KEYS[1])", { keys: ["h"] })).toEqual(["f", "1"])
    await nodeRedis.quit()
  })

  it("answer BUSY to others past busy-reply-threshold, and stop at SCRIPT KILL", async () => {
    await client.config("SET", "busy-reply-threshold", "100")
    const other = new Redis({ port: server.port, maxRetriesPerRequest: 0 })
    await other.ping()
    const looping = client.eval("local i = 0 while true do i = i + 1 end", 0).catch((error: unknown) => error)
    await new Promise((resolve) => setTimeout(resolve, 400))
    await expect(other.get("k")).rejects.toThrow("BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.")
    expect(await other.script("KILL")).toBe("OK")
    const killed = await looping
    expect(String(killed)).toContain("ERR Script killed by user with SCRIPT KILL...")
    await expect(other.script("KILL")).rejects.toThrow("NOTBUSY No scripts in execution right now.")
    other.disconnect()
    await client.config("SET", "busy-reply-threshold", "5000")
  })

  it("refuse to kill a script that wrote; SHUTDOWN NOSAVE still stops the server", async () => {
    const doomed = await startServer({ port: 0 })
    const writer = new Redis({ port: doomed.port, maxRetriesPerRequest: 0 })
    const other = new Redis({ port: doomed.port, maxRetriesPerRequest: 0 })
    await other.ping()
    await writer.config("SET", "busy-reply-threshold", "100")
    const looping = writer.eval("redis.call('SET', 'w', '1') while true do end", 0).catch((error: unknown) => error)
    await new Promise((resolve) => setTimeout(resolve, 400))
    await expect(other.script("KILL")).rejects.toThrow("UNKILLABLE Sorry the script already executed write commands")
    await other.call("SHUTDOWN", "NOSAVE").catch(() => undefined)
    await doomed.close()
    expect(await looping).toBeInstanceOf(Error)
    writer.disconnect()
    other.disconnect()
  })
})

describe("applications built on scripts", () => {
  it("redlock: acquire, contend, release", async () => {
    const redlock = new Redlock([client], { retryCount: 0 })
    const lock = await redlock.acquire(["resource"], 5000)
    await expect(redlock.acquire(["resource"], 5000)).rejects.toThrow()
    await lock.release()
    const again = await redlock.acquire(["resource"], 5000)
    await again.release()
  })

  it("rate-limiter-flexible: consume until rejected, with msBeforeNext", async () => {
    const limiter = new RateLimiterRedis({ storeClient: client, points: 3, duration: 10, keyPrefix: "rl" })
    for (let i = 0; i < 3; i++) expect((await limiter.consume("user")).remainingPoints).toBe(2 - i)
    const rejected: unknown = await limiter.consume("user").catch((result: unknown) => result)
    expect(rejected).toMatchObject({ remainingPoints: 0 })
    const msBeforeNext = Reflect.get(Object(rejected), "msBeforeNext")
    expect(msBeforeNext).toBeGreaterThan(0)
    expect(msBeforeNext).toBeLessThanOrEqual(10000)
  })
})

describe("functions", () => {
  const library = [
    "#!lua name=lib1",
    "redis.register_function('f1', function(keys, args) return keys[1] end)",
    "redis.register_function{function_name='f2', callback=function(keys, args) return redis.call('set', keys[1], args[1]) end, flags={'no-writes'}, description='desc'}"
  ].join("\n")

  it("FUNCTION LOAD, FCALL, FCALL_RO, LIST, STATS, DELETE and FLUSH answer as Redis", async () => {
    expect(await client.call("FUNCTION", "LOAD", library)).toBe("lib1")
    await expect(client.call("FUNCTION", "LOAD", library)).rejects.toThrow("ERR Library 'lib1' already exists")
    expect(await client.call("FUNCTION", "LOAD", "REPLACE", library)).toBe("lib1")
    await expect(client.call("FUNCTION", "LOAD", "#!lua name=other\nredis.register_function('f1', function() end)"))
      .rejects.toThrow("ERR Function f1 already exists")
    await expect(client.call("FUNCTION", "LOAD", "#!lua name=bad\nreturn 10 // 3"))
      .rejects.toThrow("ERR Error compiling function: user_function:2: unexpected symbol near '/'")
    await expect(client.call("FUNCTION", "LOAD", "#!lua name=bad\nlocal x = 1")).rejects.toThrow("ERR No functions registered")
    await expect(client.call("FUNCTION", "LOAD", "lua name=x")).rejects.toThrow("ERR Missing library metadata")
    expect(await client.call("FCALL", "f1", "1", "kk")).toBe("kk")
    await expect(client.call("FCALL", "f2", "1", "kk", "v"))
      .rejects.toThrow("ERR Write commands are not allowed from read-only scripts. script: f2, on @user_function:3.")
    await expect(client.call("FCALL_RO", "f1", "1", "kk")).rejects.toThrow("ERR Can not execute a script with write flag using *_ro command.")
    await expect(client.call("FCALL", "nosuch", "0")).rejects.toThrow("ERR Function not found")
    await expect(client.call("FCALL", "f1", "x")).rejects.toThrow("ERR Bad number of keys provided")
    expect(await client.call("FUNCTION", "LIST", "WITHCODE")).toEqual([[
      "library_name", "lib1", "engine", "LUA", "functions",
      [["name", "f1", "description", null, "flags", []], ["name", "f2", "description", "desc", "flags", ["no-writes"]]],
      "library_code", library
    ]])
    expect(await client.call("FUNCTION", "STATS")).toEqual(["running_script", null, "engines", ["LUA", ["libraries_count", 1, "functions_count", 2]]])
    await expect(client.call("FUNCTION", "DELETE", "nosuch")).rejects.toThrow("ERR Library not found")
    expect(await client.call("FUNCTION", "DELETE", "lib1")).toBe("OK")
    expect(await client.call("FUNCTION", "LIST")).toEqual([])
    expect(await client.call("FUNCTION", "LOAD", library)).toBe("lib1")
    expect(await client.call("FUNCTION", "FLUSH")).toBe("OK")
    await expect(client.call("FCALL", "f1", "0")).rejects.toThrow("ERR Function not found")
  })
})

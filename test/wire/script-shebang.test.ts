/**
 * `#!lua` shebangs on EVAL scripts (eval.c evalExtractShebangFlags,
 * script.c scriptPrepareForRun), over sockets against redis-server 7.0:
 * every command sent to both, raw replies compared byte for byte. Parse
 * errors, flags, line numbers, no-writes, EVAL_RO, and maxmemory.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type BothServers, openBothServers } from "../scripting/both-servers.js"

let servers: BothServers

beforeAll(async () => {
  servers = await openBothServers()
  await servers.send("FLUSHALL")
}, 30_000)

afterAll(async () => {
  await servers?.stop()
})

const expectSame = async (...command: ReadonlyArray<string>) => {
  const { effectKv, redis } = await servers.send(...command)
  expect({ command, reply: effectKv }).toEqual({ command, reply: redis })
  return effectKv
}

describe("EVAL scripts with a shebang answer as redis-server's", () => {
  it("parse the shebang line: engine, flags, options, quoting", async () => {
    const bodies = [
      "#!lua", "#!lua\nreturn 1", "#!luax\nreturn 1", "#!\nreturn 1", "#! lua\nreturn 1", "#!LUA\nreturn 1",
      "#!lua flags=no-writes,allow-oom,allow-stale,no-cluster,allow-cross-slot-keys\nreturn 1",
      "#!lua flags=\nreturn 1", "#!lua flags=no-writes,\nreturn 1", "#!lua flags=bad\nreturn 1",
      "#!lua flags=no-writes,no-writes\nreturn 1", "#!lua flags=no-writes flags=allow-oom\nreturn 1",
      "#!lua name=x\nreturn 1", "#!lua  flags=\"no-writes\"\nreturn 1", "#!lua flags=\"no-writes\nreturn 1",
      "#!lua\r\nreturn 1", " #!lua flags=bad\nreturn 1", "#!lua\nreturn 1 +", "#!lua\nreturn error('x')",
      "#!lua\n\nreturn redis.call('nosuch')"
    ]
    for (const body of bodies) await expectSame("EVAL", body, "0")
    for (const body of bodies) await expectSame("SCRIPT", "LOAD", body)
  })

  it("no-writes refuses writes inside; EVAL_RO refuses a script that may write", async () => {
    await expectSame("EVAL", "#!lua flags=no-writes\nreturn redis.call('set', KEYS[1], '1')", "1", "x")
    await expectSame("EVAL", "#!lua flags=no-writes\nreturn redis.call('get', KEYS[1])", "1", "x")
    await expectSame("EVAL", "#!lua\nreturn redis.call('set', KEYS[1], '1')", "1", "x")
    expect(await expectSame("EVAL_RO", "#!lua\nreturn 1", "0")).toBe("-ERR Can not execute a script with write flag using *_ro command.\r\n")
    await expectSame("EVAL_RO", "#!lua flags=allow-oom\nreturn 1", "0")
    await expectSame("EVAL_RO", "#!lua flags=no-writes\nreturn redis.call('get', 'x')", "0")
    await expectSame("EVAL_RO", "#!lua flags=no-writes\nreturn redis.call('set', 'x', '2')", "0")
    await expectSame("EVAL_RO", "return redis.call('set', 'x', '2')", "0")
    const sha = await expectSame("SCRIPT", "LOAD", "#!lua\nreturn redis.call('incr', 'n')")
    const shaText = sha.split("\r\n")[1]
    await expectSame("EVALSHA", shaText, "0")
    await expectSame("EVALSHA_RO", shaText, "0")
    await expectSame("EVALSHA_RO", shaText.toUpperCase(), "0")
    await expectSame("EVAL", "#!lua\nreturn 1", "-1")
    await expectSame("EVAL", "#!lua\nreturn 1", "x")
  })

  it("over maxmemory: refused up front unless no-writes or allow-oom; scripts without a shebang keep today's rule", async () => {
    await expectSame("SET", "x", "123")
    const loaded = await expectSame("SCRIPT", "LOAD", "#!lua\nreturn 2")
    const sha = loaded.split("\r\n")[1]
    await expectSame("CONFIG", "SET", "maxmemory", "1")
    try {
      expect(await expectSame("EVAL", "#!lua\nreturn 1", "0")).toBe("-OOM command not allowed when used memory > 'maxmemory'.\r\n")
      await expectSame("EVAL", "#!lua flags=\nreturn 1", "0")
      await expectSame("EVAL", "#!lua flags=no-writes\nreturn redis.call('get', 'x')", "0")
      await expectSame("EVAL", "#!lua flags=allow-oom\nreturn redis.call('set', 'x', '5')", "0")
      await expectSame("EVAL", "#!lua flags=allow-oom,no-writes\nreturn 1", "0")
      await expectSame("EVAL_RO", "#!lua flags=no-writes\nreturn 1", "0")
      await expectSame("EVAL_RO", "#!lua\nreturn 1", "0")
      await expectSame("EVAL", "return redis.call('set', 'x', '5')", "0")
      await expectSame("EVAL", "return redis.call('get', 'x')", "0")
      await expectSame("EVAL", "#!lua flags=bad\nreturn 1", "0")
      await expectSame("EVAL", "#!luax\nreturn 1", "0")
      await expectSame("EVAL", "#!lua\nreturn 1", "-1")
      await expectSame("EVALSHA", sha, "0")
      await expectSame("EVALSHA_RO", sha, "0")
      await expectSame("EVALSHA", "0000000000000000000000000000000000000000", "0")
    } finally {
      await expectSame("CONFIG", "SET", "maxmemory", "0")
    }
  })
})

/**
 * DUMP payloads move both ways between effect-kv and redis-server 7.0: a
 * string of every RDB form (int8/16/32 integers, longer integers, embstr,
 * raw, LZF-compressible) DUMPed by one RESTOREs in the other with the same
 * bytes and OBJECT ENCODING.
 */
import * as ChildProcess from "node:child_process"
import fc from "fast-check"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type RunningServer, startServer } from "../../src/index.js"
import { encodeCommand } from "../../src/resp/encoder.js"
import type { Command } from "../../src/resp/values.js"
import { byteString, integerArgument } from "../../src/testing/index.js"
import { connect, type ReplyConnection } from "../differential/connection.js"
import { freePort } from "../hardening/server-process.js"

let redis: ChildProcess.ChildProcess | undefined
let effectKv: RunningServer | undefined
let toRedis: ReplyConnection
let toEffectKv: ReplyConnection

const awaitConnection = async (port: number, name: string): Promise<ReplyConnection> => {
  for (let attempt = 0; attempt < 100; attempt++) {
    try {
      return await connect(port, name)
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
  }
  throw new Error(`${name} did not listen on ${port}`)
}

beforeAll(async () => {
  const port = await freePort()
  redis = ChildProcess.spawn("redis-server",
    ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], { stdio: "ignore" })
  toRedis = await awaitConnection(port, "redis-server")
  effectKv = await startServer({ port: 0 })
  toEffectKv = await awaitConnection(effectKv.port, "effect-kv")
})

afterAll(async () => {
  toRedis?.close()
  toEffectKv?.close()
  redis?.kill("SIGKILL")
  await effectKv?.close()
})

const send = async (connection: ReplyConnection, commands: ReadonlyArray<Command>): Promise<ReadonlyArray<string>> => {
  connection.send(Buffer.concat(commands.map(encodeCommand)))
  return connection.replies(commands.length)
}

/** The bulk string a `$n\r\n...\r\n` frame carries. */
const bulkBody = (frame: string): string => frame.slice(frame.indexOf("\r\n") + 2, -2)

const value = fc.oneof(
  integerArgument,
  fc.integer({ min: -128, max: 127 }).map(String),
  fc.integer({ min: -32768, max: 32767 }).map(String),
  fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }).map(String),
  byteString(44),
  byteString(200),
  fc.tuple(fc.constantFrom("x", "ab", "hello "), fc.integer({ min: 4, max: 200 })).map(([unit, n]) => unit.repeat(n))
)

describe("DUMP payloads between effect-kv and redis-server", () => {
  it("a redis-server DUMP RESTOREs in effect-kv, and an effect-kv DUMP in redis-server", async () => {
    await fc.assert(fc.asyncProperty(value, async (text) => {
      const [, fromRedis, redisEncoding] = await send(toRedis, [["SET", "k", text], ["DUMP", "k"], ["OBJECT", "ENCODING", "k"]])
      const restored = await send(toEffectKv, [["RESTORE", "k", "0", bulkBody(fromRedis), "REPLACE"], ["GET", "k"], ["OBJECT", "ENCODING", "k"]])
      expect(restored).toEqual(["+OK\r\n", `$${text.length}\r\n${text}\r\n`, redisEncoding])

      const [, fromEffectKv] = await send(toEffectKv, [["SET", "k", text], ["DUMP", "k"]])
      const back = await send(toRedis, [["RESTORE", "k", "0", bulkBody(fromEffectKv), "REPLACE"], ["GET", "k"], ["OBJECT", "ENCODING", "k"]])
      expect(back).toEqual(["+OK\r\n", `$${text.length}\r\n${text}\r\n`, redisEncoding])
    }), { numRuns: Number(process.env.DUMP_INTEROP_RUNS ?? 300) })
  }, 120_000)
})

/**
 * The bit and LCS commands against a real redis-server 7.0: random sequences
 * (SET/GET between them) run on redis-server and on the model keyspace built
 * from src/commands/bits; every reply must match byte for byte (RESP2).
 */
import * as ChildProcess from "node:child_process"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import fc from "fast-check"
import { encode, encodeAll, encodeCommand } from "../../../src/resp/encoder.js"
import type { ByteString } from "../../../src/resp/values.js"
import { connect, type ReplyConnection } from "../../differential/connection.js"
import { freePort } from "../../hardening/server-process.js"
import { command, initialValues } from "./generators.js"
import { listKey, modelKeyspace } from "./keyspace.js"

let redis: ChildProcess.ChildProcess | undefined
let connection: ReplyConnection

const awaitConnection = async (port: number): Promise<ReplyConnection> => {
  for (let attempt = 0; attempt < 100; attempt++) {
    try {
      return await connect(port, "redis-server")
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
  }
  throw new Error(`redis-server did not listen on ${port}`)
}

beforeAll(async () => {
  const port = await freePort()
  redis = ChildProcess.spawn("redis-server",
    ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], { stdio: "ignore" })
  connection = await awaitConnection(port)
})

afterAll(() => {
  connection?.close()
  redis?.kill("SIGKILL")
})

/** Sends the commands in one write and returns redis-server's replies. */
const onRedis = async (commands: ReadonlyArray<ReadonlyArray<ByteString>>): Promise<ReadonlyArray<string>> => {
  connection.send(Buffer.concat(commands.map((args) => encodeCommand(args))))
  return connection.replies(commands.length)
}

const reset: ReadonlyArray<ReadonlyArray<ByteString>> = [["FLUSHALL"], ["RPUSH", listKey, "x"]]
const finalGets: ReadonlyArray<ReadonlyArray<ByteString>> = [["GET", "a"], ["GET", "b"], ["GET", "c"], ["GET", "missing"]]

describe("bit commands and LCS against redis-server 7.0", () => {
  it("random sequences answer as redis-server does", async () => {
    await fc.assert(
      fc.asyncProperty(initialValues, fc.array(command, { minLength: 1, maxLength: 25 }), async (initial, sequence) => {
        const commands = [...initial, ...sequence, ...finalGets]
        const expected = (await onRedis([...reset, ...commands])).slice(reset.length)
        const model = modelKeyspace()
        const actual = commands.map((args) => encode(model.run(args), 2).toString("latin1"))
        for (let index = 0; index < commands.length; index++) {
          expect({ command: commands[index], reply: actual[index] })
            .toEqual({ command: commands[index], reply: expected[index] })
        }
      }),
      { numRuns: Number(process.env.BITS_DIFF_RUNS ?? 2000) }
    )
  })

  it("edge cases answer as redis-server does", async () => {
    const edges: ReadonlyArray<ReadonlyArray<ByteString>> = [
      ["SET", "a", ""], ["BITPOS", "a", "0"], ["BITPOS", "a", "1"], ["BITCOUNT", "a", "0", "-1", "BIT"],
      ["BITCOUNT", "missing", "1", "x"], ["BITCOUNT", "a", "-1", "-2", "foo"],
      ["SET", "b", "\xff\xff\xff"], ["BITPOS", "b", "0"], ["BITPOS", "b", "0", "1"], ["BITPOS", "b", "0", "1", "2"],
      ["BITPOS", "b", "0", "3", "20", "BIT"], ["BITPOS", "b", "0", "3", "BIT"], ["BITPOS", "b", "0", "1", "x", "foo"],
      ["BITFIELD", "c", "OVERFLOW", "SAT", "SET", "i8", "0", "-9223372036854775800", "GET", "i8", "0"],
      ["BITFIELD", "c", "OVERFLOW", "SAT", "SET", "i63", "0", "-4611686018427387905", "GET", "i63", "0"],
      ["BITFIELD", "c", "INCRBY", "i64", "0", "9223372036854775807", "OVERFLOW", "SAT", "INCRBY", "i64", "0", "9223372036854775807"],
      ["BITFIELD", "c", "OVERFLOW", "SAT", "SET", "u8", "0", "-1", "OVERFLOW", "WRAP", "SET", "u63", "8", "-1", "GET", "u63", "8"],
      ["BITFIELD", "c", "GET", "u8", "#2305843009213693953"], ["BITFIELD", "c", "GET", "i8\0x", "0"],
      ["DEL", "c"], ["BITFIELD", "c", "OVERFLOW", "FAIL", "INCRBY", "u2", "0", "10"], ["GET", "c"],
      ["BITFIELD_RO", "list", "SET", "i8", "0", "1"], ["BITFIELD_RO", "list", "GET", "i8", "0"], ["BITFIELD_RO", "missing"],
      ["SET", "a", "ohmytext"], ["SET", "b", "mynewtext"], ["LCS", "a", "b"], ["LCS", "a", "b", "LEN"],
      ["LCS", "a", "b", "IDX", "MINMATCHLEN", "4", "WITHMATCHLEN"], ["LCS", "a", "b", "IDX", "LEN"], ["LCS", "a", "list", "foo"],
      ["GETBIT", "a", "4294967295"], ["GETBIT", "a", "4294967296"], ["BITOP", "NOT", "c", "a", "b"], ["BITOP", "AND", "c", "missing"]
    ]
    const expected = await onRedis([...reset, ...edges])
    const model = modelKeyspace()
    expect(encodeAll(edges.map(model.run), 2).toString("latin1")).toEqual(expected.slice(reset.length).join(""))
    // RESP3: LCS IDX is a map, BITFIELD's FAIL a null.
    const resp3 = await onRedis([["HELLO", "3"], ...reset, ...edges, ["HELLO", "2"]])
    const model3 = modelKeyspace()
    expect(encodeAll(edges.map(model3.run), 3).toString("latin1"))
      .toEqual(resp3.slice(1 + reset.length, 1 + reset.length + edges.length).join(""))
  })
})

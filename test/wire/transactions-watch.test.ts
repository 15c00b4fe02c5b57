/**
 * WATCH over every value type and across databases, RESET leaving pub/sub,
 * CLIENT LIST during MULTI, and INFO's counting of commands refused while
 * queueing: exact bytes, each sequence checked against redis-server 7.0.15.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type RunningServer, startServer } from "../../src/index.js"
import { encodeCommand } from "../../src/resp/encoder.js"
import type { Command } from "../../src/resp/values.js"
import { connect } from "../differential/connection.js"

let server: RunningServer

beforeAll(async () => {
  server = await startServer({ port: 0 })
})

afterAll(async () => {
  await server.close()
})

/** Runs `steps` on two connections (0 watches, 1 writes), one reply each; the replies. */
const exchange = async (steps: ReadonlyArray<readonly [0 | 1, ...Command]>): Promise<ReadonlyArray<string>> => {
  const connections = [await connect(server.port, "watcher"), await connect(server.port, "writer")] as const
  try {
    const replies: Array<string> = []
    for (const [index, ...command] of steps) {
      connections[index].send(encodeCommand(command))
      replies.push(...(await connections[index].replies(1)))
    }
    return replies
  } finally {
    connections.forEach((connection) => connection.close())
  }
}

/** WATCH `key`, the writer's `write`, then MULTI / EXEC: EXEC's reply. */
const afterWrite = async (key: string, ...write: Command): Promise<string> => {
  const replies = await exchange([[0, "WATCH", key], [1, ...write], [0, "MULTI"], [0, "EXEC"]])
  return replies[3]
}

const aborted = "*-1\r\n"
const ran = "*0\r\n"

describe("WATCH is touched as redis-server touches it", () => {
  it("hashes and sets: a write that changed nothing touches only when Redis signals it", async () => {
    expect(await exchange([[1, "FLUSHALL"], [1, "HSET", "h", "f", "v"], [1, "SADD", "s", "a"]])).toEqual([
      "+OK\r\n", ":1\r\n", ":1\r\n"
    ])
    expect(await afterWrite("h", "HSET", "h", "f", "v")).toBe(aborted)
    expect(await afterWrite("s", "SADD", "s", "a")).toBe(ran)
    expect(await afterWrite("s", "SADD", "s", "b")).toBe(aborted)
    expect(await afterWrite("s", "SREM", "s", "nope")).toBe(ran)
    expect(await afterWrite("h", "HDEL", "h", "f")).toBe(aborted)
    expect(await afterWrite("s", "DEL", "s")).toBe(aborted)
  })

  it("a *STORE touches its destination, not its sources; a missing key written by SET NX is touched", async () => {
    expect(await exchange([[1, "FLUSHALL"], [1, "SADD", "s", "a", "b"]])).toEqual(["+OK\r\n", ":2\r\n"])
    expect(await afterWrite("s", "SINTERSTORE", "d", "s")).toBe(ran)
    expect(await afterWrite("d", "SUNIONSTORE", "d", "s")).toBe(aborted)
    expect(await afterWrite("n", "SET", "n", "1", "NX")).toBe(aborted)
    expect(await afterWrite("n", "SET", "n", "2", "NX")).toBe(ran)
  })

  it("per database: SWAPDB touches keys of both (the same value too); a write in another database does not", async () => {
    expect(await exchange([[1, "FLUSHALL"], [1, "SET", "k", "1"], [1, "SELECT", "1"], [1, "SET", "k", "1"]])).toEqual([
      "+OK\r\n", "+OK\r\n", "+OK\r\n", "+OK\r\n"
    ])
    expect(await afterWrite("k", "SWAPDB", "0", "1")).toBe(aborted)
    expect(await afterWrite("other", "SWAPDB", "0", "1")).toBe(ran)
    expect(await exchange([[0, "WATCH", "k"], [1, "SELECT", "3"], [1, "SET", "k", "x"], [0, "MULTI"], [0, "EXEC"]]))
      .toEqual(["+OK\r\n", "+OK\r\n", "+OK\r\n", "+OK\r\n", ran])
    expect(await afterWrite("k", "MOVE", "k", "5")).toBe(aborted)
    expect(await afterWrite("missing", "FLUSHDB")).toBe(ran)
  })
})

describe("RESET, CLIENT LIST and INFO around MULTI", () => {
  it("RESET leaves every subscription", async () => {
    expect(await exchange([[0, "SUBSCRIBE", "ch"], [0, "PSUBSCRIBE", "p*"], [0, "RESET"], [0, "PING"], [1, "PUBSUB", "NUMSUB", "ch"],
      [1, "PUBSUB", "NUMPAT"]])).toEqual([
        "*3\r\n$9\r\nsubscribe\r\n$2\r\nch\r\n:1\r\n", "*3\r\n$10\r\npsubscribe\r\n$2\r\np*\r\n:2\r\n", "+RESET\r\n", "+PONG\r\n",
        "*2\r\n$2\r\nch\r\n:0\r\n", ":0\r\n"
      ])
  })

  it("CLIENT LIST shows flags=x and multi=<queued> for a client in MULTI", async () => {
    const replies = await exchange([[0, "CLIENT", "SETNAME", "queuer"], [0, "MULTI"], [0, "SET", "x", "1"], [1, "CLIENT", "LIST"]])
    const line = replies[3].split("\n").find((text) => text.includes("name=queuer")) ?? ""
    expect(line).toContain(" flags=x ")
    expect(line).toContain(" multi=1 ")
  })

  it("a command refused while queueing is a rejected call and an error; EXECABORT a failed EXEC", async () => {
    const replies = await exchange([
      [0, "CONFIG", "RESETSTAT"], [0, "MULTI"], [0, "SET", "a", "1"], [0, "NOSUCH"], [0, "INCR", "a", "x"], [0, "SAVE"], [0, "EXEC"],
      [0, "INFO", "commandstats"], [0, "INFO", "errorstats"]
    ])
    const stat = (name: string) => replies[7].split("\r\n").find((line) => line.startsWith(`cmdstat_${name}:`))?.replace(/usec=\d+,usec_per_call=[\d.]+,/, "")
    expect(stat("incr")).toBe("cmdstat_incr:calls=0,rejected_calls=1,failed_calls=0")
    expect(stat("save")).toBe("cmdstat_save:calls=0,rejected_calls=1,failed_calls=0")
    expect(stat("exec")).toBe("cmdstat_exec:calls=1,rejected_calls=0,failed_calls=1")
    expect(stat("set")).toBeUndefined()
    expect(replies[8]).toContain("errorstat_ERR:count=3\r\n")
    expect(replies[8]).toContain("errorstat_EXECABORT:count=1\r\n")
  })
})

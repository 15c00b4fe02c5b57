/**
 * Blocking commands queued in MULTI answer at once as if they timed out
 * (Redis's CLIENT_DENY_BLOCKING), or serve when a list has elements, and the
 * served pop reaches the AOF as Redis propagates it.
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

const exchange = async (commands: ReadonlyArray<Command>) => {
  const connection = await connect(server.port, "effect-kv")
  try {
    connection.send(Buffer.concat(commands.map(encodeCommand)))
    return await connection.replies(commands.length)
  } finally {
    connection.close()
  }
}

describe("blocking commands inside MULTI", () => {
  it("answer at once: a null array for the pops, null for the moves; a list with elements is served", async () => {
    const replies = await exchange([
      ["MULTI"],
      ["BLPOP", "bm:none", "0"],
      ["BRPOP", "bm:none", "0"],
      ["BLMOVE", "bm:none", "bm:dst", "LEFT", "LEFT", "0"],
      ["BRPOPLPUSH", "bm:none", "bm:dst", "0"],
      ["BLMPOP", "0", "1", "bm:none", "LEFT"],
      ["RPUSH", "bm:list", "a", "b"],
      ["BLPOP", "bm:list", "0"],
      ["EXEC"]
    ])
    // As redis-server 7.0.15 answers the same block.
    expect(replies.at(-1)).toBe("*7\r\n*-1\r\n*-1\r\n$-1\r\n$-1\r\n*-1\r\n:2\r\n*2\r\n$7\r\nbm:list\r\n$1\r\na\r\n")
  })
})

/**
 * Mismatches the differential tests found, each as its minimal sequence with
 * the reply bytes redis-server 7.0.15 sends, checked against effect-kv alone
 * (no redis-server needed).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type RunningServer, startServer } from "../../src/index.js"
import { encodeCommand } from "../../src/resp/encoder.js"
import type { Command } from "../../src/resp/values.js"
import { connect } from "./connection.js"

let server: RunningServer

beforeAll(async () => {
  server = await startServer({ port: 0 })
})

afterAll(async () => {
  await server.close()
})

/** Sends the commands pipelined on a fresh connection after FLUSHALL and returns the replies' bytes. */
const replies = async (commands: ReadonlyArray<Command>): Promise<ReadonlyArray<string>> => {
  const connection = await connect(server.port, "effect-kv")
  try {
    connection.send(Buffer.concat([["FLUSHALL"], ...commands].map(encodeCommand)))
    const [, ...answers] = await connection.replies(commands.length + 1)
    return answers
  } finally {
    connection.close()
  }
}

const emptyScanPage = "*2\r\n$1\r\n0\r\n*0\r\n"

describe("differential regressions", () => {
  it("DUMP compresses as lzf_c.c does: no back reference to offset 0, a match stops 2 bytes before the end", async () => {
    // the bytes redis-server 7.0.15 answers (a fresh server: lzf_compress's hash table holds no earlier offsets)
    expect(await replies([
      ["SET", "a", "abcabcabcabcabcabcabcabcabc"], ["DUMP", "a"],
      ["SET", "x", "xaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaay"], ["DUMP", "x"],
      ["SET", "w", "waiting1waiting2waiting3waiting"], ["DUMP", "w"]
    ])).toEqual([
      "\x00\xc3\x0b\x1b\x03abca\xe0\x0c\x02\x01bc\n\x00(\xb6\x7f\x7f\xba\x10\x94\x93",
      "\x00\xc3\x09&\x01xa\xe0\x19\x00\x01ay\n\x00 \xbb\xbbB4O\x94'",
      "\x00\xc3\x17\x1f\x08waiting1w\x80\x07\x002\xa0\x07\x003`\x07\x01ng\n\x00O\xec\x13\xf1\x7fv\x98]"
    ].flatMap((payload) => ["+OK\r\n", `$${payload.length}\r\n${payload}\r\n`]))
  })

  it("SELECT outside a C int is 'value is out of range', not 'not an integer'", async () => {
    const outOfRange = "-ERR value is out of range, value must between -2147483648 and 2147483647\r\n"
    expect(await replies([["SELECT", "2147483648"], ["SELECT", "-2147483649"], ["SELECT", "9223372036854775808"]]))
      .toEqual([outOfRange, outOfRange, "-ERR value is not an integer or out of range\r\n"])
  })

  it("SCAN reads its cursor as strtoul: a sign and the empty text pass, a negative cursor wraps", async () => {
    expect(await replies([["SCAN", "-1"], ["SCAN", ""], ["SCAN", "+0"], ["SCAN", " 0"], ["SCAN", "+"], ["SCAN", "-18446744073709551616"]]))
      .toEqual([emptyScanPage, emptyScanPage, emptyScanPage, "-ERR invalid cursor\r\n", "-ERR invalid cursor\r\n", "-ERR invalid cursor\r\n"])
  })

  it("an unknown command's name and arguments are cut at their first NUL byte, as C's %s prints them", async () => {
    expect(await replies([["set\x00x", "a\x00b", "c"], ["CLIENT", "a\x00b"]])).toEqual([
      "-ERR unknown command 'set', with args beginning with: 'a' 'c' \r\n",
      "-ERR unknown subcommand 'a'. Try CLIENT HELP.\r\n"
    ])
  })

  it("EXPIRE's and HELLO's option errors cut the option at its first NUL byte", async () => {
    expect(await replies([["EXPIRE", "\x00\xff", "16954453", "GT", "\x00"], ["EXPIRE", "k", "1", "x\x00y"], ["HELLO", "2", "a\x00b"]]))
      .toEqual(["-ERR Unsupported option \r\n", "-ERR Unsupported option x\r\n", "-ERR Syntax error in HELLO option 'a'\r\n"])
  })

  it("SETRANGE past the longest JS string answers the size error and keeps the connection (Redis: 536870901)", async () => {
    expect(await replies([["SETRANGE", "k", "536870900", "x"], ["PING"]]))
      .toEqual(["-ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n", "+PONG\r\n"])
  })

  it("a Lua number out of int64 range, infinite or NaN becomes INT64_MIN as an integer reply (redis-server 7.0.15's answers)", async () => {
    const int64Min = ":-9223372036854775808\r\n"
    expect(await replies([["EVAL", "return 2^63", "0"], ["EVAL", "return 1/0", "0"], ["EVAL", "return 0/0", "0"], ["EVAL", "return -2^70", "0"],
      ["SET", "n", "9223372036854775806"], ["EVAL", "return redis.call('INCR', KEYS[1])", "1", "n"], ["EVAL", "return -2^53 - 1", "0"]]))
      .toEqual([int64Min, int64Min, int64Min, int64Min, "+OK\r\n", int64Min, ":-9007199254740992\r\n"])
  })
})

/**
 * The protocol over a real socket: exact bytes, pipelining, inline commands,
 * protocol errors closing only the offending connection, many clients.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type RunningServer, startServer } from "../../src/index.js"
import { connectRaw } from "./raw-client.js"

let server: RunningServer

beforeAll(async () => {
  server = await startServer({ port: 0 })
})

afterAll(async () => {
  await server.close()
})

/** Sends `request` on a fresh connection and expects exactly `expected` back. */
const expectExchange = async (request: string, expected: string): Promise<void> => {
  const client = await connectRaw(server.port)
  client.send(request)
  expect(await client.read(expected.length)).toBe(expected)
  client.close()
}

describe("wire protocol", () => {
  it("answers a pipelined batch in order, byte for byte", async () => {
    const expected = "+OK\r\n$5\r\nhello\r\n:1\r\n$-1\r\n"
    await expectExchange("*3\r\n$3\r\nSET\r\n$3\r\nraw\r\n$5\r\nhello\r\n*2\r\n$3\r\nGET\r\n$3\r\nraw\r\n*2\r\n$6\r\nEXISTS\r\n$3\r\nraw\r\n*2\r\n$3\r\nGET\r\n$4\r\nnone\r\n", expected)
  })

  it("accepts inline commands as typed in telnet", async () => {
    const expected = "+PONG\r\n+OK\r\n$11\r\nhello world\r\n"
    await expectExchange("PING\r\nSET inline \"hello world\"\nGET inline\r\n", expected)
  })

  it("answers unknown commands and wrong arity with Redis's strings", async () => {
    const expected =
      "-ERR unknown command 'FOO', with args beginning with: 'a' 'b' \r\n" +
      "-ERR wrong number of arguments for 'get' command\r\n" +
      "-ERR unknown subcommand 'nope'. Try CLIENT HELP.\r\n"
    await expectExchange("FOO a b\r\nGET\r\nCLIENT nope\r\n", expected)
  })

  it("switches to RESP3 with HELLO 3", async () => {
    const client = await connectRaw(server.port)
    client.send("HELLO 3\r\n")
    const hello = await client.read(1)
    expect(hello.startsWith("%7\r\n$6\r\nserver\r\n$5\r\nredis\r\n")).toBe(true)
    client.send("GET missing\r\n")
    expect(await client.read(3)).toBe("_\r\n")
    client.close()
  })

  it("closes a connection that breaks the protocol, after its earlier replies and the error", async () => {
    const bad = await connectRaw(server.port)
    const good = await connectRaw(server.port)
    bad.send("PING\r\n*1\r\n$x\r\n")
    expect(await bad.closed).toBe("+PONG\r\n-ERR Protocol error: invalid bulk length\r\n")
    good.send("PING\r\n")
    expect(await good.read(7)).toBe("+PONG\r\n")
    good.close()
  })

  it("closes after QUIT's +OK", async () => {
    const client = await connectRaw(server.port)
    client.send("QUIT\r\nPING\r\n")
    expect(await client.closed).toBe("+OK\r\n")
  })

  it("serves many concurrent clients independently", async () => {
    const clients = await Promise.all(Array.from({ length: 100 }, () => connectRaw(server.port)))
    const replies = await Promise.all(clients.map(async (client, i) => {
      const value = `v${i}`
      client.send(`SET many:${i} ${value}\r\nGET many:${i}\r\n`)
      const expected = `+OK\r\n$${value.length}\r\n${value}\r\n`
      const reply = await client.read(expected.length)
      client.close()
      return reply === expected
    }))
    expect(replies.every(Boolean)).toBe(true)
  })
})

/**
 * Authentication, protected mode and connection limits over real sockets,
 * with the replies redis-server 7.0.15 gives (checked by hand with redis-cli
 * against `redis-server --requirepass secret`, and a client bound to
 * 127.0.0.2 for protected mode).
 */
import * as Net from "node:net"
import { afterEach, describe, expect, it } from "vitest"
import * as Errors from "../../src/errors.js"
import { type RunningServer, startServer } from "../../src/index.js"
import type { ServerConfig } from "../../src/config/config.js"
import { connectRaw, type RawClient } from "../wire/raw-client.js"

const cleanups: Array<() => void | Promise<void>> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

const start = async (settings: Partial<ServerConfig>): Promise<RunningServer> => {
  const server = await startServer({ save: [], ...settings })
  cleanups.push(() => server.close())
  return server
}

const connect = async (server: RunningServer): Promise<RawClient> => {
  const client = await connectRaw(server.port)
  cleanups.push(() => client.close())
  return client
}

const frame = (...args: ReadonlyArray<string>): string =>
  `*${args.length}\r\n${args.map((arg) => `$${Buffer.byteLength(arg, "latin1")}\r\n${arg}\r\n`).join("")}`

/** Reads until `text` has arrived in full. */
const call = async (client: RawClient, expected: string, ...args: ReadonlyArray<string>): Promise<void> => {
  client.send(frame(...args))
  expect(await client.read(expected.length)).toBe(expected)
}

const err = (message: string): string => `-${message}\r\n`

describe("requirepass and AUTH", () => {
  it("refuses commands before AUTH, except no_auth ones; unknown commands and arity come first", async () => {
    const server = await start({ requirepass: "secret" })
    const client = await connect(server)
    await call(client, err(Errors.noAuth), "GET", "a")
    await call(client, err(Errors.noAuth), "PING")
    await call(client, err(Errors.noAuth), "CLIENT", "ID")
    await call(client, err(Errors.unknownCommand("foo", "")), "foo")
    await call(client, err(Errors.wrongArity("get")), "GET")
    await call(client, err(Errors.syntaxError), "AUTH", "a", "b", "c")
    await call(client, err(Errors.wrongPass), "AUTH", "wrong")
    await call(client, err(Errors.wrongPass), "AUTH", "default", "wrong")
    await call(client, err(Errors.wrongPass), "AUTH", "bob", "secret")
    await call(client, err(Errors.helloNoAuth), "HELLO", "3")
    await call(client, "+OK\r\n", "AUTH", "secret")
    await call(client, "+PONG\r\n", "PING")
    await call(client, "+OK\r\n", "AUTH", "default", "secret")
  })

  it("HELLO AUTH authenticates and switches protocol; a wrong password changes nothing", async () => {
    const server = await start({ requirepass: "secret" })
    const client = await connect(server)
    await call(client, err(Errors.wrongPass), "HELLO", "3", "AUTH", "default", "wrong")
    await call(client, err(Errors.noAuth), "PING")
    client.send(frame("HELLO", "3", "AUTH", "default", "secret"))
    expect(await client.read(20)).toMatch(/^%7\r\n\$6\r\nserver\r\n/)
    await call(client, "+PONG\r\n", "PING")
  })

  it("without a password: AUTH <password> is an error, AUTH default <anything> is OK", async () => {
    const server = await start({})
    const client = await connect(server)
    await call(client, err(Errors.authWithoutPassword), "AUTH", "x")
    await call(client, "+OK\r\n", "AUTH", "default", "anything")
    await call(client, err(Errors.wrongPass), "AUTH", "bob", "anything")
  })

  it("applies the unauthenticated protocol limits until AUTH, then lifts them", async () => {
    const server = await start({ requirepass: "secret" })
    const tooMany = await connect(server)
    tooMany.send("*11\r\n")
    expect(await tooMany.closed).toBe(err(Errors.protocolUnauthenticatedMultibulkLength))
    const tooLong = await connect(server)
    tooLong.send("*2\r\n$3\r\nSET\r\n$16385\r\n")
    expect(await tooLong.closed).toBe(err(Errors.protocolUnauthenticatedBulkLength))
    const authenticated = await connect(server)
    await call(authenticated, "+OK\r\n", "AUTH", "secret")
    await call(authenticated, "+OK\r\n", "MSET", "a", "1", "b", "2", "c", "3", "d", "4", "e", "5")
    await call(authenticated, "+OK\r\n", "SET", "big", "x".repeat(20000))
  })

  it("CONFIG SET requirepass applies to new AUTHs; connections already in stay in; dir and dbfilename are protected", async () => {
    const server = await start({})
    const admin = await connect(server)
    await call(admin, "+OK\r\n", "CONFIG", "SET", "requirepass", "s2")
    await call(admin, "+PONG\r\n", "PING")
    const later = await connect(server)
    await call(later, err(Errors.noAuth), "PING")
    await call(later, err(Errors.wrongPass), "AUTH", "secret")
    await call(later, "+OK\r\n", "AUTH", "s2")
    await call(admin, err(Errors.configSetFailed("dir", Errors.cantSetProtectedConfig)), "CONFIG", "SET", "dir", "/tmp")
    await call(admin, err(Errors.configSetFailed("dbfilename", Errors.cantSetProtectedConfig)), "CONFIG", "SET",
      "dbfilename", "x.rdb")
    await call(admin, "+OK\r\n", "CONFIG", "SET", "requirepass", "")
    const open = await connect(server)
    await call(open, "+PONG\r\n", "PING")
  })
})

/** A raw client whose source address is `localAddress` (any 127.x address is on the loopback interface). */
const connectFrom = (
  port: number,
  localAddress: string
): Promise<{ readonly received: Promise<string>; readonly socket: Net.Socket }> =>
  new Promise((resolve, reject) => {
    const socket = Net.connect({ port, host: "127.0.0.1", localAddress })
    cleanups.push(() => void socket.destroy())
    let text = ""
    const received = new Promise<string>((done) => socket.on("close", () => done(text)))
    socket.on("data", (chunk) => { text += chunk.toString("latin1") })
    socket.once("error", reject)
    socket.once("connect", () => resolve({ received, socket }))
  })

describe("protected mode", () => {
  it("refuses a client from another address than 127.0.0.1 with DENIED, and closes it", async () => {
    const server = await start({})
    const outsider = await connectFrom(server.port, "127.0.0.2")
    expect(await outsider.received).toBe(err(Errors.protectedModeDenied))
    const local = await connect(server)
    await call(local, "+PONG\r\n", "PING")
  })

  it("lets other addresses in with a password set, or with protected-mode no", async () => {
    const withPassword = await start({ requirepass: "secret" })
    const client = await connectRaw(withPassword.port)
    cleanups.push(() => client.close())
    await call(client, err(Errors.noAuth), "PING")
    const unprotected = await start({ protectedMode: false })
    const outsider = await connectFrom(unprotected.port, "127.0.0.2")
    outsider.socket.end(frame("PING"))
    expect(await outsider.received).toBe("+PONG\r\n")
  })
})

describe("connection limits", () => {
  it("maxclients: one client past the limit gets Redis's error and is closed", async () => {
    const server = await start({ maxclients: 2 })
    const first = await connect(server)
    const second = await connect(server)
    await call(first, "+PONG\r\n", "PING")
    await call(second, "+PONG\r\n", "PING")
    const third = await connect(server)
    expect(await third.closed).toBe(err(Errors.maxClientsReached))
    first.close()
    await call(second, "+PONG\r\n", "PING")
  })

  it("timeout: an idle client is closed, an active one is not", async () => {
    const server = await start({ timeout: 1 })
    const idle = await connect(server)
    const active = await connect(server)
    await call(idle, "+PONG\r\n", "PING")
    const closed = idle.closed
    let activeCalls = 0
    let done = false
    void closed.then(() => { done = true })
    while (!done) {
      await call(active, "+PONG\r\n", "PING")
      activeCalls++
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    expect(await closed).toBe("")
    expect(activeCalls).toBeGreaterThan(5)
    await call(active, "+PONG\r\n", "PING")
  })

  it("client-query-buffer-limit: a client whose pending request outgrows it is closed without a reply", async () => {
    const server = await start({ clientQueryBufferLimit: 1024 * 1024 })
    const client = await connect(server)
    client.send("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$4000000\r\n")
    const chunk = Buffer.alloc(64 * 1024, 120)
    for (let sent = 0; sent < 2 * 1024 * 1024; sent += chunk.length) client.send(chunk)
    expect(await client.closed).toBe("")
    const other = await connect(server)
    await call(other, "$-1\r\n", "GET", "k")
  })
})

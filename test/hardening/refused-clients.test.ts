/**
 * Clients refused at maxclients, with a real process (networking.c
 * acceptCommonHandler): each gets the error and its socket is closed by the
 * server, so the process's open files come back to where they were; the
 * refusals are counted in INFO's rejected_connections; and afterwards SHUTDOWN
 * and SIGTERM still end the process (a refused socket left open used to keep
 * the listener's close, and so the process, waiting forever).
 */
import { readdirSync } from "node:fs"
import * as Net from "node:net"
import { afterEach, describe, expect, it } from "vitest"
import * as Errors from "../../src/errors.js"
import { type ServerProcess, startServerProcess } from "./server-process.js"

const maxclients = 3
const refusedCount = 7

let running: ServerProcess | undefined
afterEach(async () => {
  await running?.stop()
  running = undefined
})

const openFiles = (pid: number): number => readdirSync(`/proc/${pid}/fd`).length

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Polls `read` until it gives `expected` or `withinMs` pass; returns the last value read. */
const settlesAt = async <A>(read: () => A, expected: A, withinMs: number): Promise<A> => {
  const deadline = Date.now() + withinMs
  let value = read()
  while (value !== expected && Date.now() < deadline) {
    await delay(20)
    value = read()
  }
  return value
}

interface Connection {
  readonly socket: Net.Socket
  /** Everything received so far. */
  readonly received: () => string
  /** Resolves once the server ended the connection (the client never does here). */
  readonly endedByServer: Promise<void>
}

/** A raw connection that stays open until the server closes it. */
const connect = (port: number): Promise<Connection> =>
  new Promise((resolve, reject) => {
    const socket = Net.connect({ port, host: "127.0.0.1", allowHalfOpen: true })
    let received = ""
    socket.on("data", (chunk: Buffer) => { received += chunk.toString() })
    const endedByServer = new Promise<void>((ended) => socket.once("end", () => ended()))
    socket.once("error", reject)
    socket.once("connect", () => resolve({ socket, received: () => received, endedByServer }))
  })

/** Sends one inline command on a fresh connection and resolves with the reply text. */
const command = async (port: number, line: string): Promise<string> => {
  const connection = await connect(port)
  connection.socket.write(`${line}\r\n`)
  await settlesAt(() => connection.received().endsWith("\r\n"), true, 2000)
  connection.socket.destroy()
  return connection.received()
}

/** Fills the server to maxclients, then opens `refusedCount` more connections and waits for each refusal. */
const refuseSome = async (server: ServerProcess) => {
  const accepted = await Promise.all(Array.from({ length: maxclients }, () => connect(server.port)))
  const refused = await Promise.all(Array.from({ length: refusedCount }, () => connect(server.port)))
  const endedInTime = await Promise.race([
    Promise.all(refused.map((connection) => connection.endedByServer)).then(() => true),
    delay(2000).then(() => false)
  ])
  return { accepted, refused, endedInTime }
}

const exitsWithin = (server: ServerProcess, ms: number): Promise<string> =>
  Promise.race([server.exited, delay(ms).then(() => "still running")])

describe("clients refused at maxclients", () => {
  it("get the error, their sockets are closed, the open files come back and INFO counts them", async () => {
    const server = running = await startServerProcess(["--maxclients", String(maxclients), "--save", ""])
    const pid = server.child.pid ?? 0
    const baseline = openFiles(pid)

    const { accepted, refused, endedInTime } = await refuseSome(server)
    expect(refused.map((connection) => connection.received())).toEqual(
      Array.from({ length: refusedCount }, () => `-${Errors.maxClientsReached}\r\n`)
    )
    expect(endedInTime).toBe(true)
    // The refused clients have not closed their side: the server closes its sockets anyway.
    expect(await settlesAt(() => openFiles(pid), baseline + maxclients, 2000)).toBe(baseline + maxclients)
    refused.forEach((connection) => connection.socket.destroy())

    accepted.forEach((connection) => connection.socket.destroy())
    expect(await settlesAt(() => openFiles(pid), baseline, 2000)).toBe(baseline)
    const stats = await command(server.port, "INFO stats")
    expect(stats).toContain(`rejected_connections:${refusedCount}\r\n`)
    // Redis counts a refused connection as rejected only, not as received (only the INFO client was).
    expect(stats).toContain(`total_connections_received:${maxclients + 1}\r\n`)
  })

  it("SHUTDOWN NOSAVE afterwards ends the process within a second", async () => {
    const server = running = await startServerProcess(["--maxclients", String(maxclients), "--save", ""])
    const { accepted } = await refuseSome(server)
    accepted[0].socket.write("SHUTDOWN NOSAVE\r\n")
    expect(await exitsWithin(server, 1000)).toBe("0")
  })

  it("SIGTERM afterwards ends the process within a second", async () => {
    const server = running = await startServerProcess(["--maxclients", String(maxclients), "--save", ""])
    await refuseSome(server)
    server.child.kill("SIGTERM")
    expect(await exitsWithin(server, 1000)).not.toBe("still running")
  })
})

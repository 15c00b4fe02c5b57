/**
 * Load and back-pressure against a real server process: a thousand
 * connections pipelining at once for a bounded time, then all closed (the
 * server must let go of every client and return near its heap baseline);
 * and a client that pipelines without reading its replies (the server must
 * stop reading it rather than buffer without bound).
 */
import * as Net from "node:net"
import { fileURLToPath } from "node:url"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { connectRaw, type RawClient } from "../wire/raw-client.js"
import { type ServerProcess, startServerProcess } from "./server-process.js"

const gcPreload = fileURLToPath(new URL("./gc-on-signal.mjs", import.meta.url))

const connections = 1000
const pipelineDepth = 16
const loadMs = 3000
/** Allowed heap growth after the load (the dataset is 100 small keys; the rest must be freed). */
const heapSlackBytes = 8 * 1024 * 1024

let server: ServerProcess
let witness: RawClient

beforeAll(async () => {
  server = await startServerProcess(["--save", "", "--maxclients", String(connections + 100)], [
    "--expose-gc",
    "--import",
    gcPreload
  ])
  witness = await connectRaw(server.port)
})

afterAll(async () => {
  witness.close()
  await server.stop()
})

const frame = (...args: ReadonlyArray<string>): string =>
  `*${args.length}\r\n${args.map((arg) => `$${Buffer.byteLength(arg)}\r\n${arg}\r\n`).join("")}`

/** Sends a command on the witness and reads its whole bulk reply. */
const witnessBulk = async (...args: ReadonlyArray<string>): Promise<string> => {
  witness.send(frame(...args))
  let text = await witness.read(4)
  const header = /^\$(\d+)\r\n/.exec(text)
  if (header === null) throw new Error(`not a bulk reply: ${text}`)
  const total = header[0].length + Number(header[1]) + 2
  while (text.length < total) text += await witness.read(1)
  return text.slice(header[0].length, total - 2)
}

const infoField = async (section: string, field: string): Promise<number> => {
  const info = await witnessBulk("INFO", section)
  const match = new RegExp(`^${field}:(\\d+)`, "m").exec(info)
  if (match === null) throw new Error(`no ${field} in INFO ${section}`)
  return Number(match[1])
}

/** Forces a full GC in the server and returns its live heap (heapUsed + external). */
const heapAfterGc = async (): Promise<number> => {
  const before = server.log().length
  server.child.kill("SIGUSR2")
  const line = /heap after gc: heapUsed=(\d+) external=(\d+)/
  for (;;) {
    const match = line.exec(server.log().slice(before))
    if (match !== null) return Number(match[1]) + Number(match[2])
    await new Promise((resolve) => server.child.stdout?.once("data", resolve))
  }
}

/** Polls until `check` holds (each poll is a round trip to the server). */
const eventually = async (check: () => Promise<boolean>): Promise<void> => {
  while (!(await check())) await new Promise((resolve) => setImmediate(resolve))
}

/** Opens a connection and waits for its first reply (PING), so that all are open before the load starts. */
const openConnection = (port: number) =>
  new Promise<Net.Socket>((resolve, reject) => {
    const socket = Net.connect({ port, host: "127.0.0.1" })
    socket.once("error", reject)
    socket.once("data", () => resolve(socket))
    socket.once("connect", () => socket.write("PING\r\n"))
  })

/**
 * Pipelines `pipelineDepth` commands, reads every reply, and repeats until
 * `stopped()`; resolves with the number of commands answered.
 */
const pipelineUntil = (socket: Net.Socket, index: number, stopped: () => boolean) =>
  new Promise<number>((finish) => {
    const batch = Array.from({ length: pipelineDepth }, (_, i) =>
      i % 2 === 0 ? frame("SET", `load:${(index + i) % 100}`, `v${index}`) : frame("GET", `load:${(index + i) % 100}`)).join("")
    let pending = ""
    let rounds = 0
    socket.on("data", (chunk: Buffer) => {
      pending += chunk.toString("latin1")
      const replies = pending.split("\r\n").filter((line) => line.startsWith("+") || line.startsWith("$")).length
      if (replies < pipelineDepth) return
      pending = ""
      rounds++
      if (stopped()) finish(rounds * pipelineDepth)
      else socket.write(batch)
    })
    socket.write(batch)
  })

describe("load", () => {
  it(`holds ${connections} pipelining connections, then frees them all`, async () => {
    await eventually(async () => (await infoField("clients", "connected_clients")) === 1)
    const baseline = await heapAfterGc()

    const sockets: Array<Net.Socket> = []
    for (let start = 0; start < connections; start += 100) {
      sockets.push(...await Promise.all(Array.from({ length: 100 }, () => openConnection(server.port))))
    }
    const held = await infoField("clients", "connected_clients")
    const stopAt = Date.now() + loadMs
    const answered = await Promise.all(sockets.map((socket, i) => pipelineUntil(socket, i, () => Date.now() >= stopAt)))
    const commands = answered.reduce((a, b) => a + b, 0)
    for (const socket of sockets) socket.destroy()
    await eventually(async () => (await infoField("clients", "connected_clients")) === 1)
    const clientList = await witnessBulk("CLIENT", "LIST")
    const after = await heapAfterGc()

    console.log(`load: ${held - 1} connections held, ${commands} commands in ${loadMs} ms; heap ${baseline} -> ${after} bytes`)
    expect(held).toBe(connections + 1)
    expect(commands).toBeGreaterThan(connections * pipelineDepth)
    expect(clientList.trim().split("\n")).toHaveLength(1)
    expect(after).toBeLessThan(baseline + heapSlackBytes)
    expect(server.child.exitCode).toBeNull()
  }, 180_000)
})

describe("slow reader", () => {
  it("a client that never reads its replies is paused, not buffered: the server's memory stays bounded", async () => {
    const value = "x".repeat(1024)
    witness.send(frame("SET", "slow:value", value))
    expect(await witness.read(5)).toBe("+OK\r\n")
    const baseline = await infoField("memory", "used_memory")

    const reader = Net.connect({ port: server.port, host: "127.0.0.1" })
    reader.pause()
    await new Promise((resolve) => reader.once("connect", resolve))
    const gets = Buffer.from(frame("GET", "slow:value").repeat(2048))
    const unsentTarget = 32 * 1024 * 1024
    const deadline = Date.now() + 20_000
    let sent = 0
    while (reader.writableLength < unsentTarget && Date.now() < deadline) {
      reader.write(gets)
      sent += gets.length
      if (reader.writableLength > 4 * 1024 * 1024) await new Promise((resolve) => setTimeout(resolve, 20))
    }
    const used = await infoField("memory", "used_memory")
    console.log(`slow reader: ${sent} bytes sent, ${reader.writableLength} left unsent by the kernel; server used_memory ${baseline} -> ${used}`)
    expect(reader.writableLength).toBeGreaterThanOrEqual(unsentTarget)
    expect(used - baseline).toBeLessThan(64 * 1024 * 1024)
    reader.destroy()
    await eventually(async () => (await infoField("clients", "connected_clients")) === 1)
    expect(await witnessBulk("GET", "slow:value")).toBe(value)
  }, 60_000)
})

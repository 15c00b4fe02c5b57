/**
 * Blocking list commands over real sockets: one connection blocks, another
 * pushes; ioredis and node-redis `blpop`; a disconnect while blocked leaves
 * nothing behind; CLIENT UNBLOCK; INFO's blocked_clients.
 */
import type { Redis } from "ioredis"
import { createClient } from "redis"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { blockedClients, ioredisConnections } from "./blocked-clients.js"
import { type RunningServer, startServer } from "../../src/index.js"

let server: RunningServer
const connections = ioredisConnections()

beforeAll(async () => {
  server = await startServer({ port: 0 })
})

afterAll(async () => {
  connections.disconnectAll()
  await server.close()
})

const connect = (): Redis => connections.connect(server.port, server.host)

describe("blocking list commands over sockets", () => {
  it("ioredis: BLPOP blocks until another connection pushes; the first blocked is served first", async () => {
    const first = connect()
    const second = connect()
    const pusher = connect()
    const firstPop = first.blpop("wire:q", 0)
    await blockedClients(pusher, 1)
    const secondPop = second.brpop("wire:q", 0)
    await blockedClients(pusher, 2)
    expect(await pusher.rpush("wire:q", "a", "b", "c")).toBe(3)
    expect(await firstPop).toEqual(["wire:q", "a"])
    expect(await secondPop).toEqual(["wire:q", "c"])
    expect(await pusher.lrange("wire:q", 0, -1)).toEqual(["b"])
    await blockedClients(pusher, 0)
  })

  it("ioredis: a timeout answers null; BLMOVE is served by a push", async () => {
    const client = connect()
    const pusher = connect()
    expect(await client.blpop("wire:empty", 0.05)).toBeNull()
    const moved = client.blmove("wire:src", "wire:dst", "LEFT", "RIGHT", 0)
    await blockedClients(pusher, 1)
    await pusher.lpush("wire:src", "x")
    expect(await moved).toBe("x")
    expect(await pusher.lrange("wire:dst", 0, -1)).toEqual(["x"])
    expect(await pusher.exists("wire:src")).toBe(0)
  })

  it("a client that disconnects while blocked leaves nothing behind", async () => {
    const leaving = connect()
    const pusher = connect()
    leaving.blpop("wire:gone", 0).catch(() => undefined)
    await blockedClients(pusher, 1)
    leaving.disconnect()
    await blockedClients(pusher, 0)
    await pusher.rpush("wire:gone", "kept")
    expect(await pusher.lrange("wire:gone", 0, -1)).toEqual(["kept"])
  })

  it("CLIENT UNBLOCK answers the blocked client's timeout or error", async () => {
    const blocked = connect()
    const admin = connect()
    const id = Number(await blocked.client("ID"))
    const waiting = blocked.blpop("wire:never", 0)
    await blockedClients(admin, 1)
    expect(await admin.client("UNBLOCK", id)).toBe(1)
    expect(await waiting).toBeNull()
    const failing = blocked.brpoplpush("wire:never", "wire:d", 0)
    await blockedClients(admin, 1)
    expect(await admin.client("UNBLOCK", id, "ERROR")).toBe(1)
    await expect(failing).rejects.toThrow("UNBLOCKED client unblocked via CLIENT UNBLOCK")
    expect(await admin.client("UNBLOCK", id)).toBe(0)
  })

  it("node-redis: blPop on its own connection is served by a push from another", async () => {
    const blocking = createClient({ socket: { port: server.port, host: server.host } })
    const pushing = createClient({ socket: { port: server.port, host: server.host } })
    await blocking.connect()
    await pushing.connect()
    try {
      const popped = blocking.blPop("wire:node", 0)
      await blockedClients(connect(), 1)
      await pushing.rPush("wire:node", ["one", "two"])
      expect(await popped).toEqual({ key: "wire:node", element: "one" })
      expect(await pushing.lRange("wire:node", 0, -1)).toEqual(["two"])
    } finally {
      await blocking.quit()
      await pushing.quit()
    }
  })
})

describe("INFO blocked_clients with CLIENT PAUSE", () => {
  it("counts a command a pause holds back, as redis-server 7.0.15 does, beside a blocked BLPOP", async () => {
    const pauser = connect()
    const writer = connect()
    const popper = connect()
    const observer = connect()
    expect(await pauser.client("PAUSE", 60000, "WRITE")).toBe("OK")
    const held = writer.set("wire:paused", "1")
    await blockedClients(observer, 1)
    const pop = popper.blpop("wire:never", 0)
    await blockedClients(observer, 2)
    expect(await pauser.client("UNPAUSE")).toBe("OK")
    expect(await held).toBe("OK")
    await blockedClients(observer, 1)
    expect(await observer.rpush("wire:never", "x")).toBe(1)
    expect(await pop).toEqual(["wire:never", "x"])
    await blockedClients(observer, 0)
  })
})

/**
 * Socket.IO's Redis adapter against effect-kv: two Socket.IO servers share
 * broadcasts through effect-kv's pub/sub, as they would through redis-server.
 * A client connected to server A receives what server B emits to everyone
 * and to a room; `fetchSockets` and `serverSideEmit` (request/response over
 * pub/sub, PUBSUB NUMSUB to count the servers) reach across. Once with the
 * classic adapter over ioredis (SUBSCRIBE / PSUBSCRIBE), once with the
 * sharded adapter over node-redis (SSUBSCRIBE / SPUBLISH).
 */
import { createServer, type Server as HttpServer } from "node:http"
import type { AddressInfo } from "node:net"
import { createAdapter } from "@socket.io/redis-adapter"
import { createShardedAdapter } from "@socket.io/redis-adapter/dist/sharded-adapter.js"
import { Redis } from "ioredis"
import { createClient } from "redis"
import { Server } from "socket.io"
import { io as connectClient, type Socket as ClientSocket } from "socket.io-client"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type RunningServer, startServer } from "../../src/index.js"

let kv: RunningServer

beforeAll(async () => {
  kv = await startServer({ port: 0 })
})

afterAll(async () => {
  await kv.close()
})

/** A Socket.IO server on a free port with `adapter`; its port and how to close it. */
const startSocketServer = async (adapter: Parameters<Server["adapter"]>[0]) => {
  const http: HttpServer = createServer()
  const io = new Server(http, { adapter })
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve))
  const port = (http.address() as AddressInfo).port
  return { io, port, close: () => new Promise<void>((resolve) => io.close(() => resolve())) }
}

const connected = (port: number): Promise<ClientSocket> =>
  new Promise((resolve, reject) => {
    const socket = connectClient(`http://127.0.0.1:${port}`, { transports: ["websocket"], forceNew: true })
    socket.once("connect", () => resolve(socket))
    socket.once("connect_error", reject)
  })

const next = <A>(socket: ClientSocket, event: string): Promise<A> =>
  new Promise((resolve) => socket.once(event, (value: A) => resolve(value)))

type SocketServer = Awaited<ReturnType<typeof startSocketServer>>

/** The adapter behaviours every variant must show, between servers `a` and `b`. */
const sharesAcross = async (a: SocketServer, b: SocketServer) => {
  const onA = await connected(a.port)
  const onB = await connected(b.port)
  try {
    a.io.on("connection", (socket) => socket.join("room-1"))
    const inRoom = await connected(a.port)
    // every server's adapter must have subscribed before B publishes
    await new Promise((resolve) => setTimeout(resolve, 200))

    const broadcast = next<string>(onA, "news")
    const localToo = next<string>(onB, "news")
    b.io.emit("news", "from B")
    expect(await broadcast).toBe("from B")
    expect(await localToo).toBe("from B")

    const roomMessage = next<string>(inRoom, "room-news")
    b.io.to("room-1").emit("room-news", "room from B")
    expect(await roomMessage).toBe("room from B")

    const sockets = await b.io.fetchSockets()
    expect(sockets.map((socket) => socket.id).sort()).toEqual([onA.id, onB.id, inRoom.id].sort())
    const roomSockets = await b.io.in("room-1").fetchSockets()
    expect(roomSockets.map((socket) => socket.id)).toEqual([inRoom.id])

    const heard = new Promise<string>((resolve) => a.io.on("hello", (text: string) => resolve(text)))
    b.io.serverSideEmit("hello", "server B here")
    expect(await heard).toBe("server B here")
  } finally {
    onA.close()
    onB.close()
  }
}

describe("Socket.IO's Redis adapter on effect-kv", () => {
  it("classic adapter over ioredis: broadcast, room, fetchSockets, serverSideEmit across two servers", async () => {
    const clients = Array.from({ length: 4 }, () => new Redis({ port: kv.port, lazyConnect: false }))
    const [pubA, subA, pubB, subB] = clients
    const a = await startSocketServer(createAdapter(pubA, subA))
    const b = await startSocketServer(createAdapter(pubB, subB))
    try {
      await sharesAcross(a, b)
    } finally {
      await a.close()
      await b.close()
      clients.forEach((client) => client.disconnect())
    }
  }, 30_000)

  it("sharded adapter over node-redis (SSUBSCRIBE, SPUBLISH): the same across two servers", async () => {
    const clients = await Promise.all(
      Array.from({ length: 4 }, () => createClient({ url: `redis://127.0.0.1:${kv.port}` }).connect())
    )
    const [pubA, subA, pubB, subB] = clients
    const a = await startSocketServer(createShardedAdapter(pubA, subA))
    const b = await startSocketServer(createShardedAdapter(pubB, subB))
    try {
      await sharesAcross(a, b)
    } finally {
      await a.close()
      await b.close()
      await Promise.all(clients.map((client) => client.close()))
    }
  }, 30_000)
})

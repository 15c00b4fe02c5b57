/**
 * A client blocked on a key that EXEC or a script makes ready is served after
 * the whole EXEC or script (blocked.c handleClientsBlockedOnKeys runs after
 * the command), never between its writes: the answers below are redis-server
 * 7.0.15's for the same steps.
 */
import type { Redis } from "ioredis"
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

describe("blocked clients are served after EXEC and after a script", () => {
  it("EXEC: its LLEN and LRANGE still see the pushed element; the blocked BLPOP gets it afterwards", async () => {
    const writer = connect()
    const waiter = connect()
    const popped = waiter.blpop("after-exec:q", 0)
    await blockedClients(writer, 1)
    const replies = await writer.multi().rpush("after-exec:q", "x").llen("after-exec:q").lrange("after-exec:q", 0, -1).exec()
    expect(replies).toEqual([[null, 1], [null, 1], [null, ["x"]]])
    expect(await popped).toEqual(["after-exec:q", "x"])
    expect(await writer.llen("after-exec:q")).toBe(0)
  })

  it("a script: its LLEN after RPUSH sees the element; the blocked BLPOP gets it afterwards", async () => {
    const writer = connect()
    const waiter = connect()
    const popped = waiter.blpop("after-script:q", 0)
    await blockedClients(writer, 1)
    const length = await writer.eval("redis.call('RPUSH', KEYS[1], 'y'); return redis.call('LLEN', KEYS[1])", 1, "after-script:q")
    expect(length).toBe(1)
    expect(await popped).toEqual(["after-script:q", "y"])
  })
})

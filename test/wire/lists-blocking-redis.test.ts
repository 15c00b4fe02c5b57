/**
 * Blocking list commands over real sockets against effect-kv and a
 * redis-server 7.0.15 alike: clients block, a second connection pushes, and
 * the replies (and what is left) must agree. Also the serving order inside
 * EXEC and a script, and BLMOVE's destination readying another waiter.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { blockedClients, ioredisConnections } from "./blocked-clients.js"
import { type Servers, startServers } from "../differential/servers.js"

let servers: Servers
const connections = ioredisConnections()

beforeAll(async () => {
  servers = await startServers()
}, 30_000)

afterAll(async () => {
  connections.disconnectAll()
  await servers?.stop()
})

const { connect } = connections

/** BLPOP, BRPOP, BLMPOP COUNT 2 and a BLMOVE chain wait; one RPUSH serves them in blocking order. */
const pushServesInOrder = async (port: number): Promise<unknown> => {
  const [first, second, third, mover, chained, writer] = Array.from({ length: 6 }, () => connect(port))
  await writer.del("wire:l", "wire:moved")
  const waits: Array<Promise<unknown>> = [first.blpop("wire:none", "wire:l", 0)]
  await blockedClients(writer, 1)
  waits.push(second.brpop("wire:l", 0))
  await blockedClients(writer, 2)
  waits.push(third.call("BLMPOP", "0", "1", "wire:l", "LEFT", "COUNT", "2"))
  await blockedClients(writer, 3)
  waits.push(mover.blmove("wire:l", "wire:moved", "LEFT", "RIGHT", 0))
  await blockedClients(writer, 4)
  waits.push(chained.blpop("wire:moved", 0))
  await blockedClients(writer, 5)
  const pushed = await writer.rpush("wire:l", "a", "b", "c", "d", "e", "f")
  const replies = await Promise.all(waits)
  return { pushed, replies, left: await writer.lrange("wire:l", 0, -1), moved: await writer.lrange("wire:moved", 0, -1) }
}

/** A waiter is served after EXEC and after a script, which see their own pushes. */
const servedAfterExecAndScript = async (port: number): Promise<unknown> => {
  const [waiter, writer] = [connect(port), connect(port)]
  await writer.del("wire:x")
  const afterExec = waiter.blpop("wire:x", 0)
  await blockedClients(writer, 1)
  const exec = await writer.multi().rpush("wire:x", "1", "2").llen("wire:x").lpop("wire:x").exec()
  const execServed = await afterExec
  const afterScript = waiter.brpop("wire:x", 0)
  await blockedClients(writer, 1)
  const script = await writer.eval("redis.call('RPUSH', KEYS[1], 'z'); return redis.call('LRANGE', KEYS[1], 0, -1)", 1, "wire:x")
  return { exec, execServed, script, scriptServed: await afterScript, left: await writer.lrange("wire:x", 0, -1) }
}

/** A pipelined RPUSH then LLEN from one client: the blocked client is served between them. */
const servedWithinAPipeline = async (port: number): Promise<unknown> => {
  const [waiter, writer] = [connect(port), connect(port)]
  await writer.del("wire:p")
  const served = waiter.blpop("wire:p", 0)
  await blockedClients(writer, 1)
  const replies = await writer.pipeline().rpush("wire:p", "a").llen("wire:p").rpush("wire:p", "b").llen("wire:p").exec()
  return { replies, served: await served }
}

describe("blocking list commands over sockets, as redis-server", () => {
  it("a blocked client is served between a pipeline's commands", async () => {
    const expected = await servedWithinAPipeline(servers.redisPort)
    expect(await servedWithinAPipeline(servers.effectKvPort)).toEqual(expected)
    expect(expected).toMatchObject({ replies: [[null, 1], [null, 0], [null, 1], [null, 1]] })
  })

  it("one push serves the blocked clients in blocking order, BLMOVE's destination in turn", async () => {
    const expected = await pushServesInOrder(servers.redisPort)
    expect(await pushServesInOrder(servers.effectKvPort)).toEqual(expected)
  })

  it("clients are served after EXEC and after a script", async () => {
    const expected = await servedAfterExecAndScript(servers.redisPort)
    expect(await servedAfterExecAndScript(servers.effectKvPort)).toEqual(expected)
  })
})

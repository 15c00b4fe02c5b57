/**
 * BZPOPMIN, BZPOPMAX and BZMPOP over real sockets: one connection blocks,
 * another writes. Each scenario runs against effect-kv and a redis-server
 * 7.0.15, and the replies must agree.
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

/** Three clients block (BZPOPMIN, BZPOPMAX, BZMPOP COUNT 2), one ZADD serves them in blocking order. */
const servedInOrder = async (port: number): Promise<unknown> => {
  const [first, second, third, writer] = [connect(port), connect(port), connect(port), connect(port)]
  await writer.del("wire:z")
  const pops: Array<Promise<unknown>> = [first.bzpopmin("wire:none", "wire:z", 0)]
  await blockedClients(writer, 1)
  pops.push(second.bzpopmax("wire:z", 0))
  await blockedClients(writer, 2)
  pops.push(third.call("BZMPOP", "0", "1", "wire:z", "MIN", "COUNT", "2"))
  await blockedClients(writer, 3)
  const added = await writer.zadd("wire:z", 1, "a", 2, "b", 3, "c", 4, "d", 5, "e")
  const replies = await Promise.all(pops)
  const left = await writer.zrange("wire:z", 0, -1, "WITHSCORES")
  // A timeout answers null; inside MULTI the pop does not block.
  const timedOut = await first.bzpopmin("wire:empty", 0.05)
  const inMulti = await first.multi().bzpopmax("wire:empty", 0).call("BZMPOP", "0", "1", "wire:empty", "MAX").exec()
  // ZINCRBY readies a key too.
  const waiting = first.bzpopmax("wire:inc", 0)
  await blockedClients(writer, 1)
  await writer.zincrby("wire:inc", 2.5, "m")
  return { added, replies, left, timedOut, inMulti, incremented: await waiting }
}

const unblocked = async (port: number): Promise<unknown> => {
  const [blocked, admin] = [connect(port), connect(port)]
  const id = Number(await blocked.client("ID"))
  const waiting = blocked.bzpopmin("wire:never", 0)
  await blockedClients(admin, 1)
  const first = await admin.client("UNBLOCK", id)
  const timeoutReply = await waiting
  const failing = blocked.call("BZMPOP", "0", "1", "wire:never", "MIN").catch((failure: Error) => failure.message)
  await blockedClients(admin, 1)
  const second = await admin.client("UNBLOCK", id, "ERROR")
  return { first, timeoutReply, second, error: await failing }
}

describe("blocking sorted-set pops over sockets, as redis-server", () => {
  it("one ZADD serves the blocked clients in order; timeout; MULTI; ZINCRBY", async () => {
    const expected = await servedInOrder(servers.redisPort)
    expect(await servedInOrder(servers.effectKvPort)).toEqual(expected)
    expect(expected).toMatchObject({ replies: [["wire:z", "a", "1"], ["wire:z", "e", "5"], ["wire:z", [["b", "2"], ["c", "3"]]]] })
  })

  it("CLIENT UNBLOCK answers the timeout reply or the UNBLOCKED error", async () => {
    const expected = await unblocked(servers.redisPort)
    expect(await unblocked(servers.effectKvPort)).toEqual(expected)
  })
})

/**
 * Client tracking and scripts, tracking-table-max-keys and INFO's tracking
 * fields (issue 15): the same sessions against redis-server 7.0.15 and
 * effect-kv, a tracking client's whole stream compared byte for byte.
 *
 * Redis 7.0 credits a script's read-only commands to the caller
 * (server.c call(), script_caller) with the keys of the caller's own command:
 * the EVAL's KEYS, not the keys the script's command names.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { encodeCommand } from "../../src/resp/encoder.js"
import { connect } from "../differential/connection.js"
import { type Servers, startServers } from "../differential/servers.js"
import { connectRaw, type RawClient } from "./raw-client.js"

let servers: Servers

beforeAll(async () => {
  servers = await startServers()
}, 30_000)

afterAll(async () => {
  await servers.stop()
})

/** A raw client whose whole input is kept: `until` resolves with it once it ends with `ending`. */
const streamClient = async (port: number) => {
  const raw: RawClient = await connectRaw(port)
  let received = ""
  let reading = Promise.resolve()
  const pump = async () => {
    received += await raw.read(1)
  }
  return {
    send: (args: ReadonlyArray<string>) => raw.send(encodeCommand(args)),
    /** Everything received until the stream ends with `ending`, then forgotten. */
    until: async (ending: string): Promise<string> => {
      while (!received.endsWith(ending)) {
        reading = reading.then(pump)
        await reading
      }
      const text = received
      received = ""
      return text
    },
    close: raw.close
  }
}

const trackingInfo = (reply: string): ReadonlyArray<string> => reply.split("\r\n").filter((line) => line.startsWith("tracking_"))

/** Runs `scenario` on one server with a tracking client (RESP3) and a plain one; what it returns is compared. */
const onServer = async <A>(
  port: number,
  scenario: (
    tracked: Awaited<ReturnType<typeof streamClient>>,
    other: (args: ReadonlyArray<string>) => Promise<string>,
    port: number
  ) => Promise<A>
): Promise<A> => {
  const plain = await connect(port, `server on ${port}`)
  const other = async (args: ReadonlyArray<string>) => {
    plain.send(encodeCommand(args))
    return (await plain.replies(1))[0]
  }
  await other(["FLUSHALL"])
  const tracked = await streamClient(port)
  tracked.send(["HELLO", "3"])
  tracked.send(["PING", "hello-done"])
  await tracked.until("$10\r\nhello-done\r\n")
  try {
    return await scenario(tracked, other, port)
  } finally {
    tracked.close()
    await other(["CONFIG", "SET", "tracking-table-max-keys", "1000000"])
    plain.close()
  }
}

const both = async <A>(scenario: Parameters<typeof onServer<A>>[1]) => ({
  redis: await onServer(servers.redisPort, scenario),
  effectKv: await onServer(servers.effectKvPort, scenario)
})

describe("tracking and scripts", () => {
  it("a script's reads are tracked for its caller, with the script's KEYS", async () => {
    const { effectKv, redis } = await both(async (tracked, other) => {
      tracked.send(["CLIENT", "TRACKING", "on"])
      tracked.send(["EVAL", "return redis.call('get', KEYS[1])", "1", "k"])
      tracked.send(["EVAL", "return redis.call('get', 'other')", "0"])
      tracked.send(["EVAL", "return redis.call('set', 'w', '1')", "1", "w2"])
      tracked.send(["EVAL_RO", "return redis.call('get', 'ro')", "1", "rokey"])
      tracked.send(["EVAL", "return redis.call('mget', 'm1', KEYS[1])", "2", "m2", "m3"])
      tracked.send(["PING", "reads-done"])
      const reads = await tracked.until("$10\r\nreads-done\r\n")
      const info = trackingInfo(await other(["INFO", "stats"]))
      for (const key of ["k", "other", "w2", "w", "ro", "rokey", "m1", "m2", "m3"]) await other(["SET", key, "1"])
      tracked.send(["PING", "writes-done"])
      const invalidations = await tracked.until("$11\r\nwrites-done\r\n")
      return { reads, info, invalidations }
    })
    expect(redis.invalidations).toContain("invalidate\r\n*1\r\n$1\r\nk\r\n")
    expect(effectKv).toEqual(redis)
  }, 30_000)

  it("OPTIN: CLIENT CACHING yes before EVAL covers the script's reads", async () => {
    const { effectKv, redis } = await both(async (tracked, other) => {
      tracked.send(["CLIENT", "TRACKING", "on", "OPTIN"])
      tracked.send(["CLIENT", "CACHING", "yes"])
      tracked.send(["EVAL", "return redis.call('get', KEYS[1])", "1", "cached"])
      tracked.send(["EVAL", "return redis.call('get', KEYS[1])", "1", "uncached"])
      tracked.send(["PING", "reads-done"])
      await tracked.until("$10\r\nreads-done\r\n")
      await other(["SET", "cached", "1"])
      await other(["SET", "uncached", "1"])
      tracked.send(["PING", "writes-done"])
      return await tracked.until("$11\r\nwrites-done\r\n")
    })
    expect(redis).toContain("invalidate\r\n*1\r\n$6\r\ncached\r\n")
    expect(effectKv).toEqual(redis)
  }, 30_000)

  it("tracking-table-max-keys: past it keys are invalidated until the table fits; INFO counts keys, items, prefixes, clients", async () => {
    const { effectKv, redis } = await both(async (tracked, other, port) => {
      await other(["CONFIG", "SET", "tracking-table-max-keys", "2"])
      tracked.send(["CLIENT", "TRACKING", "on"])
      for (const key of ["k1", "k2", "k3", "k4"]) tracked.send(["GET", key])
      tracked.send(["PING", "reads-done"])
      let stream = await tracked.until("$10\r\nreads-done\r\n")
      // Redis trims the table from its cron: wait until it fits, then one round trip brings every message.
      for (let i = 0; i < 100 && !trackingInfo(await other(["INFO", "stats"])).includes("tracking_total_keys:2"); i++) {
        await new Promise((resolve) => setTimeout(resolve, 20))
      }
      tracked.send(["PING", "after"])
      stream += await tracked.until("$5\r\nafter\r\n")
      const stats = trackingInfo(await other(["INFO", "stats"]))
      // Two BCAST clients with overlapping prefix sets: INFO counts distinct prefixes and tracking clients.
      const broadcaster = await connect(port, "broadcaster")
      broadcaster.send(encodeCommand(["CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "x", "PREFIX", "y"]))
      await broadcaster.replies(1)
      await other(["CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "x"])
      const withPrefixes = trackingInfo(await other(["INFO", "everything"]))
      broadcaster.close()
      await other(["CLIENT", "TRACKING", "off"])
      return { dropped: stream.split("invalidate").length - 1, stats, withPrefixes }
    })
    expect(redis.dropped).toBe(2)
    expect(effectKv).toEqual(redis)
  }, 30_000)
})

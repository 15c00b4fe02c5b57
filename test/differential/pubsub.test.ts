/**
 * Pub/sub, differential: random sessions of two subscriber connections and a
 * publisher (src/testing/pubsub-commands.ts) sent to effect-kv and to a real
 * redis-server; every connection's replies and messages compared byte for
 * byte, step by step, in RESP2 and in RESP3 (subscribers after HELLO 3).
 *
 * After each step every connection is sent `PING sentinel`; what arrived before
 * its answer is what the step caused on that connection (Redis writes a
 * message to the subscribers before PUBLISH replies, so the PING comes after).
 *
 * Normalisations, only where Redis's order is a hash table's:
 * - (P|S)UNSUBSCRIBE without arguments: the names are compared as a set, the
 *   running counts in order.
 * - the messages one PUBLISH delivers to one connection (a channel's
 *   subscription and several patterns): compared sorted.
 * - PUBSUB CHANNELS / SHARDCHANNELS: the names compared sorted.
 *
 * Runs: FUZZ_RUNS sessions per protocol (default below), FUZZ_SEED to replay.
 */
import fc from "fast-check"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type PubSubRole, type PubSubStep, pubsubStep } from "../../src/testing/pubsub-commands.js"
import { connectWithSentinel } from "./connection.js"
import { aggregateParts } from "./frames.js"
import { fuzzSettings } from "./run.js"
import { type Servers, startServers } from "./servers.js"

let servers: Servers

beforeAll(async () => {
  servers = await startServers()
})

afterAll(async () => {
  await servers?.stop()
})

const ciRuns = 40
const roles: ReadonlyArray<PubSubRole> = ["subscriber1", "subscriber2", "publisher"]

/** Redis's hash-table orders made comparable (see the header). */
const normalise = (step: PubSubStep, own: boolean, frames: ReadonlyArray<string>): ReadonlyArray<string> => {
  const name = step.args[0].toUpperCase()
  if (own && step.args.length === 1 && name.endsWith("UNSUBSCRIBE")) {
    const parts = frames.map((frame) => aggregateParts(frame)?.items ?? [frame])
    return [
      `names: ${parts.map((items) => items[1]).sort().join(",")}`,
      `counts: ${parts.map((items) => `${items[0]}${items[2]}`).join(",")}`,
      `headers: ${frames.map((frame) => frame.slice(0, 2)).join(",")}`
    ]
  }
  if (own && name === "PUBSUB" && step.args[1].toUpperCase().endsWith("CHANNELS") && frames.length === 1) {
    const parts = aggregateParts(frames[0])
    return parts === undefined ? frames : [parts.header, ...[...parts.items].sort()]
  }
  if (name === "PUBLISH" || name === "SPUBLISH") {
    // The step's own reply stays last; the messages before it are compared sorted.
    return own ? [...[...frames.slice(0, -1)].sort(), ...frames.slice(-1)] : [...frames].sort()
  }
  return frames
}

/** Runs one session on one server: every connection's normalised output after every step. */
const runSession = async (port: number, protocol: 2 | 3, steps: ReadonlyArray<PubSubStep>) => {
  const connections = await Promise.all(roles.map(() => connectWithSentinel(port)))
  try {
    if (protocol === 3) await Promise.all(connections.slice(0, 2).map((connection) => connection.exchange([["HELLO", "3"]])))
    const transcript: Array<ReadonlyArray<string>> = []
    for (const step of steps) {
      // The step's own connection first: what it caused on the others is then in their next frames.
      const own = roles.indexOf(step.role)
      for (const i of [own, ...roles.keys()].filter((index, at) => at === 0 || index !== own)) {
        const frames = await connections[i].exchange(i === own ? [step.args] : [])
        transcript.push([`${roles[i]} after ${JSON.stringify(step.args)}`, ...normalise(step, i === own, frames)])
      }
    }
    return transcript
  } finally {
    for (const connection of connections) connection.close()
  }
}

/** Waits until a server has no subscriptions left from earlier sessions (their connections closed). */
const awaitIdle = async (port: number): Promise<void> => {
  const probe = await connectWithSentinel(port)
  try {
    for (let attempt = 0; attempt < 500; attempt++) {
      const replies = await probe.exchange([["PUBSUB", "CHANNELS"], ["PUBSUB", "SHARDCHANNELS"], ["PUBSUB", "NUMPAT"]])
      if (replies.join("") === "*0\r\n*0\r\n:0\r\n") return
      await new Promise((resolve) => setTimeout(resolve, 2))
    }
    throw new Error("subscriptions of closed connections linger")
  } finally {
    probe.close()
  }
}

const assertSameSessions = async (protocol: 2 | 3) => {
  const settings = fuzzSettings(ciRuns)
  console.log(`pubsub RESP${protocol}: seed=${settings.seed} runs=${settings.numRuns}`)
  await fc.assert(
    fc.asyncProperty(fc.array(pubsubStep, { minLength: 1, maxLength: 20 }), async (steps) => {
      await Promise.all([awaitIdle(servers.redisPort), awaitIdle(servers.effectKvPort)])
      const [expected, actual] = await Promise.all([
        runSession(servers.redisPort, protocol, steps),
        runSession(servers.effectKvPort, protocol, steps)
      ])
      expect(actual).toEqual(expected)
    }),
    settings
  )
}

const timeoutMs = 60_000 + fuzzSettings(ciRuns).numRuns * 1000

describe("pub/sub answers as redis-server does", () => {
  it("RESP2: subscribers and a publisher, reply sequences and messages", () => assertSameSessions(2), timeoutMs)
  it("RESP3: subscribers receive pushes", () => assertSameSessions(3), timeoutMs)
})

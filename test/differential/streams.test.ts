/**
 * Differential tests of the stream family (no consumer groups): random
 * sequences of XADD (explicit IDs), XTRIM, XLEN, XRANGE, XREVRANGE, XREAD
 * without BLOCK and XSETID, mixed with string and keyspace commands over the
 * same keys (WRONGTYPE both ways, TYPE, OBJECT ENCODING, DEL, RENAME ...),
 * sent to effect-kv and to a real redis-server, replies compared byte for
 * byte; RESP2 and RESP3, command by command and pipelined. Long values and
 * repeated trims exercise node boundaries: an approximate trim removes whole
 * nodes only, so XLEN after it shows where they fall.
 * FUZZ_RUNS / FUZZ_SEED as in differential.test.ts.
 */
import fc from "fast-check"
import { afterAll, beforeAll, describe, it } from "vitest"
import type { Command } from "../../src/resp/values.js"
import { defaultKeys, keyName, keyspaceCommand, stringCommand } from "../../src/testing/commands.js"
import { streamCommand } from "../../src/testing/stream-commands.js"
import { assertSameReplies, fuzzSettings } from "./run.js"
import { sequence } from "./sequences.js"
import { type Servers, startServers } from "./servers.js"

let servers: Servers

beforeAll(async () => {
  servers = await startServers()
})

afterAll(async () => {
  await servers?.stop()
})

/** DUMP compares the RDB body byte for byte: each node's listpack as Redis lays it out. */
const inspect: fc.Arbitrary<Command> = fc.tuple(fc.constantFrom(["dump"], ["object", "encoding"], ["type"]), keyName(defaultKeys))
  .map(([name, key]) => [...name, key])

const streamMix: fc.Arbitrary<Command> = fc.oneof(
  { weight: 8, arbitrary: streamCommand() },
  { weight: 1, arbitrary: inspect },
  { weight: 1, arbitrary: stringCommand() },
  { weight: 1, arbitrary: keyspaceCommand() }
)

const ciRuns = 40
const timeoutMs = 60_000 + fuzzSettings(ciRuns).numRuns * 500

describe("stream commands answer as redis-server does", () => {
  it("RESP2, command by command", () => assertSameReplies(servers, sequence(streamMix, 80), { protocol: 2, pipelined: false }, ciRuns), timeoutMs)

  it("RESP3, command by command", () => assertSameReplies(servers, sequence(streamMix, 80), { protocol: 3, pipelined: false }, ciRuns), timeoutMs)

  it("pipelined batches, RESP2 and RESP3", async () => {
    await assertSameReplies(servers, sequence(streamMix, 150), { protocol: 2, pipelined: true }, ciRuns / 2)
    await assertSameReplies(servers, sequence(streamMix, 150), { protocol: 3, pipelined: true }, ciRuns / 2)
  }, timeoutMs)
})

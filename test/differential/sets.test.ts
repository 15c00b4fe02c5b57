/**
 * Differential tests of the set family (issue 14): random sequences of set
 * commands mixed with SET, DEL, TYPE and OBJECT ENCODING over six colliding
 * keys, to effect-kv and to a real redis-server, replies compared byte for
 * byte but where Redis leaves the order or the pick open (compare-sets.ts).
 *
 * Two member mixes: any members (integers, look-alikes, letters, bytes, and
 * now and then a SADD of 400 to 600 integers crossing set-max-intset-entries),
 * compared order-insensitively for hashtable sets; and integers only, where
 * every set is an intset and member order must match exactly.
 *
 * FUZZ_RUNS / FUZZ_SEED as in differential.test.ts.
 */
import fc from "fast-check"
import { afterAll, beforeAll, describe, it } from "vitest"
import type { Command } from "../../src/resp/values.js"
import { malformedSetCommand, setCommand } from "../../src/testing/set-commands.js"
import { sameSetReply } from "./compare-sets.js"
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

const ciRuns = 60
const timeoutMs = 60_000 + fuzzSettings(ciRuns).numRuns * 500

const anyMembers: fc.Arbitrary<Command> = fc.oneof(
  { weight: 4, arbitrary: setCommand() },
  { weight: 1, arbitrary: malformedSetCommand() }
)
const integerMembers = setCommand({ integerMembers: true })

describe("set commands answer as redis-server does", () => {
  it("any members, RESP2", () =>
    assertSameReplies(servers, sequence(anyMembers), { protocol: 2, pipelined: false, sameReply: sameSetReply(false) }, ciRuns), timeoutMs)

  it("any members, RESP3, pipelined", () =>
    assertSameReplies(servers, sequence(anyMembers, 60), { protocol: 3, pipelined: true, sameReply: sameSetReply(false) }, ciRuns), timeoutMs)

  it("integer members (intsets, exact order), RESP2 and RESP3", async () => {
    await assertSameReplies(servers, sequence(integerMembers), { protocol: 2, pipelined: true, sameReply: sameSetReply(true) }, ciRuns)
    await assertSameReplies(servers, sequence(integerMembers), { protocol: 3, pipelined: true, sameReply: sameSetReply(true) }, ciRuns)
  }, timeoutMs)
})

/**
 * Differential tests of the sorted-set family (issue 16): random sequences
 * of sorted-set commands mixed with SADD, SET, DEL, TYPE and OBJECT
 * ENCODING over six colliding keys, to effect-kv and to a real
 * redis-server, replies compared byte for byte (ZSCAN of a skiplist as a
 * set of pairs: compare-zsets.ts).
 *
 * Scores: few and repeated (ties order by member), infinities, -0, exclusive
 * ranges; lex ranges in their own runs where every score is 0 (the only case
 * where Redis defines their answer). BZPOPMIN / BZPOPMAX / BZMPOP run right
 * after a ZADD to their key, so they serve at once, with a 10 ms timeout
 * (a null array from both servers if the ZADD did not add).
 *
 * FUZZ_RUNS / FUZZ_SEED as in differential.test.ts.
 */
import fc from "fast-check"
import { afterAll, beforeAll, describe, it } from "vitest"
import type { Command } from "../../src/resp/values.js"
import { malformedZSetCommand, zsetCommand, zsetMember, zsetScore } from "../../src/testing/zset-commands.js"
import { keyName } from "../../src/testing/commands.js"
import { sameZSetReply } from "./compare-zsets.js"
import { assertSameReplies, fuzzSettings } from "./run.js"
import { type Servers, startServers } from "./servers.js"

let servers: Servers

beforeAll(async () => {
  servers = await startServers()
})

afterAll(async () => {
  await servers?.stop()
})

const ciRuns = 40
const timeoutMs = 60_000 + fuzzSettings(ciRuns).numRuns * 600

/** A ZADD of one member then a blocking pop of that key (served now), as two commands. */
const servedBlockingPop: fc.Arbitrary<ReadonlyArray<Command>> = fc.tuple(
  keyName(),
  zsetScore.filter((score) => !["nan", "abc", "", " 1", "1 ", "1e999", "1e-400", "--1", "1e", "0x"].includes(score)),
  zsetMember,
  fc.constantFrom<ReadonlyArray<string>>(["bzpopmin"], ["bzpopmax"], ["bzmpop", "MIN"], ["bzmpop", "MAX", "COUNT", "2"]),
  // A short timeout: when a shrunk sequence loses the ZADD, redis-server waits 10 ms and answers a null array, as effect-kv does now.
  fc.constantFrom("0.01", "0.02")
).map(([key, score, member, [name, ...rest], timeout]): ReadonlyArray<Command> => [
  ["zadd", key, score, member],
  name === "bzmpop" ? [name, timeout, "2", key, "k2", ...rest] : [name, key, "k2", timeout]
])

const commands = (single: fc.Arbitrary<Command>, maxLength = 40): fc.Arbitrary<ReadonlyArray<Command>> =>
  fc.array(fc.oneof({ weight: 12, arbitrary: single.map((command) => [command]) }, { weight: 1, arbitrary: servedBlockingPop }), {
    minLength: 1,
    maxLength
  }).map((groups) => groups.flat())

const byScore: fc.Arbitrary<Command> = fc.oneof({ weight: 5, arbitrary: zsetCommand() }, { weight: 1, arbitrary: malformedZSetCommand() })
const byLex = zsetCommand({ sameScores: true })

describe("sorted-set commands answer as redis-server does", () => {
  it("scores and score ranges, RESP2", () =>
    assertSameReplies(servers, commands(byScore), { protocol: 2, pipelined: false, sameReply: sameZSetReply }, ciRuns), timeoutMs)

  it("scores and score ranges, RESP3, pipelined", () =>
    assertSameReplies(servers, commands(byScore, 60), { protocol: 3, pipelined: true, sameReply: sameZSetReply }, ciRuns), timeoutMs)

  it("equal scores and lex ranges, RESP2 and RESP3", async () => {
    await assertSameReplies(servers, commands(byLex), { protocol: 2, pipelined: true, sameReply: sameZSetReply }, ciRuns)
    await assertSameReplies(servers, commands(byLex), { protocol: 3, pipelined: true, sameReply: sameZSetReply }, ciRuns)
  }, timeoutMs)
})

/**
 * Differential tests of SORT and SORT_RO (sort-commands.ts): random lists,
 * sets and sorted sets of numbers and words, weight keys and hash fields,
 * sorted with random options on effect-kv and redis-server, replies compared
 * byte for byte. FUZZ_RUNS / FUZZ_SEED as in differential.test.ts.
 */
import { afterAll, beforeAll, describe, it } from "vitest"
import { sortSequence } from "../../src/testing/sort-commands.js"
import { assertSameReplies, fuzzSettings } from "./run.js"
import { type Servers, startServers } from "./servers.js"

let servers: Servers

beforeAll(async () => {
  servers = await startServers()
})

afterAll(async () => {
  await servers?.stop()
})

const ciRuns = 60
const timeoutMs = 60_000 + fuzzSettings(ciRuns).numRuns * 300

describe("SORT answers as redis-server does", () => {
  it("numbers and words (errors included), RESP2", () =>
    assertSameReplies(servers, sortSequence(), { protocol: 2, pipelined: false }, ciRuns), timeoutMs)

  it("numbers only, RESP3 pipelined", () =>
    assertSameReplies(servers, sortSequence(true), { protocol: 3, pipelined: true }, ciRuns), timeoutMs)
})

/**
 * The bit commands and LCS through effect-kv's server against redis-server:
 * the bit core's own generators (test/commands/bits/generators.ts), without
 * the list key (effect-kv has no lists yet), pipelined in RESP2 and RESP3.
 * FUZZ_RUNS / FUZZ_SEED as in differential.test.ts.
 */
import fc from "fast-check"
import { afterAll, beforeAll, describe, it } from "vitest"
import type { Command } from "../../src/resp/values.js"
import { command, initialValues } from "../commands/bits/generators.js"
import { listKey } from "../commands/bits/keyspace.js"
import { assertSameReplies, fuzzSettings } from "./run.js"
import { type Servers, startServers } from "./servers.js"

let servers: Servers

beforeAll(async () => {
  servers = await startServers()
})

afterAll(async () => {
  await servers?.stop()
})

const ciRuns = 100
const timeoutMs = 60_000 + fuzzSettings(ciRuns).numRuns * 500

const finalGets: ReadonlyArray<Command> = [["GET", "a"], ["GET", "b"], ["GET", "c"], ["TTL", "a"], ["DBSIZE"]]

const sequences: fc.Arbitrary<ReadonlyArray<Command>> = fc.tuple(
  initialValues,
  fc.array(command.filter((args) => !args.includes(listKey)), { minLength: 1, maxLength: 25 })
).map(([initial, body]) => [...initial, ["EXPIRE", "a", "86400"], ...body, ...finalGets])

describe("bit commands and LCS: effect-kv answers as redis-server does", () => {
  it("RESP2, pipelined", () => assertSameReplies(servers, sequences, { protocol: 2, pipelined: true }, ciRuns), timeoutMs)
  it("RESP3, pipelined", () => assertSameReplies(servers, sequences, { protocol: 3, pipelined: true }, ciRuns), timeoutMs)
})

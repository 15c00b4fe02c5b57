/**
 * COPY, MOVE, SWAPDB, TOUCH, GETSET, SUBSTR, DUMP and RESTORE: random
 * sequences (src/testing/key-commands.ts) to effect-kv and redis-server,
 * replies compared byte for byte, each ending with a look at both databases. FUZZ_RUNS / FUZZ_SEED as in differential.test.ts.
 */
import fc from "fast-check"
import { afterAll, beforeAll, describe, it } from "vitest"
import type { Command } from "../../src/resp/values.js"
import { keyTransferCommand } from "../../src/testing/key-commands.js"
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

const inspect = (db: string): ReadonlyArray<Command> =>
  [["SELECT", db], ["DBSIZE"], ...["a", "b", "c"].flatMap((k): ReadonlyArray<Command> => [["GET", k], ["OBJECT", "ENCODING", k], ["PEXPIRETIME", k]])]

const sequences: fc.Arbitrary<ReadonlyArray<Command>> = fc.array(keyTransferCommand, { minLength: 1, maxLength: 30 })
  .map((body) => [...body, ...inspect("0"), ...inspect("1")])

describe("key transfer and DUMP/RESTORE: effect-kv answers as redis-server does", () => {
  it("RESP2, pipelined", () => assertSameReplies(servers, sequences, { protocol: 2, pipelined: true }, ciRuns), timeoutMs)
  it("RESP3, command by command", () => assertSameReplies(servers, sequences, { protocol: 3, pipelined: false }, ciRuns), timeoutMs)
})

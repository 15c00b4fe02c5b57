/**
 * Differential tests of scripting: random small scripts (EVAL, EVAL_RO,
 * EVALSHA, SCRIPT LOAD / EXISTS) over the string, hash and set commands,
 * mixed with plain string and keyspace commands on the same keys, sent to
 * effect-kv and to a real redis-server, replies compared byte for byte in
 * RESP2 and RESP3. FUZZ_RUNS / FUZZ_SEED as in differential.test.ts.
 */
import fc from "fast-check"
import { afterAll, beforeAll, describe, it } from "vitest"
import type { Command } from "../../src/resp/values.js"
import { keyspaceCommand, stringCommand } from "../../src/testing/commands.js"
import { scriptCommand } from "../../src/testing/script-commands.js"
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

const scriptMix: fc.Arbitrary<Command> = fc.oneof(
  { weight: 6, arbitrary: scriptCommand() },
  { weight: 2, arbitrary: stringCommand() },
  { weight: 1, arbitrary: keyspaceCommand() }
)

const ciRuns = 40
const timeoutMs = 60_000 + fuzzSettings(ciRuns).numRuns * 500

describe("scripts answer as redis-server does", () => {
  it("RESP2, command by command", () => assertSameReplies(servers, sequence(scriptMix, 20), { protocol: 2, pipelined: false }, ciRuns), timeoutMs)

  it("RESP3, pipelined", () => assertSameReplies(servers, sequence(scriptMix, 20), { protocol: 3, pipelined: true }, ciRuns), timeoutMs)
})

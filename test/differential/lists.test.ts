/**
 * Differential tests of the list family: random sequences of list commands
 * (blocking ones included, with a short timeout: served at once from a
 * non-empty list, else their timeout reply) mixed with string and keyspace
 * commands over the same keys (WRONGTYPE both ways, TYPE, RENAME, DEL ...),
 * sent to effect-kv and to a real redis-server, replies compared byte for
 * byte; RESP2 and RESP3, command by command and pipelined. Then malformed
 * list commands (bad indexes, counts, options, timeouts, arities).
 * FUZZ_RUNS / FUZZ_SEED as in differential.test.ts.
 */
import fc from "fast-check"
import { afterAll, beforeAll, describe, it } from "vitest"
import type { Command } from "../../src/resp/values.js"
import { defaultKeys, keyName, keyspaceCommand, stringCommand } from "../../src/testing/commands.js"
import { listCommand, listElement } from "../../src/testing/list-commands.js"
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

const key = keyName(defaultKeys)
const badNumber = fc.constantFrom("x", "", "1.5", " 1", "9223372036854775808", "-9223372036854775809", "-1", "0")
const badTimeout = fc.constantFrom("x", "", "-1", "-0.5", "inf", "-inf", "nan", " 1", "1 ", "1e20", "9223372036854775807", "0x")

/** Malformed list commands: bad numbers, options, ends, timeouts, and wrong argument counts. */
const malformedListCommand: fc.Arbitrary<Command> = fc.oneof(
  fc.tuple(fc.constantFrom("lrange", "ltrim"), key, badNumber, badNumber).map(([name, k, a, b]) => [name, k, a, b]),
  fc.tuple(fc.constantFrom("lindex", "lpop", "rpop"), key, badNumber).map(([name, k, n]) => [name, k, n]),
  fc.tuple(key, badNumber, listElement).map(([k, n, e]) => ["lset", k, n, e]),
  fc.tuple(key, badNumber, listElement).map(([k, n, e]) => ["lrem", k, n, e]),
  fc.tuple(key, fc.constantFrom("middle", "", "BEFOREx"), listElement, listElement).map(([k, w, p, e]) => ["linsert", k, w, p, e]),
  fc.tuple(key, listElement, fc.constantFrom(["RANK", "0"], ["RANK", "x"], ["COUNT", "-1"], ["COUNT", "x"], ["MAXLEN", "-2"], ["MAXLEN"], ["bogus"], ["RANK", "-9223372036854775808"]))
    .map(([k, e, options]) => ["lpos", k, e, ...options]),
  fc.tuple(key, key, fc.constantFrom("up", "", "LEFTx"), fc.constantFrom("left", "down")).map(([a, b, f, t]) => ["lmove", a, b, f, t]),
  fc.tuple(fc.constantFrom("0", "x", "-1", "3", "9223372036854775808"), key, fc.constantFrom("left", "middle"), fc.constantFrom([], ["COUNT", "0"], ["COUNT", "x"], ["COUNT", "1", "COUNT", "2"], ["extra"]))
    .map(([numkeys, k, where, rest]) => ["lmpop", numkeys, k, where, ...rest]),
  fc.tuple(fc.constantFrom("blpop", "brpop"), key, badTimeout).map(([name, k, t]) => [name, k, t]),
  fc.tuple(key, key, badTimeout).map(([a, b, t]) => ["brpoplpush", a, b, t]),
  fc.tuple(key, key, fc.constantFrom("left", "up"), badTimeout).map(([a, b, w, t]) => ["blmove", a, b, w, "right", t]),
  fc.tuple(badTimeout, fc.constantFrom("1", "0", "x"), key, fc.constantFrom("left", "middle")).map(([t, n, k, w]) => ["blmpop", t, n, k, w]),
  fc.tuple(fc.constantFrom("lpush", "rpush", "lpushx", "rpushx", "llen", "lpop", "lrange", "lindex", "lset", "linsert", "lrem", "ltrim", "lpos", "rpoplpush", "lmove", "lmpop", "blpop", "brpoplpush", "blmove", "blmpop"), key)
    .map(([name, k]) => [name, k])
)

/** List commands mixed with string and keyspace commands over the same keys. */
const listMix: fc.Arbitrary<Command> = fc.oneof(
  { weight: 8, arbitrary: listCommand({ blocking: true }) },
  { weight: 2, arbitrary: malformedListCommand },
  { weight: 1, arbitrary: stringCommand() },
  { weight: 1, arbitrary: keyspaceCommand() }
)

const ciRuns = 50
const timeoutMs = 60_000 + fuzzSettings(ciRuns).numRuns * 800

describe("list commands answer as redis-server does", () => {
  it("RESP2, command by command", () => assertSameReplies(servers, sequence(listMix), { protocol: 2, pipelined: false }, ciRuns), timeoutMs)

  it("RESP3, command by command", () => assertSameReplies(servers, sequence(listMix), { protocol: 3, pipelined: false }, ciRuns), timeoutMs)

  it("pipelined batches, RESP2 and RESP3", async () => {
    await assertSameReplies(servers, sequence(listMix, 80), { protocol: 2, pipelined: true }, ciRuns / 2)
    await assertSameReplies(servers, sequence(listMix, 80), { protocol: 3, pipelined: true }, ciRuns / 2)
  }, timeoutMs)
})

/**
 * Differential tests of the hash family: random sequences of hash commands
 * mixed with string and keyspace commands over the same keys (so WRONGTYPE
 * both ways, MGET's nil for a hash, SET over a hash, RENAME/DEL/TYPE/SCAN TYPE
 * of hashes), sent to effect-kv and to a real redis-server, replies compared
 * byte for byte; RESP2 and RESP3, command by command and pipelined.
 *
 * Normalisations (compare.ts), only where Redis leaves the order undefined:
 * HKEYS, HVALS, HGETALL compared sorted; HSCAN as SCAN (a finished iteration
 * sorted); HRANDFIELD by reply shape and length, and sorted when the whole
 * hash came back. FUZZ_RUNS / FUZZ_SEED as in differential.test.ts.
 */
import fc from "fast-check"
import { afterAll, beforeAll, describe, it } from "vitest"
import type { Command } from "../../src/resp/values.js"
import { byteString } from "../../src/testing/arbitraries.js"
import { defaultKeys, keyName, keyspaceCommand, stringCommand, valueArgument } from "../../src/testing/commands.js"
import { hashCommand, hashField } from "../../src/testing/hash-commands.js"
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

/** Malformed hash commands: odd pairs, bad numbers, bad HRANDFIELD counts and options, bad HSCAN cursors and options. */
const malformedHashCommand: fc.Arbitrary<Command> = fc.oneof(
  fc.tuple(fc.constantFrom("hset", "hmset"), key, fc.array(hashField, { minLength: 1, maxLength: 5 })).map((
    [name, k, rest]
  ) => [name, k, ...rest]),
  fc.tuple(fc.constantFrom("hsetnx", "hget", "hdel", "hlen", "hstrlen", "hexists", "hkeys", "hgetall", "hmget", "hincrby"), key)
    .chain(([name, k]) => fc.array(hashField, { maxLength: 4 }).map((rest) => [name, k, ...rest])),
  fc.tuple(key, hashField, fc.constantFrom("x", "", "1.5", " 1", "9223372036854775808", "-9223372036854775809")).map((
    [k, f, n]
  ) => ["hincrby", k, f, n]),
  fc.tuple(key, hashField, fc.constantFrom("x", "", " 1", "inf", "-inf", "nan", "1e400", "1e4000", "0x10", "1e308"))
    .map(([k, f, n]) => ["hincrbyfloat", k, f, n]),
  fc.tuple(
    key,
    fc.constantFrom("x", "1.5", "-9223372036854775808", "9223372036854775807", "-4611686018427387904", "4611686018427387904"),
    fc.constantFrom([], ["WITHVALUES"], ["withvalues", "x"], ["foo"])
  )
    // a huge negative count without WITHVALUES asks for that many fields: redis-server runs out of memory
    .filter(([, count, options]) => !(count === "-4611686018427387904" && options.length === 0))
    .map(([k, count, options]) => ["hrandfield", k, count, ...options]),
  fc.tuple(key, fc.constantFrom("x", "-1", "", "18446744073709551616", "0"), fc.constantFrom([], ["COUNT", "0"], ["COUNT", "x"], ["MATCH"], ["TYPE", "hash"], ["NOVALUES"], ["count", "5", "match", "f*"]))
    .map(([k, cursor, options]) => ["hscan", k, cursor, ...options]),
  // set a hash over the listpack limits (long values) and touch it with string commands
  fc.tuple(key, hashField, fc.string({ unit: "grapheme-ascii", minLength: 65, maxLength: 90 })).map(([k, f, v]) => ["hset", k, f, v]),
  fc.tuple(key, valueArgument).map(([k, v]) => ["set", k, v, "GET"]),
  fc.tuple(key, byteString(4)).map(([k, v]) => ["append", k, v])
)

/** Hash commands mixed with string and keyspace commands over the same keys. */
const hashMix: fc.Arbitrary<Command> = fc.oneof(
  { weight: 6, arbitrary: hashCommand() },
  { weight: 2, arbitrary: malformedHashCommand },
  { weight: 2, arbitrary: stringCommand() },
  { weight: 1, arbitrary: keyspaceCommand() }
)

const ciRuns = 60
const timeoutMs = 60_000 + fuzzSettings(ciRuns).numRuns * 500

describe("hash commands answer as redis-server does", () => {
  it("RESP2, command by command", () => assertSameReplies(servers, sequence(hashMix), { protocol: 2, pipelined: false }, ciRuns), timeoutMs)

  it("RESP3, command by command", () => assertSameReplies(servers, sequence(hashMix), { protocol: 3, pipelined: false }, ciRuns), timeoutMs)

  it("pipelined batches, RESP2 and RESP3", async () => {
    await assertSameReplies(servers, sequence(hashMix, 80), { protocol: 2, pipelined: true }, ciRuns / 2)
    await assertSameReplies(servers, sequence(hashMix, 80), { protocol: 3, pipelined: true }, ciRuns / 2)
  }, timeoutMs)
})

/**
 * fast-check arbitraries for sorted-set command vectors (ZADD ... ZSCAN),
 * over the same small keyspace as the other families so that sorted sets,
 * sets and strings collide (WRONGTYPE, sets as ZUNION inputs).
 *
 * Scores are mostly few and repeated (equal scores order by member), with
 * infinities, -0, exponents and the text Redis refuses; ranges use
 * exclusive "(" bounds and infinities. Now and then a ZADD of 100 to 160
 * members crosses zset-max-listpack-entries (128), or a member of 65 bytes
 * zset-max-listpack-value (64).
 *
 * Lex ranges only order members of equal scores (Redis's answer over mixed
 * scores depends on its skiplist's random levels): with `sameScores`, every
 * score written is 0 and the lex commands are generated; without, they are
 * not. Only deterministic forms of ZRANDMEMBER are generated (a count of 0
 * or past the size).
 */
import fc from "fast-check"
import type { ByteString, Command } from "../resp/values.js"
import { byteString } from "./arbitraries.js"
import { type CommandVectorOptions, globPattern, keyName } from "./commands.js"

/** Options of the sorted-set command arbitraries. */
export interface ZSetCommandOptions extends CommandVectorOptions {
  /** Every score 0 and lex-range commands included. Default false. */
  readonly sameScores?: boolean
}

/** A member: a few letters (colliding), the empty string, bytes, and rarely one past zset-max-listpack-value. */
export const zsetMember: fc.Arbitrary<ByteString> = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom("a", "b", "c", "d", "e", "ab", "B") },
  { weight: 1, arbitrary: fc.constantFrom("", "1", "-1", "\x00", "\xff") },
  { weight: 1, arbitrary: byteString(3) },
  { weight: 1, arbitrary: fc.constant("m".repeat(65)) }
)

/** A score as text: repeated small values, infinities, -0, exponents; rarely one Redis refuses. */
export const zsetScore: fc.Arbitrary<ByteString> = fc.oneof(
  { weight: 10, arbitrary: fc.constantFrom("0", "1", "2", "-1", "1.5", "3", "-2.5", "10") },
  { weight: 3, arbitrary: fc.constantFrom("inf", "-inf", "+inf", "-0", "1e3", "0.1", "1E-2", "+5", ".5", "5.", "0x10", "Infinity") },
  { weight: 1, arbitrary: fc.constantFrom("nan", "abc", "", " 1", "1 ", "1e999", "1e-400", "--1", "1e", "0x") }
)

/** A ZRANGEBYSCORE bound: scores, exclusive "(" ones, infinities, and rarely a malformed one. */
const scoreBound: fc.Arbitrary<ByteString> = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom("-inf", "+inf", "inf", "0", "1", "(1", "2", "(2", "1.5", "(-inf", "(+inf", "-1", "(0", "10") },
  { weight: 1, arbitrary: fc.constantFrom("abc", "((1", "nan", "(nan", "", "(", " 1", "1e999") }
)

/** A ZRANGEBYLEX bound: "-", "+", "[" and "(" members, and rarely a malformed one. */
const lexBound: fc.Arbitrary<ByteString> = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom("-", "+", "[a", "(a", "[b", "(b", "[c", "(c", "[e", "[", "(", "[ab", "(B") },
  { weight: 1, arbitrary: fc.constantFrom("a", "", "+a", "-a", "{a") }
)

const rank = fc.oneof(fc.integer({ min: -8, max: 8 }), fc.constantFrom(100, -100)).map(String)

/** Random upper/lower case of a command or option name. */
const anyCase = (word: string): fc.Arbitrary<string> => fc.boolean().map((upper) => (upper ? word.toUpperCase() : word.toLowerCase()))

const vector = (...parts: Array<fc.Arbitrary<ByteString> | fc.Arbitrary<ReadonlyArray<ByteString>>>): fc.Arbitrary<Command> =>
  fc.tuple(...parts).map((pieces) => pieces.flatMap((piece) => (typeof piece === "string" ? [piece] : [...piece])))

const optional = <T>(arbitrary: fc.Arbitrary<ReadonlyArray<T>>): fc.Arbitrary<ReadonlyArray<T>> =>
  fc.option(arbitrary, { nil: undefined }).map((value) => value ?? [])

/** ZADD of 100 to 160 members with few scores: past zset-max-listpack-entries or just under. */
const bigZadd = (key: fc.Arbitrary<ByteString>, sameScores: boolean): fc.Arbitrary<Command> =>
  fc.tuple(anyCase("zadd"), key, fc.integer({ min: 100, max: 160 })).map(([name, k, length]) =>
    [name, k, ...Array.from({ length }, (_, i) => [sameScores ? "0" : String(i % 7), `m${i}`]).flat()])

const limitClause = optional(fc.tuple(fc.integer({ min: -1, max: 4 }), fc.integer({ min: -2, max: 4 })).map(([offset, count]) =>
  ["LIMIT", String(offset), String(count)]))

/** ZADD's flags, in any order and combination (incompatible ones included: Redis's errors are compared too). */
const zaddFlags = fc.subarray(["NX", "XX", "GT", "LT", "CH"]).chain((flags) => fc.shuffledSubarray(flags, { minLength: flags.length }))

/** A well-formed sorted-set command (and the few set, string and key commands that mix types in). */
export const zsetCommand = (options: ZSetCommandOptions = {}): fc.Arbitrary<Command> => {
  const sameScores = options.sameScores === true
  const key = keyName(options.keys)
  const score = sameScores ? fc.constant("0") : zsetScore
  const pairs = fc.array(fc.tuple(score, zsetMember), { minLength: 1, maxLength: 5 }).map((list) => list.flat())
  const members = fc.array(zsetMember, { minLength: 1, maxLength: 5 })
  const keys = fc.array(key, { minLength: 1, maxLength: 3 })
  const numberedKeys = keys.map((names) => [String(names.length), ...names])
  const withScores = optional(fc.constant(["WITHSCORES"]))
  const weights = (count: number) => optional(fc.array(fc.constantFrom("1", "2", "0", "-1", "0.5", "inf"), { minLength: count, maxLength: count })
    .map((list) => ["WEIGHTS", ...list]))
  const aggregate = optional(fc.constantFrom("SUM", "MIN", "MAX").map((name) => ["AGGREGATE", name]))
  const algebraOptions = (names: ReadonlyArray<string>) => sameScores ? fc.constant([]) : fc.tuple(weights(names.length), aggregate).map((parts) => parts.flat())
  const zscanOptions = fc.tuple(
    optional(globPattern.map((pattern) => ["MATCH", pattern])),
    fc.constant(["COUNT", "1000"])
  ).map((groups) => groups.flat())
  const common: Array<fc.Arbitrary<Command>> = [
    vector(anyCase("zadd"), key, zaddFlags, pairs),
    vector(anyCase("zadd"), key, pairs),
    vector(anyCase("zadd"), key, zaddFlags, fc.constant(["INCR"]), score, zsetMember),
    vector(anyCase("zincrby"), key, sameScores ? fc.constant("0") : score, zsetMember),
    vector(anyCase("zrem"), key, members),
    vector(anyCase("zcard"), key),
    vector(anyCase("zscore"), key, zsetMember),
    vector(anyCase("zmscore"), key, members),
    vector(anyCase("zrank"), key, zsetMember),
    vector(anyCase("zrevrank"), key, zsetMember),
    vector(anyCase("zrange"), key, rank, rank, optional(fc.constant(["REV"])), withScores),
    vector(anyCase("zrevrange"), key, rank, rank, withScores),
    vector(anyCase("zremrangebyrank"), key, rank, rank),
    vector(anyCase("zrangestore"), key, key, rank, rank, optional(fc.constant(["REV"]))),
    vector(anyCase("zpopmin"), key, optional(fc.constantFrom("0", "1", "2", "10").map((count) => [count]))),
    vector(anyCase("zpopmax"), key, optional(fc.constantFrom("0", "1", "2", "10").map((count) => [count]))),
    vector(anyCase("zmpop"), numberedKeys, fc.constantFrom("MIN", "MAX", "min"), optional(fc.constantFrom("1", "3", "100").map((n) => ["COUNT", n]))),
    vector(anyCase("zrandmember"), key, fc.constantFrom("0", "1000"), withScores),
    keys.chain((names) => vector(anyCase("zunion"), fc.constant(String(names.length)), fc.constant(names), algebraOptions(names), withScores)),
    keys.chain((names) => vector(anyCase("zinter"), fc.constant(String(names.length)), fc.constant(names), algebraOptions(names), withScores)),
    keys.chain((names) => vector(anyCase("zdiff"), fc.constant(String(names.length)), fc.constant(names), withScores)),
    keys.chain((names) => vector(anyCase("zunionstore"), key, fc.constant(String(names.length)), fc.constant(names), algebraOptions(names))),
    keys.chain((names) => vector(anyCase("zinterstore"), key, fc.constant(String(names.length)), fc.constant(names), algebraOptions(names))),
    keys.chain((names) => vector(anyCase("zdiffstore"), key, fc.constant(String(names.length)), fc.constant(names))),
    keys.chain((names) => vector(anyCase("zintercard"), fc.constant(String(names.length)), fc.constant(names),
      optional(fc.integer({ min: 0, max: 3 }).map((limit) => ["LIMIT", String(limit)])))),
    vector(anyCase("zscan"), key, fc.constant("0"), zscanOptions),
    vector(anyCase("set"), key, fc.constantFrom("x", "12")),
    vector(anyCase("del"), key),
    vector(anyCase("type"), key),
    vector(fc.constant("object"), fc.constant("encoding"), key)
  ]
  const byScore: Array<fc.Arbitrary<Command>> = [
    vector(anyCase("zrange"), key, scoreBound, scoreBound, fc.constant(["BYSCORE"]), optional(fc.constant(["REV"])), limitClause, withScores),
    vector(anyCase("zrangebyscore"), key, scoreBound, scoreBound, withScores, limitClause),
    vector(anyCase("zrevrangebyscore"), key, scoreBound, scoreBound, withScores, limitClause),
    vector(anyCase("zcount"), key, scoreBound, scoreBound),
    vector(anyCase("zremrangebyscore"), key, scoreBound, scoreBound),
    vector(anyCase("zrangestore"), key, key, scoreBound, scoreBound, fc.constant(["BYSCORE"]), optional(fc.constant(["REV"])), limitClause),
    vector(anyCase("sadd"), key, members)
  ]
  const byLex: Array<fc.Arbitrary<Command>> = [
    vector(anyCase("zrange"), key, lexBound, lexBound, fc.constant(["BYLEX"]), optional(fc.constant(["REV"])), limitClause),
    vector(anyCase("zrangebylex"), key, lexBound, lexBound, limitClause),
    vector(anyCase("zrevrangebylex"), key, lexBound, lexBound, limitClause),
    vector(anyCase("zlexcount"), key, lexBound, lexBound),
    vector(anyCase("zremrangebylex"), key, lexBound, lexBound),
    vector(anyCase("zrangestore"), key, key, lexBound, lexBound, fc.constant(["BYLEX"]), optional(fc.constant(["REV"])), limitClause)
  ]
  return fc.oneof(
    { weight: 30, arbitrary: fc.oneof(...common, ...(sameScores ? byLex : byScore)) },
    { weight: 1, arbitrary: bigZadd(key, sameScores) }
  )
}

/** Sorted-set commands with arguments Redis refuses: bad counts, numkeys, options, ranges and cursors. */
export const malformedZSetCommand = (options: CommandVectorOptions = {}): fc.Arbitrary<Command> => {
  const key = keyName(options.keys)
  const badNumber = fc.constantFrom("abc", "", "-1", "0", "1.5", "-9223372036854775808", "9223372036854775808", "01", "2")
  const word = fc.constantFrom("WITHSCORES", "LIMIT", "REV", "BYSCORE", "BYLEX", "WEIGHTS", "AGGREGATE", "SUM", "FOO", "1", "-1", "abc", "COUNT", "MIN")
  return fc.oneof(
    fc.tuple(key, fc.array(fc.constantFrom("NX", "XX", "GT", "LT", "CH", "INCR", "1", "a", "abc", "2"), { maxLength: 6 })).map(([k, rest]) => ["zadd", k, ...rest]),
    fc.tuple(fc.constantFrom("zrange", "zrangebyscore", "zrevrangebylex", "zrangestore"), key, fc.array(word, { maxLength: 6 })).map(
      ([name, k, rest]) => [name, k, ...rest]),
    fc.tuple(fc.constantFrom("zunion", "zinter", "zdiff", "zintercard", "zmpop"), badNumber, fc.array(fc.oneof(key, word), { maxLength: 5 })).map(
      ([name, numkeys, rest]) => [name, numkeys, ...rest]),
    fc.tuple(fc.constantFrom("zunionstore", "zinterstore", "zdiffstore"), key, badNumber, fc.array(fc.oneof(key, word), { maxLength: 5 })).map(
      ([name, destination, numkeys, rest]) => [name, destination, numkeys, ...rest]),
    fc.tuple(fc.constantFrom("zpopmin", "zpopmax"), key, badNumber, optional(fc.constantFrom(["WITHSCORES"], ["extra"]))).map(
      ([name, k, count, rest]) => [name, k, count, ...rest]),
    // Counts that are not integers, or LONG_MIN: errors, never random picks.
    fc.tuple(key, fc.constantFrom("abc", "", "1.5", "-9223372036854775808", "9223372036854775808", "01"),
      optional(fc.constantFrom(["WITHSCORES"], ["extra"]))).map(([k, count, rest]) => ["zrandmember", k, count, ...rest]),
    fc.tuple(key, fc.constantFrom("4611686018427387904", "-4611686018427387904")).map(([k, count]) => ["zrandmember", k, count, "WITHSCORES"]),
    fc.tuple(key, fc.constantFrom("0", "abc", "-1", ""), fc.array(fc.constantFrom("MATCH", "COUNT", "0", "-1", "abc", "*", "10"), { maxLength: 4 })).map(
      ([k, cursor, rest]) => ["zscan", k, cursor, ...rest]),
    fc.tuple(fc.constantFrom("zincrby", "zscore", "zcount", "zlexcount", "zremrangebyrank", "zrank", "zcard", "zmscore"),
      fc.array(fc.oneof(key, badNumber), { maxLength: 3 })).map(([name, args]) => [name, ...args])
  )
}

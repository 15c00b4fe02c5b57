/**
 * Command vectors for the stream family without consumer groups (XADD, XTRIM,
 * XLEN, XRANGE, XREVRANGE, XREAD without BLOCK, XSETID), over a few colliding
 * keys. XADD takes explicit IDs only (`ms-seq`, `ms`, `ms-*` with small ms,
 * and malformed ones): `*` takes the server's clock, which two servers do not
 * share. Fields repeat (so entries share their node's master fields) and
 * values are sometimes long (so nodes fill by bytes as well as by count).
 */
import fc from "fast-check"
import type { ByteString, Command } from "../resp/values.js"
import { byteString } from "./arbitraries.js"
import { type CommandVectorOptions, keyName } from "./commands.js"

const anyCase = (word: string): fc.Arbitrary<string> =>
  fc.boolean().map((upper) => (upper ? word.toUpperCase() : word.toLowerCase()))

const words = (...parts: Array<fc.Arbitrary<ByteString> | fc.Arbitrary<ReadonlyArray<ByteString>>>): fc.Arbitrary<Command> =>
  fc.tuple(...parts).map((pieces) => pieces.flatMap((piece) => (typeof piece === "string" ? [piece] : [...piece])))

/** An entry ID as clients write it: mostly well-formed and small, sometimes at the edges or malformed. */
export const streamIdArgument: fc.Arbitrary<ByteString> = fc.oneof(
  { weight: 8, arbitrary: fc.tuple(fc.integer({ min: 0, max: 30 }), fc.integer({ min: 0, max: 3 })).map(([ms, seq]) => `${ms}-${seq}`) },
  { weight: 2, arbitrary: fc.integer({ min: 0, max: 30 }).map(String) },
  {
    weight: 1,
    arbitrary: fc.constantFrom("0-0", "18446744073709551615-18446744073709551615", "18446744073709551615", "18446744073709551616",
      "-1", "1-", "-", "+", "1-x", " 5", "+5", "05-1", "5-01", "1.5", "", "\x00")
  }
)

/** XADD's ID: an ID, `ms-*`, or (rarely) malformed. */
const addId: fc.Arbitrary<ByteString> = fc.oneof(
  { weight: 6, arbitrary: streamIdArgument },
  { weight: 3, arbitrary: fc.integer({ min: 0, max: 30 }).map((ms) => `${ms}-*`) },
  { weight: 1, arbitrary: fc.constantFrom("*-1", "x-*", "18446744073709551615-*") }
)

const field = fc.constantFrom("event", "jobId", "name", "f", "1", "")
const value: fc.Arbitrary<ByteString> = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom("waiting", "1", "-7", "70000", "", "x") },
  { weight: 1, arbitrary: fc.integer({ min: 100, max: 900 }).map((length) => "v".repeat(length)) },
  { weight: 1, arbitrary: byteString(6) }
)
const pairs = fc.array(fc.tuple(field, value), { minLength: 1, maxLength: 3 }).map((list) => list.flat())

/** A trimming clause: MAXLEN or MINID, exact or `~`, sometimes with LIMIT (only valid with `~`). */
const trimClause: fc.Arbitrary<ReadonlyArray<ByteString>> = fc.tuple(
  fc.oneof(
    fc.integer({ min: 0, max: 12 }).map((n) => ["MAXLEN", String(n)]),
    streamIdArgument.map((id) => ["MINID", id])
  ),
  fc.constantFrom([], ["~"], ["="]),
  fc.constantFrom([], [], ["LIMIT", "0"], ["LIMIT", "2"], ["limit", "100"])
).map(([[option, threshold], approx, limit]) => [option, ...approx, threshold, ...limit])

/** An interval bound: an ID, `-`, `+`, or an exclusive `(id`. */
const bound: fc.Arbitrary<ByteString> = fc.oneof(
  { weight: 4, arbitrary: streamIdArgument },
  { weight: 2, arbitrary: fc.constantFrom("-", "+") },
  { weight: 2, arbitrary: streamIdArgument.map((id) => `(${id}`) }
)

const countClause = fc.constantFrom([], [], ["COUNT", "1"], ["COUNT", "2"], ["count", "0"], ["COUNT", "-1"], ["COUNT", "x"])

/** A stream command (well-formed mostly, with malformed options and IDs mixed in). */
export const streamCommand = (options: CommandVectorOptions = {}): fc.Arbitrary<Command> => {
  const key = keyName(options.keys)
  const readIds = (count: number) => fc.array(fc.oneof(streamIdArgument, fc.constant("$")), { minLength: count, maxLength: count })
  const xread = fc.array(key, { minLength: 1, maxLength: 3 }).chain((keys) =>
    words(anyCase("xread"), countClause, fc.constant(["STREAMS", ...keys]), readIds(keys.length)))
  return fc.oneof(
    { weight: 10, arbitrary: words(anyCase("xadd"), key, addId, pairs) },
    { weight: 3, arbitrary: words(anyCase("xadd"), key, fc.constantFrom([], ["NOMKSTREAM"]), trimClause, addId, pairs) },
    { weight: 3, arbitrary: words(anyCase("xtrim"), key, trimClause) },
    { weight: 2, arbitrary: words(anyCase("xlen"), key) },
    { weight: 3, arbitrary: words(anyCase("xrange"), key, bound, bound, countClause) },
    { weight: 3, arbitrary: words(anyCase("xrevrange"), key, bound, bound, countClause) },
    { weight: 3, arbitrary: xread },
    { weight: 1, arbitrary: words(anyCase("xsetid"), key, streamIdArgument,
      fc.constantFrom([], ["ENTRIESADDED", "50"], ["MAXDELETEDID", "2-0"], ["entriesadded", "-1"], ["FOO"])) },
    {
      weight: 1,
      arbitrary: fc.constantFrom<Command>(
        ["xadd", "k1", "1-1"], ["xadd", "k1", "*", "a"], ["xtrim", "k1"], ["xtrim", "k1", "LIMIT", "5", "MAXLEN", "1"],
        ["xtrim", "k1", "MAXLEN", "1", "MINID", "1"], ["xtrim", "k1", "MAXLEN", "-1"], ["xread", "STREAMS", "k1"],
        ["xread", "BLOCK", "-1", "STREAMS", "k1", "$"], ["xread", "GROUP", "g", "c", "STREAMS", "k1", "0"], ["xread", "STREAMS", "k1", ">"],
        ["xrange", "k1", "(18446744073709551615-18446744073709551615", "+"], ["xrange", "k1", "-", "(0-0"]
      )
    }
  )
}

/**
 * Command vectors for the hash family (HSET ... HSCAN), well-formed, over a
 * few colliding keys and fields; values long enough (over 64 bytes) now and
 * then to make a hash change encoding.
 */
import fc from "fast-check"
import type { ByteString, Command } from "../resp/values.js"
import { byteString } from "./arbitraries.js"
import { type CommandVectorOptions, floatArgument, globPattern, integerArgument, keyName, valueArgument } from "./commands.js"

/** Field names: a few fixed ones (so commands collide), the empty and a binary one, sometimes any bytes. */
export const hashField: fc.Arbitrary<ByteString> = fc.oneof(
  { weight: 5, arbitrary: fc.constantFrom("f1", "f2", "f3", "n", "", "\x00\xff") },
  { weight: 1, arbitrary: byteString(8) }
)

const anyCase = (word: string): fc.Arbitrary<string> =>
  fc.boolean().map((upper) => (upper ? word.toUpperCase() : word.toLowerCase()))

const words = (...parts: Array<fc.Arbitrary<ByteString> | fc.Arbitrary<ReadonlyArray<ByteString>>>): fc.Arbitrary<Command> =>
  fc.tuple(...parts).map((pieces) => pieces.flatMap((piece) => (typeof piece === "string" ? [piece] : [...piece])))

/** HRANDFIELD's count: small, of either sign, sometimes WITHVALUES. */
const randomFieldOptions: fc.Arbitrary<ReadonlyArray<ByteString>> = fc.oneof(
  fc.constant([]),
  fc.integer({ min: -6, max: 8 }).map((count) => [String(count)]),
  fc.integer({ min: -6, max: 8 }).map((count) => [String(count), "WITHVALUES"])
)

/** HSCAN's cursor 0 and optional MATCH / COUNT. */
const hashScanOptions: fc.Arbitrary<ReadonlyArray<ByteString>> = fc.tuple(
  fc.option(globPattern.map((pattern) => ["MATCH", pattern]), { nil: undefined }),
  fc.option(fc.integer({ min: 10, max: 1000 }).map((count) => ["COUNT", String(count)]), { nil: undefined })
).map(([match, count]) => ["0", ...(match ?? []), ...(count ?? [])])

/** A well-formed hash command. */
export const hashCommand = (options: CommandVectorOptions = {}): fc.Arbitrary<Command> => {
  const key = keyName(options.keys)
  const fields = fc.array(hashField, { minLength: 1, maxLength: 4 })
  const pairs = fc.array(fc.tuple(hashField, valueArgument), { minLength: 1, maxLength: 4 }).map((list) => list.flat())
  return fc.oneof(
    { weight: 4, arbitrary: words(anyCase("hset"), key, pairs) },
    words(anyCase("hmset"), key, pairs),
    words(anyCase("hsetnx"), key, hashField, valueArgument),
    { weight: 2, arbitrary: words(anyCase("hget"), key, hashField) },
    words(anyCase("hmget"), key, fields),
    { weight: 2, arbitrary: words(anyCase("hdel"), key, fields) },
    words(anyCase("hlen"), key),
    words(anyCase("hstrlen"), key, hashField),
    words(anyCase("hexists"), key, hashField),
    words(anyCase("hkeys"), key),
    words(anyCase("hvals"), key),
    words(anyCase("hgetall"), key),
    { weight: 2, arbitrary: words(anyCase("hincrby"), key, hashField, integerArgument) },
    { weight: 2, arbitrary: words(anyCase("hincrbyfloat"), key, hashField, floatArgument) },
    words(anyCase("hrandfield"), key, randomFieldOptions),
    words(anyCase("hscan"), key, hashScanOptions)
  )
}

/**
 * Command vectors for the list family (LPUSH ... LMPOP, and the blocking
 * commands with a timeout short enough to answer at once or nearly),
 * well-formed, over a few colliding keys and elements so that LREM, LPOS and
 * LINSERT find matches.
 */
import fc from "fast-check"
import type { ByteString, Command } from "../resp/values.js"
import { byteString } from "./arbitraries.js"
import { type CommandVectorOptions, keyName } from "./commands.js"

/** Elements: a few fixed ones (so commands match), integers of every listpack width, sometimes any bytes. */
export const listElement: fc.Arbitrary<ByteString> = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom("a", "b", "c", "", "1", "-1", "300", "70000", "\x00\xff") },
  { weight: 1, arbitrary: fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map(String) },
  { weight: 1, arbitrary: byteString(8) }
)

/** An index: small of either sign (in and out of range), sometimes beyond any list. */
export const listIndex: fc.Arbitrary<ByteString> = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: -8, max: 8 }).map(String) },
  { weight: 1, arbitrary: fc.constantFrom("9223372036854775807", "-9223372036854775808", "100", "-100") }
)

const anyCase = (word: string): fc.Arbitrary<string> =>
  fc.boolean().map((upper) => (upper ? word.toUpperCase() : word.toLowerCase()))

const words = (...parts: Array<fc.Arbitrary<ByteString> | fc.Arbitrary<ReadonlyArray<ByteString>>>): fc.Arbitrary<Command> =>
  fc.tuple(...parts).map((pieces) => pieces.flatMap((piece) => (typeof piece === "string" ? [piece] : [...piece])))

const end = fc.constantFrom("LEFT", "RIGHT", "left", "Right")

/** A pop count: mostly small, sometimes 0 or large. */
const popCount = fc.oneof(fc.integer({ min: 1, max: 5 }).map(String), fc.constantFrom("0", "100"))

/** LPOS's options in any order and combination. */
const positionOptions: fc.Arbitrary<ReadonlyArray<ByteString>> = fc.array(
  fc.oneof(
    fc.constantFrom(-3, -2, -1, 1, 2, 3).map((rank) => ["RANK", String(rank)]),
    fc.integer({ min: 0, max: 3 }).map((count) => ["COUNT", String(count)]),
    fc.integer({ min: 0, max: 4 }).map((maxlen) => ["MAXLEN", String(maxlen)])
  ),
  { maxLength: 3 }
).map((options) => options.flat())

/**
 * A blocking command's timeout: short, so a command against empty lists
 * answers its timeout reply soon (both servers the same way).
 */
export const shortTimeout: fc.Arbitrary<ByteString> = fc.constantFrom("0.001", "0.002")

/** A well-formed list command; `blocking` adds the blocking commands with a short timeout. */
export const listCommand = (options: CommandVectorOptions & { readonly blocking?: boolean } = {}): fc.Arbitrary<Command> => {
  const key = keyName(options.keys)
  const keys = fc.array(key, { minLength: 1, maxLength: 3 })
  const elements = fc.array(listElement, { minLength: 1, maxLength: 5 })
  const nonBlocking = [
    { weight: 4, arbitrary: words(anyCase("lpush"), key, elements) },
    { weight: 4, arbitrary: words(anyCase("rpush"), key, elements) },
    { weight: 1, arbitrary: words(anyCase("lpushx"), key, elements) },
    { weight: 1, arbitrary: words(anyCase("rpushx"), key, elements) },
    { weight: 2, arbitrary: words(fc.constantFrom("lpop", "rpop"), key) },
    { weight: 2, arbitrary: words(fc.constantFrom("lpop", "rpop"), key, popCount) },
    { weight: 1, arbitrary: words(anyCase("llen"), key) },
    { weight: 3, arbitrary: words(anyCase("lrange"), key, listIndex, listIndex) },
    { weight: 2, arbitrary: words(anyCase("lindex"), key, listIndex) },
    { weight: 2, arbitrary: words(anyCase("lset"), key, listIndex, listElement) },
    { weight: 2, arbitrary: words(anyCase("linsert"), key, fc.constantFrom("BEFORE", "after"), listElement, listElement) },
    { weight: 2, arbitrary: words(anyCase("lrem"), key, fc.integer({ min: -3, max: 3 }).map(String), listElement) },
    { weight: 2, arbitrary: words(anyCase("ltrim"), key, listIndex, listIndex) },
    { weight: 2, arbitrary: words(anyCase("lpos"), key, listElement, positionOptions) },
    { weight: 1, arbitrary: words(anyCase("rpoplpush"), key, key) },
    { weight: 2, arbitrary: words(anyCase("lmove"), key, key, end, end) },
    {
      weight: 2,
      arbitrary: fc.tuple(keys, end, fc.option(popCount.filter((count) => count !== "0"), { nil: undefined })).map(
        ([names, where, count]): Command => ["LMPOP", String(names.length), ...names, where, ...(count === undefined ? [] : ["COUNT", count])]
      )
    }
  ]
  if (options.blocking !== true) return fc.oneof(...nonBlocking)
  return fc.oneof(
    ...nonBlocking,
    { weight: 1, arbitrary: words(fc.constantFrom("blpop", "brpop"), keys, shortTimeout) },
    { weight: 1, arbitrary: words(anyCase("brpoplpush"), key, key, shortTimeout) },
    { weight: 1, arbitrary: words(anyCase("blmove"), key, key, end, end, shortTimeout) },
    {
      weight: 1,
      arbitrary: fc.tuple(shortTimeout, keys, end, fc.integer({ min: 1, max: 4 })).map(
        ([timeout, names, where, count]): Command => ["BLMPOP", timeout, String(names.length), ...names, where, "COUNT", String(count)]
      )
    }
  )
}

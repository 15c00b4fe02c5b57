/**
 * fast-check arbitraries for command vectors: well-formed Redis string,
 * keyspace and connection commands with plausible arguments, over a small
 * keyspace so that commands in one sequence touch the same keys.
 *
 * "Well-formed" means the right number of arguments and option words Redis
 * accepts; the command may still fail when it runs (INCR on "abc", RENAME of a
 * missing key, an expiry time that overflows). That is deliberate: a client or
 * server under test should handle the error replies too.
 *
 * Every argument is a byte string (one char per byte, latin1), as in
 * `src/resp/values.ts`; turn a vector into request bytes with `encodeCommand`.
 */
import fc from "fast-check"
import type { ByteString, Command } from "../resp/values.js"
import { byteString } from "./arbitraries.js"

/** Settings shared by the command arbitraries. */
export interface CommandVectorOptions {
  /** The key names to pick from; few keys make commands collide. Default: {@link defaultKeys}. */
  readonly keys?: ReadonlyArray<ByteString>
  /** Seconds since the epoch that absolute expiry times are placed around. Default: 2100-01-01. */
  readonly epochSeconds?: number
}

/** Six keys, among them the empty key and a binary one. */
export const defaultKeys: ReadonlyArray<ByteString> = ["k1", "k2", "k3", "k:4", "", "\x00\xff"]

/** 2100-01-01T00:00:00Z: far enough ahead that a key set to expire then never expires during a test. */
const year2100 = 4_102_444_800

/** A key from `keys`. */
export const keyName = (keys: ReadonlyArray<ByteString> = defaultKeys): fc.Arbitrary<ByteString> => fc.constantFrom(...keys)

const int64Edges: ReadonlyArray<string> = [
  "0", "1", "-1", "2", "-2", "100",
  "9223372036854775807", "-9223372036854775808", "9223372036854775806", "-9223372036854775807",
  "4294967296", "2147483647", "-2147483648"
]

/** A 64-bit signed integer written in decimal, biased to small values and the int64 edges. */
export const integerArgument: fc.Arbitrary<ByteString> = fc.oneof(
  fc.integer({ min: -1000, max: 1000 }).map(String),
  fc.constantFrom(...int64Edges),
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map(String)
)

/** A number INCRBYFLOAT accepts: decimal, exponent and integer forms, small and huge. */
export const floatArgument: fc.Arbitrary<ByteString> = fc.oneof(
  fc.integer({ min: -1000, max: 1000 }).map(String),
  fc.tuple(fc.integer({ min: -1000, max: 1000 }), fc.integer({ min: 0, max: 999 })).map(([whole, fraction]) =>
    `${whole}.${String(fraction).padStart(3, "0")}`),
  fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e20, max: 1e20 }).map(String),
  fc.constantFrom("0.1", "-0.1", "1e3", "1E-3", "5.0e3", "3.0e+2", "1e308", "-1e308", "1e-320", "0.0", "-0", ".5", "5.")
)

/** A value for SET, APPEND, SETRANGE...: empty, numeric or arbitrary bytes. */
export const valueArgument: fc.Arbitrary<ByteString> = fc.oneof(
  { weight: 3, arbitrary: byteString(16) },
  { weight: 2, arbitrary: integerArgument },
  { weight: 1, arbitrary: floatArgument },
  { weight: 1, arbitrary: fc.constant("") },
  { weight: 1, arbitrary: fc.string({ unit: "grapheme-ascii", minLength: 40, maxLength: 80 }) }
)

/** An offset or length for GETRANGE / SETRANGE: small, negative or int64 edges. */
export const rangeArgument: fc.Arbitrary<ByteString> = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: -12, max: 40 }).map(String) },
  { weight: 1, arbitrary: fc.constantFrom("9223372036854775807", "-9223372036854775808", "536870911") }
)

/** A relative expiry in seconds long enough not to end during a test (1 day to ~1 year). */
const relativeSeconds = fc.integer({ min: 86_400, max: 31_536_000 }).map(String)
const relativeMilliseconds = fc.integer({ min: 86_400_000, max: 31_536_000_000 }).map(String)

/** Absolute expiry times in seconds and milliseconds, far after `epochSeconds`. */
const absoluteSeconds = (epochSeconds: number) => fc.integer({ min: epochSeconds, max: epochSeconds + 1_000_000 }).map(String)
const absoluteMilliseconds = (epochSeconds: number) =>
  fc.integer({ min: epochSeconds, max: epochSeconds + 1_000_000 }).chain((seconds) =>
    fc.integer({ min: 0, max: 999 }).map((millis) => String(seconds * 1000 + millis)))

/** `EX s`, `PX ms`, `EXAT s` or `PXAT ms` with times that do not race the clock. */
export const expireOption = (epochSeconds = year2100): fc.Arbitrary<ReadonlyArray<ByteString>> =>
  fc.oneof(
    relativeSeconds.map((time) => ["EX", time]),
    relativeMilliseconds.map((time) => ["PX", time]),
    absoluteSeconds(epochSeconds).map((time) => ["EXAT", time]),
    absoluteMilliseconds(epochSeconds).map((time) => ["PXAT", time])
  )

/** A glob pattern for KEYS and SCAN MATCH, with classes, escapes and wildcards. */
export const globPattern: fc.Arbitrary<ByteString> = fc.oneof(
  fc.constantFrom("*", "k*", "k?", "k[12]", "k[^1]", "k[1-3]", "*:*", "\\*", "?", "", "\x00*", "[a-z]*", "*4"),
  fc.string({ unit: fc.constantFrom("k", "1", ":", "*", "?", "[", "]", "^", "-", "\\"), maxLength: 6 })
)

/** Random upper/lower case of a command or option name, as Redis ignores case there. */
const anyCase = (word: string): fc.Arbitrary<string> =>
  fc.boolean().map((upper) => (upper ? word.toUpperCase() : word.toLowerCase()))

const vector = (...parts: Array<fc.Arbitrary<ByteString> | fc.Arbitrary<ReadonlyArray<ByteString>>>): fc.Arbitrary<Command> =>
  fc.tuple(...parts).map((pieces) => pieces.flatMap((piece) => (typeof piece === "string" ? [piece] : [...piece])))

const optional = <T>(arbitrary: fc.Arbitrary<ReadonlyArray<T>>): fc.Arbitrary<ReadonlyArray<T>> =>
  fc.option(arbitrary, { nil: undefined }).map((value) => value ?? [])

/** SET's options in an order and combination Redis accepts. */
const setOptions = (epochSeconds: number): fc.Arbitrary<ReadonlyArray<ByteString>> =>
  fc.tuple(
    optional(fc.constantFrom(["NX"], ["XX"])),
    optional(fc.constant(["GET"])),
    optional(fc.oneof(expireOption(epochSeconds), fc.constant(["KEEPTTL"])))
  ).chain((groups) => fc.shuffledSubarray(groups, { minLength: groups.length }).map((order) => order.flat()))

/** GETEX's one optional expiry or PERSIST. */
const getexOptions = (epochSeconds: number): fc.Arbitrary<ReadonlyArray<ByteString>> =>
  optional(fc.oneof(expireOption(epochSeconds), fc.constant(["PERSIST"])))

/** EXPIRE's optional NX / XX / GT / LT. */
const expireFlag: fc.Arbitrary<ReadonlyArray<ByteString>> = optional(fc.constantFrom(["NX"], ["XX"], ["GT"], ["LT"]))

/** A well-formed string command (SET, GET, INCRBYFLOAT, SETRANGE, MSET, ...). */
export const stringCommand = (options: CommandVectorOptions = {}): fc.Arbitrary<Command> => {
  const key = keyName(options.keys)
  const epoch = options.epochSeconds ?? year2100
  const keys = fc.array(key, { minLength: 1, maxLength: 4 })
  const pairs = fc.array(fc.tuple(key, valueArgument), { minLength: 1, maxLength: 3 }).map((list) => list.flat())
  return fc.oneof(
    vector(anyCase("set"), key, valueArgument, setOptions(epoch)),
    vector(anyCase("setnx"), key, valueArgument),
    vector(anyCase("setex"), key, relativeSeconds, valueArgument),
    vector(anyCase("psetex"), key, relativeMilliseconds, valueArgument),
    vector(anyCase("get"), key),
    vector(anyCase("getdel"), key),
    vector(anyCase("getex"), key, getexOptions(epoch)),
    vector(anyCase("mget"), keys),
    vector(anyCase("mset"), pairs),
    vector(anyCase("msetnx"), pairs),
    vector(anyCase("append"), key, valueArgument),
    vector(anyCase("strlen"), key),
    vector(anyCase("getrange"), key, rangeArgument, rangeArgument),
    vector(anyCase("setrange"), key, fc.integer({ min: 0, max: 40 }).map(String), valueArgument),
    vector(anyCase("incr"), key),
    vector(anyCase("decr"), key),
    vector(anyCase("incrby"), key, integerArgument),
    vector(anyCase("decrby"), key, integerArgument),
    vector(anyCase("incrbyfloat"), key, floatArgument)
  )
}

/** A well-formed keyspace command (DEL, EXISTS, EXPIRE family, TTL family, RENAME, KEYS, SCAN, ...). */
export const keyspaceCommand = (options: CommandVectorOptions = {}): fc.Arbitrary<Command> => {
  const key = keyName(options.keys)
  const epoch = options.epochSeconds ?? year2100
  const keys = fc.array(key, { minLength: 1, maxLength: 4 })
  const scanOptions = fc.tuple(
    optional(globPattern.map((pattern) => ["MATCH", pattern])),
    optional(fc.integer({ min: 10, max: 1000 }).map((count) => ["COUNT", String(count)])),
    optional(fc.constantFrom(["TYPE", "string"], ["TYPE", "list"]))
  ).map((groups) => groups.flat())
  return fc.oneof(
    vector(anyCase("del"), keys),
    vector(anyCase("unlink"), keys),
    vector(anyCase("exists"), keys),
    vector(anyCase("type"), key),
    vector(anyCase("expire"), key, relativeSeconds, expireFlag),
    vector(anyCase("pexpire"), key, relativeMilliseconds, expireFlag),
    vector(anyCase("expireat"), key, absoluteSeconds(epoch), expireFlag),
    vector(anyCase("pexpireat"), key, absoluteMilliseconds(epoch), expireFlag),
    vector(anyCase("ttl"), key),
    vector(anyCase("pttl"), key),
    vector(anyCase("expiretime"), key),
    vector(anyCase("pexpiretime"), key),
    vector(anyCase("persist"), key),
    vector(anyCase("rename"), key, key),
    vector(anyCase("renamenx"), key, key),
    vector(anyCase("keys"), globPattern),
    vector(anyCase("scan"), fc.constant("0"), scanOptions),
    vector(anyCase("randomkey")),
    vector(anyCase("dbsize"))
  )
}

/** PING, ECHO and SELECT (databases 0 and 1). */
export const connectionCommand: fc.Arbitrary<Command> = fc.oneof(
  vector(anyCase("ping"), optional(byteString(8).map((message) => [message]))),
  vector(anyCase("echo"), byteString(8)),
  vector(anyCase("select"), fc.constantFrom("0", "1"))
)

/**
 * Any well-formed data command: strings (weighted most), keyspace and
 * connection commands. FLUSHDB / FLUSHALL are left out: they would empty the
 * keyspace the other commands work on; add them yourself if you want them.
 *
 * @example
 * fc.assert(fc.asyncProperty(fc.array(commandVector()), async (commands) => {
 *   for (const command of commands) await compareReplies(command)
 * }))
 */
export const commandVector = (options: CommandVectorOptions = {}): fc.Arbitrary<Command> =>
  fc.oneof(
    { weight: 5, arbitrary: stringCommand(options) },
    { weight: 4, arbitrary: keyspaceCommand(options) },
    { weight: 1, arbitrary: connectionCommand }
  )

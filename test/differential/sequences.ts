/**
 * Command sequences for the differential tests: the well-formed vectors of
 * `effect-kv/testing` plus malformed ones (wrong arity, bad numbers, bad
 * options and option combinations, unknown commands), over six keys in two
 * databases, so that commands collide.
 */
import fc from "fast-check"
import type { ByteString, Command } from "../../src/resp/values.js"
import { byteString } from "../../src/testing/arbitraries.js"
import {
  commandVector,
  defaultKeys,
  floatArgument,
  globPattern,
  integerArgument,
  keyName
} from "../../src/testing/commands.js"

const key = keyName(defaultKeys)

/** Integers Redis's string2ll refuses, or that overflow int64. */
const badInteger = fc.constantFrom(
  "abc", "", "1.5", " 1", "1 ", "+1", "01", "-0", "0x10", "1e3", "9223372036854775808", "-9223372036854775809",
  "18446744073709551616", "\x001", "1\x00"
)

/** Numbers strtold refuses (or that overflow), for INCRBYFLOAT. */
const badFloat = fc.constantFrom("abc", "", " 1", "1 ", "inf", "-inf", "nan", "1e400", "-1e5000", "1.5.5", "0x1p3", "1,5")

/** Any finite double, in JS's shortest form or in exponent form: huge, tiny and subnormal sums for INCRBYFLOAT. */
const anyDouble = fc.double({ noNaN: true, noDefaultInfinity: true }).chain((value) =>
  fc.constantFrom(String(value), value.toExponential(), value.toExponential(3)))

/** A value long enough (16KB to 64KB) for the encoder's separate-part path for big bulks. */
const bigValue = fc.tuple(fc.integer({ min: 16_000, max: 64_000 }), fc.constantFrom("x", "\x00", "\xff")).map((
  [length, byte]
) => byte.repeat(length))

const someInteger = fc.oneof({ weight: 3, arbitrary: integerArgument }, { weight: 2, arbitrary: badInteger })

/**
 * Relative expiry times (EXPIRE, SETEX, ...): bad, zero or negative (the key
 * goes at once), int64 edges and at least a day: never a short positive time,
 * which would race the clock (and Redis's active expiry).
 */
const relativeExpireTime = fc.oneof(
  badInteger,
  fc.constantFrom(
    "0", "-1", "-1000", "-9223372036854775808", "9223372036854775807", "9223372036854775",
    "9223372036854776", "-9223372036854776", "4102444800", "4102444800000", "86400", "86400000"
  )
)

/** Absolute expiry times (EXPIREAT, PEXPIREAT): the relative ones plus times in the past, from 1970. */
const absoluteExpireTime = fc.oneof(relativeExpireTime, fc.constantFrom("1", "1000"))

/** SET / GETEX option words with times, in any order and combination, mostly invalid. */
const optionWords = fc.array(
  fc.oneof(
    fc.constantFrom("NX", "XX", "GET", "KEEPTTL", "PERSIST", "nx", "get", "keepttl", "FOO", ""),
    fc.tuple(
      fc.constantFrom("EX", "PX", "EXAT", "PXAT", "ex", "pxat"),
      fc.constantFrom("0", "-1", "abc", "9223372036854775807", "9223372036854775", "86400", "4102444800", "4102444800123")
    ).map(([option, time]) => `${option} ${time}`),
    fc.constantFrom("EX", "PXAT")
  ),
  { maxLength: 4 }
).map((words) => words.flatMap((word) => (word.includes(" ") ? word.split(" ") : [word])))

/** The unix time in ms an `EXAT t` / `PXAT t` names, when t is a positive integer. */
const absoluteMs = (option: ByteString, time: ByteString | undefined): bigint | undefined => {
  if (time === undefined || !/^[1-9][0-9]{0,18}$/.test(time)) return undefined
  const upper = option.toUpperCase()
  return upper === "EXAT" ? BigInt(time) * 1000n : upper === "PXAT" ? BigInt(time) : undefined
}

/**
 * SET with an absolute time in the past leaves a logically expired key that
 * DBSIZE counts until Redis's active expiry reclaims it (a race): those are left
 * out; past EXPIREAT / GETEX times delete at once and are in.
 */
const withoutPastSetExpiry = (words: ReadonlyArray<ByteString>): boolean =>
  !words.some((word, i) => {
    const at = absoluteMs(word, words[i + 1])
    return at !== undefined && at < BigInt(Date.now())
  })

const malformedCommand: fc.Arbitrary<Command> = fc.oneof(
  // wrong arity: a valid vector cut short or extended
  commandVector().chain((command) =>
    fc.oneof(
      fc.integer({ min: 0, max: command.length - 1 }).map((length) => [command[0], ...command.slice(1, length)]),
      fc.array(byteString(4), { minLength: 1, maxLength: 3 }).map((extra) => [...command, ...extra])
    )),
  // bad numbers
  fc.tuple(fc.constantFrom("incrby", "decrby"), key, someInteger).map((parts) => [...parts]),
  fc.tuple(key, fc.oneof(badFloat, floatArgument, anyDouble)).map(([name, amount]) => ["incrbyfloat", name, amount]),
  fc.tuple(key, anyDouble).map(([name, value]) => ["set", name, value]),
  fc.tuple(fc.constantFrom("set", "append"), key, bigValue).map((parts) => [...parts]),
  fc.tuple(fc.constantFrom("setex", "psetex"), key, relativeExpireTime, byteString(4)).map((parts) => [...parts]),
  fc.tuple(key, someInteger, someInteger).map(([name, start, end]) => ["getrange", name, start, end]),
  fc.tuple(key, fc.oneof(someInteger, fc.constantFrom("536870912", "-1")), byteString(3)).map((
    [name, offset, value]
  ) => ["setrange", name, offset, value]),
  fc.constantFrom("16", "-1", "abc", "2147483648", "", "1.0").map((index) => ["select", index]),
  // SET / GETEX option combinations
  fc.tuple(key, byteString(4), optionWords).filter(([, , words]) => withoutPastSetExpiry(words)).map((
    [name, value, words]
  ) => ["set", name, value, ...words]),
  fc.tuple(key, optionWords).map(([name, words]) => ["getex", name, ...words]),
  fc.oneof(
    fc.tuple(fc.constantFrom("EXAT", "PXAT"), fc.constantFrom("1", "1000")),
    fc.tuple(fc.constantFrom("EX", "PX"), fc.constantFrom("0", "-1"))
  ).chain(([option, time]) => key.map((name) => ["getex", name, option, time])),
  // EXPIRE family: times and flags
  fc.tuple(
    fc.oneof(
      fc.tuple(fc.constantFrom("expire", "pexpire"), relativeExpireTime),
      fc.tuple(fc.constantFrom("expireat", "pexpireat"), absoluteExpireTime)
    ),
    key,
    fc.array(fc.constantFrom("NX", "XX", "GT", "LT", "gt", "FOO"), { maxLength: 3 })
  ).map(([[command, time], name, flags]) => [command, name, time, ...flags]),
  // SCAN options, FLUSH modes
  fc.tuple(
    fc.constantFrom("0", "abc", "-1", "18446744073709551616", "00"),
    fc.array(
      fc.oneof(
        globPattern.map((pattern) => ["MATCH", pattern]),
        fc.oneof(someInteger, fc.constantFrom("0", "-5")).map((count) => ["COUNT", count]),
        fc.constantFrom(["TYPE", "string"], ["TYPE", "hash"], ["FOO", "1"], ["COUNT"], ["MATCH"])
      ),
      { maxLength: 3 }
    )
  ).map(([cursor, options]) => ["scan", cursor, ...options.flat()]),
  fc.constantFrom([], ["async"], ["SYNC"], ["foo"], ["async", "sync"]).chain((mode) =>
    fc.constantFrom("flushdb", "flushall").map((command) => [command, ...mode])),
  // HELLO's errors (a successful HELLO's map holds the connection id and versions)
  fc.constantFrom(["hello", "4"], ["hello", "0"], ["hello", "abc"], ["hello", "3", "foo"], ["hello", "2", "setname", "a b"],
    ["hello", "-1"], ["hello", "2", "SETNAME"], ["hello", "9223372036854775808"]).map((command) => [...command]),
  // unknown commands
  fc.tuple(fc.constantFrom("foo", "GETT", "set\x00", ""), fc.array(byteString(6), { maxLength: 3 })).map((
    [command, rest]
  ) => [command, ...rest])
)

/** One command of a differential sequence: mostly well-formed, often malformed. */
export const fuzzCommand: fc.Arbitrary<Command> = fc.oneof(
  { weight: 3, arbitrary: commandVector() },
  { weight: 2, arbitrary: malformedCommand }
)

/** Expiry-heavy commands: past and future absolute times, TTL reads, PERSIST, KEEPTTL. */
export const expiryCommand: fc.Arbitrary<Command> = fc.oneof(
  fc.tuple(key, byteString(3)).map(([name, value]) => ["set", name, value]),
  fc.tuple(key, byteString(3), fc.constantFrom(["EXAT", "4102444800"], ["PXAT", "4102444800500"], ["KEEPTTL"], ["EX", "86400"])).map((
    [name, value, option]
  ) => ["set", name, value, ...option]),
  fc.tuple(
    fc.constantFrom("expireat", "pexpireat"),
    key,
    fc.constantFrom("1", "1000", "4102444800", "4102444801", "4102444800000", "4102444799999"),
    fc.constantFrom([], ["NX"], ["XX"], ["GT"], ["LT"])
  ).map(([command, name, time, flags]) => [command, name, time, ...flags]),
  fc.tuple(key, fc.constantFrom(["EXAT", "1"], ["PXAT", "1"], ["EXAT", "4102444800"], ["PXAT", "4102444800999"], ["PERSIST"], [])).map((
    [name, option]
  ) => ["getex", name, ...option]),
  fc.tuple(fc.constantFrom("ttl", "pttl", "expiretime", "pexpiretime", "persist", "exists", "get", "type"), key).map((
    parts
  ) => [...parts]),
  fc.tuple(key, key).map(([from, to]) => ["rename", from, to]),
  fc.constantFrom(["dbsize"], ["keys", "*"], ["select", "0"], ["select", "1"], ["randomkey"])
)

/** A sequence of commands. */
export const sequence = (command: fc.Arbitrary<Command>, maxLength = 40): fc.Arbitrary<ReadonlyArray<Command>> =>
  fc.array(command, { minLength: 1, maxLength })

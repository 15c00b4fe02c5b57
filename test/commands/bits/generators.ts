/**
 * fast-check generators of bit and LCS commands with random arguments, good
 * and bad, at the arities the command table admits. Offsets that make a value
 * grow stay small (so neither server allocates much); reads go anywhere.
 */
import fc from "fast-check"
import type { ByteString } from "../../../src/resp/values.js"
import { listKey } from "./keyspace.js"

/** Mostly the string keys; sometimes the list or a key never written. */
export const key = fc.oneof({ weight: 8, arbitrary: fc.constantFrom("a", "b", "c") }, { weight: 1, arbitrary: fc.constantFrom(listKey, "missing") })

/** Bytes from a small alphabet (so LCS finds matches) plus any byte. */
export const byteString = (maxLength: number): fc.Arbitrary<ByteString> =>
  fc.array(fc.oneof(fc.constantFrom(0x00, 0x41, 0x42, 0x43, 0x80, 0xff), fc.integer({ min: 0, max: 255 })), { maxLength })
    .map((codes) => String.fromCharCode(...codes))

const randomCase = (word: string): fc.Arbitrary<string> =>
  fc.array(fc.boolean(), { minLength: word.length, maxLength: word.length })
    .map((uppers) => [...word].map((char, index) => (uppers[index] ? char.toUpperCase() : char.toLowerCase())).join(""))

const notIntegers = fc.constantFrom("", "x", "1.5", " 1", "01", "+1", "-0", "9223372036854775808", "-9223372036854775809", "1\0")
const int64Text = fc.oneof(
  fc.integer({ min: -70, max: 70 }).map(String),
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map(String),
  fc.constantFrom("9223372036854775807", "-9223372036854775808", "4294967295", "4294967296", "-4294967296"),
  fc.bigInt({ min: 0n, max: 64n }).map((shift) => String(2n ** shift - 1n)),
  fc.bigInt({ min: 0n, max: 63n }).map((shift) => String(-(2n ** shift))),
  notIntegers
)
const index = fc.oneof({ weight: 8, arbitrary: fc.integer({ min: -20, max: 20 }).map(String) }, { weight: 1, arbitrary: int64Text })

/** An offset a write may use: small, or refused before anything is written. */
const writeOffset = fc.oneof(
  { weight: 20, arbitrary: fc.integer({ min: 0, max: 90 }).map(String) },
  { weight: 1, arbitrary: fc.constantFrom("-1", "4294967296", "9223372036854775807", "x", "") },
  { weight: 1, arbitrary: notIntegers }
)
const readOffset = fc.oneof(writeOffset, fc.constantFrom("4294967295", "4294967288", "536870911"))
const hashOffset = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 0, max: 8 }).map((n) => `#${n}`) },
  { weight: 1, arbitrary: fc.constantFrom("#-1", "#", "#x", "#4294967296", "#2305843009213693953", "##1") }
)

const bitValue = fc.oneof({ weight: 6, arbitrary: fc.constantFrom("0", "1") }, { weight: 1, arbitrary: fc.constantFrom("2", "-1", "x", "01") })
const unit = fc.oneof({ weight: 4, arbitrary: fc.oneof(randomCase("bit"), randomCase("byte")) }, { weight: 1, arbitrary: fc.constantFrom("bits", "x", "") })

const setCommand = fc.tuple(fc.constantFrom("a", "b", "c"), byteString(24)).map(([k, v]) => ["SET", k, v])
const getCommand = key.map((k) => ["GET", k])
const setbit = fc.tuple(key, writeOffset, bitValue).map(([k, o, v]) => ["SETBIT", k, o, v])
const getbit = fc.tuple(key, readOffset).map(([k, o]) => ["GETBIT", k, o])
const bitcount = fc.oneof(
  { weight: 4, arbitrary: fc.tuple(key, index, index, fc.option(unit)).map(([k, s, e, u]) => ["BITCOUNT", k, s, e, ...(u === null ? [] : [u])]) },
  { weight: 1, arbitrary: fc.tuple(key, fc.array(fc.oneof(index, unit), { maxLength: 4 })).map(([k, rest]) => ["BITCOUNT", k, ...rest]) }
)
const bitpos = fc.tuple(key, bitValue,
  fc.array(index, { maxLength: 3 }), fc.option(unit)).map(([k, b, rest, u]) =>
    ["BITPOS", k, b, ...(rest.length === 2 && u !== null ? [...rest, u] : rest)])
const bitop = fc.tuple(fc.oneof(randomCase("and"), randomCase("or"), randomCase("xor"), randomCase("not"), fc.constant("nand")),
  key, fc.array(key, { minLength: 1, maxLength: 3 })).map(([op, dest, sources]) => ["BITOP", op, dest, ...sources])

const bitfieldType = fc.oneof(
  { weight: 30, arbitrary: fc.tuple(fc.constantFrom("i", "u"), fc.integer({ min: 1, max: 64 })).map(([s, b]) => `${s}${b}`) },
  { weight: 1, arbitrary: fc.constantFrom("u64", "i65", "i0", "u0", "x8", "I8", "u", "i08", "i-1", "", "i8\0x") }
)
const smallOffset = fc.integer({ min: 0, max: 90 }).map(String)
const bitfieldOffset = fc.oneof({ weight: 8, arbitrary: smallOffset }, { weight: 1, arbitrary: readOffset }, { weight: 2, arbitrary: hashOffset })
const bitfieldWriteOffset = fc.oneof({ weight: 8, arbitrary: smallOffset }, { weight: 1, arbitrary: writeOffset }, { weight: 2, arbitrary: hashOffset })
const operand = fc.oneof({ weight: 10, arbitrary: int64Text.filter((text) => /^-?\d+$/.test(text)) }, { weight: 1, arbitrary: notIntegers })
const subcommand = fc.oneof(
  { weight: 4, arbitrary: fc.tuple(randomCase("get"), bitfieldType, bitfieldOffset) },
  { weight: 4, arbitrary: fc.tuple(randomCase("set"), bitfieldType, bitfieldWriteOffset, operand) },
  { weight: 4, arbitrary: fc.tuple(randomCase("incrby"), bitfieldType, bitfieldWriteOffset, operand) },
  { weight: 4, arbitrary: fc.tuple(randomCase("overflow"), fc.oneof(randomCase("wrap"), randomCase("sat"), randomCase("fail"))) },
  { weight: 1, arbitrary: fc.constantFrom(["overflow", "x"], ["foo"], ["get"], ["set", "i8"], ["incrby", "u8", "0"]) }
)
/** Subcommands, the last sometimes cut short. */
const subcommands = fc.tuple(fc.array(subcommand, { maxLength: 5 }), fc.nat({ max: 9 }))
  .map(([list, cut]) => {
    const flat = list.flat()
    return cut === 0 ? flat.slice(0, Math.max(0, flat.length - 1)) : flat
  })
const bitfield = fc.tuple(fc.constantFrom("BITFIELD", "BITFIELD_RO"), key, subcommands).map(([name, k, rest]) => [name, k, ...rest])
const bitfieldGets = fc.tuple(key, fc.array(fc.tuple(fc.constant("GET"), bitfieldType, bitfieldOffset), { maxLength: 3 }))
  .map(([k, gets]) => ["BITFIELD_RO", k, ...gets.flat()])

const lcsOption: fc.Arbitrary<ReadonlyArray<string>> = fc.oneof(
  { weight: 6, arbitrary: fc.oneof(randomCase("len"), randomCase("idx"), randomCase("idx"), randomCase("withmatchlen")).map((option) => [option]) },
  { weight: 3, arbitrary: fc.tuple(randomCase("minmatchlen"), fc.integer({ min: -2, max: 5 }).map(String)) },
  { weight: 1, arbitrary: fc.oneof(fc.tuple(fc.constant("minmatchlen"), notIntegers), fc.constant(["minmatchlen"]), fc.constant(["foo"])) }
)
const lcs = fc.tuple(key, key, fc.array(lcsOption, { maxLength: 3 }))
  .map(([a, b, options]) => ["LCS", a, b, ...options.flat()])

/** SETs of a, b and c, so that sequences start from values. */
export const initialValues = fc.tuple(byteString(40), byteString(12), byteString(40))
  .map(([a, b, c]) => [["SET", "a", a], ["SET", "b", b], ["SET", "c", c]])

/** One command of any kind, SETs frequent enough to keep values varied. */
export const command: fc.Arbitrary<ReadonlyArray<ByteString>> = fc.oneof(
  { weight: 3, arbitrary: setCommand },
  { weight: 1, arbitrary: getCommand },
  { weight: 2, arbitrary: setbit },
  { weight: 2, arbitrary: getbit },
  { weight: 3, arbitrary: bitcount },
  { weight: 3, arbitrary: bitpos },
  { weight: 2, arbitrary: bitop },
  { weight: 4, arbitrary: bitfield },
  { weight: 1, arbitrary: bitfieldGets },
  { weight: 2, arbitrary: lcs }
)

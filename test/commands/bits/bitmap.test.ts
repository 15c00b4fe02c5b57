/**
 * The bitmap functions against a model: the value as an array of bits, bit 0
 * the most significant bit of byte 0, ranges resolved in bits.
 */
import { describe, expect, it } from "@effect/vitest"
import { Either } from "effect"
import fc from "fast-check"
import {
  type Bit,
  bitCount,
  type BitOperation,
  bitOp,
  bitPos,
  getBit,
  type RangeUnit,
  setBit
} from "../../../src/commands/bits/bitmap.js"
import { parseBitCountRange, parseBitOffset, parseBitPosRange, parseSetBit } from "../../../src/commands/bits/bitmap-arguments.js"
import * as Errors from "../../../src/errors.js"
import { byteString } from "./generators.js"

const toBits = (value: string): ReadonlyArray<Bit> =>
  [...value].flatMap((char) => Array.from({ length: 8 }, (_, bit): Bit => ((char.charCodeAt(0) >> (7 - bit)) & 1 ? 1 : 0)))

const fromBits = (bits: ReadonlyArray<Bit>): string =>
  Array.from({ length: Math.ceil(bits.length / 8) }, (_, byte) =>
    String.fromCharCode(bits.slice(byte * 8, byte * 8 + 8).reduce<number>((acc, bit) => (acc << 1) | bit, 0))).join("")

/** The model's range: first and last bit, from indexes in `unit`s (Redis's clamping rules). */
const bitRange = (length: number, start: bigint, end: bigint, unit: RangeUnit): readonly [number, number] => {
  const total = BigInt(unit === "BIT" ? length * 8 : length)
  const clamp = (index: bigint): bigint => {
    const fromEnd = index < 0n ? total + index : index
    return fromEnd < 0n ? 0n : fromEnd
  }
  const first = clamp(start)
  const lastClamped = clamp(end)
  const last = lastClamped >= total ? total - 1n : lastClamped
  if (first > last) return [1, 0]
  return unit === "BIT" ? [Number(first), Number(last)] : [Number(first) * 8, Number(last) * 8 + 7]
}

const index = fc.oneof(fc.integer({ min: -40, max: 40 }).map(BigInt), fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }))
const unit = fc.constantFrom<RangeUnit>("BYTE", "BIT")
const bit = fc.constantFrom<Bit>(0, 1)

describe("GETBIT and SETBIT", () => {
  it("follow a bit array, growing it with zeros", () => {
    fc.assert(fc.property(byteString(6), fc.array(fc.tuple(fc.nat({ max: 80 }), bit)), (initial, writes) => {
      let value = initial
      let model = [...toBits(initial)]
      for (const [offset, written] of writes) {
        const result = Either.getOrThrow(setBit(value, offset, written))
        const grown = model.length > offset ? model : [...model, ...Array<Bit>(Math.ceil((offset + 1) / 8) * 8 - model.length).fill(0)]
        expect(result.previous).toBe(grown[offset])
        expect(result.changed).toBe(grown.length !== model.length || grown[offset] !== written)
        model = grown.map((old, at) => (at === offset ? written : old))
        value = result.value
        expect(value).toBe(fromBits(model))
      }
      for (let offset = 0; offset < model.length + 16; offset++) expect(getBit(value, offset)).toBe(model[offset] ?? 0)
    }))
  })

  it("refuse offsets past 2^32 - 1 bits and values other than 0 and 1", () => {
    expect(parseBitOffset("4294967295")).toEqual(Either.right(4294967295))
    expect(parseBitOffset("4294967296")).toEqual(Either.left(Errors.commandError(Errors.bitOffsetNotInteger)))
    expect(parseBitOffset("#3")._tag).toBe("Left")
    expect(parseBitOffset("#3", 8)).toEqual(Either.right(24))
    // #n multiplies in int64 and wraps as in Redis: (2^61 + 1) * 8 = 8 mod 2^64.
    expect(parseBitOffset("#2305843009213693953", 8)).toEqual(Either.right(8))
    expect(parseSetBit(["SETBIT", "k", "1", "2"])).toEqual(Either.left(Errors.commandError(Errors.bitValueNotInteger)))
    expect(getBit("", 4294967295)).toBe(0)
  })

  it("answer 'string exceeds maximum allowed size' past V8's longest string (Redis would grow to 512MB)", () => {
    expect(setBit("", 4294967295, 1)).toEqual(Either.left(Errors.commandError(Errors.stringTooLong)))
  })
})

describe("BITCOUNT", () => {
  it("counts the set bits of the range, in bytes or bits", () => {
    fc.assert(fc.property(byteString(8), index, index, unit, (value, start, end, rangeUnit) => {
      const bits = toBits(value)
      const [first, last] = bitRange(value.length, start, end, rangeUnit)
      const expected = start < 0n && end < 0n && start > end ? 0 : bits.slice(first, last + 1).filter((b) => b === 1).length
      expect(bitCount(value, { start, end, unit: rangeUnit })).toBe(expected)
      expect(bitCount(value)).toBe(bits.filter((b) => b === 1).length)
    }))
  })

  it("parses its range as Redis: syntax errors by argument count, the unit last", () => {
    expect(parseBitCountRange(["BITCOUNT", "k", "1"])._tag).toBe("Left")
    expect(parseBitCountRange(["BITCOUNT", "k", "-1", "-2", "nope"])._tag).toBe("Right")
    expect(parseBitCountRange(["BITCOUNT", "k", "1", "2", "nope"])).toEqual(Either.left(Errors.commandError(Errors.syntaxError)))
    expect(parseBitCountRange(["BITCOUNT", "k", "x", "2", "nope"])).toEqual(Either.left(Errors.commandError(Errors.notInteger)))
  })
})

describe("BITPOS", () => {
  it("finds the first bit of the range; zeros run on past the value unless an end is given", () => {
    fc.assert(fc.property(byteString(8), bit, fc.option(fc.tuple(index, fc.option(index), unit)), (value, wanted, range) => {
      const bits = toBits(value)
      const start = range?.[0] ?? 0n
      const end = range?.[1] ?? undefined
      const rangeUnit = range?.[2] ?? "BYTE"
      const [first, last] = bitRange(value.length, start, end ?? BigInt(rangeUnit === "BIT" ? bits.length : value.length), rangeUnit)
      const found = bits.slice(first, last + 1).indexOf(wanted)
      const expected = first > last ? -1 : found !== -1 ? first + found : wanted === 0 && end === undefined ? last + 1 : -1
      const given = range === null ? undefined : { start, end, unit: rangeUnit }
      expect(bitPos(value, wanted, given)).toBe(expected)
    }))
  })

  it("reads the start, the unit, then the end", () => {
    expect(parseBitPosRange(["BITPOS", "k", "0", "1", "x", "nope"])).toEqual(Either.left(Errors.commandError(Errors.syntaxError)))
    expect(parseBitPosRange(["BITPOS", "k", "0", "1", "x", "bit"])).toEqual(Either.left(Errors.commandError(Errors.notInteger)))
    expect(parseBitPosRange(["BITPOS", "k", "0", "1"])).toEqual(Either.right({ start: 1n, end: undefined, unit: "BYTE" }))
  })
})

describe("BITOP", () => {
  it("combines bit by bit, shorter sources padded with zeros", () => {
    const operation = fc.constantFrom<BitOperation>("AND", "OR", "XOR")
    fc.assert(fc.property(operation, fc.array(byteString(6), { minLength: 1, maxLength: 4 }), (op, sources) => {
      const length = Math.max(...sources.map((source) => source.length))
      const padded = sources.map((source) => [...toBits(source), ...Array<Bit>(length * 8 - source.length * 8).fill(0)])
      const combine = (a: Bit, b: Bit): Bit => (op === "AND" ? (a & b) : op === "OR" ? (a | b) : (a ^ b)) === 1 ? 1 : 0
      const expected = padded.reduce((acc, bits) => acc.map((a, at) => combine(a, bits[at])))
      expect(bitOp(op, sources)).toBe(fromBits(expected))
    }))
    fc.assert(fc.property(byteString(6), (source) => {
      expect(bitOp("NOT", [source])).toBe(fromBits(toBits(source).map((b): Bit => (b === 1 ? 0 : 1))))
    }))
  })
})

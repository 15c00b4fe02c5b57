/**
 * BITFIELD against a BigInt model: fields read from a bit array, writes done
 * in exact integer arithmetic, then wrapped, saturated or refused.
 */
import { describe, expect, it } from "@effect/vitest"
import { Either } from "effect"
import fc from "fast-check"
import { applyBitfield, type BitfieldOperation, type OverflowMode, parseBitfield } from "../../../src/commands/bits/bitfield.js"
import * as Errors from "../../../src/errors.js"
import { integer, nullBulk, type RespValue } from "../../../src/resp/values.js"
import { byteString } from "./generators.js"

const toBits = (value: string): Array<number> =>
  [...value].flatMap((char) => Array.from({ length: 8 }, (_, bit) => (char.charCodeAt(0) >> (7 - bit)) & 1))

const fromBits = (bits: ReadonlyArray<number>): string =>
  Array.from({ length: bits.length / 8 }, (_, byte) =>
    String.fromCharCode(bits.slice(byte * 8, byte * 8 + 8).reduce((acc, bit) => (acc << 1) | bit, 0))).join("")

const int64Max = 2n ** 63n - 1n
const reply = (value: bigint): RespValue =>
  integer(value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value)

/** The model: exact arithmetic, then the overflow mode; Redis's one quirk spelled out. */
const model = (initial: string | undefined, operations: ReadonlyArray<BitfieldOperation>) => {
  const bits = toBits(initial ?? "")
  const writes = operations.some((operation) => operation._tag !== "Get")
  const highest = Math.max(0, ...operations.filter((o) => o._tag !== "Get").map((o) => o.offset + o.type.bits))
  while (writes && bits.length < Math.ceil(highest / 8) * 8) bits.push(0)
  const read = (offset: number, width: number, signed: boolean): bigint => {
    let raw = 0n
    for (let at = offset; at < offset + width; at++) raw = (raw << 1n) | BigInt(bits[at] ?? 0)
    return signed ? BigInt.asIntN(width, raw) : raw
  }
  const replies: Array<RespValue> = operations.map((operation) => {
    const { signed, bits: width } = operation.type
    const old = read(operation.offset, width, signed)
    if (operation._tag === "Get") return reply(old)
    const max = signed ? 2n ** BigInt(width - 1) - 1n : 2n ** BigInt(width) - 1n
    const min = signed ? -max - 1n : 0n
    const exact = operation._tag === "IncrBy" ? old + operation.operand : signed ? operation.operand : BigInt.asUintN(64, operation.operand)
    // Redis's SET check computes max - value in int64: when that overflows, the value counts as too big.
    const tooBig = exact > max || (signed && operation._tag === "Set" && width < 64 && max - exact > int64Max)
    let stored = exact
    if (tooBig || exact < min) {
      if (operation.overflow === "FAIL") return nullBulk
      stored = operation.overflow === "WRAP"
        ? (signed ? BigInt.asIntN(width, exact) : BigInt.asUintN(width, exact))
        : tooBig ? max : min
    }
    const pattern = BigInt.asUintN(width, stored)
    for (let at = 0; at < width; at++) bits[operation.offset + at] = Number((pattern >> BigInt(width - 1 - at)) & 1n)
    return reply(operation._tag === "IncrBy" ? stored : old)
  })
  return { replies, value: writes ? fromBits(bits) : undefined }
}

const type = fc.oneof(
  fc.integer({ min: 1, max: 64 }).map((bits) => ({ signed: true, bits })),
  fc.integer({ min: 1, max: 63 }).map((bits) => ({ signed: false, bits }))
)
const int64 = fc.oneof(
  fc.bigInt({ min: -300n, max: 300n }),
  fc.bigInt({ min: -(2n ** 63n), max: int64Max }),
  fc.integer({ min: 0, max: 63 }).chain((shift) => fc.constantFrom(2n ** BigInt(shift), -(2n ** BigInt(shift)), 2n ** BigInt(shift) - 1n))
)
const overflow = fc.constantFrom<OverflowMode>("WRAP", "SAT", "FAIL")
const operation: fc.Arbitrary<BitfieldOperation> = fc.oneof(
  fc.record({ _tag: fc.constant("Get" as const), type, offset: fc.nat({ max: 70 }) }),
  fc.record({ _tag: fc.constantFrom("Set" as const, "IncrBy" as const), type, offset: fc.nat({ max: 70 }), operand: int64, overflow })
)

describe("BITFIELD", () => {
  it("GET, SET and INCRBY follow the BigInt model under WRAP, SAT and FAIL", () => {
    fc.assert(fc.property(fc.option(byteString(8)), fc.array(operation, { maxLength: 6 }), (initial, operations) => {
      const result = Either.getOrThrow(applyBitfield(initial ?? undefined, operations))
      const expected = model(initial ?? undefined, operations)
      expect(result.replies).toEqual(expected.replies)
      expect(result.value).toBe(expected.value)
    }), { numRuns: 1000 })
  })

  it("refuses to grow past V8's longest string, and GET reads anywhere", () => {
    const write = Either.getOrThrow(parseBitfield(["BITFIELD", "k", "SET", "u8", "4294967290", "1"], false))
    expect(applyBitfield("", write)).toEqual(Either.left(Errors.commandError(Errors.stringTooLong)))
    const read = Either.getOrThrow(parseBitfield(["BITFIELD", "k", "GET", "i64", "4294967295"], false))
    expect(Either.getOrThrow(applyBitfield("abc", read))).toEqual({ replies: [integer(0)], value: undefined, changes: 0 })
  })

  it("parses subcommands with Redis's errors", () => {
    const refused = (message: string) => Either.left(Errors.commandError(message))
    expect(parseBitfield(["BITFIELD", "k", "GET", "u64", "0"], false)).toEqual(refused(Errors.invalidBitfieldType))
    expect(parseBitfield(["BITFIELD", "k", "GET", "i65", "0"], false)).toEqual(refused(Errors.invalidBitfieldType))
    expect(parseBitfield(["BITFIELD", "k", "GET", "i8", "-1"], false)).toEqual(refused(Errors.bitOffsetNotInteger))
    expect(parseBitfield(["BITFIELD", "k", "OVERFLOW", "NOPE"], false)).toEqual(refused(Errors.invalidOverflowType))
    expect(parseBitfield(["BITFIELD", "k", "SET", "i8", "0"], false)).toEqual(refused(Errors.syntaxError))
    expect(parseBitfield(["BITFIELD", "k", "SET", "i8", "0", "x"], false)).toEqual(refused(Errors.notInteger))
    expect(parseBitfield(["BITFIELD_RO", "k", "SET", "i8", "0", "1"], true)).toEqual(refused(Errors.bitfieldReadOnlyGetOnly))
    expect(parseBitfield(["BITFIELD", "k", "overflow", "sat", "incrby", "u8", "#2", "5", "get", "i64", "0"], false)).toEqual(
      Either.right([
        { _tag: "IncrBy", type: { signed: false, bits: 8 }, offset: 16, operand: 5n, overflow: "SAT" },
        { _tag: "Get", type: { signed: true, bits: 64 }, offset: 0 }
      ])
    )
  })
})

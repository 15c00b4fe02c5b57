/**
 * BITFIELD and BITFIELD_RO (bitops.c bitfieldGeneric): the subcommand list
 * parsed into typed operations, then applied to a value. Integers up to 64
 * bits are bigints; the overflow checks follow checkSignedBitfieldOverflow and
 * checkUnsignedBitfieldOverflow in their int64/uint64 arithmetic, quirks kept.
 */
import { Either } from "effect"
import {
  bitfieldReadOnlyGetOnly,
  CommandError,
  commandError,
  cString,
  invalidBitfieldType,
  invalidOverflowType,
  notInteger,
  stringTooLong,
  syntaxError
} from "../../errors.js"
import { integer, nullBulk, type ByteString, type RespValue } from "../../resp/values.js"
import { parseInt64 } from "../../int64.js"
import { maxStringLength } from "../strings.js"
import { defaultProtoMaxBulkLen, parseBitOffset } from "./bitmap-arguments.js"

export type OverflowMode = "WRAP" | "SAT" | "FAIL"

/** `i1`..`i64` or `u1`..`u63`. */
export interface BitfieldType {
  readonly signed: boolean
  readonly bits: number
}

export type BitfieldOperation =
  | { readonly _tag: "Get"; readonly type: BitfieldType; readonly offset: number }
  | {
    readonly _tag: "Set" | "IncrBy"
    readonly type: BitfieldType
    readonly offset: number
    /** SET's value or INCRBY's increment (an int64). */
    readonly operand: bigint
    /** The OVERFLOW mode in force where the subcommand appears. */
    readonly overflow: OverflowMode
  }


/** getBitfieldTypeFromArgument; the width is read as a C string (up to a NUL byte). */
export const parseBitfieldType = (text: ByteString): Either.Either<BitfieldType, CommandError> => {
  const signed = text.startsWith("i")
  if (!signed && !text.startsWith("u")) return Either.left(commandError(invalidBitfieldType))
  const bits = parseInt64(cString(text.slice(1)))
  if (bits === undefined || bits < 1n || bits > (signed ? 64n : 63n)) return Either.left(commandError(invalidBitfieldType))
  return Either.right({ signed, bits: Number(bits) })
}

const overflowModes: ReadonlyArray<OverflowMode> = ["WRAP", "SAT", "FAIL"]

/**
 * The subcommands after the key (`args[2..]`) in order, with Redis's errors:
 * a subcommand short of arguments or unknown is a syntax error, then the
 * type, the offset (`#n` counts in widths) and the value are checked.
 * `readOnly` (BITFIELD_RO) refuses SET and INCRBY, before the key's type is.
 */
export const parseBitfield = (
  args: ReadonlyArray<ByteString>,
  readOnly: boolean,
  protoMaxBulkLen: number = defaultProtoMaxBulkLen
): Either.Either<ReadonlyArray<BitfieldOperation>, CommandError> => {
  const operations: Array<BitfieldOperation> = []
  let overflow: OverflowMode = "WRAP"
  for (let j = 2; j < args.length; j++) {
    const remaining = args.length - j - 1
    const name = args[j].toUpperCase()
    if (name === "OVERFLOW" && remaining >= 1) {
      const mode = overflowModes.find((candidate) => candidate === args[j + 1].toUpperCase())
      if (mode === undefined) return Either.left(commandError(invalidOverflowType))
      overflow = mode
      j++
      continue
    }
    const isGet = name === "GET" && remaining >= 2
    const tag = name === "SET" ? "Set" : name === "INCRBY" ? "IncrBy" : undefined
    if (!isGet && (tag === undefined || remaining < 3)) return Either.left(commandError(syntaxError))
    const type = parseBitfieldType(args[j + 1])
    if (Either.isLeft(type)) return Either.left(type.left)
    const offset = parseBitOffset(args[j + 2], type.right.bits, protoMaxBulkLen)
    if (Either.isLeft(offset)) return Either.left(offset.left)
    if (isGet || tag === undefined) {
      operations.push({ _tag: "Get", type: type.right, offset: offset.right })
      j += 2
      continue
    }
    const operand = parseInt64(args[j + 3])
    if (operand === undefined) return Either.left(commandError(notInteger))
    operations.push({ _tag: tag, type: type.right, offset: offset.right, operand, overflow })
    j += 3
  }
  if (readOnly && operations.some((operation) => operation._tag !== "Get")) {
    return Either.left(commandError(bitfieldReadOnlyGetOnly))
  }
  return Either.right(operations)
}

/** Whether the operations write (Redis then creates or grows the key, even if every write fails). */
export const bitfieldWrites = (operations: ReadonlyArray<BitfieldOperation>): boolean =>
  operations.some((operation) => operation._tag !== "Get")

/** The bytes a field spans: from its first byte, enough to hold `offset % 8 + bits` bits (at most 9). */
const spanOf = (offset: number, bits: number): { readonly first: number; readonly count: number; readonly shift: bigint } => {
  const first = Math.floor(offset / 8)
  const count = Math.ceil(((offset % 8) + bits) / 8)
  return { first, count, shift: BigInt(count * 8 - (offset % 8) - bits) }
}

/** Reads `bits` bits at a bit offset, big-endian, bytes past the end as 0. */
const readBits = (byteAt: (index: number) => number, offset: number, bits: number): bigint => {
  const { first, count, shift } = spanOf(offset, bits)
  let span = 0n
  for (let index = first; index < first + count; index++) span = (span << 8n) | BigInt(byteAt(index))
  return BigInt.asUintN(bits, span >> shift)
}

/** Writes the low `bits` bits of `value` at a bit offset (the buffer holds them). */
const writeBits = (buffer: Buffer, offset: number, bits: number, value: bigint): void => {
  const { first, count, shift } = spanOf(offset, bits)
  let span = 0n
  for (let index = first; index < first + count; index++) span = (span << 8n) | BigInt(buffer[index])
  const field = ((1n << BigInt(bits)) - 1n) << shift
  span = (span & ~field) | ((value << shift) & field)
  for (let index = first + count - 1; index >= first; index--) {
    buffer[index] = Number(span & 0xffn)
    span >>= 8n
  }
}

const int64 = (value: bigint): bigint => BigInt.asIntN(64, value)

/** Overflow direction (0: none) and the value WRAP or SAT leave instead. */
interface OverflowCheck {
  readonly overflow: -1 | 0 | 1
  readonly limit: bigint
}

/** checkUnsignedBitfieldOverflow: `value` a uint64, `increment` an int64. */
const checkUnsigned = (value: bigint, increment: bigint, bits: number, mode: OverflowMode): OverflowCheck => {
  const max = (1n << BigInt(bits)) - 1n
  const wrapped = BigInt.asUintN(bits, value + increment)
  if (value > max || (increment > 0n && increment > int64(max - value))) {
    return { overflow: 1, limit: mode === "SAT" ? max : wrapped }
  }
  if (increment < 0n && increment < int64(-value)) return { overflow: -1, limit: mode === "SAT" ? 0n : wrapped }
  return { overflow: 0, limit: 0n }
}

/**
 * checkSignedBitfieldOverflow: `value` and `increment` int64s. Its bounds
 * `max - value` and `min - value` wrap in int64 as Redis's do, so SET of a
 * value far below the range saturates to the maximum, as Redis answers.
 */
const checkSigned = (value: bigint, increment: bigint, bits: number, mode: OverflowMode): OverflowCheck => {
  const max = (1n << BigInt(bits - 1)) - 1n
  const min = -max - 1n
  const maxIncrement = int64(max - value)
  const minIncrement = int64(min - value)
  const wrapped = BigInt.asIntN(bits, value + increment)
  const narrow = bits !== 64
  if (value > max || (narrow && increment > maxIncrement) || (value >= 0n && increment > 0n && increment > maxIncrement)) {
    return { overflow: 1, limit: mode === "SAT" ? max : wrapped }
  }
  if (value < min || (narrow && increment < minIncrement) || (value < 0n && increment < 0n && increment < minIncrement)) {
    return { overflow: -1, limit: mode === "SAT" ? min : wrapped }
  }
  return { overflow: 0, limit: 0n }
}

/** A reply integer: a JS number when exact, else a bigint. */
const int64Reply = (value: bigint): RespValue =>
  integer(value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value)

const readField = (byteAt: (index: number) => number, offset: number, type: BitfieldType): bigint => {
  const raw = readBits(byteAt, offset, type.bits)
  return type.signed ? BigInt.asIntN(type.bits, raw) : raw
}

/** One SET or INCRBY: the reply, and the value to store unless FAIL refused it. */
const writeOutcome = (
  operation: BitfieldOperation & { readonly _tag: "Set" | "IncrBy" },
  old: bigint
): { readonly reply: bigint; readonly stored: bigint } | undefined => {
  const { bits, signed } = operation.type
  const check = signed ? checkSigned : checkUnsigned
  const isIncrement = operation._tag === "IncrBy"
  // SET checks its value alone (as an increment of 0); unsigned SET reads it as a uint64.
  const subject = isIncrement ? old : signed ? operation.operand : BigInt.asUintN(64, operation.operand)
  const { overflow, limit } = check(subject, isIncrement ? operation.operand : 0n, bits, operation.overflow)
  if (overflow !== 0 && operation.overflow === "FAIL") return undefined
  const stored = overflow !== 0 ? limit : subject + (isIncrement ? operation.operand : 0n)
  return { reply: isIncrement ? stored : old, stored }
}

export interface BitfieldResult {
  /** One reply per operation: an integer, or null for a write refused by OVERFLOW FAIL. */
  readonly replies: ReadonlyArray<RespValue>
  /** The value to store (a write creates or grows the key); undefined when only reading. */
  readonly value: ByteString | undefined
  /** Redis's dirty count: the writes made, counting all once the key was created or grown. */
  readonly changes: number
}

/**
 * Applies the operations in order to `value` (undefined: a missing key).
 * With a write, the value first grows with zero bytes to hold every written
 * field (lookupStringForBitCommand); past V8's longest string that is
 * "string exceeds maximum allowed size".
 */
export const applyBitfield = (
  value: ByteString | undefined,
  operations: ReadonlyArray<BitfieldOperation>
): Either.Either<BitfieldResult, CommandError> => {
  const current = value ?? ""
  if (!bitfieldWrites(operations)) {
    const byteAt = (index: number): number => (index < current.length ? current.charCodeAt(index) : 0)
    const replies = operations.map((operation) => int64Reply(readField(byteAt, operation.offset, operation.type)))
    return Either.right({ replies, value: undefined, changes: 0 })
  }
  const highestBit = operations.reduce(
    (highest, operation) =>
      operation._tag === "Get" ? highest : Math.max(highest, operation.offset + operation.type.bits - 1),
    0
  )
  const length = Math.max(current.length, Math.floor(highestBit / 8) + 1)
  if (length > maxStringLength) return Either.left(commandError(stringTooLong))
  const buffer = Buffer.alloc(length)
  buffer.write(current, "latin1")
  const byteAt = (index: number): number => buffer[index] ?? 0
  const grown = value === undefined || length !== current.length
  let changes = 0
  const replies = operations.map((operation): RespValue => {
    const old = readField(byteAt, operation.offset, operation.type)
    if (operation._tag === "Get") return int64Reply(old)
    const outcome = writeOutcome(operation, old)
    if (outcome === undefined) return nullBulk
    writeBits(buffer, operation.offset, operation.type.bits, BigInt.asUintN(operation.type.bits, outcome.stored))
    if (grown || outcome.stored !== old) changes++
    return int64Reply(outcome.reply)
  })
  return Either.right({ replies, value: buffer.toString("latin1"), changes })
}

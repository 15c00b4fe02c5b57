/**
 * Argument parsing for SETBIT, GETBIT, BITCOUNT, BITPOS and BITOP, with the
 * errors and the order of checks of Redis's bitops.c. Each parser takes the
 * whole command (`args[0]` the name), its arity already checked by the table.
 */
import { Either } from "effect"
import {
  bitArgumentNotBinary,
  bitOffsetNotInteger,
  bitopNotSingleSource,
  bitValueNotInteger,
  CommandError,
  commandError,
  notInteger,
  syntaxError
} from "../../errors.js"
import type { ByteString } from "../../resp/values.js"
import { parseInt64 } from "../../int64.js"
import type { Bit, BitCountRange, BitOperation, BitPosRange, RangeUnit } from "./bitmap.js"

/** Redis's default proto-max-bulk-len: bit offsets must address a byte below it. */
export const defaultProtoMaxBulkLen = 512 * 1024 * 1024


/**
 * getBitOffsetFromArgument: a non-negative int64 whose byte is below
 * proto-max-bulk-len. With `hashWidth` (BITFIELD), `#n` means n * width,
 * multiplied in int64 arithmetic that wraps as Redis's does.
 */
export const parseBitOffset = (
  text: ByteString,
  hashWidth?: number,
  protoMaxBulkLen: number = defaultProtoMaxBulkLen
): Either.Either<number, CommandError> => {
  const hashed = hashWidth !== undefined && hashWidth > 0 && text.startsWith("#")
  const parsed = parseInt64(hashed ? text.slice(1) : text)
  if (parsed === undefined) return Either.left(commandError(bitOffsetNotInteger))
  const offset = hashed && hashWidth !== undefined ? BigInt.asIntN(64, parsed * BigInt(hashWidth)) : parsed
  if (offset < 0n || offset >> 3n >= BigInt(protoMaxBulkLen)) return Either.left(commandError(bitOffsetNotInteger))
  return Either.right(Number(offset))
}

const parseInteger = (text: ByteString, message: string = notInteger): Either.Either<bigint, CommandError> => {
  const parsed = parseInt64(text)
  return parsed === undefined ? Either.left(commandError(message)) : Either.right(parsed)
}

export interface SetBitArguments {
  readonly offset: number
  readonly bit: Bit
}

/** SETBIT key offset value: the offset first, then a value that must be 0 or 1. */
export const parseSetBit = (
  args: ReadonlyArray<ByteString>,
  protoMaxBulkLen: number = defaultProtoMaxBulkLen
): Either.Either<SetBitArguments, CommandError> =>
  Either.flatMap(parseBitOffset(args[2], undefined, protoMaxBulkLen), (offset) =>
    Either.flatMap(parseInteger(args[3], bitValueNotInteger), (value): Either.Either<SetBitArguments, CommandError> =>
      value === 0n || value === 1n
        ? Either.right({ offset, bit: value === 1n ? 1 : 0 })
        : Either.left(commandError(bitValueNotInteger))))

/** GETBIT key offset. */
export const parseGetBit = (
  args: ReadonlyArray<ByteString>,
  protoMaxBulkLen: number = defaultProtoMaxBulkLen
): Either.Either<number, CommandError> => parseBitOffset(args[2], undefined, protoMaxBulkLen)

const parseUnit = (text: ByteString): Either.Either<RangeUnit, CommandError> => {
  const unit = text.toUpperCase()
  return unit === "BIT" || unit === "BYTE" ? Either.right(unit) : Either.left(commandError(syntaxError))
}

/**
 * BITCOUNT key [start end [BYTE|BIT]]: undefined for the whole value. Parse it
 * after the key lookup: Redis answers 0 for a missing key whatever follows.
 * Two negative indexes in the wrong order skip the unit check (Redis answers
 * 0 before reading it); bitCount answers 0 for them.
 */
export const parseBitCountRange = (
  args: ReadonlyArray<ByteString>
): Either.Either<BitCountRange | undefined, CommandError> => {
  if (args.length === 2) return Either.right(undefined)
  if (args.length !== 4 && args.length !== 5) return Either.left(commandError(syntaxError))
  return Either.flatMap(parseInteger(args[2]), (start) =>
    Either.flatMap(parseInteger(args[3]), (end) => {
      if (args.length === 4 || (start < 0n && end < 0n && start > end)) {
        return Either.right({ start, end, unit: "BYTE" as const })
      }
      return Either.map(parseUnit(args[4]), (unit) => ({ start, end, unit }))
    }))
}

/** BITPOS's bit, checked before the key is looked up. */
export const parseBitPosBit = (args: ReadonlyArray<ByteString>): Either.Either<Bit, CommandError> =>
  Either.flatMap(parseInteger(args[2]), (bit): Either.Either<Bit, CommandError> =>
    bit === 0n || bit === 1n ? Either.right(bit === 1n ? 1 : 0) : Either.left(commandError(bitArgumentNotBinary)))

/**
 * BITPOS key bit [start [end [BYTE|BIT]]]: undefined for the whole value.
 * Parse it after the lookup (a missing key answers before). Redis reads the
 * start, then the unit, then the end.
 */
export const parseBitPosRange = (
  args: ReadonlyArray<ByteString>
): Either.Either<BitPosRange | undefined, CommandError> => {
  if (args.length === 3) return Either.right(undefined)
  if (args.length > 6) return Either.left(commandError(syntaxError))
  return Either.flatMap(parseInteger(args[3]), (start) =>
    Either.flatMap(args.length === 6 ? parseUnit(args[5]) : Either.right("BYTE" as const), (unit): Either.Either<BitPosRange, CommandError> =>
      args.length >= 5
        ? Either.map(parseInteger(args[4]), (end) => ({ start, end, unit }))
        : Either.right({ start, end: undefined, unit })))
}

export interface BitOpArguments {
  readonly operation: BitOperation
  readonly destination: ByteString
  readonly sources: ReadonlyArray<ByteString>
}

const operations: ReadonlyArray<BitOperation> = ["AND", "OR", "XOR", "NOT"]

/** BITOP operation destkey key [key ...]: NOT takes exactly one source. */
export const parseBitOp = (args: ReadonlyArray<ByteString>): Either.Either<BitOpArguments, CommandError> => {
  const name = args[1].toUpperCase()
  const operation = operations.find((candidate) => candidate === name)
  if (operation === undefined) return Either.left(commandError(syntaxError))
  if (operation === "NOT" && args.length !== 4) return Either.left(commandError(bitopNotSingleSource))
  return Either.right({ operation, destination: args[2], sources: args.slice(3) })
}

/**
 * The bit and LCS commands end to end over an abstract keyspace: each reads
 * keys through `lookup`, checks arguments and types in Redis's order, and
 * returns its reply plus the writes to make. A handler wires one in a few
 * lines: build `lookup` from the selected database's string accessor, call,
 * apply `writes` (undefined: delete), count `changes` in dirty. Pass the
 * configured proto-max-bulk-len where a command takes it (default 512MB).
 */
import { Either } from "effect"
import { CommandError, commandError, lcsKeysNotStrings, wrongType } from "../../errors.js"
import { array, integer, type ByteString, type RespValue } from "../../resp/values.js"
import { applyBitfield, parseBitfield } from "./bitfield.js"
import { bitCount, bitOp, bitPos, bitPosOfMissing, getBit, setBit } from "./bitmap.js"
import {
  defaultProtoMaxBulkLen,
  parseBitCountRange,
  parseBitOp,
  parseBitPosBit,
  parseBitPosRange,
  parseGetBit,
  parseSetBit
} from "./bitmap-arguments.js"
import { lcs, parseLcs } from "./lcs.js"

/** What a key holds, as these commands see it. */
export type StringSlot =
  | { readonly _tag: "Missing" }
  | { readonly _tag: "String"; readonly value: ByteString }
  | { readonly _tag: "WrongType" }

export type Lookup = (key: ByteString) => StringSlot

/** A key to set to a string value, or to delete (value undefined). */
export interface Write {
  readonly key: ByteString
  readonly value: ByteString | undefined
}

export interface CommandResult {
  readonly reply: Either.Either<RespValue, CommandError>
  readonly writes: ReadonlyArray<Write>
  /** Redis's `server.dirty` increment (0: no keyspace notification either). */
  readonly changes: number
}

const answer = (reply: Either.Either<RespValue, CommandError>, writes: ReadonlyArray<Write> = [], changes = 0): CommandResult =>
  ({ reply, writes, changes })
const refuse = (error: CommandError): CommandResult => answer(Either.left(error))
const wrongTypeError = commandError(wrongType, "WrongType")

/** SETBIT key offset value: arguments, then the type; writes only a changed value. */
export const setbitCommand = (
  args: ReadonlyArray<ByteString>,
  lookup: Lookup,
  protoMaxBulkLen: number = defaultProtoMaxBulkLen
): CommandResult => {
  const parsed = parseSetBit(args, protoMaxBulkLen)
  if (Either.isLeft(parsed)) return refuse(parsed.left)
  const slot = lookup(args[1])
  if (slot._tag === "WrongType") return refuse(wrongTypeError)
  const result = setBit(slot._tag === "String" ? slot.value : "", parsed.right.offset, parsed.right.bit)
  if (Either.isLeft(result)) return refuse(result.left)
  const { value, previous, changed } = result.right
  return changed ? answer(Either.right(integer(previous)), [{ key: args[1], value }], 1) : answer(Either.right(integer(previous)))
}

/** GETBIT key offset: the offset, then the type. */
export const getbitCommand = (
  args: ReadonlyArray<ByteString>,
  lookup: Lookup,
  protoMaxBulkLen: number = defaultProtoMaxBulkLen
): CommandResult => {
  const offset = parseGetBit(args, protoMaxBulkLen)
  if (Either.isLeft(offset)) return refuse(offset.left)
  const slot = lookup(args[1])
  if (slot._tag === "WrongType") return refuse(wrongTypeError)
  return answer(Either.right(integer(slot._tag === "String" ? getBit(slot.value, offset.right) : 0)))
}

/** BITCOUNT key [start end [BYTE|BIT]]: the key first (missing: 0 whatever the arguments). */
export const bitcountCommand = (args: ReadonlyArray<ByteString>, lookup: Lookup): CommandResult => {
  const slot = lookup(args[1])
  if (slot._tag === "Missing") return answer(Either.right(integer(0)))
  if (slot._tag === "WrongType") return refuse(wrongTypeError)
  const range = parseBitCountRange(args)
  if (Either.isLeft(range)) return refuse(range.left)
  return answer(Either.right(integer(bitCount(slot.value, range.right))))
}

/** BITPOS key bit [start [end [BYTE|BIT]]]: the bit, the key, then the range. */
export const bitposCommand = (args: ReadonlyArray<ByteString>, lookup: Lookup): CommandResult => {
  const bit = parseBitPosBit(args)
  if (Either.isLeft(bit)) return refuse(bit.left)
  const slot = lookup(args[1])
  if (slot._tag === "Missing") return answer(Either.right(integer(bitPosOfMissing(bit.right))))
  if (slot._tag === "WrongType") return refuse(wrongTypeError)
  const range = parseBitPosRange(args)
  if (Either.isLeft(range)) return refuse(range.left)
  return answer(Either.right(integer(bitPos(slot.value, bit.right, range.right))))
}

/**
 * BITOP operation destkey key [key ...]: stores the result, or deletes the
 * destination when every source is empty (a change only if it existed).
 */
export const bitopCommand = (args: ReadonlyArray<ByteString>, lookup: Lookup): CommandResult => {
  const parsed = parseBitOp(args)
  if (Either.isLeft(parsed)) return refuse(parsed.left)
  const sources: Array<ByteString> = []
  for (const key of parsed.right.sources) {
    const slot = lookup(key)
    if (slot._tag === "WrongType") return refuse(wrongTypeError)
    sources.push(slot._tag === "String" ? slot.value : "")
  }
  const result = bitOp(parsed.right.operation, sources)
  const reply = Either.right(integer(result.length))
  const destination = parsed.right.destination
  if (result.length > 0) return answer(reply, [{ key: destination, value: result }], 1)
  return lookup(destination)._tag === "Missing" ? answer(reply) : answer(reply, [{ key: destination, value: undefined }], 1)
}

/**
 * BITFIELD / BITFIELD_RO key [subcommands...]: every subcommand is checked
 * (and BITFIELD_RO's GET-only rule) before the key's type; a write stores the
 * grown value even when OVERFLOW FAIL refused every change.
 */
export const bitfieldCommand = (
  args: ReadonlyArray<ByteString>,
  lookup: Lookup,
  readOnly: boolean,
  protoMaxBulkLen: number = defaultProtoMaxBulkLen
): CommandResult => {
  const operations = parseBitfield(args, readOnly, protoMaxBulkLen)
  if (Either.isLeft(operations)) return refuse(operations.left)
  const slot = lookup(args[1])
  if (slot._tag === "WrongType") return refuse(wrongTypeError)
  const result = applyBitfield(slot._tag === "String" ? slot.value : undefined, operations.right)
  if (Either.isLeft(result)) return refuse(result.left)
  const { replies, value, changes } = result.right
  const writes = value === undefined ? [] : [{ key: args[1], value }]
  return answer(Either.right(array(replies)), writes, changes)
}

/** LCS key1 key2 [options]: both keys' types (LCS's own error), then the options. */
export const lcsCommand = (
  args: ReadonlyArray<ByteString>,
  lookup: Lookup,
  protoMaxBulkLen: number = defaultProtoMaxBulkLen
): CommandResult => {
  const first = lookup(args[1])
  const second = lookup(args[2])
  if (first._tag === "WrongType" || second._tag === "WrongType") return refuse(commandError(lcsKeysNotStrings))
  const options = parseLcs(args)
  if (Either.isLeft(options)) return refuse(options.left)
  const valueOf = (slot: StringSlot): ByteString => (slot._tag === "String" ? slot.value : "")
  return answer(lcs(valueOf(first), valueOf(second), options.right, protoMaxBulkLen))
}

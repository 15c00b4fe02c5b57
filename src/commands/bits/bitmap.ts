/**
 * Bitmap operations over byte strings, as Redis's bitops.c: GETBIT, SETBIT,
 * BITCOUNT, BITPOS and BITOP. Bit 0 is the most significant bit of byte 0.
 * Pure functions: the handlers look the key up, call these and store the result.
 */
import { Either } from "effect"
import { CommandError, commandError, stringTooLong } from "../../errors.js"
import type { ByteString } from "../../resp/values.js"
import { maxStringLength } from "../strings.js"

export type Bit = 0 | 1

/** Whether a range counts bytes (the default) or bits. */
export type RangeUnit = "BYTE" | "BIT"

/** BITCOUNT's `start end [BYTE|BIT]`, indexes as given (negative from the end). */
export interface BitCountRange {
  readonly start: bigint
  readonly end: bigint
  readonly unit: RangeUnit
}

/** BITPOS's `start [end [BYTE|BIT]]`; `end` undefined when not given. */
export interface BitPosRange {
  readonly start: bigint
  readonly end: bigint | undefined
  readonly unit: RangeUnit
}

export type BitOperation = "AND" | "OR" | "XOR" | "NOT"

export interface SetBitResult {
  /** The value after the write, grown with zero bytes to hold the bit. */
  readonly value: ByteString
  /** The bit before the write (SETBIT's reply). */
  readonly previous: Bit
  /** The value grew or the bit flipped: Redis then signals the key and counts a change. */
  readonly changed: boolean
}

const byteIndex = (bitOffset: number): number => Math.floor(bitOffset / 8)
const maskOf = (bitOffset: number): number => 0x80 >> (bitOffset % 8)

/** GETBIT: the bit at `offset`; bits past the end read as 0. */
export const getBit = (value: ByteString, offset: number): Bit => {
  const index = byteIndex(offset)
  return index < value.length && (value.charCodeAt(index) & maskOf(offset)) !== 0 ? 1 : 0
}

/**
 * SETBIT: writes `bit` at `offset`, growing the value with zero bytes
 * (lookupStringForBitCommand). A value V8 cannot hold answers "string exceeds
 * maximum allowed size" (Redis would allocate up to 512MB).
 */
export const setBit = (value: ByteString, offset: number, bit: Bit): Either.Either<SetBitResult, CommandError> => {
  const index = byteIndex(offset)
  if (index + 1 > maxStringLength) return Either.left(commandError(stringTooLong))
  const grown = index < value.length ? value : value + "\0".repeat(index + 1 - value.length)
  const byte = grown.charCodeAt(index)
  const mask = maskOf(offset)
  const previous: Bit = (byte & mask) !== 0 ? 1 : 0
  const updated = bit === 1 ? byte | mask : byte & ~mask
  const written = updated === byte
    ? grown
    : grown.slice(0, index) + String.fromCharCode(updated) + grown.slice(index + 1)
  return Either.right({ value: written, previous, changed: grown.length !== value.length || updated !== byte })
}

const popcountTable: ReadonlyArray<number> = Array.from({ length: 256 }, (_, byte) => {
  let count = 0
  for (let rest = byte; rest !== 0; rest >>= 1) count += rest & 1
  return count
})

/** Bytes `from..to` (inclusive) of a value, copied into a fresh (so 4-byte aligned) buffer. */
const bytesOf = (value: ByteString, from: number, to: number): Buffer => {
  const bytes = Buffer.alloc(Math.max(0, to - from + 1))
  bytes.write(value.slice(from, to + 1), "latin1")
  return bytes
}

/** The whole 32-bit words of a buffer from `bytesOf` (byte order does not matter to callers). */
const wordsOf = (bytes: Buffer): Uint32Array => new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.length >>> 2)

/** Set bits of a 32-bit word, by the SWAR method (as redisPopcount does per word). */
const popcountWord = (word: number): number => {
  const pairs = word - ((word >>> 1) & 0x55555555)
  const nibbles = (pairs & 0x33333333) + ((pairs >>> 2) & 0x33333333)
  return (Math.imul((nibbles + (nibbles >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24)
}

/** The set bits of bytes `from..to` (inclusive); word at a time, as a per-char loop is far slower. */
const popcount = (value: ByteString, from: number, to: number): number => {
  if (from > to) return 0
  const bytes = bytesOf(value, from, to)
  const words = wordsOf(bytes)
  let count = 0
  for (let index = 0; index < words.length; index++) count += popcountWord(words[index])
  for (let index = words.length * 4; index < bytes.length; index++) count += popcountTable[bytes[index]]
  return count
}

/** An inclusive range resolved against a length as bitcountCommand/bitposCommand do. */
interface ResolvedRange {
  /** First and last byte of the range (start > end: empty). */
  readonly start: number
  readonly end: number
  /** Bits of the first/last byte that lie before/after the range (BIT unit only). */
  readonly firstOutside: number
  readonly lastOutside: number
}

/**
 * Negative indexes count from the end, then both are clamped into the value;
 * in BIT units the edges become byte indexes plus masks of the bits left out.
 */
const resolveRange = (start: bigint, end: bigint, unit: RangeUnit, byteLength: number): ResolvedRange => {
  const total = BigInt(unit === "BIT" ? byteLength * 8 : byteLength)
  let first = start < 0n ? total + start : start
  let last = end < 0n ? total + end : end
  if (first < 0n) first = 0n
  if (last < 0n) last = 0n
  if (last >= total) last = total - 1n
  if (unit === "BIT" && first <= last) {
    const firstBit = Number(first)
    const lastBit = Number(last)
    return {
      start: byteIndex(firstBit),
      end: byteIndex(lastBit),
      firstOutside: ~((1 << (8 - (firstBit % 8))) - 1) & 0xff,
      lastOutside: (1 << (7 - (lastBit % 8))) - 1
    }
  }
  // An empty range keeps its (possibly huge) bounds only to compare them.
  return first > last
    ? { start: 1, end: 0, firstOutside: 0, lastOutside: 0 }
    : { start: Number(first), end: Number(last), firstOutside: 0, lastOutside: 0 }
}

/** BITCOUNT: the set bits of the value, or of a range of it (bitcountCommand). */
export const bitCount = (value: ByteString, range?: BitCountRange): number => {
  if (range === undefined) return popcount(value, 0, value.length - 1)
  // Two negative indexes in the wrong order are empty before any clamping.
  if (range.start < 0n && range.end < 0n && range.start > range.end) return 0
  const resolved = resolveRange(range.start, range.end, range.unit, value.length)
  if (resolved.start > resolved.end) return 0
  const count = popcount(value, resolved.start, resolved.end)
  const outsideFirst = popcountTable[value.charCodeAt(resolved.start) & resolved.firstOutside]
  const outsideLast = popcountTable[value.charCodeAt(resolved.end) & resolved.lastOutside]
  return count - outsideFirst - outsideLast
}

/** redisBitpos on one byte: the first `bit` in it, or -1 (looking for 1) or 8 (looking for 0). */
const firstBitOfByte = (byte: number, bit: Bit): number => {
  const candidates = bit === 1 ? byte : ~byte & 0xff
  return candidates !== 0 ? Math.clz32(candidates) - 24 : bit === 1 ? -1 : 8
}

/**
 * redisBitpos on bytes from `bytesOf`: the position of the first `bit`; when
 * none, -1 looking for 1 and `bytes.length * 8` looking for 0 (the zero
 * padding on the right). Whole words of the other bit are skipped first.
 */
const firstBitIn = (bytes: Buffer, bit: Bit): number => {
  const words = wordsOf(bytes)
  const skippedWord = bit === 1 ? 0 : 0xffffffff
  let word = 0
  while (word < words.length && words[word] === skippedWord) word++
  for (let index = word * 4; index < bytes.length; index++) {
    const position = firstBitOfByte(bytes[index], bit)
    if (position !== -1 && position !== 8) return index * 8 + position
  }
  return bit === 1 ? -1 : bytes.length * 8
}

/**
 * BITPOS on an existing value (bitposCommand): the first `bit` in the value
 * or range, or -1. Looking for 0 without an explicit end, the value counts as
 * zero-padded on the right, so an all-ones value answers its bit length.
 */
export const bitPos = (value: ByteString, bit: Bit, range?: BitPosRange): number => {
  const unit = range?.unit ?? "BYTE"
  const endGiven = range?.end !== undefined
  const defaultEnd = BigInt(unit === "BIT" ? value.length * 8 + 7 : value.length - 1)
  const resolved = resolveRange(range?.start ?? 0n, range?.end ?? defaultEnd, unit, value.length)
  let start = resolved.start
  if (start > resolved.end) return -1
  let bytes = resolved.end - start + 1
  // Bits outside the range are forced to the value not looked for.
  const hide = (byte: number, outside: number): number => (bit === 1 ? byte & ~outside : byte | outside) & 0xff
  const answer = (position: number): number => {
    if (endGiven && bit === 0 && position === bytes * 8) return -1
    return position === -1 ? -1 : position + start * 8
  }
  if (resolved.firstOutside !== 0) {
    let first = hide(value.charCodeAt(start), resolved.firstOutside)
    if (resolved.lastOutside !== 0 && bytes === 1) first = hide(first, resolved.lastOutside)
    const position = firstBitOfByte(first, bit)
    if (bytes === 1 || (position !== -1 && position !== 8)) return answer(position)
    start++
    bytes--
  }
  const wholeBytes = bytes - (resolved.lastOutside !== 0 ? 1 : 0)
  if (wholeBytes > 0) {
    const position = firstBitIn(bytesOf(value, start, start + wholeBytes - 1), bit)
    if (bytes === wholeBytes || (position !== -1 && position !== wholeBytes * 8)) return answer(position)
    start += wholeBytes
    bytes -= wholeBytes
  }
  return answer(firstBitOfByte(hide(value.charCodeAt(resolved.end), resolved.lastOutside), bit))
}

/** BITPOS on a missing key: an endless run of zeros. */
export const bitPosOfMissing = (bit: Bit): number => (bit === 1 ? -1 : 0)

/**
 * BITOP (bitopCommand): the sources (missing keys as "") combined byte by byte,
 * shorter ones zero-padded, as long as the longest. An empty result means
 * Redis deletes the destination instead of storing "".
 */
export const bitOp = (operation: BitOperation, sources: ReadonlyArray<ByteString>): ByteString => {
  const length = sources.reduce((longest, source) => Math.max(longest, source.length), 0)
  const result = Buffer.alloc(length)
  result.write(sources[0] ?? "", "latin1")
  if (operation === "NOT") {
    for (let index = 0; index < length; index++) result[index] = ~result[index] & 0xff
  }
  for (const source of sources.slice(1)) {
    const bytes = Buffer.from(source, "latin1")
    // Past a source's end it reads as zeros: AND clears the rest, OR and XOR keep it.
    if (operation === "AND") {
      for (let index = 0; index < bytes.length; index++) result[index] &= bytes[index]
      result.fill(0, bytes.length)
    } else if (operation === "OR") {
      for (let index = 0; index < bytes.length; index++) result[index] |= bytes[index]
    } else {
      for (let index = 0; index < bytes.length; index++) result[index] ^= bytes[index]
    }
  }
  return result.toString("latin1")
}

/**
 * Writing a listpack (Redis's listpack.c lpInsert / lpEncodeGetType) as a
 * byte string (latin1, one char a byte): what quicklist-2 nodes hold in an
 * RDB file. Integers in string2ll's canonical form take lpEncodeGetType's
 * integer encodings, every other string a 6-, 12- or 32-bit length. Each
 * element ends with its back-length (lpEncodeBacklen).
 */
import { backlenSize } from "./listpack.js"

const canonicalInteger = /^(0|-?[1-9][0-9]{0,18})$/
const int64Min = -(2n ** 63n)
const int64Max = 2n ** 63n - 1n

/** The integer a listpack would store `text` as (lpStringToInt64), or undefined for a string. */
const asInteger = (text: string): bigint | undefined => {
  if (text.length > 20 || !canonicalInteger.test(text)) return undefined
  const value = BigInt(text)
  return value < int64Min || value > int64Max ? undefined : value
}

const littleEndian = (value: bigint, size: number): string => {
  let unsigned = BigInt.asUintN(size * 8, value)
  let bytes = ""
  for (let i = 0; i < size; i++) {
    bytes += String.fromCharCode(Number(unsigned & 0xffn))
    unsigned >>= 8n
  }
  return bytes
}

/** An element's encoding byte(s) and content, without the back-length. */
const encodeElement = (text: string): string => {
  const value = asInteger(text)
  if (value !== undefined) {
    if (value >= 0n && value <= 127n) return String.fromCharCode(Number(value))
    if (value >= -4096n && value <= 4095n) {
      const unsigned = Number(BigInt.asUintN(13, value))
      return String.fromCharCode(0xc0 | (unsigned >> 8), unsigned & 0xff)
    }
    if (value >= -32768n && value <= 32767n) return "\xf1" + littleEndian(value, 2)
    if (value >= -8388608n && value <= 8388607n) return "\xf2" + littleEndian(value, 3)
    if (value >= -2147483648n && value <= 2147483647n) return "\xf3" + littleEndian(value, 4)
    return "\xf4" + littleEndian(value, 8)
  }
  const length = text.length
  if (length < 64) return String.fromCharCode(0x80 | length) + text
  if (length < 4096) return String.fromCharCode(0xe0 | (length >> 8), length & 0xff) + text
  return "\xf0" + littleEndian(BigInt(length), 4) + text
}

/** lpEncodeBacklen: 7 bits a byte, the high bit set on all but the first written byte, read from the end. */
const encodeBacklen = (length: number): string => {
  const size = backlenSize(length)
  let bytes = ""
  for (let i = size - 1; i >= 0; i--) {
    const group = Math.floor(length / 128 ** i) % 128
    bytes += String.fromCharCode(i === size - 1 ? group : group | 0x80)
  }
  return bytes
}

/** The bytes one element adds to a listpack (its encoding, content and back-length). */
export const listpackElementSize = (text: string): number => {
  const encoded = encodeElement(text).length
  return encoded + backlenSize(encoded)
}

/** A listpack's header (total bytes u32, count u16) and end byte. */
export const listpackOverhead = 7

/** The listpack blob holding `elements` in order. */
export const encodeListpack = (elements: ReadonlyArray<string>): string => {
  let body = ""
  for (const text of elements) {
    const encoded = encodeElement(text)
    body += encoded + encodeBacklen(encoded.length)
  }
  const total = body.length + listpackOverhead
  return littleEndian(BigInt(total), 4) + littleEndian(BigInt(Math.min(elements.length, 0xffff)), 2) + body + "\xff"
}

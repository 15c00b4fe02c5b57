/**
 * Writing a listpack (listpack.c) as a byte string (one char a byte), for
 * RDB types that carry one: lpAppend's encodings, an element that is a
 * canonical int64 (lpStringToInt64) stored as the smallest integer form.
 */
import { backlenSize } from "./listpack.js"

const int64Text = /^-?[1-9][0-9]*$|^0$/
const int64Min = -(2n ** 63n)
const int64Max = 2n ** 63n - 1n

/** An element's integer value, when lpStringToInt64 takes it as one. */
const asInteger = (text: string): bigint | undefined => {
  if (text.length === 0 || text.length > 20 || !int64Text.test(text)) return undefined
  const value = BigInt(text)
  return value < int64Min || value > int64Max ? undefined : value
}

const littleEndian = (value: bigint, bytes: number): string => {
  let out = ""
  let rest = BigInt.asUintN(bytes * 8, value)
  for (let i = 0; i < bytes; i++) {
    out += String.fromCharCode(Number(rest & 0xffn))
    rest >>= 8n
  }
  return out
}

/** The encoding byte(s) and content of one element (lpEncodeIntegerGetType, lpEncodeString). */
const encodedElement = (text: string): string => {
  const integer = asInteger(text)
  if (integer !== undefined) {
    if (integer >= 0n && integer <= 127n) return String.fromCharCode(Number(integer))
    if (integer >= -4096n && integer <= 4095n) {
      const bits = Number(BigInt.asUintN(13, integer))
      return String.fromCharCode(0xc0 | (bits >> 8), bits & 0xff)
    }
    if (integer >= -32768n && integer <= 32767n) return "\xf1" + littleEndian(integer, 2)
    if (integer >= -8388608n && integer <= 8388607n) return "\xf2" + littleEndian(integer, 3)
    if (integer >= -2147483648n && integer <= 2147483647n) return "\xf3" + littleEndian(integer, 4)
    return "\xf4" + littleEndian(integer, 8)
  }
  const length = text.length
  if (length < 64) return String.fromCharCode(0x80 | length) + text
  if (length < 4096) return String.fromCharCode(0xe0 | (length >> 8), length & 0xff) + text
  return "\xf0" + littleEndian(BigInt(length), 4) + text
}

/** lpEncodeBacklen: the element's length in 7-bit groups, most significant first, all but the first flagged. */
const backlen = (length: number): string => {
  const size = backlenSize(length)
  let out = ""
  for (let i = size - 1; i >= 0; i--) {
    const group = Math.floor(length / 2 ** (7 * i)) & 0x7f
    out += String.fromCharCode(i === size - 1 ? group : group | 0x80)
  }
  return out
}

/** A listpack of `elements` in order: header (total bytes u32, count u16 saturating at 65535), elements, 0xFF. */
export const encodeListpack = (elements: ReadonlyArray<string>): string => {
  let body = ""
  for (const element of elements) {
    const encoded = encodedElement(element)
    body += encoded + backlen(encoded.length)
  }
  const total = 6 + body.length + 1
  return littleEndian(BigInt(total), 4) + littleEndian(BigInt(Math.min(elements.length, 0xffff)), 2) + body + "\xff"
}

/**
 * The listpack (Redis's listpack.c, RDB types HASH_LISTPACK 16,
 * ZSET_LISTPACK 17, SET_LISTPACK 20 and quicklist-2 nodes): total bytes u32,
 * element count u16 (little-endian), the elements, 0xFF. An element is an
 * encoding byte, its content, and a back-length (1..5 bytes) of the two.
 */
import { BlobCursor, malformed } from "./blob.js"

const end = 0xff

/** The elements of a listpack blob, integers as their decimal text. */
export const decodeListpack = (blob: string): Array<string> => {
  const cursor = new BlobCursor(blob)
  const totalBytes = cursor.uintLE(4)
  if (totalBytes !== blob.length) malformed("listpack size does not match its header")
  const declared = cursor.uintLE(2)
  const elements: Array<string> = []
  for (;;) {
    cursor.need(1)
    if (blob.charCodeAt(cursor.offset) === end) break
    const start = cursor.offset
    elements.push(elementContent(cursor))
    const length = cursor.offset - start
    if (readBacklen(cursor, backlenSize(length)) !== length) malformed("listpack back-length does not match its element")
  }
  cursor.offset++
  if (cursor.offset !== blob.length) malformed("bytes after the listpack end marker")
  // The count saturates at 65535 (LP_HDR_NUMELE_UNKNOWN): only checked below that.
  if (declared !== 0xffff && declared !== elements.length) malformed("listpack element count does not match its header")
  return elements
}

/** lpGet's encodings. */
const elementContent = (cursor: BlobCursor): string => {
  const encoding = cursor.byte()
  if ((encoding & 0x80) === 0) return String(encoding) // 0xxxxxxx: 7-bit unsigned
  if ((encoding & 0xc0) === 0x80) return cursor.text(encoding & 0x3f) // 10xxxxxx: 6-bit string length
  if ((encoding & 0xe0) === 0xc0) { // 110xxxxx yyyyyyyy: 13-bit signed
    const value = ((encoding & 0x1f) << 8) | cursor.byte()
    return String(value >= 1 << 12 ? value - (1 << 13) : value)
  }
  if ((encoding & 0xf0) === 0xe0) return cursor.text(((encoding & 0x0f) << 8) | cursor.byte()) // 12-bit string length
  switch (encoding) {
    case 0xf0:
      return cursor.text(cursor.uintLE(4))
    case 0xf1:
      return cursor.intLE(2)
    case 0xf2:
      return cursor.intLE(3)
    case 0xf3:
      return cursor.intLE(4)
    case 0xf4:
      return cursor.intLE(8)
  }
  return malformed("bad listpack encoding")
}

/**
 * The back-length after an element (lpEncodeBacklen): `size` bytes of 7 bits,
 * most significant first, read backwards from the last byte (whose high bit
 * says more bytes precede it).
 */
const readBacklen = (cursor: BlobCursor, size: number): number => {
  let value = 0
  for (let i = 0; i < size; i++) value = value * 128 + (cursor.byte() & 0x7f)
  return value
}

/** lpEncodeBacklen's size for a length. */
export const backlenSize = (length: number): number =>
  length <= 127 ? 1 : length < 16383 ? 2 : length < 2097151 ? 3 : length < 268435455 ? 4 : 5

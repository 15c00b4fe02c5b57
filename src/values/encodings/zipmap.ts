/**
 * The zipmap (Redis's zipmap.c, RDB type HASH_ZIPMAP 9, written before 2.6):
 * a count byte (254: unknown), then per pair the key's length, the key, the
 * value's length, a free-bytes count, the value and that many unused bytes;
 * 0xFF ends it. A length is one byte below 254, else 254 and a u32
 * (little-endian, as every platform Redis ran on wrote it).
 */
import { BlobCursor, malformed } from "./blob.js"

const end = 0xff
const bigLength = 254

const readLength = (cursor: BlobCursor): number => {
  const first = cursor.byte()
  if (first === end) malformed("zipmap ends inside a pair")
  return first === bigLength ? cursor.uintLE(4) : first
}

/** The key, value pairs of a zipmap blob, flattened (key, value, key, value ...). */
export const decodeZipmap = (blob: string): Array<string> => {
  const cursor = new BlobCursor(blob)
  cursor.byte()
  const flattened: Array<string> = []
  for (;;) {
    cursor.need(1)
    if (blob.charCodeAt(cursor.offset) === end) break
    flattened.push(cursor.text(readLength(cursor)))
    const valueLength = readLength(cursor)
    const free = cursor.byte()
    flattened.push(cursor.text(valueLength))
    cursor.text(free)
  }
  cursor.offset++
  if (cursor.offset !== blob.length) malformed("bytes after the zipmap end marker")
  return flattened
}

/**
 * The ziplist (Redis's ziplist.c, RDB types HASH_ZIPLIST 13, ZSET_ZIPLIST 12,
 * LIST_ZIPLIST 10 and quicklist nodes): `zlbytes` u32, `zltail` u32, `zllen`
 * u16 (all little-endian), the entries, 0xFF. An entry is its previous entry's
 * length (1 byte, or 0xFE and a u32), an encoding, and its content.
 */
import { BlobCursor, malformed } from "./blob.js"

const end = 0xff
const bigPrevlen = 0xfe

/** The entries of a ziplist blob, integers as their decimal text. */
export const decodeZiplist = (blob: string): Array<string> => {
  const cursor = new BlobCursor(blob)
  const totalBytes = cursor.uintLE(4)
  if (totalBytes !== blob.length) malformed("ziplist size does not match its header")
  cursor.uintLE(4)
  const declared = cursor.uintLE(2)
  const entries: Array<string> = []
  for (;;) {
    cursor.need(1)
    if (blob.charCodeAt(cursor.offset) === end) break
    if (cursor.byte() === bigPrevlen) cursor.uintLE(4)
    entries.push(entryContent(cursor))
  }
  cursor.offset++
  if (cursor.offset !== blob.length) malformed("bytes after the ziplist end marker")
  // zllen saturates at 0xFFFF: the count is only checked below that.
  if (declared !== 0xffff && declared !== entries.length) malformed("ziplist entry count does not match its header")
  return entries
}

/** zipEntry's encodings: strings by their 00/01/10 prefix, integers by 11xxxxxx. */
const entryContent = (cursor: BlobCursor): string => {
  const encoding = cursor.byte()
  switch (encoding >> 6) {
    case 0:
      return cursor.text(encoding & 0x3f)
    case 1:
      return cursor.text(((encoding & 0x3f) << 8) | cursor.byte())
    case 2:
      if (encoding !== 0x80) malformed("bad ziplist string encoding")
      return cursor.text(cursor.uintBE(4))
  }
  switch (encoding) {
    case 0xc0:
      return cursor.intLE(2)
    case 0xd0:
      return cursor.intLE(4)
    case 0xe0:
      return cursor.intLE(8)
    case 0xf0:
      return cursor.intLE(3)
    case 0xfe:
      return cursor.intLE(1)
  }
  // 1111xxxx: an immediate 0..12 stored as xxxx - 1 (0001..1101).
  const immediate = encoding & 0x0f
  if (encoding >> 4 === 0xf && immediate >= 1 && immediate <= 13) return String(immediate - 1)
  return malformed("bad ziplist integer encoding")
}

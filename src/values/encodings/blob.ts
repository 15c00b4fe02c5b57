/**
 * Reading the compact blobs Redis stores small collections in (ziplist,
 * listpack, zipmap) from an RDB string: the blob is a byte string (latin1 JS
 * string, one char a byte), read with bounds checks. A malformed blob is a
 * `MalformedBlob` (the RDB reader reports it as a corrupt file).
 *
 * This folder imports nothing outside it: lists, hashes and sorted sets all
 * load these encodings.
 */

/** A blob whose bytes do not follow its encoding. */
export class MalformedBlob extends Error {
  constructor(readonly reason: string) {
    super(reason)
  }
}

/**
 * A collection stored with no elements: Redis 7.0's loader skips the key
 * (rdb.c rdbLoadObject's RDB_LOAD_ERR_EMPTY_KEY) instead of refusing the file.
 */
export class EmptyCollection extends Error {
  constructor() {
    super("empty collection")
  }
}

export const malformed = (reason: string): never => {
  throw new MalformedBlob(reason)
}

/** A position in a blob with the little-endian readers the encodings need. */
export class BlobCursor {
  offset = 0
  constructor(readonly blob: string) {}

  need(count: number): void {
    if (count < 0 || this.offset + count > this.blob.length) malformed("entry past the end of the blob")
  }

  byte(): number {
    this.need(1)
    return this.blob.charCodeAt(this.offset++)
  }

  /** An unsigned little-endian integer of `size` (1..4) bytes. */
  uintLE(size: number): number {
    this.need(size)
    let value = 0
    for (let i = size - 1; i >= 0; i--) value = value * 256 + this.blob.charCodeAt(this.offset + i)
    this.offset += size
    return value
  }

  /** A two's-complement little-endian integer of `size` (1..8) bytes, as its decimal text. */
  intLE(size: number): string {
    this.need(size)
    let value = 0n
    for (let i = size - 1; i >= 0; i--) value = (value << 8n) | BigInt(this.blob.charCodeAt(this.offset + i))
    this.offset += size
    return BigInt.asIntN(size * 8, value).toString()
  }

  uintBE(size: number): number {
    this.need(size)
    let value = 0
    for (let i = 0; i < size; i++) value = value * 256 + this.blob.charCodeAt(this.offset + i)
    this.offset += size
    return value
  }

  text(length: number): string {
    this.need(length)
    const value = this.blob.slice(this.offset, this.offset + length)
    this.offset += length
    return value
  }
}

/**
 * Serialises keyspaces to an RDB file (version 10, Redis 7.0's layout),
 * as a sequence of chunks so a large dump never sits in memory whole.
 *
 * Layout: "REDIS0010", aux fields, then per non-empty database SELECTDB,
 * RESIZEDB and its keys (EXPIRETIME_MS when the key has an expiry, type
 * STRING, key, value), then EOF and the CRC-64 of all preceding bytes,
 * little-endian.
 */
import { type Entry, isExpired, isVolatile, type Keyspace, valueOf } from "../../store/entry.js"
import { crc64 } from "./crc64.js"
import { Length, magic, Opcode, StringEncoding, stringType, writtenRedisVersion, writtenVersion } from "./format.js"
import { compress } from "./lzf.js"

export interface WriteOptions {
  /** Redis's `rdbcompression`: LZF-compress strings longer than 20 bytes when that saves space. Default true. */
  readonly compression?: boolean
  /** Reported in the `used-mem` aux field. Default 0. */
  readonly usedMemoryBytes?: number
}

const chunkSize = 64 * 1024
/** Redis only tries integer encoding on strings this short, and LZF on strings longer than 20 bytes. */
const maxIntegerEncodedLength = 11
const minCompressedLength = 21
const canonicalInteger = /^(0|-?[1-9][0-9]*)$/
const int32Min = -(2 ** 31)
const int32Max = 2 ** 31 - 1

/**
 * The RDB file for `databases` (index = database number) as of `nowMs`:
 * keys already expired at `nowMs` are left out, as Redis does.
 */
export function* writeRdb(
  databases: ReadonlyArray<Keyspace>,
  nowMs: number,
  options: WriteOptions = {}
): Generator<Uint8Array, void, undefined> {
  const out = new ChunkBuilder()
  const compression = options.compression ?? true
  let checksum = 0n
  function* emitReady(): Generator<Uint8Array, void, undefined> {
    for (const chunk of out.takeReady()) {
      checksum = crc64(chunk, checksum)
      yield chunk
    }
  }

  out.latin1(`${magic}${String(writtenVersion).padStart(4, "0")}`)
  const auxFields: ReadonlyArray<readonly [string, string]> = [
    ["redis-ver", writtenRedisVersion],
    ["redis-bits", "64"],
    ["ctime", String(Math.floor(nowMs / 1000))],
    ["used-mem", String(options.usedMemoryBytes ?? 0)],
    ["aof-base", "0"]
  ]
  for (const [name, value] of auxFields) {
    out.byte(Opcode.aux)
    writeString(out, name, compression)
    writeString(out, value, compression)
  }

  for (let db = 0; db < databases.length; db++) {
    const live = liveEntries(databases[db], nowMs)
    if (live.keys === 0) continue
    out.byte(Opcode.selectDb)
    writeLength(out, db)
    out.byte(Opcode.resizeDb)
    writeLength(out, live.keys)
    writeLength(out, live.withExpiry)
    for (const [key, entry] of live.entries) {
      writeEntry(out, key, entry, compression)
      if (out.hasReady()) yield* emitReady()
    }
  }

  out.byte(Opcode.eof)
  out.flush()
  yield* emitReady()
  const trailer = new Uint8Array(8)
  new DataView(trailer.buffer).setBigUint64(0, checksum, true)
  yield trailer
}

interface LiveEntries {
  readonly entries: Iterable<readonly [string, Entry]>
  readonly keys: number
  readonly withExpiry: number
}

/** The entries of `keyspace` not expired at `nowMs`, with the counts RESIZEDB needs. */
const liveEntries = (keyspace: Keyspace, nowMs: number): LiveEntries => {
  const entries: Array<readonly [string, Entry]> = []
  let withExpiry = 0
  for (const pair of keyspace) {
    if (isExpired(pair[1], nowMs)) continue
    entries.push(pair)
    if (isVolatile(pair[1])) withExpiry++
  }
  return { entries, keys: entries.length, withExpiry }
}

const writeEntry = (out: ChunkBuilder, key: string, entry: Entry, compression: boolean): void => {
  if (isVolatile(entry)) {
    out.byte(Opcode.expireTimeMs)
    out.int64LE(entry.expiresAt)
  }
  out.byte(stringType)
  writeString(out, key, compression)
  writeString(out, valueOf(entry), compression)
}

/** rdbEncodeLength: 6-bit, 14-bit, 32-bit or 64-bit big-endian forms. */
const writeLength = (out: ChunkBuilder, length: number): void => {
  if (length < 1 << 6) {
    out.byte((Length.bits6 << 6) | length)
  } else if (length < 1 << 14) {
    out.byte((Length.bits14 << 6) | (length >> 8))
    out.byte(length & 0xff)
  } else if (length <= 0xffffffff) {
    out.byte(Length.bits32)
    out.uint32BE(length)
  } else {
    out.byte(Length.bits64)
    out.uint32BE(Math.floor(length / 2 ** 32))
    out.uint32BE(length >>> 0)
  }
}

/** rdbSaveRawString: integer encoding, else LZF when it saves at least 4 bytes, else length + bytes. */
const writeString = (out: ChunkBuilder, value: string, compression: boolean): void => {
  if (value.length <= maxIntegerEncodedLength && canonicalInteger.test(value)) {
    const n = Number(value)
    if (n >= int32Min && n <= int32Max) {
      writeEncodedInteger(out, n)
      return
    }
  }
  if (compression && value.length >= minCompressedLength) {
    const compressed = compress(Buffer.from(value, "latin1"), value.length - 4)
    if (compressed !== undefined) {
      out.byte((Length.encoded << 6) | StringEncoding.lzf)
      writeLength(out, compressed.length)
      writeLength(out, value.length)
      out.bytes(compressed)
      return
    }
  }
  writeLength(out, value.length)
  out.latin1(value)
}

/** rdbEncodeInteger: the smallest of INT8, INT16, INT32, little-endian. */
const writeEncodedInteger = (out: ChunkBuilder, n: number): void => {
  if (n >= -128 && n <= 127) {
    out.byte((Length.encoded << 6) | StringEncoding.int8)
    out.byte(n & 0xff)
  } else if (n >= -32768 && n <= 32767) {
    out.byte((Length.encoded << 6) | StringEncoding.int16)
    out.byte(n & 0xff)
    out.byte((n >> 8) & 0xff)
  } else {
    out.byte((Length.encoded << 6) | StringEncoding.int32)
    out.uint32LE(n >>> 0)
  }
}

/**
 * Appends bytes to fixed-size chunks; a full chunk moves to the ready list.
 * Chunks handed out are never written again.
 */
class ChunkBuilder {
  private buffer = Buffer.allocUnsafe(chunkSize)
  private used = 0
  private ready: Array<Uint8Array> = []

  hasReady(): boolean {
    return this.ready.length > 0
  }

  takeReady(): ReadonlyArray<Uint8Array> {
    const ready = this.ready
    this.ready = []
    return ready
  }

  /** Moves the bytes written so far to the ready list. */
  flush(): void {
    if (this.used === 0) return
    this.ready.push(this.buffer.subarray(0, this.used))
    this.buffer = Buffer.allocUnsafe(chunkSize)
    this.used = 0
  }

  byte(b: number): void {
    this.reserve(1)
    this.buffer[this.used++] = b
  }

  uint32BE(n: number): void {
    this.reserve(4)
    this.used = this.buffer.writeUInt32BE(n, this.used)
  }

  uint32LE(n: number): void {
    this.reserve(4)
    this.used = this.buffer.writeUInt32LE(n, this.used)
  }

  /** A signed 64-bit integer (any safe integer), little-endian. */
  int64LE(n: number): void {
    const high = Math.floor(n / 2 ** 32)
    this.reserve(8)
    this.used = this.buffer.writeUInt32LE(n - high * 2 ** 32, this.used)
    this.used = this.buffer.writeInt32LE(high, this.used)
  }

  bytes(data: Uint8Array): void {
    if (data.length > chunkSize) {
      this.flush()
      this.ready.push(data)
      return
    }
    this.reserve(data.length)
    this.buffer.set(data, this.used)
    this.used += data.length
  }

  latin1(s: string): void {
    if (s.length > chunkSize) {
      this.bytes(Buffer.from(s, "latin1"))
      return
    }
    this.reserve(s.length)
    this.used += this.buffer.write(s, this.used, "latin1")
  }

  private reserve(n: number): void {
    if (this.used + n > this.buffer.length) this.flush()
  }
}

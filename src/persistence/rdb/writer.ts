/**
 * Serialises keyspaces to an RDB file (version 10, Redis 7.0's layout),
 * as a sequence of chunks so a large dump never sits in memory whole.
 *
 * Layout: "REDIS0010", aux fields, then per non-empty database SELECTDB,
 * RESIZEDB and its keys (EXPIRETIME_MS when the key has an expiry, the
 * value's type byte, key, and the value as its type module writes it:
 * values/), then EOF and the CRC-64 of all preceding bytes,
 * little-endian.
 *
 * Speed matters (SAVE blocks the server): each database is walked once
 * (Hamt.forEach, or its iterator when pausing) into flat arrays of keys,
 * values and expiries; bytes go straight into 64 KiB chunks (short strings
 * copied char by char, which beats Buffer#write's call cost); LZF reuses one
 * pair of scratch buffers, so writing a key allocates nothing.
 */
import { type Entry, isVolatile, type Keyspace, type StoredValue, valueOf } from "../../store/entry.js"
import * as Hamt from "../../structures/hamt.js"
import { crc64 } from "./crc64.js"
import { typeOf } from "../../values/registry.js"
import type { RdbValueWriter } from "../../values/types.js"
import { Length, magic, Opcode, StringEncoding, writtenRedisVersion, writtenVersion } from "./format.js"
import { compressInto, compressionSpace } from "./lzf.js"

export interface WriteOptions {
  /** Redis's `rdbcompression`: LZF-compress strings longer than 20 bytes when that saves space. Default true. */
  readonly compression?: boolean
  /** Reported in the `used-mem` aux field. Default 0. */
  readonly usedMemoryBytes?: number
  /**
   * Gather a database's live keys this many at a time, yielding an empty
   * chunk in between, so that a consumer that gives way between chunks
   * (a background save) also does so during that pass. Unset: each database
   * is gathered at once with Hamt.forEach, faster.
   */
  readonly pauseEveryKeys?: number
  /** The function libraries' code (FUNCTION LOAD's argument), written before the databases. Default none. */
  readonly functions?: ReadonlyArray<string>
}

const chunkSize = 64 * 1024
/** Strings up to this length are copied char by char; longer ones with Buffer#write. */
const shortStringLength = 48
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
  const lzf = (options.compression ?? true) ? new LzfScratch() : undefined
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
    writeString(out, name, lzf)
    writeString(out, value, lzf)
  }
  for (const code of options.functions ?? []) writeFunctionRecord(out, code, lzf !== undefined)

  for (let db = 0; db < databases.length; db++) {
    const live = options.pauseEveryKeys === undefined
      ? liveEntries(databases[db], nowMs)
      : yield* liveEntriesWithPauses(databases[db], nowMs, options.pauseEveryKeys)
    const count = live.keys.length
    if (count === 0) continue
    out.byte(Opcode.selectDb)
    writeLength(out, db)
    out.byte(Opcode.resizeDb)
    writeLength(out, count)
    writeLength(out, live.withExpiry)
    for (let batch = 0; batch < count; batch += batchLength) {
      const end = Math.min(count, batch + batchLength)
      out.reserve(batchSizeBound(live, batch, end))
      for (let i = batch; i < end; i++) writeEntry(out, live.keys[i], live.values[i], live.expiries[i], lzf)
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

/**
 * The live keys of a database with their values and expiries (same index;
 * NaN: no expiry), and the count RESIZEDB needs. Taking values and expiries
 * out here means the writing pass touches only the two strings of a key.
 */
interface LiveEntries {
  readonly keys: ReadonlyArray<string>
  readonly values: ReadonlyArray<StoredValue>
  readonly expiries: Float64Array
  readonly withExpiry: number
}

/** Collects the live entries of a keyspace, one entry at a time. */
class LiveEntriesBuilder {
  /** Allocated at the keyspace's size up front (much faster than growing); `count` are used. */
  private readonly keys: Array<string>
  private readonly values: Array<StoredValue>
  private readonly expiries: Float64Array
  private count = 0
  private withExpiry = 0

  constructor(keyspace: Keyspace, private readonly nowMs: number) {
    const size = Hamt.size(keyspace)
    this.keys = new Array<string>(size)
    this.values = new Array<StoredValue>(size)
    this.expiries = new Float64Array(size)
  }

  add(key: string, entry: Entry): void {
    if (isVolatile(entry)) {
      if (this.nowMs > entry.expiresAt) return
      this.expiries[this.count] = entry.expiresAt
      this.withExpiry++
    } else {
      this.expiries[this.count] = NaN
    }
    this.keys[this.count] = key
    this.values[this.count] = valueOf(entry)
    this.count++
  }

  /** The entries added (the arrays trimmed to those). */
  result(): LiveEntries {
    this.keys.length = this.count
    this.values.length = this.count
    return { keys: this.keys, values: this.values, expiries: this.expiries, withExpiry: this.withExpiry }
  }
}

/** The entries of `keyspace` not expired at `nowMs`, in one pass without a tuple per key. */
const liveEntries = (keyspace: Keyspace, nowMs: number): LiveEntries => {
  const live = new LiveEntriesBuilder(keyspace, nowMs)
  Hamt.forEach(keyspace, (entry, key) => live.add(key, entry))
  return live.result()
}

/** As liveEntries, through the (slower, resumable) iterator, yielding an empty chunk every `pauseEvery` keys. */
function* liveEntriesWithPauses(
  keyspace: Keyspace,
  nowMs: number,
  pauseEvery: number
): Generator<Uint8Array, LiveEntries, undefined> {
  const live = new LiveEntriesBuilder(keyspace, nowMs)
  let sincePause = 0
  for (const [key, entry] of Hamt.entries(keyspace)) {
    live.add(key, entry)
    if (++sincePause === pauseEvery) {
      sincePause = 0
      yield pausePoint
    }
  }
  return live.result()
}

const pausePoint = new Uint8Array(0)

/** Keys written per batch: few enough that their strings stay in the CPU cache between the two loops. */
const batchLength = 64
/** Per key, beyond its two strings: the expiry opcode and time, the type, two lengths. */
const maxKeyOverhead = 1 + 8 + 1 + 9 + 9

/**
 * At most how many bytes the keys in [start, end) take. Besides letting the
 * batch go into one chunk, this loop reads every string's length with
 * independent loads, so the CPU overlaps their cache misses (the strings lie
 * scattered in the heap) instead of taking them one by one during encoding.
 */
const batchSizeBound = (live: LiveEntries, start: number, end: number): number => {
  let total = 0
  for (let i = start; i < end; i++) {
    const value = live.values[i]
    total += live.keys[i].length + typeOf(value).rdbSizeBound(value) + maxKeyOverhead
  }
  return total
}

const writeEntry = (out: ChunkBuilder, key: string, value: StoredValue, expiresAt: number, lzf: LzfScratch | undefined): void => {
  if (!Number.isNaN(expiresAt)) {
    out.byte(Opcode.expireTimeMs)
    out.int64LE(expiresAt)
  }
  const type = typeOf(value)
  out.byte(type.rdbTypeOf?.(value) ?? type.rdbType)
  writeString(out, key, lzf)
  type.writeRdb(value, valueWriter(out, lzf))
}

/** The RDB primitives a value type writes its value with. */
const valueWriter = (out: ChunkBuilder, lzf: LzfScratch | undefined): RdbValueWriter => ({
  length: (length) => writeLength(out, length),
  string: (value) => writeString(out, value, lzf),
  raw: (bytes) => out.latin1(bytes)
})

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

/**
 * rdbSaveRawString: integer encoding, else LZF (when `lzf` is given) when it
 * saves at least 4 bytes, else length + bytes.
 */
const writeString = (out: ChunkBuilder, value: string, lzf: LzfScratch | undefined): void => {
  const length = value.length
  if (length <= maxIntegerEncodedLength && length > 0 && mayBeInteger(value.charCodeAt(0)) && canonicalInteger.test(value)) {
    const n = Number(value)
    if (n >= int32Min && n <= int32Max) {
      writeEncodedInteger(out, n)
      return
    }
  }
  if (lzf !== undefined && length >= minCompressedLength) {
    const compressedLength = lzf.compress(value, length - 4)
    if (compressedLength !== undefined) {
      out.byte((Length.encoded << 6) | StringEncoding.lzf)
      writeLength(out, compressedLength)
      writeLength(out, length)
      out.bytes(lzf.output, compressedLength)
      return
    }
  }
  writeLength(out, length)
  out.latin1(value)
}

/** A canonical integer starts with a digit or '-'. */
const mayBeInteger = (firstChar: number): boolean => (firstChar >= 0x30 && firstChar <= 0x39) || firstChar === 0x2d

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

/** The bytes of a latin1 string and their LZF form, in buffers reused from string to string. */
class LzfScratch {
  private input = Buffer.allocUnsafe(1024)
  output = new Uint8Array(compressionSpace(1024))

  /** Compresses `value` into `output`; its length, or undefined when longer than `maxLength`. */
  compress(value: string, maxLength: number): number | undefined {
    const length = value.length
    if (this.input.length < length) this.input = Buffer.allocUnsafe(length)
    if (this.output.length < compressionSpace(maxLength)) this.output = new Uint8Array(compressionSpace(maxLength))
    copyLatin1(this.input, 0, value)
    return compressInto(this.input, length, this.output, maxLength)
  }
}

/** Writes the latin1 string `s` into `buffer` at `offset` (the room is there). */
const copyLatin1 = (buffer: Buffer, offset: number, s: string): void => {
  const length = s.length
  if (length > shortStringLength) {
    buffer.write(s, offset, length, "latin1")
    return
  }
  for (let i = 0; i < length; i++) buffer[offset + i] = s.charCodeAt(i)
}

/**
 * Appends bytes to chunks of `chunkSize` (or one bigger chunk for a longer
 * string); a full chunk moves to the ready list. Chunks handed out are never
 * written again.
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
    if (this.used === this.buffer.length) this.reserve(1)
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

  /** The first `length` bytes of `data`. */
  bytes(data: Uint8Array, length: number): void {
    this.reserve(length)
    const buffer = this.buffer
    const start = this.used
    if (length > shortStringLength) buffer.set(data.subarray(0, length), start)
    else for (let i = 0; i < length; i++) buffer[start + i] = data[i]
    this.used += length
  }

  latin1(s: string): void {
    this.reserve(s.length)
    copyLatin1(this.buffer, this.used, s)
    this.used += s.length
  }

  /** Makes room for `n` more bytes: a new chunk when this one is too full, as big as `n` if need be. */
  reserve(n: number): void {
    if (this.used + n <= this.buffer.length) return
    this.flush()
    if (n > chunkSize) this.buffer = Buffer.allocUnsafe(n)
  }
}

/**
 * One value as DUMP serialises it (cluster.c createDumpPayload: rdbSaveObjectType
 * + rdbSaveObject): its type byte and RDB body, strings LZF-compressed when
 * `compression` (Redis's rdbcompression) and it saves space.
 */
export const writeValue = (value: StoredValue, compression = true): Uint8Array => {
  const out = new ChunkBuilder()
  const type = typeOf(value)
  out.byte(type.rdbTypeOf?.(value) ?? type.rdbType)
  type.writeRdb(value, valueWriter(out, compression ? new LzfScratch() : undefined))
  out.flush()
  return Buffer.concat(out.takeReady())
}

/**
 * A library as rdb.c rdbSaveFunctions writes it: RDB_OPCODE_FUNCTION2 and its
 * code as rdbSaveRawString does, LZF-compressed (when `compression` and that
 * saves 4 bytes or more) by Redis's own compressor, so that FUNCTION DUMP is
 * byte for byte redis-server's. A library's code starts with "#!", so the
 * integer encoding never applies.
 */
const writeFunctionRecord = (out: ChunkBuilder, code: string, compression: boolean): void => {
  out.byte(Opcode.function2)
  const length = code.length
  if (compression && length >= minCompressedLength) {
    const output = new Uint8Array(compressionSpace(length))
    const compressedLength = compressInto(Buffer.from(code, "latin1"), length, output, length - 4)
    if (compressedLength !== undefined) {
      out.byte((Length.encoded << 6) | StringEncoding.lzf)
      writeLength(out, compressedLength)
      writeLength(out, length)
      out.bytes(output, compressedLength)
      return
    }
  }
  writeLength(out, length)
  out.latin1(code)
}

/** The FUNCTION2 records of `codes`, as FUNCTION DUMP's payload starts (functions.c functionDumpCommand). */
export const writeFunctionRecords = (codes: ReadonlyArray<string>): Uint8Array => {
  const out = new ChunkBuilder()
  for (const code of codes) writeFunctionRecord(out, code, true)
  out.flush()
  return Buffer.concat(out.takeReady())
}

/**
 * Parses a whole RDB file (versions 1 to 11) into keyspaces.
 *
 * A key of a type effect-kv does not store (modules, streams) is refused with
 * RdbUnsupportedType and nothing is loaded; module aux data is refused too.
 * Function libraries (RDB_OPCODE_FUNCTION2, and the 7.0-rc RDB_OPCODE_FUNCTION)
 * are read as their code. The CRC-64 trailer (version 5 on) is verified unless
 * it is 0, which means the writer had checksums disabled.
 */
import { Either } from "effect"
import { databaseCount, entry, type Entry, isExpired, type Keyspace } from "../../store/entry.js"
import * as Hamt from "../../structures/hamt.js"
import { typeForRdb } from "../../values/registry.js"
import { EmptyCollection, MalformedBlob } from "../../values/encodings/blob.js"
import type { StoredValue, ValueType } from "../../values/types.js"
import { crc64 } from "./crc64.js"
import {
  RdbBadChecksum,
  RdbBadMagic,
  RdbCorrupt,
  type RdbError,
  RdbTruncated,
  RdbUnknownOpcode,
  RdbUnsupportedContent,
  RdbUnsupportedType,
  RdbUnsupportedVersion
} from "./errors.js"
import { firstVersionWithChecksum, Length, magic, newestReadableVersion, Opcode, StringEncoding, valueTypeNames } from "./format.js"
import { decompressInto } from "./lzf.js"

/** No LZF stream expands more than this: a 3-byte back reference yields at most 264 bytes. */
const maxLzfExpansion = 88

/** What an RDB file holds. */
export interface RdbContents {
  /** The keyspaces, 16, index = database number. */
  readonly databases: ReadonlyArray<Keyspace>
  /** The function libraries' code (FUNCTION LOAD's argument), in file order. */
  readonly functions: ReadonlyArray<string>
}

/**
 * The keyspaces and function libraries stored in `file`. When `nowMs` is
 * given, keys already expired at that time are dropped, as Redis does when
 * loading as a master.
 */
export const readRdbContents = (file: Uint8Array, nowMs?: number): Either.Either<RdbContents, RdbError> => {
  try {
    return Either.right(parse(new Cursor(file), nowMs))
  } catch (error) {
    if (isRdbError(error)) return Either.left(error)
    throw error
  }
}

/** The keyspaces (16, index = database number) stored in `file`, as readRdbContents. */
export const readRdb = (file: Uint8Array, nowMs?: number): Either.Either<ReadonlyArray<Keyspace>, RdbError> =>
  Either.map(readRdbContents(file, nowMs), (contents) => contents.databases)

const isRdbError = (error: unknown): error is RdbError =>
  error instanceof RdbBadMagic || error instanceof RdbUnsupportedVersion || error instanceof RdbBadChecksum ||
  error instanceof RdbTruncated || error instanceof RdbUnknownOpcode || error instanceof RdbUnsupportedType ||
  error instanceof RdbUnsupportedContent || error instanceof RdbCorrupt

const parse = (cursor: Cursor, nowMs: number | undefined): RdbContents => {
  const version = readHeader(cursor)
  // Each database's live keys are gathered, then its keyspace is built at once (Hamt.fromDistinct).
  const databases = Array.from({ length: databaseCount }, () => new LoadedKeys())
  const functions: Array<string> = []
  let db = 0
  let expiresAt: number | undefined = undefined
  for (;;) {
    const opcodeOffset = cursor.offset
    const opcode = cursor.byte()
    switch (opcode) {
      case Opcode.eof: {
        // Built first: Redis stops at a duplicated key before it reaches the checksum.
        const keyspaces = databases.map((loaded, db) => loaded.keyspace(db))
        verifyChecksum(cursor, version)
        return { databases: keyspaces, functions }
      }
      case Opcode.expireTime:
        expiresAt = cursor.int32LE() * 1000
        continue
      case Opcode.expireTimeMs:
        expiresAt = cursor.int64LE()
        continue
      case Opcode.freq:
        cursor.byte()
        continue
      case Opcode.idle:
        cursor.length()
        continue
      case Opcode.selectDb: {
        db = cursor.length()
        if (db >= databaseCount) {
          throw new RdbCorrupt({ reason: `database ${db} is out of range (${databaseCount} databases)`, offset: opcodeOffset })
        }
        continue
      }
      case Opcode.resizeDb:
        cursor.length()
        cursor.length()
        continue
      case Opcode.aux:
        cursor.string()
        cursor.string()
        continue
      case Opcode.moduleAux:
        throw new RdbUnsupportedContent({ content: "module auxiliary data", offset: opcodeOffset })
      case Opcode.function2:
      case Opcode.functionPreGa: {
        const code = readFunctionRecord(cursor, opcode)
        if (typeof code !== "string") throw new RdbCorrupt({ reason: code.failure, offset: opcodeOffset })
        functions.push(code)
        continue
      }
      default: {
        const typeName = valueTypeNames.get(opcode)
        if (typeName === undefined) throw new RdbUnknownOpcode({ opcode, offset: opcodeOffset })
        const key = cursor.string()
        const type = typeForRdb(opcode)
        if (type === undefined) throw new RdbUnsupportedType({ key, type: typeName, offset: opcodeOffset })
        const value = readValueBody(type, cursor, opcode, opcodeOffset)
        const keyExpiresAt = expiresAt
        expiresAt = undefined
        // An empty set or hash: skipped, as rdbLoadRioWithLoadingCtx does on RDB_LOAD_ERR_EMPTY_KEY.
        if (value === undefined) continue
        const loaded = entry(key, value, keyExpiresAt)
        // An expired key is left out, and then not compared with the others (rdbLoadRioWithLoadingCtx).
        if (nowMs === undefined || !isExpired(loaded, nowMs)) databases[db].add(key, loaded, opcodeOffset)
      }
    }
  }
}

/**
 * A value's body, undefined for an empty collection; a malformed compact
 * encoding (ziplist, listpack ...) or content is a corrupt file.
 */
const readValueBody = (
  type: ValueType<StoredValue>,
  cursor: Cursor,
  rdbType: number,
  offset: number
): StoredValue | undefined => {
  try {
    return type.readRdb(cursor, rdbType)
  } catch (error) {
    if (error instanceof EmptyCollection) return undefined
    if (error instanceof MalformedBlob) throw new RdbCorrupt({ reason: error.reason, offset })
    throw error
  }
}

/** One database's live keys as read, in file order, with where each was read. */
class LoadedKeys {
  readonly keys: Array<string> = []
  readonly entries: Array<Entry> = []
  readonly offsets: Array<number> = []

  add(key: string, loaded: Entry, offset: number): void {
    this.keys.push(key)
    this.entries.push(loaded)
    this.offsets.push(offset)
  }

  /** The keyspace; a key read twice is a corrupt file, as Redis panics on "Duplicated key found in RDB file". */
  keyspace(db: number): Keyspace {
    const built = Hamt.fromDistinct(this.keys, this.entries)
    if ("duplicateAt" in built) {
      throw new RdbCorrupt({ reason: `duplicated key in database ${db}`, offset: this.offsets[built.duplicateAt] })
    }
    return built.map
  }
}

/** Checks "REDIS" and the four-digit version; returns the version. */
const readHeader = (cursor: Cursor): number => {
  const header = cursor.latin1(magic.length + 4)
  if (!header.startsWith(magic)) throw new RdbBadMagic({ offset: 0 })
  const versionText = header.slice(magic.length)
  const version = /^[0-9]{4}$/.test(versionText) ? Number(versionText) : 0
  if (version < 1 || version > newestReadableVersion) {
    throw new RdbUnsupportedVersion({ version: versionText, offset: magic.length })
  }
  return version
}

const verifyChecksum = (cursor: Cursor, version: number): void => {
  if (version < firstVersionWithChecksum) return
  const checkedLength = cursor.offset
  const expected = cursor.uint64LE()
  if (expected === 0n) return
  const actual = crc64(cursor.bytes.subarray(0, checkedLength))
  if (actual !== expected) throw new RdbBadChecksum({ expected, actual, offset: checkedLength })
}

/** Reads the file front to back; every read checks the bounds and throws an RdbError. */
class Cursor {
  offset = 0
  readonly bytes: Buffer
  /** Where LZF strings are decompressed, reused from string to string. */
  private scratch = Buffer.allocUnsafe(1024)

  constructor(file: Uint8Array) {
    this.bytes = Buffer.from(file.buffer, file.byteOffset, file.byteLength)
  }

  byte(): number {
    this.need(1)
    return this.bytes[this.offset++]
  }

  int32LE(): number {
    this.need(4)
    const value = this.bytes.readInt32LE(this.offset)
    this.offset += 4
    return value
  }

  int64LE(): number {
    this.need(8)
    const low = this.bytes.readUInt32LE(this.offset)
    const high = this.bytes.readInt32LE(this.offset + 4)
    this.offset += 8
    return high * 2 ** 32 + low
  }

  uint64LE(): bigint {
    this.need(8)
    const value = this.bytes.readBigUInt64LE(this.offset)
    this.offset += 8
    return value
  }

  latin1(length: number): string {
    this.need(length)
    const text = this.bytes.toString("latin1", this.offset, this.offset + length)
    this.offset += length
    return text
  }

  /** A plain length (rdbLoadLen); a special string encoding here is corrupt. */
  length(): number {
    const start = this.offset
    const first = this.byte()
    if (first >> 6 === Length.encoded) throw new RdbCorrupt({ reason: "unexpected string encoding for a length", offset: start })
    return this.lengthAfter(first, start)
  }

  /** A string in any encoding: raw, INT8/16/32 or LZF. */
  string(): string {
    const start = this.offset
    const first = this.byte()
    if (first >> 6 !== Length.encoded) return this.latin1(this.lengthAfter(first, start))
    switch (first & 0x3f) {
      case StringEncoding.int8:
        this.need(1)
        return String(this.bytes.readInt8(this.offset++))
      case StringEncoding.int16: {
        this.need(2)
        const value = this.bytes.readInt16LE(this.offset)
        this.offset += 2
        return String(value)
      }
      case StringEncoding.int32:
        return String(this.int32LE())
      case StringEncoding.lzf:
        return this.lzfString(start)
      default:
        throw new RdbCorrupt({ reason: `unknown string encoding ${first & 0x3f}`, offset: start })
    }
  }

  /** The value being read is invalid: an RdbCorrupt at the current offset. */
  corrupt(reason: string): never {
    throw new RdbCorrupt({ reason, offset: this.offset })
  }

  private lzfString(start: number): string {
    const compressedLength = this.length()
    const length = this.length()
    this.need(compressedLength)
    if (length > compressedLength * maxLzfExpansion) {
      throw new RdbCorrupt({ reason: "invalid LZF compressed string", offset: start })
    }
    if (this.scratch.length < length) this.scratch = Buffer.allocUnsafe(Math.max(length, 2 * this.scratch.length))
    if (!decompressInto(this.bytes, this.offset, this.offset + compressedLength, this.scratch, length)) {
      throw new RdbCorrupt({ reason: "invalid LZF compressed string", offset: start })
    }
    this.offset += compressedLength
    return this.scratch.toString("latin1", 0, length)
  }

  private lengthAfter(first: number, start: number): number {
    switch (first >> 6) {
      case Length.bits6:
        return first & 0x3f
      case Length.bits14:
        return ((first & 0x3f) << 8) | this.byte()
    }
    if (first === Length.bits32) {
      this.need(4)
      const value = this.bytes.readUInt32BE(this.offset)
      this.offset += 4
      return value
    }
    if (first === Length.bits64) {
      this.need(8)
      const value = Number(this.bytes.readBigUInt64BE(this.offset))
      this.offset += 8
      return value
    }
    throw new RdbCorrupt({ reason: `unknown length encoding ${first}`, offset: start })
  }

  private need(count: number): void {
    if (this.offset + count > this.bytes.length) throw new RdbTruncated({ offset: this.bytes.length })
  }
}

/**
 * A value as DUMP wrote it (type byte + RDB body, cluster.c restoreCommand:
 * rdbLoadObjectType + rdbLoadObject): what follows is not read, as Redis
 * does not. An unknown or unsupported type, or a body that does not parse,
 * is an RdbError.
 */
export const readValue = (bytes: Uint8Array): Either.Either<StoredValue, RdbError> => {
  try {
    const cursor = new Cursor(bytes)
    const rdbType = cursor.byte()
    const type = typeForRdb(rdbType)
    if (type === undefined) {
      throw new RdbUnsupportedType({ key: "", type: valueTypeNames.get(rdbType) ?? String(rdbType), offset: 0 })
    }
    // restoreCommand: an empty collection is "Bad data format" (rdbLoadObject returns NULL).
    const value = readValueBody(type, cursor, rdbType, 1)
    if (value === undefined) throw new RdbCorrupt({ reason: "empty collection", offset: 1 })
    return Either.right(value)
  } catch (error) {
    if (isRdbError(error)) return Either.left(error)
    throw error
  }
}

/**
 * A library's code after its opcode (rdb.c rdbFunctionLoad): FUNCTION2 holds
 * the code; the 7.0-rc FUNCTION holds name, engine, an optional description
 * and the body, made into `#!<engine> name=<name>\n<body>` (the description
 * dropped), as Redis does. A failure carries rdbFunctionLoad's message.
 */
const readFunctionRecord = (cursor: Cursor, opcode: number): string | { readonly failure: string } => {
  const field = <A>(read: () => A, failure: string): A | { readonly failure: string } => {
    try {
      return read()
    } catch (error) {
      if (isRdbError(error)) return { failure }
      throw error
    }
  }
  if (opcode === Opcode.function2) return field(() => cursor.string(), "Failed loading library payload")
  const name = field(() => cursor.string(), "Failed loading library name")
  if (typeof name !== "string") return name
  const engine = field(() => cursor.string(), "Failed loading engine name")
  if (typeof engine !== "string") return engine
  const hasDescription = field(() => cursor.length(), "Failed loading library description indicator")
  if (typeof hasDescription !== "number") return hasDescription
  if (hasDescription !== 0) {
    const description = field(() => cursor.string(), "Failed loading library description")
    if (typeof description !== "string") return description
  }
  const body = field(() => cursor.string(), "Failed loading library blob")
  if (typeof body !== "string") return body
  return `#!${engine} name=${name}\n${body}`
}

/**
 * The libraries in a FUNCTION RESTORE payload (functions.c
 * functionRestoreCommand, after verifyDumpPayload): records are read while
 * more than the 10-byte footer remains (a record may read into it, as Redis's
 * does); a failure is Redis's error message, without "ERR ".
 */
export const readFunctionPayload = (payload: Uint8Array): Either.Either<ReadonlyArray<string>, string> => {
  const cursor = new Cursor(payload)
  const codes: Array<string> = []
  while (payload.length - cursor.offset > 10) {
    const type = cursor.byte()
    if (type !== Opcode.function2 && type !== Opcode.functionPreGa) return Either.left("given type is not a function")
    const code = readFunctionRecord(cursor, type)
    if (typeof code !== "string") return Either.left(code.failure)
    codes.push(code)
  }
  return Either.right(codes)
}

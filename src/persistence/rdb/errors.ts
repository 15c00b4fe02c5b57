/**
 * Why an RDB file could not be read. Every error carries the byte offset in
 * the file where the problem was found; `message` is a one-line description.
 */
import { Data } from "effect"

export class RdbBadMagic extends Data.TaggedError("RdbBadMagic")<{ readonly offset: number }> {
  override get message(): string {
    return `wrong signature trying to load DB from file (no REDIS header) at offset ${this.offset}`
  }
}

export class RdbUnsupportedVersion extends Data.TaggedError("RdbUnsupportedVersion")<{
  readonly version: string
  readonly offset: number
}> {
  override get message(): string {
    return `can't handle RDB format version ${this.version} at offset ${this.offset}`
  }
}

export class RdbBadChecksum extends Data.TaggedError("RdbBadChecksum")<{
  readonly expected: bigint
  readonly actual: bigint
  readonly offset: number
}> {
  override get message(): string {
    return `wrong RDB checksum expected: ${hex(this.expected)} got: ${hex(this.actual)} at offset ${this.offset}`
  }
}

export class RdbTruncated extends Data.TaggedError("RdbTruncated")<{ readonly offset: number }> {
  override get message(): string {
    return `unexpected end of file at offset ${this.offset}`
  }
}

export class RdbUnknownOpcode extends Data.TaggedError("RdbUnknownOpcode")<{
  readonly opcode: number
  readonly offset: number
}> {
  override get message(): string {
    return `unknown RDB opcode or type ${this.opcode} at offset ${this.offset}`
  }
}

/** A key holds a value of a type effect-kv does not store (only strings exist so far). */
export class RdbUnsupportedType extends Data.TaggedError("RdbUnsupportedType")<{
  readonly key: string
  readonly type: string
  readonly offset: number
}> {
  override get message(): string {
    return `key '${printable(this.key)}' holds a ${this.type} value, which is not supported, at offset ${this.offset}`
  }
}

/** File-level content effect-kv cannot load: module aux data, functions. */
export class RdbUnsupportedContent extends Data.TaggedError("RdbUnsupportedContent")<{
  readonly content: string
  readonly offset: number
}> {
  override get message(): string {
    return `the file contains ${this.content}, which is not supported, at offset ${this.offset}`
  }
}

/** Structurally invalid data: bad length encoding, LZF stream, database number, duplicate key. */
export class RdbCorrupt extends Data.TaggedError("RdbCorrupt")<{
  readonly reason: string
  readonly offset: number
}> {
  override get message(): string {
    return `${this.reason} at offset ${this.offset}`
  }
}

export type RdbError =
  | RdbBadMagic
  | RdbUnsupportedVersion
  | RdbBadChecksum
  | RdbTruncated
  | RdbUnknownOpcode
  | RdbUnsupportedType
  | RdbUnsupportedContent
  | RdbCorrupt

const hex = (value: bigint): string => value.toString(16).padStart(16, "0")

/** A byte string shown with non-printable bytes escaped, as Redis's sdscatrepr does. */
const printable = (bytes: string): string =>
  bytes.replace(/[^\x20-\x7e]|\\|'/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`)

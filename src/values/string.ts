/**
 * The Redis string type (t_string.c, object.c).
 *
 * OBJECT ENCODING is remembered as Redis remembers it: the writing command
 * chooses. SET, the RDB loader and every command that builds a fresh object
 * run tryObjectEncoding (object.c): a string2l integer of at most 20 chars is
 * `int`, up to 44 bytes `embstr`, longer `raw`. APPEND to an existing key and
 * SETRANGE (t_string.c appendCommand, setrangeCommand) edit an unshared sds
 * in place, so the result is `raw` whatever its content.
 *
 * A value whose encoding is the one its content implies is a plain string
 * (no wrapper: most keys); only a short string that APPEND or SETRANGE wrote
 * is a `RawString` object.
 */
import { parseInt64 } from "../int64.js"
import { expectType, type StoredValue, type ValueType } from "./types.js"
import type { Either } from "effect"
import type { CommandError } from "../errors.js"

/** A string held in the `raw` encoding although its content would be `int` or `embstr`. */
export class RawString {
  readonly _tag = "RawString"
  constructor(readonly text: string) {}
}

/** A Redis string: its text (encoding implied), or a `RawString`. */
export type StringValue = string | RawString

export type StringEncoding = "int" | "embstr" | "raw"

/** tryObjectEncoding: a long-range integer is `int`, up to 44 bytes `embstr`, longer `raw`. */
export const stringEncoding = (text: string): StringEncoding =>
  text.length <= 20 && parseInt64(text) !== undefined ? "int" : text.length <= 44 ? "embstr" : "raw"

/** The value SET and most commands store: the encoding follows from the text. */
export const fresh = (text: string): StringValue => text

/** The value APPEND (to an existing key) and SETRANGE store: always `raw`. */
export const edited = (text: string): StringValue => stringEncoding(text) === "raw" ? text : new RawString(text)

/** A string value's bytes. */
export const textOf = (value: StringValue): string => typeof value === "string" ? value : value.text

/** Shared integers 0..9999 report refcount INT_MAX (OBJ_SHARED_REFCOUNT), when SET made them `int`. */
const refcount = (value: StringValue): number => {
  if (typeof value !== "string") return 1
  const asInteger = parseInt64(value)
  return asInteger !== undefined && asInteger >= 0n && asInteger < 10000n ? 2147483647 : 1
}

const encoding = (value: StringValue): StringEncoding => typeof value === "string" ? stringEncoding(value) : "raw"

/** The string type's module. */
export const stringType: ValueType<StringValue> = {
  name: "string",
  rdbType: 0,
  loadsRdbTypes: [0],
  is: (value: StoredValue): value is StringValue => typeof value === "string" || value instanceof RawString,
  encoding,
  refcount,
  /** The object (16) plus, for embstr, the sds in it (len + 4) or, for raw, a separate sds (len + 9); int: none. */
  memoryUsage: (value) => {
    const text = textOf(value)
    const kind = encoding(value)
    return 16 + (kind === "int" ? 0 : kind === "embstr" ? text.length + 4 : text.length + 9)
  },
  serializedLength: (value) => textOf(value).length + 1,
  rdbSizeBound: (value) => textOf(value).length + 9,
  writeRdb: (value, out) => out.string(textOf(value)),
  /** rdbLoadObject runs tryObjectEncoding on a loaded string. */
  readRdb: (input) => fresh(input.string()),
  /** One SET, its expiry as PXAT (the form the AOF logs SET with: persistence/aof/absolute-expiry.ts). */
  rewrite: (key, value, expiresAt) =>
    [expiresAt === undefined ? ["SET", key, textOf(value)] : ["SET", key, textOf(value), "PXAT", String(expiresAt)]]
}

/** The key's string (undefined when missing), or WRONGTYPE. */
export const readString = (value: StoredValue | undefined): Either.Either<StringValue | undefined, CommandError> =>
  expectType(stringType, value)

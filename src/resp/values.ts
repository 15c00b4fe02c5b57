/**
 * The RESP value model, for RESP2 and RESP3.
 *
 * Binary safety: every byte string (bulk strings, keys, values) is held as a
 * "byte string": a JavaScript string with one char per byte (char codes 0..255,
 * the `latin1` encoding of Node's Buffer). Conversions: `Buffer.from(s, "latin1")`
 * and `buf.toString("latin1")`. This keeps keys cheap to hash and store.
 */

/** A string with one char per byte (char codes 0..255). */
export type ByteString = string

export interface SimpleString { readonly _tag: "SimpleString"; readonly value: string }
/** An error reply; `message` is the text after the `-`, e.g. `ERR syntax error`. */
export interface ErrorReply { readonly _tag: "Error"; readonly message: string }
export interface Integer { readonly _tag: "Integer"; readonly value: number | bigint }
export interface BulkString { readonly _tag: "BulkString"; readonly value: ByteString }
/** RESP2 null bulk string (`$-1`), RESP3 null (`_`). */
export interface Null { readonly _tag: "Null" }
/** RESP2 null array (`*-1`); RESP3 encodes it as null (`_`). */
export interface NullArray { readonly _tag: "NullArray" }
export interface Array { readonly _tag: "Array"; readonly items: ReadonlyArray<RespValue> }
export interface Map { readonly _tag: "Map"; readonly entries: ReadonlyArray<readonly [RespValue, RespValue]> }
export interface Set { readonly _tag: "Set"; readonly items: ReadonlyArray<RespValue> }
export interface Double { readonly _tag: "Double"; readonly value: number }
export interface Boolean { readonly _tag: "Boolean"; readonly value: boolean }
export interface BigNumber { readonly _tag: "BigNumber"; readonly value: bigint }
/** RESP3 verbatim string; `format` is exactly three bytes, e.g. `txt`. */
export interface Verbatim { readonly _tag: "Verbatim"; readonly format: string; readonly value: ByteString }
export interface Push { readonly _tag: "Push"; readonly items: ReadonlyArray<RespValue> }

export type RespValue =
  | SimpleString
  | ErrorReply
  | Integer
  | BulkString
  | Null
  | NullArray
  | Array
  | Map
  | Set
  | Double
  | Boolean
  | BigNumber
  | Verbatim
  | Push

export const simple = (value: string): SimpleString => ({ _tag: "SimpleString", value })
export const error = (message: string): ErrorReply => ({ _tag: "Error", message })
export const integer = (value: number | bigint): Integer => ({ _tag: "Integer", value })
export const bulk = (value: ByteString): BulkString => ({ _tag: "BulkString", value })
export const nullBulk: Null = { _tag: "Null" }
export const nullArray: NullArray = { _tag: "NullArray" }
export const array = (items: ReadonlyArray<RespValue>): Array => ({ _tag: "Array", items })
export const map = (entries: ReadonlyArray<readonly [RespValue, RespValue]>): Map => ({ _tag: "Map", entries })
export const set = (items: ReadonlyArray<RespValue>): Set => ({ _tag: "Set", items })
export const double = (value: number): Double => ({ _tag: "Double", value })
export const boolean = (value: boolean): Boolean => ({ _tag: "Boolean", value })
export const bigNumber = (value: bigint): BigNumber => ({ _tag: "BigNumber", value })
export const verbatim = (format: string, value: ByteString): Verbatim => ({ _tag: "Verbatim", format, value })
export const push = (items: ReadonlyArray<RespValue>): Push => ({ _tag: "Push", items })

export const ok: SimpleString = simple("OK")
export const pong: SimpleString = simple("PONG")
export const queued: SimpleString = simple("QUEUED")

/** A client request: the command name and its arguments, as byte strings. */
export type Command = ReadonlyArray<ByteString>

/** Which protocol a connection speaks: 2 (default) or 3 after `HELLO 3`. */
export type ProtocolVersion = 2 | 3

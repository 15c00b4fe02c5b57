/**
 * The RESP encoder: values to the bytes Redis 7.0 would send.
 *
 * Every text (simple strings, error messages, bulk strings) is a byte string
 * and is written as latin1, one byte per char. A reply is first built as one
 * JS string (V8 concatenates lazily) and converted to bytes once, so a
 * pipelined batch becomes a single Buffer allocation.
 *
 * RESP2 downgrades as Redis 7 does: Map → flat array, Set and Push → array,
 * Double and BigNumber → bulk string, Boolean → `:1`/`:0`, Verbatim → bulk
 * string without its format. In RESP3, Null and NullArray are both `_`.
 */
import type { Command, ProtocolVersion, RespValue } from "./values.js"

const CRLF = "\r\n"
const lineBreaks = /[\r\n]/g

/** Redis replaces CR and LF in status and error texts with spaces (addReplyErrorLength / addReplyStatusLength callers). */
const singleLine = (text: string): string => text.replace(lineBreaks, " ")

const bulkText = (value: string): string => `$${value.length}${CRLF}${value}${CRLF}`

/**
 * A double as Redis 7.0's addReplyDouble prints it: `inf`, `-inf`, `nan`, else
 * C's `%.17g` (17 significant digits, trailing zeros removed, exponent form
 * below 1e-4 and from 1e17).
 */
export const formatDouble = (value: number): string => {
  if (Number.isNaN(value)) return "nan"
  if (value === Infinity) return "inf"
  if (value === -Infinity) return "-inf"
  if (value === 0) return Object.is(value, -0) ? "-0" : "0"
  const sign = value < 0 ? "-" : ""
  const [mantissa, exponentText] = Math.abs(value).toExponential(16).split("e")
  const digits = mantissa.replace(".", "")
  const exponent = Number(exponentText)
  if (exponent < -4 || exponent >= 17) {
    const fraction = digits.slice(1).replace(/0+$/, "")
    const magnitude = Math.abs(exponent) < 10 ? `0${Math.abs(exponent)}` : `${Math.abs(exponent)}`
    return `${sign}${digits[0]}${fraction === "" ? "" : `.${fraction}`}e${exponent < 0 ? "-" : "+"}${magnitude}`
  }
  const integerPart = exponent < 0 ? "0" : digits.slice(0, exponent + 1)
  const fraction = (exponent < 0 ? "0".repeat(-exponent - 1) + digits : digits.slice(exponent + 1)).replace(/0+$/, "")
  return `${sign}${integerPart}${fraction === "" ? "" : `.${fraction}`}`
}

const aggregateText = (prefix: string, items: ReadonlyArray<RespValue>, protocol: ProtocolVersion): string => {
  let out = `${prefix}${items.length}${CRLF}`
  for (const item of items) out += valueText(item, protocol)
  return out
}

/** The RESP text of `value`, one char per byte. */
const valueText = (value: RespValue, protocol: ProtocolVersion): string => {
  switch (value._tag) {
    case "SimpleString":
      return `+${singleLine(value.value)}${CRLF}`
    case "Error":
      return `-${singleLine(value.message)}${CRLF}`
    case "Integer":
      return `:${value.value}${CRLF}`
    case "BulkString":
      return bulkText(value.value)
    case "Null":
      return protocol === 2 ? `$-1${CRLF}` : `_${CRLF}`
    case "NullArray":
      return protocol === 2 ? `*-1${CRLF}` : `_${CRLF}`
    case "Array":
      return aggregateText("*", value.items, protocol)
    case "Set":
      return aggregateText(protocol === 2 ? "*" : "~", value.items, protocol)
    case "Push":
      return aggregateText(protocol === 2 ? "*" : ">", value.items, protocol)
    case "Map": {
      let out = protocol === 2 ? `*${value.entries.length * 2}${CRLF}` : `%${value.entries.length}${CRLF}`
      for (const [key, item] of value.entries) out += valueText(key, protocol) + valueText(item, protocol)
      return out
    }
    case "Double":
      return protocol === 2 ? bulkText(formatDouble(value.value)) : `,${formatDouble(value.value)}${CRLF}`
    case "Boolean":
      return protocol === 2 ? `:${value.value ? 1 : 0}${CRLF}` : `#${value.value ? "t" : "f"}${CRLF}`
    case "BigNumber":
      return protocol === 2 ? bulkText(value.value.toString()) : `(${value.value}${CRLF}`
    case "Verbatim":
      return protocol === 2
        ? bulkText(value.value)
        : `=${value.value.length + 4}${CRLF}${value.format}:${value.value}${CRLF}`
  }
}

/** The bytes of one reply. */
export const encode = (value: RespValue, protocol: ProtocolVersion): Buffer =>
  Buffer.from(valueText(value, protocol), "latin1")

/** The bytes of several replies, in one buffer (one socket write for a pipelined batch). */
export const encodeAll = (values: ReadonlyArray<RespValue>, protocol: ProtocolVersion): Buffer => {
  let out = ""
  for (const value of values) out += valueText(value, protocol)
  return Buffer.from(out, "latin1")
}

/** A request as clients send it: a RESP array of bulk strings (also the AOF format). */
export const encodeCommand = (args: Command): Buffer => {
  let out = `*${args.length}${CRLF}`
  for (const arg of args) out += bulkText(arg)
  return Buffer.from(out, "latin1")
}

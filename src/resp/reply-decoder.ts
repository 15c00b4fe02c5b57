/**
 * A full RESP2 + RESP3 reply decoder (the client side): bytes to RespValue,
 * pure and incremental like the request decoder. For tests, clients and the
 * testing arbitraries; not on the server's hot path.
 *
 * Integers that are not safe JS integers decode to `bigint`, others to
 * `number`. `$-1` decodes to Null, `*-1` to NullArray, `_` to Null.
 * Incomplete input waits: bytes are kept as pieces and joined only once the
 * lower bound of bytes needed (e.g. a whole announced bulk) has arrived.
 */
import * as Errors from "../errors.js"
import * as Values from "./values.js"
import type { RespValue } from "./values.js"

/** Deepest nesting of aggregates accepted (guards the recursion). */
const maxNesting = 512

interface Link {
  readonly head: Buffer
  readonly tail: Link | undefined
}

export interface ReplyDecoderState {
  /** Bytes not decoded yet, newest piece first. */
  readonly pending: Link | undefined
  readonly pendingLength: number
  /** Decoding is retried only once this many bytes are pending. */
  readonly needed: number
}

export const initialReplyDecoderState: ReplyDecoderState = { pending: undefined, pendingLength: 0, needed: 1 }

export interface DecodedReplies {
  readonly state: ReplyDecoderState
  readonly values: ReadonlyArray<RespValue>
  /** Set when the input is not RESP; `values` were decoded before it. */
  readonly error: Errors.ProtocolError | undefined
}

/** More bytes are needed: at least `needed` counted from the start of the buffer. */
interface Incomplete {
  readonly _tag: "Incomplete"
  readonly needed: number
}

interface Parsed {
  readonly _tag: "Parsed"
  readonly value: RespValue
  readonly next: number
}

type Step = Parsed | Incomplete | Errors.ProtocolError

const CR = 13
const LF = 10

const incomplete = (needed: number): Incomplete => ({ _tag: "Incomplete", needed })
const parsed = (value: RespValue, next: number): Parsed => ({ _tag: "Parsed", value, next })
const malformed = (detail: string): Errors.ProtocolError =>
  new Errors.ProtocolError({ message: Errors.malformedReply(detail) })

const integerText = /^[-+]?\d+$/
const doubleText = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/

/** The text of the line after the type byte at `pos`, and the index after its CRLF. */
type Line = { readonly text: string; readonly next: number }

const readLine = (buf: Buffer, pos: number): Line | Incomplete | Errors.ProtocolError => {
  const cr = buf.indexOf(CR, pos + 1)
  if (cr < 0) return incomplete(buf.length + 1)
  if (cr + 1 >= buf.length) return incomplete(cr + 2)
  if (buf[cr + 1] !== LF) return malformed("CR not followed by LF")
  return { text: buf.toString("latin1", pos + 1, cr), next: cr + 2 }
}

const parseInteger = (text: string): number | bigint | undefined => {
  if (!integerText.test(text)) return undefined
  const value = Number(text)
  return Number.isSafeInteger(value) ? value : BigInt(text)
}

const parseDouble = (text: string): number | undefined => {
  switch (text.toLowerCase()) {
    case "inf":
    case "+inf":
      return Infinity
    case "-inf":
      return -Infinity
    case "nan":
    case "-nan":
      return NaN
    default:
      return doubleText.test(text) ? Number(text) : undefined
  }
}

/** `count` values from `pos`, then `build` them. */
const parseItems = (
  buf: Buffer,
  pos: number,
  count: number,
  depth: number,
  build: (items: ReadonlyArray<RespValue>) => RespValue
): Step => {
  const items: Array<RespValue> = []
  let next = pos
  for (let i = 0; i < count; i++) {
    const step = parseValue(buf, next, depth + 1)
    if (step._tag !== "Parsed") return step
    items.push(step.value)
    next = step.next
  }
  return parsed(build(items), next)
}

const pairs = (items: ReadonlyArray<RespValue>): ReadonlyArray<readonly [RespValue, RespValue]> => {
  const entries: Array<readonly [RespValue, RespValue]> = []
  for (let i = 0; i + 1 < items.length; i += 2) entries.push([items[i], items[i + 1]])
  return entries
}

/** A `$` or `=` payload of `length` bytes from `pos`, followed by CRLF. */
const parseBlob = (buf: Buffer, pos: number, length: number, build: (payload: string) => RespValue | undefined): Step => {
  const end = pos + length
  if (end + 2 > buf.length) return incomplete(end + 2)
  if (buf[end] !== CR || buf[end + 1] !== LF) return malformed("bulk payload not followed by CRLF")
  const value = build(buf.toString("latin1", pos, end))
  return value === undefined ? malformed("verbatim string without a format") : parsed(value, end + 2)
}

const parseValue = (buf: Buffer, pos: number, depth: number): Step => {
  if (pos >= buf.length) return incomplete(pos + 1)
  if (depth > maxNesting) return malformed("aggregates nested too deeply")
  const type = buf[pos]
  const line = readLine(buf, pos)
  if (!("text" in line)) return line
  const { next, text } = line
  switch (type) {
    case 43: // +
      return parsed(Values.simple(text), next)
    case 45: // -
      return parsed(Values.error(text), next)
    case 58: { // :
      const value = parseInteger(text)
      return value === undefined ? malformed(`invalid integer '${text}'`) : parsed(Values.integer(value), next)
    }
    case 40: // (
      return integerText.test(text) ? parsed(Values.bigNumber(BigInt(text)), next) : malformed(`invalid big number '${text}'`)
    case 44: { // ,
      const value = parseDouble(text)
      return value === undefined ? malformed(`invalid double '${text}'`) : parsed(Values.double(value), next)
    }
    case 35: // #
      return text === "t" || text === "f" ? parsed(Values.boolean(text === "t"), next) : malformed(`invalid boolean '${text}'`)
    case 95: // _
      return text === "" ? parsed(Values.nullBulk, next) : malformed(`invalid null '${text}'`)
    case 36: // $
    case 61: // =
    case 42: // *
    case 126: // ~
    case 62: // >
    case 37: { // %
      const length = parseInteger(text)
      if (typeof length !== "number" || length < -1) return malformed(`invalid length '${text}'`)
      if (length === -1) {
        return type === 36 ? parsed(Values.nullBulk, next) : type === 42 ? parsed(Values.nullArray, next) : malformed(`invalid length '${text}'`)
      }
      switch (type) {
        case 36:
          return parseBlob(buf, next, length, Values.bulk)
        case 61:
          return parseBlob(buf, next, length, (payload) =>
            payload.length >= 4 && payload[3] === ":" ? Values.verbatim(payload.slice(0, 3), payload.slice(4)) : undefined)
        case 42:
          return parseItems(buf, next, length, depth, Values.array)
        case 126:
          return parseItems(buf, next, length, depth, Values.set)
        case 62:
          return parseItems(buf, next, length, depth, Values.push)
        default:
          return parseItems(buf, next, length * 2, depth, (items) => Values.map(pairs(items)))
      }
    }
    default:
      return malformed(`unexpected type byte ${type}`)
  }
}

const collect = (link: Link | undefined): Array<Buffer> => {
  const out: Array<Buffer> = []
  for (let l = link; l !== undefined; l = l.tail) out.push(l.head)
  return out.reverse()
}

/** Decodes the replies in `chunk`, continuing from `state`. */
export const decodeReplies = (state: ReplyDecoderState, chunk: Uint8Array): DecodedReplies => {
  const input = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength)
  const pendingLength = state.pendingLength + input.length
  if (pendingLength < state.needed) {
    return { state: { ...state, pending: { head: input, tail: state.pending }, pendingLength }, values: [], error: undefined }
  }
  const buf = state.pending === undefined ? input : Buffer.concat([...collect(state.pending), input], pendingLength)
  const values: Array<RespValue> = []
  let pos = 0
  while (pos < buf.length) {
    const step = parseValue(buf, pos, 0)
    if (step._tag === "ProtocolError") return { state: initialReplyDecoderState, values, error: step }
    if (step._tag === "Incomplete") {
      return {
        state: { pending: { head: buf.subarray(pos), tail: undefined }, pendingLength: buf.length - pos, needed: step.needed - pos },
        values,
        error: undefined
      }
    }
    values.push(step.value)
    pos = step.next
  }
  return { state: initialReplyDecoderState, values, error: undefined }
}

/**
 * The server-side request decoder: bytes from a client socket to commands,
 * exactly as Redis 7.0's networking.c (processInputBuffer,
 * processMultibulkBuffer, processInlineBuffer) and sds.c (sdssplitargs).
 *
 * Pure and incremental: `decodeRequests(state, chunk, limits)` never mutates
 * `state` nor `chunk` and returns the next state. Chunks are kept by reference
 * (no copy) while a command is incomplete, so a caller must not reuse a chunk's
 * memory after passing it in (Node's socket chunks are never reused).
 *
 * Deliberate approximations of Redis (which reads the socket 16KB at a time):
 * - the 64KB limits on inline lines and on `*`/`$` count lines apply to the
 *   bytes of the line before its terminator, whatever the chunking, so the
 *   result never depends on how the input was split;
 * - `limits` is read once per chunk: an `AUTH` pipelined in the same chunk as
 *   a command over the unauthenticated limits does not lift them for it.
 *
 * As in Redis, a NUL byte in a line that is still being searched for its
 * terminator (an inline line, or a `*` or `$` count line) hides the terminator
 * (Redis uses strchr): the connection then waits until more than 64KB are
 * pending and fails with the "too big" error.
 *
 * After an error the connection must be closed: the returned state is the
 * initial one and the bytes after the error are discarded.
 */
import * as Errors from "../errors.js"
import type { ByteString, Command } from "./values.js"

declare global {
  interface Buffer {
    /**
     * Node's native latin1 decoder behind `toString("latin1", start, end)`,
     * without its argument handling (~20% faster per argument, measured);
     * present on Buffer.prototype in every Node version, untyped in @types/node.
     */
    latin1Slice(start: number, end: number): string
  }
}

export interface RequestLimits {
  /** `proto-max-bulk-len`: longest accepted bulk argument (512MB by default). */
  readonly maxBulkLength: number
  /** PROTO_INLINE_MAX_SIZE: longest inline line or count line (64KB). */
  readonly maxInlineLength: number
  /** The connection must still authenticate: Redis then caps multibulk (10) and bulk (16384) lengths. */
  readonly unauthenticated: boolean
}

export const defaultRequestLimits: RequestLimits = {
  maxBulkLength: 512 * 1024 * 1024,
  maxInlineLength: 64 * 1024,
  unauthenticated: false
}

/** Most arguments a client may announce before authenticating (networking.c). */
const unauthenticatedMaxArguments = 10
/** Longest bulk argument a client may announce before authenticating (networking.c). */
const unauthenticatedMaxBulkLength = 16384
/** INT_MAX: the largest multibulk count Redis accepts. */
const maxMultibulkCount = 2147483647

/** An immutable singly linked list, newest first: O(1) append for pieces kept across chunks. */
interface Link<A> {
  readonly head: A
  readonly tail: Link<A> | undefined
}

const toArray = <A>(list: Link<A> | undefined): Array<A> => {
  const out: Array<A> = []
  for (let link = list; link !== undefined; link = link.tail) out.push(link.head)
  return out.reverse()
}

/**
 * Where the decoder is between two chunks.
 * - `Idle`: between commands; `pending` holds the start of a line, inline or
 *   not (a `*` count line).
 * - `Multibulk`: inside a `*N` request; `argumentsSoFar` are the arguments read
 *   (one array per chunk), `bulkLength` is -1 while the `$` line is awaited (its
 *   start in `pending`), else the announced length whose bytes are in `pending`.
 * - `Stalled`: a NUL byte hid a line terminator; only counts the pending bytes.
 */
export type RequestDecoderState =
  | {
    readonly _tag: "Idle"
    readonly pending: Link<Uint8Array> | undefined
    readonly pendingLength: number
    readonly inline: boolean
  }
  | {
    readonly _tag: "Multibulk"
    readonly remaining: number
    readonly argumentsSoFar: Link<ReadonlyArray<ByteString>> | undefined
    readonly bulkLength: number
    readonly pending: Link<Uint8Array> | undefined
    readonly pendingLength: number
  }
  | {
    readonly _tag: "Stalled"
    readonly pendingLength: number
    readonly errorMessage: string
  }

export const initialRequestDecoderState: RequestDecoderState = {
  _tag: "Idle",
  pending: undefined,
  pendingLength: 0,
  inline: false
}

export interface DecodedRequests {
  readonly state: RequestDecoderState
  /** The commands completed by this chunk, in order (empty lines and `*0` are skipped). */
  readonly commands: ReadonlyArray<Command>
  /** Set when the input broke the protocol; `commands` were decoded before it. */
  readonly error: Errors.ProtocolError | undefined
}

const CR = 13
const LF = 10
const NUL = 0
const STAR = 42
const DOLLAR = 36

const asBuffer = (bytes: Uint8Array): Buffer =>
  Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)

/**
 * Redis's string2ll over `buf[start, end)`: an optional `-`, then `0` alone or
 * digits without a leading zero, at most 20 bytes, within a signed 64-bit
 * range. Returns `undefined` when invalid. Values beyond 2^53 are approximate
 * (only compared against limits far below that).
 */
export const parseRedisInteger = (buf: Uint8Array, start: number, end: number): number | undefined => {
  const length = end - start
  if (length === 0 || length >= 21) return undefined
  if (length === 1 && buf[start] === 48) return 0
  const negative = buf[start] === 45
  let i = negative ? start + 1 : start
  if (i === end || buf[i] < 49 || buf[i] > 57) return undefined
  let value = 0
  for (; i < end; i++) {
    const digit = buf[i] - 48
    if (digit < 0 || digit > 9) return undefined
    value = value * 10 + digit
  }
  if (length < 16) return negative ? -value : value
  const exact = BigInt(asBuffer(buf).toString("latin1", start, end))
  return exact < -9223372036854775808n || exact > 9223372036854775807n ? undefined : Number(exact)
}

/** Index of the first CR or NUL in `buf[from, end)`, or `end`. */
const findCountLineEnd = (buf: Buffer, from: number, end: number): number => {
  let i = from
  while (i < end && buf[i] !== CR && buf[i] !== NUL) i++
  return i
}

const containsNul = (buf: Buffer, from: number, end: number): boolean => {
  for (let i = from; i < end; i++) if (buf[i] === NUL) return true
  return false
}

const isSpace = (byte: number): boolean => byte === 32 || (byte >= 9 && byte <= 13)

const hexValue = (byte: number): number =>
  byte >= 48 && byte <= 57 ? byte - 48 : byte >= 97 && byte <= 102 ? byte - 87 : byte >= 65 && byte <= 70 ? byte - 55 : -1

const escapedByte = (byte: number): number => {
  switch (byte) {
    case 110: return LF // n
    case 114: return CR // r
    case 116: return 9 // t
    case 98: return 8 // b
    case 97: return 7 // a
    default: return byte
  }
}

/**
 * sdssplitargs over `buf[start, end)` (which holds no NUL byte): arguments
 * separated by blanks; `"..."` with `\xHH` and `\n \r \t \b \a` escapes,
 * `'...'` with `\'`; a closing quote must be followed by a blank or the end.
 * Returns `undefined` for unbalanced quotes.
 */
export const splitInlineArguments = (buf: Buffer, start: number, end: number): Array<ByteString> | undefined => {
  const args: Array<ByteString> = []
  let p = start
  for (;;) {
    while (p < end && isSpace(buf[p])) p++
    if (p === end) return args
    let current = ""
    let runStart = p
    let quote = 0
    for (;;) {
      if (quote === 0) {
        if (p === end) break
        const byte = buf[p]
        if (byte === 32 || byte === LF || byte === CR || byte === 9) break
        if (byte === 34 || byte === 39) {
          current += buf.latin1Slice(runStart, p)
          quote = byte
        }
        p++
        continue
      }
      if (p === end) return undefined
      const byte = buf[p]
      if (byte === quote) {
        if (p + 1 < end && !isSpace(buf[p + 1])) return undefined
        p++
        runStart = p
        break
      }
      if (byte === 92 && quote === 34 && p + 3 < end && buf[p + 1] === 120 && hexValue(buf[p + 2]) >= 0 && hexValue(buf[p + 3]) >= 0) {
        current += String.fromCharCode(hexValue(buf[p + 2]) * 16 + hexValue(buf[p + 3]))
        p += 4
      } else if (byte === 92 && quote === 34 && p + 1 < end) {
        current += String.fromCharCode(escapedByte(buf[p + 1]))
        p += 2
      } else if (byte === 92 && quote === 39 && p + 1 < end && buf[p + 1] === 39) {
        current += "'"
        p += 2
      } else {
        current += String.fromCharCode(byte)
        p++
      }
    }
    args.push(quote === 0 ? current + buf.latin1Slice(runStart, p) : current)
    if (p < end) p++
  }
}

const failure = (commands: ReadonlyArray<Command>, message: string): DecodedRequests => ({
  state: initialRequestDecoderState,
  commands,
  error: new Errors.ProtocolError({ message })
})

/** Whether `chunk` may let the pending part of `state` progress, so that it is worth joining them. */
const chunkCompletesPending = (state: RequestDecoderState, chunk: Buffer): boolean => {
  if (state._tag === "Stalled") return false
  if (state._tag === "Multibulk" && state.bulkLength >= 0) {
    return state.pendingLength + chunk.length >= state.bulkLength + 2
  }
  if (chunk.indexOf(NUL) >= 0) return true
  if (state._tag === "Idle" && state.inline) return chunk.indexOf(LF) >= 0
  const lastPiece = state.pending?.head
  return (lastPiece !== undefined && lastPiece[lastPiece.length - 1] === CR) || chunk.indexOf(CR) >= 0
}

/** The "too big" error for the pending line of `state`, which has no terminator yet. */
const tooBigLineMessage = (state: RequestDecoderState): string =>
  state._tag === "Multibulk"
    ? Errors.protocolTooBigBulkCount
    : state._tag === "Idle" && state.inline
      ? Errors.protocolTooBigInlineRequest
      : Errors.protocolTooBigMultibulkCount

/** Keeps `chunk` as a further pending piece when it cannot complete anything. */
const appendPending = (
  state: RequestDecoderState,
  chunk: Buffer,
  limits: RequestLimits,
  commands: ReadonlyArray<Command>
): DecodedRequests => {
  const pendingLength = state.pendingLength + chunk.length
  if (state._tag === "Stalled") {
    return pendingLength > limits.maxInlineLength
      ? failure(commands, state.errorMessage)
      : { state: { ...state, pendingLength }, commands, error: undefined }
  }
  const awaitingLine = state._tag === "Idle" || state.bulkLength < 0
  if (awaitingLine && pendingLength > limits.maxInlineLength) {
    return failure(commands, tooBigLineMessage(state))
  }
  return {
    state: { ...state, pending: { head: chunk, tail: state.pending }, pendingLength },
    commands,
    error: undefined
  }
}

/**
 * How many bytes at the start of `chunk` complete the pending part of `state`
 * (the announced bulk, or the line up to its terminator), so that only those
 * are copied to join the pending pieces; all of `chunk` when it completes the
 * pending part only through a NUL byte.
 */
const completingLength = (state: RequestDecoderState, chunk: Buffer): number => {
  if (state._tag === "Stalled") return chunk.length
  if (state._tag === "Multibulk" && state.bulkLength >= 0) return state.bulkLength + 2 - state.pendingLength
  const inline = state._tag === "Idle" && state.inline
  const lastPiece = state.pending?.head
  if (!inline && lastPiece !== undefined && lastPiece[lastPiece.length - 1] === CR) return 1
  const terminator = chunk.indexOf(inline ? LF : CR)
  return terminator < 0 ? chunk.length : Math.min(chunk.length, terminator + (inline ? 1 : 2))
}

/** Where decoding stopped in a chunk, to build the result from (kept out of the hot loop's closures). */
interface Progress {
  readonly buf: Buffer
  readonly pos: number
  readonly remaining: number
  readonly args: ReadonlyArray<ByteString>
  readonly earlierArguments: Link<ReadonlyArray<ByteString>> | undefined
  readonly bulkLength: number
  readonly commands: ReadonlyArray<Command>
}

/** `buf[pos, end)` is incomplete: keep it for the next chunk. */
const suspend = ({ args, buf, bulkLength, commands, earlierArguments, pos, remaining }: Progress): DecodedRequests => {
  const pendingLength = buf.length - pos
  const pending = pendingLength > 0 ? { head: buf.subarray(pos), tail: undefined } : undefined
  const state: RequestDecoderState = remaining > 0
    ? {
      _tag: "Multibulk",
      remaining,
      argumentsSoFar: args.length > 0 ? { head: args, tail: earlierArguments } : earlierArguments,
      bulkLength,
      pending,
      pendingLength
    }
    : { _tag: "Idle", pending, pendingLength, inline: pendingLength > 0 && buf[pos] !== STAR }
  return { state, commands, error: undefined }
}

/** A line from `pos` has no terminator yet: wait for more, or fail if it is too long already. */
const lineIncomplete = (progress: Progress, limits: RequestLimits, message: string): DecodedRequests =>
  progress.buf.length - progress.pos > limits.maxInlineLength ? failure(progress.commands, message) : suspend(progress)

/** A NUL byte hides the terminator of the line from `pos`: only the count of pending bytes matters from now on. */
const stall = ({ buf, commands, pos }: Progress, limits: RequestLimits, message: string): DecodedRequests =>
  buf.length - pos > limits.maxInlineLength
    ? failure(commands, message)
    : { state: { _tag: "Stalled", pendingLength: buf.length - pos, errorMessage: message }, commands, error: undefined }

/**
 * Decodes the requests in `chunk`, continuing from `state`. See the module
 * documentation for the exact Redis behaviours reproduced.
 */
export const decodeRequests = (
  state: RequestDecoderState,
  chunk: Uint8Array,
  limits: RequestLimits
): DecodedRequests => decodeInto(state, asBuffer(chunk), limits, [])

/** `decodeRequests`, appending the commands to `commands`. */
const decodeInto = (
  state: RequestDecoderState,
  input: Buffer,
  limits: RequestLimits,
  commands: Array<Command>
): DecodedRequests => {
  if (input.length === 0) return { state, commands, error: undefined }
  if (state._tag === "Stalled" || (state.pendingLength > 0 && !chunkCompletesPending(state, input))) {
    return appendPending(state, input, limits, commands)
  }
  if (state.pending === undefined) return decodeBuffer(state, input, limits, commands)
  const completing = completingLength(state, input)
  const joined = Buffer.concat([...toArray(state.pending), input.subarray(0, completing)], state.pendingLength + completing)
  const head = decodeBuffer(state, joined, limits, commands)
  return head.error !== undefined || completing === input.length
    ? head
    : decodeInto(head.state, input.subarray(completing), limits, commands)
}

/** The decoding loop over `buf`, which starts where `state` (whose pending bytes are in `buf`) stands. */
const decodeBuffer = (
  state: RequestDecoderState,
  buf: Buffer,
  limits: RequestLimits,
  commands: Array<Command>
): DecodedRequests => {
  const end = buf.length
  let pos = 0
  let remaining = state._tag === "Multibulk" ? state.remaining : 0
  let earlierArguments = state._tag === "Multibulk" ? state.argumentsSoFar : undefined
  let args: Array<ByteString> = []
  let bulkLength = state._tag === "Multibulk" ? state.bulkLength : -1

  while (pos < end) {
    if (remaining === 0) {
      if (buf[pos] !== STAR) {
        const newline = buf.indexOf(LF, pos)
        if (newline < 0 ? buf.indexOf(NUL, pos) >= 0 : containsNul(buf, pos, newline)) {
          return stall({ buf, pos, remaining, args, earlierArguments, bulkLength, commands }, limits, Errors.protocolTooBigInlineRequest)
        }
        if (newline < 0) return lineIncomplete({ buf, pos, remaining, args, earlierArguments, bulkLength, commands }, limits, Errors.protocolTooBigInlineRequest)
        const lineEnd = newline > pos && buf[newline - 1] === CR ? newline - 1 : newline
        const inlineArguments = splitInlineArguments(buf, pos, lineEnd)
        if (inlineArguments === undefined) return failure(commands, Errors.protocolUnbalancedQuotes)
        if (inlineArguments.length > 0) commands.push(inlineArguments)
        pos = newline + 1
        continue
      }
      const lineEnd = findCountLineEnd(buf, pos + 1, end)
      if (lineEnd < end && buf[lineEnd] === NUL) return stall({ buf, pos, remaining, args, earlierArguments, bulkLength, commands }, limits, Errors.protocolTooBigMultibulkCount)
      if (lineEnd >= end) return lineIncomplete({ buf, pos, remaining, args, earlierArguments, bulkLength, commands }, limits, Errors.protocolTooBigMultibulkCount)
      if (lineEnd + 1 >= end) return suspend({ buf, pos, remaining, args, earlierArguments, bulkLength, commands })
      const count = parseRedisInteger(buf, pos + 1, lineEnd)
      if (count === undefined || count > maxMultibulkCount) return failure(commands, Errors.protocolInvalidMultibulkLength)
      if (count > unauthenticatedMaxArguments && limits.unauthenticated) {
        return failure(commands, Errors.protocolUnauthenticatedMultibulkLength)
      }
      pos = lineEnd + 2
      if (count > 0) {
        remaining = count
        args = []
        earlierArguments = undefined
      }
      continue
    }
    if (bulkLength < 0) {
      const lineEnd = findCountLineEnd(buf, pos, end)
      if (lineEnd < end && buf[lineEnd] === NUL) return stall({ buf, pos, remaining, args, earlierArguments, bulkLength, commands }, limits, Errors.protocolTooBigBulkCount)
      if (lineEnd >= end) return lineIncomplete({ buf, pos, remaining, args, earlierArguments, bulkLength, commands }, limits, Errors.protocolTooBigBulkCount)
      if (lineEnd + 1 >= end) return suspend({ buf, pos, remaining, args, earlierArguments, bulkLength, commands })
      if (buf[pos] !== DOLLAR) return failure(commands, Errors.protocolExpectedDollar(String.fromCharCode(buf[pos])))
      const length = parseRedisInteger(buf, pos + 1, lineEnd)
      if (length === undefined || length < 0 || length > limits.maxBulkLength) {
        return failure(commands, Errors.protocolInvalidBulkLength)
      }
      if (length > unauthenticatedMaxBulkLength && limits.unauthenticated) {
        return failure(commands, Errors.protocolUnauthenticatedBulkLength)
      }
      pos = lineEnd + 2
      bulkLength = length
    }
    if (end - pos < bulkLength + 2) return suspend({ buf, pos, remaining, args, earlierArguments, bulkLength, commands })
    args.push(buf.latin1Slice(pos, pos + bulkLength))
    pos += bulkLength + 2
    bulkLength = -1
    remaining--
    if (remaining === 0) {
      commands.push(earlierArguments === undefined ? args : [...toArray(earlierArguments).flat(), ...args])
      args = []
      earlierArguments = undefined
    }
  }
  return suspend({ buf, pos, remaining, args, earlierArguments, bulkLength, commands })
}

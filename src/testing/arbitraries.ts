/**
 * fast-check arbitraries for RESP values and requests, for effect-kv's own
 * tests and for users testing code around it (`effect-kv/testing`).
 *
 * Byte strings are JS strings with one char per byte (latin1), as in
 * `src/resp/values.ts`.
 */
import fc from "fast-check"
import * as Errors from "../errors.js"
import { encodeCommand } from "../resp/encoder.js"
import * as Values from "../resp/values.js"
import type { ByteString, Command, ProtocolVersion, RespValue } from "../resp/values.js"

/** A byte string of any bytes (0..255), at most `maxLength` long. */
export const byteString = (maxLength = 32): fc.Arbitrary<ByteString> =>
  fc.string({ unit: fc.integer({ min: 0, max: 255 }).map((byte) => String.fromCharCode(byte)), maxLength })

/** A byte string without CR or LF, as simple strings and error messages are. */
const lineString: fc.Arbitrary<string> = fc.string({
  unit: fc.integer({ min: 0, max: 255 }).filter((byte) => byte !== 10 && byte !== 13).map((byte) => String.fromCharCode(byte)),
  maxLength: 24
})

/** A RESP integer in its decoded form: a safe JS integer as `number`, other 64-bit values as `bigint`. */
const integerValue: fc.Arbitrary<number | bigint> = fc.oneof(
  fc.maxSafeInteger(),
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).filter((value) => !Number.isSafeInteger(Number(value)))
)

/**
 * Any RESP value the given protocol can carry without loss, nested at most a
 * few levels: for RESP2 simple strings, errors, integers, bulk strings, Null,
 * NullArray and arrays; for RESP3 all kinds except NullArray (which RESP3
 * sends as Null). `decode(encode(v, protocol))` gives back `v` for these.
 */
export const respValue = (protocol: ProtocolVersion): fc.Arbitrary<RespValue> => {
  const scalars: Array<fc.Arbitrary<RespValue>> = [
    lineString.map(Values.simple),
    lineString.map(Values.error),
    integerValue.map(Values.integer),
    byteString().map(Values.bulk),
    fc.constant(Values.nullBulk)
  ]
  const resp3Scalars: Array<fc.Arbitrary<RespValue>> = protocol === 2
    ? [fc.constant(Values.nullArray)]
    : [
      fc.double().map(Values.double),
      fc.boolean().map(Values.boolean),
      fc.bigInt().map(Values.bigNumber),
      fc.tuple(fc.string({ unit: "grapheme-ascii", minLength: 3, maxLength: 3 }), byteString()).map(([format, value]) =>
        Values.verbatim(format, value))
    ]
  return fc.letrec<{ value: RespValue }>((tie) => {
    const items = fc.array(tie("value"), { maxLength: 4 })
    const aggregates: Array<fc.Arbitrary<RespValue>> = protocol === 2
      ? [items.map(Values.array)]
      : [
        items.map(Values.array),
        items.map(Values.set),
        items.map(Values.push),
        fc.array(fc.tuple(tie("value"), tie("value")), { maxLength: 3 }).map(Values.map)
      ]
    return {
      value: fc.oneof({ depthSize: "small", withCrossShrink: true }, ...scalars, ...resp3Scalars, ...aggregates)
    }
  }).value
}

/** A request: one or more binary arguments. */
export const command: fc.Arbitrary<Command> = fc.array(byteString(), { minLength: 1, maxLength: 6 })

/** Request bytes together with the command they carry. */
export interface Framed {
  readonly command: Command
  readonly bytes: Uint8Array
}

/** A well-formed multibulk request (`*N\r\n$len\r\narg\r\n...`) and its command. */
export const commandFrame: fc.Arbitrary<Framed> = command.map((args) => ({ command: args, bytes: encodeCommand(args) }))

const bareArgumentByte = fc.oneof(
  fc.integer({ min: 0x21, max: 0x7e }).filter((byte) => byte !== 34 && byte !== 39),
  fc.integer({ min: 0x80, max: 0xff })
)

/** An inline argument as written on the line: bare, or double-quoted with `\xHH` escapes for any bytes. */
const inlineArgument: fc.Arbitrary<{ readonly value: ByteString; readonly text: string }> = fc.oneof(
  fc.array(bareArgumentByte, { minLength: 1, maxLength: 12 }).map((bytes) => {
    const value = String.fromCharCode(...bytes)
    return { value, text: value }
  }),
  byteString(12).map((value) => ({
    value,
    text: `"${Array.from(value, (char) => `\\x${char.charCodeAt(0).toString(16).padStart(2, "0")}`).join("")}"`
  }))
)

/**
 * A well-formed inline request (arguments separated by blanks, ended by CRLF
 * or LF) and its command. It never starts with `*`, which would make it a
 * multibulk request.
 */
export const inlineCommandFrame: fc.Arbitrary<Framed> = fc
  .tuple(
    fc.array(fc.tuple(inlineArgument, fc.constantFrom(" ", "  ", "\t")), { minLength: 1, maxLength: 5 }),
    fc.constantFrom("\r\n", "\n")
  )
  .map(([args, lineEnd]) => ({
    command: args.map(([arg]) => arg.value),
    bytes: Buffer.from(args.map(([arg, blank]) => arg.text + blank).join("") + lineEnd, "latin1")
  }))
  .filter(({ bytes }) => bytes[0] !== 42)

/** A mutated request and the Redis error it must cause, or `undefined` when it is only truncated (more input needed). */
export interface MalformedFrame {
  readonly bytes: Uint8Array
  readonly expectedError: string | undefined
}

const replaceFirst = (frame: string, from: string, to: string): string => {
  const at = frame.indexOf(from)
  return frame.slice(0, at) + to + frame.slice(at + from.length)
}

/**
 * A well-formed multibulk request broken in one way: an invalid multibulk
 * count, an invalid bulk length, a bulk header not starting with `$`, or cut
 * short (which is not an error: the decoder must wait for more input).
 */
export const malformedFrame: fc.Arbitrary<MalformedFrame> = commandFrame.chain(({ bytes, command: args }) => {
  const frame = Buffer.from(bytes).toString("latin1")
  const firstBulkHeader = `$${args[0].length}\r\n`
  return fc.oneof(
    fc.constantFrom("x", "+1", "01", "1a", "", "99999999999999999999").map((count) => ({
      bytes: Buffer.from(replaceFirst(frame, `*${args.length}\r\n`, `*${count}\r\n`), "latin1"),
      expectedError: Errors.protocolInvalidMultibulkLength
    })),
    fc.constantFrom("-2", "-1", "x", "", "+3", "007", "536870913").map((length) => ({
      bytes: Buffer.from(replaceFirst(frame, firstBulkHeader, `$${length}\r\n`), "latin1"),
      expectedError: Errors.protocolInvalidBulkLength
    })),
    fc.integer({ min: 1, max: 255 }).filter((byte) => byte !== 36).map((byte) => ({
      bytes: Buffer.from(replaceFirst(frame, firstBulkHeader, String.fromCharCode(byte) + firstBulkHeader.slice(1)), "latin1"),
      expectedError: Errors.protocolExpectedDollar(String.fromCharCode(byte))
    })),
    fc.integer({ min: 0, max: bytes.length - 1 }).map((length) => ({
      bytes: bytes.subarray(0, length),
      expectedError: undefined
    }))
  )
})

import fc from "fast-check"
import { describe, expect, it } from "vitest"
import * as Errors from "../../src/errors.js"
import {
  decodeRequests,
  defaultRequestLimits,
  initialRequestDecoderState,
  type RequestLimits
} from "../../src/resp/decoder.js"
import type { Command } from "../../src/resp/values.js"
import { commandFrame, inlineCommandFrame, malformedFrame } from "../../src/testing/arbitraries.js"

const bytes = (text: string): Buffer => Buffer.from(text, "latin1")

/** Decodes `chunks` in order, stopping at the first error. */
const decodeChunks = (chunks: ReadonlyArray<Uint8Array>, limits: RequestLimits = defaultRequestLimits) => {
  let state = initialRequestDecoderState
  const commands: Array<Command> = []
  for (const chunk of chunks) {
    const decoded = decodeRequests(state, chunk, limits)
    commands.push(...decoded.commands)
    if (decoded.error !== undefined) return { commands, error: decoded.error.message, state: decoded.state }
    state = decoded.state
  }
  return { commands, error: undefined, state }
}

const decodeText = (text: string, limits?: RequestLimits) => decodeChunks([bytes(text)], limits)

/** `data` cut at the given (sorted, deduplicated) offsets. */
const splitAt = (data: Uint8Array, cuts: ReadonlyArray<number>): Array<Uint8Array> => {
  const offsets = [...new Set(cuts.map((cut) => cut % (data.length + 1)))].sort((a, b) => a - b)
  const pieces: Array<Uint8Array> = []
  let start = 0
  for (const offset of [...offsets, data.length]) {
    pieces.push(data.subarray(start, offset))
    start = offset
  }
  return pieces
}

const unauthenticated: RequestLimits = { ...defaultRequestLimits, unauthenticated: true }

// Expected results below were checked against redis-server 7.0.15 with raw bytes.
describe("request decoder: multibulk", () => {
  it("decodes pipelined commands and ignores *0 and negative counts", () => {
    expect(decodeText("*1\r\n$4\r\nPING\r\n*0\r\n*-1\r\n*-5\r\n*2\r\n$4\r\nECHO\r\n$3\r\na\0b\r\n")).toEqual({
      commands: [["PING"], ["ECHO", "a\0b"]],
      error: undefined,
      state: initialRequestDecoderState
    })
  })

  it("accepts -2^63 as an (ignored) count but not one below", () => {
    expect(decodeText("*-9223372036854775808\r\nPING\r\n").commands).toEqual([["PING"]])
    expect(decodeText("*-9223372036854775809\r\nPING\r\n").error).toBe(Errors.protocolInvalidMultibulkLength)
  })

  it("only skips the byte after a CR, as Redis, without checking it is LF", () => {
    expect(decodeText("*1\rx$4\rxPINGxx").commands).toEqual([["PING"]])
  })

  it.each([
    ["*x\r\n", Errors.protocolInvalidMultibulkLength],
    ["*01\r\n", Errors.protocolInvalidMultibulkLength],
    ["*+1\r\n", Errors.protocolInvalidMultibulkLength],
    ["*\r\n", Errors.protocolInvalidMultibulkLength],
    ["*2147483648\r\n", Errors.protocolInvalidMultibulkLength],
    ["*1\r\n$-1\r\n", Errors.protocolInvalidBulkLength],
    ["*1\r\n$04\r\nPING\r\n", Errors.protocolInvalidBulkLength],
    ["*1\r\n$536870913\r\n", Errors.protocolInvalidBulkLength],
    ["*1\r\n#4\r\nPING\r\n", Errors.protocolExpectedDollar("#")],
    ["*1\r\n\r\n", Errors.protocolExpectedDollar("\r")]
  ])("%j fails with %s", (text, message) => {
    expect(decodeText(text).error).toBe(message)
  })

  it("returns the commands decoded before an error in the same chunk", () => {
    expect(decodeText("*1\r\n$4\r\nPING\r\nPING\r\n*x\r\n*1\r\n$4\r\nPING\r\n")).toMatchObject({
      commands: [["PING"], ["PING"]],
      error: Errors.protocolInvalidMultibulkLength
    })
  })

  it("applies proto-max-bulk-len from the limits", () => {
    const limits = { ...defaultRequestLimits, maxBulkLength: 3 }
    expect(decodeText("*1\r\n$3\r\nabc\r\n", limits).commands).toEqual([["abc"]])
    expect(decodeText("*1\r\n$4\r\nabcd\r\n", limits).error).toBe(Errors.protocolInvalidBulkLength)
  })

  it("caps counts and lengths before authentication", () => {
    expect(decodeText(`*10\r\n${"$1\r\na\r\n".repeat(10)}`, unauthenticated).commands).toHaveLength(1)
    expect(decodeText("*11\r\n", unauthenticated).error).toBe(Errors.protocolUnauthenticatedMultibulkLength)
    expect(decodeText("*1\r\n$16384\r\n", unauthenticated).error).toBeUndefined()
    expect(decodeText("*1\r\n$16385\r\n", unauthenticated).error).toBe(Errors.protocolUnauthenticatedBulkLength)
    expect(decodeText("*x\r\n", unauthenticated).error).toBe(Errors.protocolInvalidMultibulkLength)
    expect(decodeText("*1\r\n$-3\r\n", unauthenticated).error).toBe(Errors.protocolInvalidBulkLength)
  })

  it("fails on count lines longer than 64KB without CR, however they arrive", () => {
    const line = bytes(`*${"1".repeat(64 * 1024)}`)
    expect(decodeChunks([line]).error).toBe(Errors.protocolTooBigMultibulkCount)
    expect(decodeChunks(splitAt(line, [1000, 30000, 60000])).error).toBe(Errors.protocolTooBigMultibulkCount)
    expect(decodeChunks([bytes(`*1\r\n$${"1".repeat(64 * 1024)}`)]).error).toBe(Errors.protocolTooBigBulkCount)
    expect(decodeChunks([bytes(`*${"1".repeat(64 * 1024 - 1)}`)]).error).toBeUndefined()
  })

  it("assembles a large bulk sent in many pieces", () => {
    const value = "v".repeat(200_000)
    const frame = bytes(`*2\r\n$3\r\nSET\r\n$${value.length}\r\n${value}\r\n`)
    const cuts = Array.from({ length: 100 }, (_, i) => i * 2011 + 7)
    expect(decodeChunks(splitAt(frame, cuts)).commands).toEqual([["SET", value]])
  })
})

describe("request decoder: inline", () => {
  it("splits on blanks, skips empty lines, accepts LF alone", () => {
    expect(decodeText("\r\n\n  \r\nSET  k\tv\r\nPING\n").commands).toEqual([["SET", "k", "v"], ["PING"]])
  })

  it("reads quoted arguments as sdssplitargs", () => {
    expect(decodeText(`ECHO "a\\x41\\n\\"" 'b\\'c' ab"cd e" 'a\\b' a\vb\r\n`).commands).toEqual([
      ["ECHO", "aA\n\"", "b'c", "abcd e", "a\\b", "a\vb"]
    ])
  })

  it.each([`ECHO "abc"d\r\n`, `ECHO "abc\r\n`, `ECHO "\\"\r\n`, `ECHO 'a\r\n`, `ECHO 'a'b\r\n`])(
    "%j has unbalanced quotes",
    (text) => {
      expect(decodeText(text).error).toBe(Errors.protocolUnbalancedQuotes)
    }
  )

  it("fails on an inline line longer than 64KB", () => {
    const line = bytes("a".repeat(64 * 1024 + 1))
    expect(decodeChunks([line]).error).toBe(Errors.protocolTooBigInlineRequest)
    expect(decodeChunks(splitAt(line, [5, 40000])).error).toBe(Errors.protocolTooBigInlineRequest)
    expect(decodeChunks([bytes("a".repeat(64 * 1024))]).error).toBeUndefined()
  })

  it("stalls on a NUL before the line end, as Redis's strchr, until 64KB are pending", () => {
    const stalled = decodeText("PING\0\r\nPING\r\n")
    expect(stalled).toMatchObject({ commands: [], error: undefined })
    const more = decodeRequests(stalled.state, bytes("x".repeat(64 * 1024)), defaultRequestLimits)
    expect(more.error?.message).toBe(Errors.protocolTooBigInlineRequest)
    expect(decodeText("*1\0\r\n")).toMatchObject({ commands: [], error: undefined })
  })
})

describe("request decoder: properties", () => {
  const frames = fc.array(fc.oneof(commandFrame, inlineCommandFrame), { minLength: 1, maxLength: 8 })
  const concatenated = (framed: ReadonlyArray<{ readonly bytes: Uint8Array }>) =>
    Buffer.concat(framed.map((frame) => frame.bytes))

  it("decodes any split of well-formed requests to the same commands", () => {
    fc.assert(
      fc.property(frames, fc.array(fc.nat(), { maxLength: 6 }), (framed, cuts) => {
        const result = decodeChunks(splitAt(concatenated(framed), cuts))
        expect(result.error).toBeUndefined()
        expect(result.commands).toEqual(framed.map((frame) => frame.command))
        expect(result.state).toEqual(initialRequestDecoderState)
      }),
      { numRuns: 300 }
    )
  })

  it("decodes byte-by-byte delivery the same", () => {
    fc.assert(
      fc.property(frames, (framed) => {
        const data = concatenated(framed)
        const pieces = Array.from(data, (_, i) => data.subarray(i, i + 1))
        expect(decodeChunks(pieces).commands).toEqual(framed.map((frame) => frame.command))
      }),
      { numRuns: 50 }
    )
  })

  it("reports the error of a malformed frame, or waits on a truncated one, however split", () => {
    fc.assert(
      fc.property(malformedFrame, fc.array(fc.nat(), { maxLength: 4 }), ({ bytes: data, expectedError }, cuts) => {
        const result = decodeChunks(splitAt(data, cuts))
        expect(result.error).toBe(expectedError)
        expect(result.commands).toEqual([])
      }),
      { numRuns: 300 }
    )
  })

  it("never mutates a returned state: continuing it twice gives the same result", () => {
    fc.assert(
      fc.property(frames, fc.nat(), (framed, cut) => {
        const data = concatenated(framed)
        const [head, rest] = splitAt(data, [cut])
        const { state } = decodeRequests(initialRequestDecoderState, head, defaultRequestLimits)
        const first = decodeRequests(state, rest, defaultRequestLimits)
        expect(decodeRequests(state, rest, defaultRequestLimits)).toEqual(first)
      }),
      { numRuns: 100 }
    )
  })

  it("never throws on random bytes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.array(fc.nat(), { maxLength: 4 }), fc.boolean(), (data, cuts, unauth) => {
        const result = decodeChunks(splitAt(data, cuts), unauth ? unauthenticated : defaultRequestLimits)
        expect(result.error === undefined || result.error.startsWith("ERR Protocol error: ")).toBe(true)
      }),
      { numRuns: 500 }
    )
  })
})

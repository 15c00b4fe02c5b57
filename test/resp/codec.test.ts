import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { encode, encodeAll, encodeCommand, formatDouble } from "../../src/resp/encoder.js"
import { decodeReplies, initialReplyDecoderState } from "../../src/resp/reply-decoder.js"
import * as Values from "../../src/resp/values.js"
import type { ProtocolVersion, RespValue } from "../../src/resp/values.js"
import { respValue } from "../../src/testing/arbitraries.js"

const text = (value: RespValue, protocol: ProtocolVersion): string => encode(value, protocol).toString("latin1")

const decodeChunks = (chunks: ReadonlyArray<Uint8Array>) => {
  let state = initialReplyDecoderState
  const values: Array<RespValue> = []
  for (const chunk of chunks) {
    const decoded = decodeReplies(state, chunk)
    values.push(...decoded.values)
    if (decoded.error !== undefined) return { values, error: decoded.error.message }
    state = decoded.state
  }
  return { values, error: undefined, complete: state.pendingLength === 0 }
}

const splitAt = (data: Uint8Array, cuts: ReadonlyArray<number>): Array<Uint8Array> => {
  const offsets = [...new Set(cuts.map((cut) => cut % (data.length + 1)))].sort((a, b) => a - b)
  return [...offsets, data.length].map((offset, i, all) => data.subarray(i === 0 ? 0 : all[i - 1], offset))
}

describe("encoder", () => {
  it("formats doubles as Redis 7.0's %.17g", () => {
    expect([1.1, 0.1, 1, -2.5, 1e17, 1e16, 123456789012345680000, 0.0001, 0.00001, -0, 0, 5e-324, 1.7976931348623157e308].map(formatDouble))
      .toEqual([
        "1.1000000000000001", "0.10000000000000001", "1", "-2.5", "1e+17", "10000000000000000", "1.2345678901234568e+20",
        "0.0001", "1.0000000000000001e-05", "-0", "0", "4.9406564584124654e-324", "1.7976931348623157e+308"
      ])
    expect([Infinity, -Infinity, NaN].map(formatDouble)).toEqual(["inf", "-inf", "nan"])
  })

  it("downgrades RESP3 kinds to RESP2 as Redis 7", () => {
    const nested = Values.map([[Values.bulk("a"), Values.set([Values.integer(1)])]])
    expect(text(nested, 2)).toBe("*2\r\n$1\r\na\r\n*1\r\n:1\r\n")
    expect(text(nested, 3)).toBe("%1\r\n$1\r\na\r\n~1\r\n:1\r\n")
    expect(text(Values.double(1.5), 2)).toBe("$3\r\n1.5\r\n")
    expect(text(Values.double(-Infinity), 3)).toBe(",-inf\r\n")
    expect(text(Values.boolean(true), 2)).toBe(":1\r\n")
    expect(text(Values.boolean(false), 3)).toBe("#f\r\n")
    expect(text(Values.nullBulk, 2)).toBe("$-1\r\n")
    expect(text(Values.nullArray, 2)).toBe("*-1\r\n")
    expect(text(Values.nullArray, 3)).toBe("_\r\n")
    expect(text(Values.bigNumber(-12345678901234567890n), 2)).toBe("$21\r\n-12345678901234567890\r\n")
    expect(text(Values.bigNumber(1n), 3)).toBe("(1\r\n")
    expect(text(Values.verbatim("txt", "hi"), 2)).toBe("$2\r\nhi\r\n")
    expect(text(Values.verbatim("txt", "hi"), 3)).toBe("=6\r\ntxt:hi\r\n")
    expect(text(Values.push([Values.bulk("message")]), 2)).toBe("*1\r\n$7\r\nmessage\r\n")
    expect(text(Values.push([]), 3)).toBe(">0\r\n")
  })

  it("replaces CR and LF in status and error texts with spaces", () => {
    expect(text(Values.error("ERR bad\r\nthing"), 2)).toBe("-ERR bad  thing\r\n")
    expect(text(Values.simple("a\nb"), 3)).toBe("+a b\r\n")
  })

  it("writes binary bulk strings byte for byte", () => {
    const binary = String.fromCharCode(0, 13, 10, 255)
    expect([...encode(Values.bulk(binary), 2)]).toEqual([36, 52, 13, 10, 0, 13, 10, 255, 13, 10])
  })

  it("writes bulk strings of 16KB and more from their own parts", () => {
    const large = String.fromCharCode(255).repeat(20_000) + "\r\n"
    const values = [Values.array([Values.bulk(large), Values.integer(1)]), Values.verbatim("txt", large), Values.bulk("x")]
    expect(decodeChunks([encodeAll(values, 2)]).values).toEqual([values[0], Values.bulk(large), values[2]])
    expect(encodeCommand(["SET", large]).toString("latin1")).toBe(`*2\r\n$3\r\nSET\r\n$20002\r\n${large}\r\n`)
  })

  it("encodes commands and batches", () => {
    expect(encodeCommand(["SET", "k", ""]).toString("latin1")).toBe("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$0\r\n\r\n")
    expect(encodeAll([Values.ok, Values.integer(2n ** 63n - 1n)], 2).toString("latin1")).toBe("+OK\r\n:9223372036854775807\r\n")
  })
})

describe("reply decoder", () => {
  it.each([
    ["$-1\r\n", Values.nullBulk],
    ["*-1\r\n", Values.nullArray],
    ["_\r\n", Values.nullBulk],
    [",nan\r\n", Values.double(NaN)],
    [",1e+17\r\n", Values.double(1e17)],
    [":-9223372036854775808\r\n", Values.integer(-(2n ** 63n))]
  ])("decodes %j", (input, value) => {
    expect(decodeChunks([Buffer.from(input, "latin1")]).values).toEqual([value])
  })

  it.each(["?\r\n", ":12a\r\n", "$2\r\nabc\r\n", "#x\r\n", "=3\r\ntxt\r\n", "+ok\rx", ",1.2.3\r\n", "*-2\r\n"])(
    "rejects %j with a typed error",
    (input) => {
      expect(decodeChunks([Buffer.from(input, "latin1")]).error).toMatch(/^Protocol error: malformed reply: /)
    }
  )

  it("refuses aggregates nested beyond its limit instead of overflowing the stack", () => {
    expect(decodeChunks([Buffer.from("*1\r\n".repeat(10_000), "latin1")]).error).toMatch(/nested/)
  })
})

describe("codec properties", () => {
  for (const protocol of [2, 3] as const) {
    it(`RESP${protocol}: decode(encode(values)) is the values, for any split of the bytes`, () => {
      fc.assert(
        fc.property(fc.array(respValue(protocol), { minLength: 1, maxLength: 5 }), fc.array(fc.nat(), { maxLength: 5 }), (values, cuts) => {
          const result = decodeChunks(splitAt(encodeAll(values, protocol), cuts))
          expect(result).toEqual({ values, error: undefined, complete: true })
        }),
        { numRuns: 300 }
      )
    })
  }

  it("RESP2 encodes RESP3 values as their documented downgrade", () => {
    fc.assert(
      fc.property(respValue(3), (value) => {
        const decoded = decodeChunks([encode(value, 2)])
        expect(decoded.error).toBeUndefined()
        expect(decoded.values).toHaveLength(1)
      }),
      { numRuns: 200 }
    )
  })

  it("never throws on random bytes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.array(fc.nat(), { maxLength: 4 }), (data, cuts) => {
        const result = decodeChunks(splitAt(data, cuts))
        expect(result.error === undefined || result.error.startsWith("Protocol error: malformed reply: ")).toBe(true)
      }),
      { numRuns: 500 }
    )
  })
})

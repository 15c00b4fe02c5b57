import * as fc from "fast-check"
import { describe, expect, it } from "vitest"
import { compress, decompress } from "../../../src/persistence/rdb/lzf.js"

const latin1 = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, "latin1"))
const hex = (s: string): Uint8Array => Buffer.from(s.replace(/ /g, ""), "hex")

/** Byte arrays with repetition, so that back references occur. */
const compressible = fc
  .array(fc.tuple(fc.uint8Array({ minLength: 1, maxLength: 12 }), fc.integer({ min: 1, max: 40 })), { maxLength: 30 })
  .map((parts) => Buffer.concat(parts.flatMap(([piece, times]) => Array.from({ length: times }, () => piece))))

describe("lzf", () => {
  it("decompresses what Redis 7.0.15 compressed (from test/fixtures/rdb/strings.rdb)", () => {
    expect(decompress(hex("08 6162636465666768 61 e0ff07 e12407 016768"), 320)).toEqual(latin1("abcdefgh".repeat(40)))
    expect(decompress(hex("01 7a7a e02f00 017a7a"), 60)).toEqual(latin1("zz".repeat(30)))
  })

  it("round trips arbitrary and repetitive bytes", () => {
    fc.assert(fc.property(fc.oneof(fc.uint8Array({ maxLength: 600 }), compressible), (bytes) => {
      const compressed = compress(bytes)
      expect(compressed).toBeDefined()
      if (compressed !== undefined) expect(decompress(compressed, bytes.length)).toEqual(new Uint8Array(bytes))
    }))
  })

  it("compresses long repetition well (back references longer than 264 and 8192 bytes back)", () => {
    const bytes = latin1("a".repeat(10_000) + "0123456789".repeat(1000))
    const compressed = compress(bytes)
    expect(compressed?.length).toBeLessThan(300)
    if (compressed !== undefined) expect(decompress(compressed, bytes.length)).toEqual(bytes)
  })

  it("gives up when the output would exceed the bound", () => {
    expect(compress(latin1("abcdefghijklmnopqrstuvwxyz"), 22)).toBeUndefined()
    expect(compress(latin1("a".repeat(100)), 10)).toBeDefined()
  })

  it("rejects corrupt streams without throwing", () => {
    expect(decompress(hex("e0ff07"), 10)).toBeUndefined() // reference before the start
    expect(decompress(hex("05 6162"), 6)).toBeUndefined() // literal run past the end
    expect(decompress(hex("01 6162"), 3)).toBeUndefined() // shorter than announced
    expect(decompress(hex("01 6162"), 1)).toBeUndefined() // longer than announced
    fc.assert(fc.property(fc.uint8Array({ maxLength: 50 }), fc.nat(300), (bytes, length) => {
      const result = decompress(bytes, length)
      if (result !== undefined) expect(result.length).toBe(length)
    }))
  })
})

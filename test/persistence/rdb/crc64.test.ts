import * as fc from "fast-check"
import { describe, expect, it } from "vitest"
import { crc64 } from "../../../src/persistence/rdb/crc64.js"

/** Bit-at-a-time reference of the same CRC (reflected Jones polynomial), on bigint. */
const referenceCrc64 = (bytes: Uint8Array): bigint => {
  let crc = 0n
  for (const byte of bytes) {
    crc ^= BigInt(byte)
    for (let bit = 0; bit < 8; bit++) crc = (crc & 1n) === 1n ? (crc >> 1n) ^ 0x95ac9329ac4bc9b5n : crc >> 1n
  }
  return crc
}

describe("crc64", () => {
  it("has Redis's check value for 123456789", () => {
    expect(crc64(Buffer.from("123456789", "latin1"))).toBe(0xe9c6d914c4b8d9can)
  })

  it("is 0 for no bytes", () => {
    expect(crc64(new Uint8Array(0))).toBe(0n)
  })

  it("matches the bit-at-a-time definition", () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 100 }), (bytes) => {
      expect(crc64(bytes)).toBe(referenceCrc64(bytes))
    }))
  })

  it("continues across arbitrary splits", () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), fc.nat(200), (bytes, at) => {
      const split = Math.min(at, bytes.length)
      expect(crc64(bytes.subarray(split), crc64(bytes.subarray(0, split)))).toBe(crc64(bytes))
    }))
  })
})

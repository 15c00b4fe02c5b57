/**
 * The compact-blob decoders (ziplist, listpack, zipmap) against test-only
 * encoders written from Redis's format descriptions (ziplist.c, listpack.c,
 * zipmap.c): every element, as a string or in each integer width, decodes
 * back; a truncated or altered blob is a MalformedBlob, never a crash.
 */
import { describe, expect, it } from "@effect/vitest"
import fc from "fast-check"
import { MalformedBlob } from "../../src/values/encodings/blob.js"
import { backlenSize, decodeListpack } from "../../src/values/encodings/listpack.js"
import { decodeZiplist } from "../../src/values/encodings/ziplist.js"
import { decodeZipmap } from "../../src/values/encodings/zipmap.js"

type Element = { readonly _tag: "text"; readonly text: string } | { readonly _tag: "int"; readonly value: bigint }

const le = (value: bigint | number, size: number): string => {
  let v = BigInt.asUintN(size * 8, BigInt(value))
  let out = ""
  for (let i = 0; i < size; i++) {
    out += String.fromCharCode(Number(v & 0xffn))
    v >>= 8n
  }
  return out
}
const be32 = (value: number): string => le(value, 4).split("").reverse().join("")
const chr = (...codes: ReadonlyArray<number>) => String.fromCharCode(...codes)

const element: fc.Arbitrary<Element> = fc.oneof(
  fc.oneof(
    fc.string({ unit: fc.integer({ min: 0, max: 255 }).map((c) => String.fromCharCode(c)), maxLength: 70 }),
    fc.integer({ min: 60, max: 5000 }).map((n) => "x".repeat(n)),
    fc.integer({ min: 16380, max: 16400 }).map((n) => "y".repeat(n))
  ).map((text) => ({ _tag: "text" as const, text })),
  fc.oneof(
    fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
    fc.bigInt({ min: -5000n, max: 5000n }),
    fc.constantFrom(0n, 12n, 13n, 127n, 128n, -4096n, 4095n, -32768n, 32767n, -(2n ** 23n), 2n ** 23n - 1n, -(2n ** 31n), 2n ** 31n - 1n)
  ).map((value) => ({ _tag: "int" as const, value }))
)

const expectedText = (e: Element): string => (e._tag === "text" ? e.text : e.value.toString())

const fits = (value: bigint, bits: number) => value >= -(2n ** BigInt(bits - 1)) && value < 2n ** BigInt(bits - 1)

// --- listpack (listpack.c lpEncodeString, lpEncodeIntegerGetType, lpEncodeBacklen)
const listpackBody = (e: Element): string => {
  if (e._tag === "text") {
    const n = e.text.length
    const header = n < 64 ? chr(0x80 | n) : n < 4096 ? chr(0xe0 | (n >> 8), n & 0xff) : chr(0xf0) + le(n, 4)
    return header + e.text
  }
  const v = e.value
  if (v >= 0n && v <= 127n) return chr(Number(v))
  if (fits(v, 13)) {
    const u = Number(BigInt.asUintN(13, v))
    return chr(0xc0 | (u >> 8), u & 0xff)
  }
  if (fits(v, 16)) return chr(0xf1) + le(v, 2)
  if (fits(v, 24)) return chr(0xf2) + le(v, 3)
  if (fits(v, 32)) return chr(0xf3) + le(v, 4)
  return chr(0xf4) + le(v, 8)
}
const backlen = (length: number): string => {
  const size = backlenSize(length)
  const groups: Array<number> = []
  for (let i = size - 1; i >= 0; i--) groups.push(Math.floor(length / 128 ** i) % 128)
  return chr(...groups.map((group, i) => (i === 0 ? group : group | 0x80)))
}
const encodeListpack = (elements: ReadonlyArray<Element>): string => {
  const body = elements.map((e) => {
    const content = listpackBody(e)
    return content + backlen(content.length)
  }).join("")
  return le(6 + body.length + 1, 4) + le(Math.min(elements.length, 0xffff), 2) + body + chr(0xff)
}

// --- ziplist (ziplist.c zipStoreEntryEncoding, zipTryEncoding, zipStorePrevEntryLength)
const ziplistContent = (e: Element): string => {
  if (e._tag === "text") {
    const n = e.text.length
    const header = n < 64 ? chr(n) : n < 16384 ? chr(0x40 | (n >> 8), n & 0xff) : chr(0x80) + be32(n)
    return header + e.text
  }
  const v = e.value
  if (v >= 0n && v <= 12n) return chr(0xf1 + Number(v))
  if (fits(v, 8)) return chr(0xfe) + le(v, 1)
  if (fits(v, 16)) return chr(0xc0) + le(v, 2)
  if (fits(v, 24)) return chr(0xf0) + le(v, 3)
  if (fits(v, 32)) return chr(0xd0) + le(v, 4)
  return chr(0xe0) + le(v, 8)
}
const encodeZiplist = (elements: ReadonlyArray<Element>): string => {
  let body = ""
  let previous = 0
  let tail = 10
  for (const e of elements) {
    tail = 10 + body.length
    const entry = (previous < 254 ? chr(previous) : chr(0xfe) + le(previous, 4)) + ziplistContent(e)
    body += entry
    previous = entry.length
  }
  return le(10 + body.length + 1, 4) + le(tail, 4) + le(Math.min(elements.length, 0xffff), 2) + body + chr(0xff)
}

// --- zipmap (zipmap.c zipmapEncodeLength, zipmapSet)
const zipmapLength = (n: number): string => (n < 254 ? chr(n) : chr(254) + le(n, 4))
const encodeZipmap = (pairs: ReadonlyArray<readonly [string, string, number]>): string =>
  chr(Math.min(pairs.length, 254)) +
  pairs.map(([key, value, free]) => zipmapLength(key.length) + key + zipmapLength(value.length) + chr(free) + value + "\0".repeat(free)).join("") +
  chr(0xff)

const decodesOrMalformed = (decode: (blob: string) => unknown, blob: string): void => {
  try {
    decode(blob)
  } catch (error) {
    expect(error).toBeInstanceOf(MalformedBlob)
  }
}

describe("listpack", () => {
  it("decodes every element a listpack can hold", () => {
    fc.assert(fc.property(fc.array(element, { maxLength: 20 }), (elements) => {
      expect(decodeListpack(encodeListpack(elements))).toEqual(elements.map(expectedText))
    }))
  })

  it("a truncated or altered blob is malformed, never a crash", () => {
    fc.assert(fc.property(fc.array(element, { minLength: 1, maxLength: 6 }), fc.nat(), fc.integer({ min: 0, max: 255 }), (elements, at, byte) => {
      const blob = encodeListpack(elements)
      expect(() => decodeListpack(blob.slice(0, at % blob.length))).toThrow(MalformedBlob)
      const position = at % blob.length
      decodesOrMalformed(decodeListpack, blob.slice(0, position) + chr(byte) + blob.slice(position + 1))
    }))
  })

  it("decodes the bytes redis-server 7.0 writes for {f: v}", () => {
    // From test/fixtures/rdb/hash.rdb (RDB_TYPE_HASH_LISTPACK).
    expect(decodeListpack("\x0d\x00\x00\x00\x02\x00\x81f\x02\x81v\x02\xff")).toEqual(["f", "v"])
  })
})

describe("ziplist", () => {
  it("decodes every entry a ziplist can hold", () => {
    fc.assert(fc.property(fc.array(element, { maxLength: 20 }), (elements) => {
      expect(decodeZiplist(encodeZiplist(elements))).toEqual(elements.map(expectedText))
    }))
  })

  it("a truncated or altered blob is malformed, never a crash", () => {
    fc.assert(fc.property(fc.array(element, { minLength: 1, maxLength: 6 }), fc.nat(), fc.integer({ min: 0, max: 255 }), (elements, at, byte) => {
      const blob = encodeZiplist(elements)
      expect(() => decodeZiplist(blob.slice(0, at % blob.length))).toThrow(MalformedBlob)
      const position = at % blob.length
      decodesOrMalformed(decodeZiplist, blob.slice(0, position) + chr(byte) + blob.slice(position + 1))
    }))
  })
})

describe("zipmap", () => {
  const pair = fc.tuple(
    fc.oneof(fc.string({ maxLength: 20 }), fc.constant("k".repeat(300))),
    fc.oneof(fc.string({ maxLength: 20 }), fc.constant("v".repeat(300))),
    fc.integer({ min: 0, max: 4 })
  )

  it("decodes every pair, skipping the free bytes", () => {
    fc.assert(fc.property(fc.array(pair, { maxLength: 10 }), (pairs) => {
      expect(decodeZipmap(encodeZipmap(pairs))).toEqual(pairs.flatMap(([key, value]) => [key, value]))
    }))
  })

  it("a truncated blob is malformed", () => {
    fc.assert(fc.property(fc.array(pair, { minLength: 1, maxLength: 5 }), fc.nat(), (pairs, at) => {
      const blob = encodeZipmap(pairs)
      expect(() => decodeZipmap(blob.slice(0, at % blob.length))).toThrow(MalformedBlob)
    }))
  })
})

import { Either} from "effect"
import * as fc from "fast-check"
import { readFileSync } from "node:fs"
import { describe, expect, it } from "vitest"
import { crc64 } from "../../../src/persistence/rdb/crc64.js"
import { readRdb, readRdbContents } from "../../../src/persistence/rdb/reader.js"
import { type WriteOptions, writeRdb } from "../../../src/persistence/rdb/writer.js"
import { databaseCount, entry, type Entry, isExpired, type Keyspace } from "../../../src/store/entry.js"
import * as Hamt from "../../../src/structures/hamt.js"

const nowMs = 1_700_000_000_000
const fixture = (name: string): Uint8Array => readFileSync(new URL(`../../fixtures/rdb/${name}`, import.meta.url))
const bytesOf = (databases: ReadonlyArray<Keyspace>, options?: WriteOptions): Uint8Array =>
  Buffer.concat([...writeRdb(databases, nowMs, options)])

const sorted = (keyspace: Keyspace): Array<[string, Entry]> =>
  [...Hamt.entries(keyspace)].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
const live = (keyspace: Keyspace): Array<[string, Entry]> => sorted(keyspace).filter(([, e]) => !isExpired(e, nowMs))
const databasesWith = (contents: ReadonlyArray<readonly [number, Keyspace]>): Array<Keyspace> => {
  const databases = Array.from({ length: databaseCount }, () => Hamt.empty<Entry>())
  for (const [db, keyspace] of contents) databases[db] = keyspace
  return databases
}
const unwrap = (result: Either.Either<ReadonlyArray<Keyspace>, unknown>): ReadonlyArray<Keyspace> =>
  Either.getOrThrowWith(result, (error) => new Error(`expected a parsed file, got ${String(error)}`))

const byteString = fc.uint8Array({ maxLength: 80 }).map((bytes) => Buffer.from(bytes).toString("latin1"))
const integerLooking = fc.oneof(
  fc.integer().map(String),
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map(String),
  fc.constantFrom("0", "-0", "+1", "007", " 1", "127", "128", "-128", "-129", "32767", "32768", "2147483647", "2147483648", "-2147483648", "-2147483649")
)
const compressibleString = fc.tuple(fc.string({ minLength: 1, maxLength: 5 }), fc.integer({ min: 5, max: 60 }))
  .map(([piece, times]) => piece.repeat(times).replace(/[^\x00-\xff]/g, "x"))
const value = fc.oneof(byteString, integerLooking, compressibleString)
const expiry = fc.option(fc.integer({ min: nowMs - 1_000_000, max: nowMs + 10 ** 11 }), { nil: undefined })
const keyspace: fc.Arbitrary<Keyspace> = fc
  .array(fc.tuple(fc.oneof(byteString, integerLooking), value, expiry), { maxLength: 25 })
  .map((entries) => Hamt.fromEntries(entries.map(([k, v, e]) => [k, entry(k, v, e)] as const)))
const databases = fc.array(fc.tuple(fc.integer({ min: 0, max: databaseCount - 1 }), keyspace), { maxLength: 4 })
  .map(databasesWith)

describe("RDB writer and reader", () => {
  it("round trip: any keyspaces read back equal, minus keys expired at save time", () => {
    const pauseEveryKeys = fc.option(fc.integer({ min: 1, max: 5 }), { nil: undefined })
    fc.assert(fc.property(databases, fc.boolean(), pauseEveryKeys, (written, compression, pauseEveryKeys) => {
      const read = unwrap(readRdb(bytesOf(written, { compression, pauseEveryKeys })))
      expect(read.length).toBe(databaseCount)
      expect(read.map(sorted)).toEqual(written.map(live))
    }), { numRuns: 300 })
  })

  it("writes Redis's string encodings", () => {
    const file = Buffer.from(bytesOf(databasesWith([[0, Hamt.fromEntries([
      ["a", entry("a", "12", undefined)],
      ["b", entry("b", "-300", undefined)],
      ["c", entry("c", "70000", undefined)],
      ["d", entry("d", "2147483648", undefined)],
      ["e", entry("e", "x".repeat(40), undefined)]
    ])]])))
    expect(file.subarray(0, 9).toString("latin1")).toBe("REDIS0010")
    const hexOf = file.toString("hex")
    expect(hexOf).toContain("000161c00c") // STRING "a" INT8 12
    expect(hexOf).toContain("000162c1d4fe") // INT16 -300
    expect(hexOf).toContain("000163c270110100") // INT32 70000
    expect(hexOf).toContain("0001640a32313437343833363438") // raw, out of INT32
    expect(hexOf).toContain("000165c3") // LZF
  })

  it("writes EXPIRETIME_MS, SELECTDB and RESIZEDB", () => {
    const file = Buffer.from(bytesOf(databasesWith([[3, Hamt.fromEntries([["k", entry("k", "v", 0x020304050607)], ["p", entry("p", "v", undefined)]])]])))
    const hexOf = file.toString("hex")
    expect(hexOf).toContain("fe03fb0201") // SELECTDB 3, RESIZEDB 2 keys, 1 with expiry
    expect(hexOf).toContain("fc0706050403020000") // EXPIRETIME_MS little-endian
  })

  it("streams in chunks whose concatenation is the file, ending with the CRC-64", () => {
    const big = Hamt.fromEntries(Array.from({ length: 20_000 }, (_, i) => [`key:${i}`, entry(`key:${i}`, `value ${i}`, undefined)] as const))
    const chunks = [...writeRdb(databasesWith([[0, big]]), nowMs)]
    expect(chunks.length).toBeGreaterThan(2)
    const file = Buffer.concat(chunks)
    expect(file.readBigUInt64LE(file.length - 8)).toBe(crc64(file.subarray(0, file.length - 8)))
    expect(Hamt.size(unwrap(readRdb(file))[0])).toBe(20_000)
  })

  it("yields an empty chunk every pauseEveryKeys keys gathered, and only then", () => {
    const keys = Hamt.fromEntries(Array.from({ length: 10 }, (_, i) => [`k${i}`, entry(`k${i}`, "v", undefined)] as const))
    const emptyChunks = (options?: WriteOptions) =>
      [...writeRdb(databasesWith([[0, keys], [1, keys]]), nowMs, options)].filter((chunk) => chunk.length === 0).length
    expect(emptyChunks()).toBe(0)
    expect(emptyChunks({ pauseEveryKeys: 3 })).toBe(6)
    expect(emptyChunks({ pauseEveryKeys: 1 })).toBe(20)
  })

  it("round trips strings longer than a chunk, compressed or not", () => {
    const incompressible = Buffer.from(Array.from({ length: 200_000 }, (_, i) => (i * 2654435761) >>> 24)).toString("latin1")
    const written = databasesWith([[0, Hamt.fromEntries([
      ["random", entry("random", incompressible, undefined)],
      ["repeated", entry("repeated", "abc".repeat(100_000), nowMs + 1000)],
      ["k".repeat(70_000), entry("k".repeat(70_000), "small", undefined)]
    ])]])
    for (const compression of [true, false]) {
      expect(unwrap(readRdb(bytesOf(written, { compression }))).map(sorted)).toEqual(written.map(live))
    }
  })

  it("reads a file saved by Redis 7.0.15", () => {
    const [db0, , , , , db5, , , , , , , , , , db15] = unwrap(readRdb(fixture("strings.rdb")))
    expect(sorted(db0)).toEqual([
      ["big", entry("big", "2147483648", undefined)],
      ["binary", entry("binary", "\x00\xff\r\nbin", undefined)],
      ["i12", entry("i12", "12", undefined)],
      ["i70000", entry("i70000", "70000", undefined)],
      ["long", entry("long", "abcdefgh".repeat(40), undefined)],
      ["m300", entry("m300", "-300", undefined)],
      ["withttl", entry("withttl", "v", 4102444800000)]
    ])
    expect(sorted(db5)).toEqual([["db5", entry("db5", "five", undefined)]])
    expect(sorted(db15)).toEqual([["db15", entry("db15", "zz".repeat(30), undefined)]])
  })

  it("drops keys expired at load time only when asked to", () => {
    const file = bytesOf(databasesWith([[0, Hamt.fromEntries([["old", entry("old", "v", nowMs + 10)], ["new", entry("new", "v", nowMs + 1000)]])]]))
    expect(Hamt.size(unwrap(readRdb(file))[0])).toBe(2)
    expect(Array.from(Hamt.entries(unwrap(readRdb(file, nowMs + 100))[0]), ([key]) => key)).toEqual(["new"])
  })

  it("reads EXPIRETIME (seconds), IDLE, FREQ, a 0 checksum and a version without checksum", () => {
    const body = (version: string) => Buffer.concat([
      Buffer.from(`REDIS${version}`, "latin1"),
      Buffer.from("fe00" + "fd10000000" + "f805" + "f907" + "00016b0176" + "ff", "hex")
    ])
    for (const file of [Buffer.concat([body("0011"), Buffer.alloc(8)]), body("0004")]) {
      expect(sorted(unwrap(readRdb(file))[0])).toEqual([["k", entry("k", "v", 16_000)]])
    }
  })
})

describe("RDB reader errors", () => {
  const valid = bytesOf(databasesWith([[0, Hamt.fromEntries([["k", entry("k", "v", undefined)]])]]))
  const errorOf = (file: Uint8Array) => Either.flip(readRdb(file)).pipe(Either.getOrThrow)

  it("names the problem and the offset", () => {
    expect(errorOf(Buffer.from("RADIS0010")).message).toBe(
      "wrong signature trying to load DB from file (no REDIS header) at offset 0"
    )
    expect(errorOf(Buffer.from("REDIS0012")).message).toBe("can't handle RDB format version 0012 at offset 5")
    expect(errorOf(valid.subarray(0, 20)).message).toBe("unexpected end of file at offset 20")
    expect(errorOf(Buffer.from("REDIS0010\x08", "latin1"))._tag).toBe("RdbUnknownOpcode")
    const badSum = Buffer.from(valid)
    badSum[badSum.length - 1] ^= 1
    expect(errorOf(badSum)._tag).toBe("RdbBadChecksum")
    expect(errorOf(badSum).message).toMatch(/^wrong RDB checksum expected: [0-9a-f]{16} got: [0-9a-f]{16} at offset \d+$/)
  })

  it("refuses a type effect-kv does not store yet, naming the key and type", () => {
    const error = errorOf(Buffer.concat([Buffer.from("REDIS0010"), Buffer.from("15016b", "hex")]))
    expect(error._tag).toBe("RdbUnsupportedType")
    expect(error.message).toMatch(/^key 'k' holds a stream \(version 3\) value, which is not supported, at offset \d+$/)
  })

  it("reads the functions saved by Redis as their code, beside the keys", () => {
    const contents = Either.getOrThrow(readRdbContents(fixture("function.rdb")))
    expect(contents.functions).toEqual(["#!lua name=mylib\nredis.register_function('f', function() return 1 end)"])
    expect(Hamt.size(contents.databases[0])).toBe(1)
  })

  it("refuses module aux data, out-of-range databases and duplicated keys", () => {
    const file = (hex: string) => Buffer.concat([Buffer.from("REDIS0010"), Buffer.from(hex, "hex")])
    expect(errorOf(file("f7"))._tag).toBe("RdbUnsupportedContent")
    expect(errorOf(file("fe10")).message).toBe("database 16 is out of range (16 databases) at offset 9")
    expect(errorOf(file("00016b0176" + "00016b0177" + "ff" + "0000000000000000")).message).toBe(
      "duplicated key in database 0 at offset 14"
    )
  })

  it("any truncation is a typed error", () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: valid.length - 1 }), (length) => {
      expect(Either.isLeft(readRdb(valid.subarray(0, length)))).toBe(true)
    }))
  })

  it("any corruption is a typed error or a clean parse, never a throw", () => {
    const file = bytesOf(databasesWith([[0, Hamt.fromEntries([["k", entry("k", "abc".repeat(20), nowMs + 5)], ["n", entry("n", "1234", undefined)]])]]))
    fc.assert(fc.property(
      fc.array(fc.tuple(fc.nat(file.length - 1), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 4 }),
      (flips) => {
        const corrupt = Buffer.from(file)
        for (const [at, mask] of flips) corrupt[at] ^= mask
        const result = readRdb(corrupt)
        if (Either.isLeft(result)) expect(result.left.message).toMatch(/offset \d+/)
      }
    ), { numRuns: 2000 })
  })
})

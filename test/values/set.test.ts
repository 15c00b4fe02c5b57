import { describe, expect, it } from "@effect/vitest"
import { Either } from "effect"
import fc from "fast-check"
import { EmptyCollection } from "../../src/values/encodings/blob.js"
import { parseInt64 } from "../../src/int64.js"
import { typeForRdb, typeOf } from "../../src/values/registry.js"
import { decodeIntset, encodeIntset } from "../../src/values/intset.js"
import * as Sets from "../../src/values/set.js"
import { setType } from "../../src/values/set.js"
import type { RdbValueReader, RdbValueWriter } from "../../src/values/types.js"

const int64 = fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n })
const ascending = (values: ReadonlyArray<bigint>) => BigInt64Array.from(new Set(values)).sort()

describe("intset blob codec", () => {
  it("decodes what it encodes, at the narrowest width", () => {
    fc.assert(fc.property(fc.array(fc.oneof(fc.integer({ min: -40000, max: 40000 }).map(BigInt), int64)), (values) => {
      const members = ascending(values)
      const blob = encodeIntset(members)
      expect(Either.getOrThrow(decodeIntset(blob))).toEqual(members)
      const width = Buffer.from(blob, "latin1").readUInt32LE(0)
      const fits16 = members.every((m) => m >= -32768n && m <= 32767n)
      const fits32 = members.every((m) => m >= -(2n ** 31n) && m < 2n ** 31n)
      expect(width).toBe(fits16 ? 2 : fits32 ? 4 : 8)
    }))
  })

  it("reads every width Redis writes (a 32-bit intset holding small members after removals)", () => {
    const blob = Buffer.alloc(8 + 3 * 4)
    blob.writeUInt32LE(4, 0)
    blob.writeUInt32LE(3, 4)
    ;[-5, 7, 9].forEach((n, i) => blob.writeInt32LE(n, 8 + 4 * i))
    expect(Either.getOrThrow(decodeIntset(blob.toString("latin1")))).toEqual(BigInt64Array.from([-5n, 7n, 9n]))
  })

  it("refuses a short blob, an unknown width, a wrong count and unsorted or repeated members", () => {
    const header = (width: number, count: number) => {
      const b = Buffer.alloc(8)
      b.writeUInt32LE(width, 0)
      b.writeUInt32LE(count, 4)
      return b.toString("latin1")
    }
    expect(decodeIntset("abc")).toEqual(Either.left("intset shorter than its header"))
    expect(decodeIntset(header(3, 0))).toEqual(Either.left("intset with unknown encoding 3"))
    expect(decodeIntset(header(2, 2) + "\x01\x00")).toEqual(Either.left("intset size does not match its count"))
    expect(decodeIntset(header(2, 2) + "\x02\x00\x01\x00")).toEqual(Either.left("intset members not strictly ascending"))
    expect(decodeIntset(header(2, 2) + "\x02\x00\x02\x00")).toEqual(Either.left("intset members not strictly ascending"))
  })
})

/** A member: canonical integers, look-alikes and letters. */
const member = fc.oneof(
  fc.integer({ min: -30, max: 30 }).map(String),
  int64.map(String),
  fc.constantFrom("01", "-0", "+1", "a", "b", "", "9223372036854775808")
)
const isInteger = (text: string) => parseInt64(text) !== undefined

describe("set values", () => {
  it("behave as a set of strings; intset exactly while all members are integers and at most the threshold", () => {
    const operation = fc.oneof(
      fc.array(member, { minLength: 1, maxLength: 8 }).map((members) => ({ add: true, members })),
      fc.array(member, { minLength: 1, maxLength: 8 }).map((members) => ({ add: false, members }))
    )
    fc.assert(fc.property(fc.array(operation, { maxLength: 30 }), fc.integer({ min: 0, max: 12 }), (operations, max) => {
      let set: Sets.SetValue | undefined = undefined
      let model = new Set<string>()
      let everNonInteger = false
      let everBig = false
      for (const { add, members } of operations) {
        if (add) {
          const created = set === undefined
          set = Sets.add(set ?? Sets.emptySet, members, max)
          members.forEach((m) => model.add(m))
          if (created) [everNonInteger, everBig] = [false, false]
          everNonInteger ||= members.some((m) => !isInteger(m))
          everBig ||= model.size > max
        } else if (set !== undefined) {
          set = Sets.remove(set, members)
          model = new Set([...model].filter((m) => !members.includes(m)))
        }
        if (model.size === 0) expect(set).toBeUndefined()
        if (set === undefined) continue
        expect(new Set(Sets.members(set))).toEqual(model)
        expect(Sets.size(set)).toBe(model.size)
        for (const m of members) expect(Sets.has(set, m)).toBe(model.has(m))
        // one-way: once a hashtable, always a hashtable (until the key goes)
        expect(setType.encoding(set)).toBe(everNonInteger || everBig ? "hashtable" : "intset")
      }
    }))
  })

  it("an intset lists its members ascending", () => {
    const set = Sets.add(Sets.emptySet, ["10", "-3", "9223372036854775807", "0", "-9223372036854775808"], 512)
    expect(Sets.members(set)).toEqual(["-9223372036854775808", "-3", "0", "10", "9223372036854775807"])
  })

  it("converts past set-max-intset-entries (512): 512 integers stay an intset, 513 do not", () => {
    const range = (n: number) => Array.from({ length: n }, (_, i) => String(i))
    expect(setType.encoding(Sets.add(Sets.emptySet, range(512), Sets.defaultMaxIntsetEntries))).toBe("intset")
    expect(setType.encoding(Sets.add(Sets.emptySet, range(513), Sets.defaultMaxIntsetEntries))).toBe("hashtable")
  })

  it("memberAt reaches every member", () => {
    fc.assert(fc.property(fc.array(member, { minLength: 1, maxLength: 40 }), (members) => {
      const set = Sets.add(Sets.emptySet, members, 512)
      const reached = Array.from({ length: Sets.size(set) }, (_, i) => Sets.memberAt(set, i))
      expect(new Set(reached)).toEqual(new Set(members))
    }))
  })

  it("the registry finds the set type by value and by RDB type bytes 2 (SET) and 11 (SET_INTSET)", () => {
    const set = Sets.add(Sets.emptySet, ["1"], 512)
    expect(typeOf(set)).toBe(setType)
    expect(typeForRdb(2)).toBe(setType)
    expect(typeForRdb(11)).toBe(setType)
    expect(setType.is("1")).toBe(false)
  })
})

/** Writes through the RdbValueWriter into a list of parts, and reads them back. */
const roundTrip = (value: Sets.SetValue): Sets.SetValue => {
  const parts: Array<number | string> = []
  const writer: RdbValueWriter = { length: (n) => parts.push(n), string: (s) => parts.push(s), raw: (s) => parts.push(s) }
  setType.writeRdb(value, writer)
  return setType.readRdb(partsReader(parts), setType.rdbType)
}

const partsReader = (parts: ReadonlyArray<number | string>): RdbValueReader => {
  let i = 0
  return {
    length: () => Number(parts[i++]),
    string: () => String(parts[i++]),
    byte: () => Number(parts[i++]),
    latin1: () => String(parts[i++]),
    corrupt: (reason) => {
      throw new Error(reason)
    }
  }
}

describe("set RDB and AOF forms", () => {
  it("an RDB body reads back as the same members and encoding", () => {
    fc.assert(fc.property(fc.array(member, { minLength: 1, maxLength: 30 }), (members) => {
      const set = Sets.add(Sets.emptySet, members, 512)
      const back = roundTrip(set)
      expect(new Set(Sets.members(back))).toEqual(new Set(members))
      expect(setType.encoding(back)).toBe(setType.encoding(set))
    }))
  })

  it("SET_INTSET loads an intset, a hashtable past the threshold; empty, duplicate and corrupt bodies are refused", () => {
    const small = setType.readRdb(partsReader([encodeIntset(BigInt64Array.from([1n, 5n]))]), 11)
    expect([setType.encoding(small), Sets.members(small)]).toEqual(["intset", ["1", "5"]])
    const big = setType.readRdb(partsReader([encodeIntset(BigInt64Array.from({ length: 600 }, (_, i) => BigInt(i)))]), 11)
    expect([setType.encoding(big), Sets.size(big)]).toEqual(["hashtable", 600])
    expect(() => setType.readRdb(partsReader([encodeIntset(new BigInt64Array(0))]), 11)).toThrow("empty set")
    expect(() => setType.readRdb(partsReader(["xx"]), 11)).toThrow("intset shorter than its header")
    expect(() => setType.readRdb(partsReader([2, "a", "a"]), 2)).toThrow("duplicate set members")
    expect(() => setType.readRdb(partsReader([0]), 2)).toThrow(EmptyCollection)
  })

  it("rewrites as SADD of at most 64 members, then PEXPIREAT when volatile", () => {
    const members = Array.from({ length: 130 }, (_, i) => `m${i}`)
    const set = Sets.add(Sets.emptySet, members, 512)
    const commands = setType.rewrite("k", set, 4102444800000)
    expect(commands.map((c) => [c[0], c.length])).toEqual([["SADD", 66], ["SADD", 66], ["SADD", 4], ["PEXPIREAT", 3]])
    expect(commands[3]).toEqual(["PEXPIREAT", "k", "4102444800000"])
    expect(new Set(commands.slice(0, 3).flatMap((c) => c.slice(2)))).toEqual(new Set(members))
    expect(setType.rewrite("k", Sets.add(Sets.emptySet, ["2", "1"], 512), undefined)).toEqual([["SADD", "k", "1", "2"]])
  })
})

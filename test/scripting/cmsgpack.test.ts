/**
 * cmsgpack in scripts against redis-server 7.0: the same EVAL sent to both,
 * the raw replies compared byte for byte. Fixed cases for every encoding
 * boundary and error message; fast-check properties for random Lua values
 * (pack is the same bytes; unpack of pack answers the same), and for random
 * input bytes to unpack / unpack_one / unpack_limit. FUZZ_RUNS / FUZZ_SEED
 * as in the differential tests.
 */
import fc from "fast-check"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type BothServers, fuzzRuns, luaValue, nestedValue, openBothServers } from "./both-servers.js"

let servers: BothServers

beforeAll(async () => {
  servers = await openBothServers()
}, 30_000)

afterAll(async () => {
  await servers?.stop()
})

const expectSame = async (script: string) => {
  const { effectKv, redis } = await servers.send("EVAL", script, "0")
  expect({ script, reply: effectKv }).toEqual({ script, reply: redis })
}

/** Each result of `call` (a Lua call expression's function and arguments), packed alone, so nils and floats survive. */
const eachResultPacked = (call: string): string => `
local function all(...) return select('#', ...), {...} end
local n, results = all(pcall(${call}))
local out = {}
for i = 1, n do out[i] = cmsgpack.pack(results[i]) end
return out`

describe("cmsgpack answers as redis-server's", () => {
  it("packs every integer, float, string and table form", async () => {
    const cases = [
      "cmsgpack.pack(0, 127, 128, 255, 256, 65535, 65536, 4294967295, 4294967296, 2^53, 2^62)",
      "cmsgpack.pack(-1, -32, -33, -128, -129, -32768, -32769, -2147483648, -2147483649, -2^63, -2^63 - 2^12)",
      "cmsgpack.pack(0.5, 1.1, -0.0, 1/0, -1/0, 2^63, 2^64, 1e300, 3.4028234663852886e38, 2^-149, 2^-1074)",
      "cmsgpack.pack('', string.rep('a', 31), string.rep('b', 32), string.rep('c', 255), string.rep('d', 256))",
      "cmsgpack.pack(string.rep('e', 65535)) .. cmsgpack.pack(string.rep('f', 65536))",
      "cmsgpack.pack(true, false, nil, print, coroutine.create(print))",
      "cmsgpack.pack(0/0, -(0/0), {0/0})",
      "cmsgpack.pack({}, {1, 2, 3}, {a = 1}, {[1] = 1, [3] = 3}, {[0] = 1}, {[1.5] = 1}, {1, 2, x = 3}, {[2147483648] = 1})",
      "cmsgpack.pack({string.rep('x', 16)}, {1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17})",
      "cmsgpack.pack((function() local t = {} for i = 1, 70000 do t[i] = i % 3 end return t end)())",
      "cmsgpack.pack((function() local t = {} for i = 1, 70000 do t['k' .. i] = i end return t end)())",
      "cmsgpack.pack((function() local t = {} t.self = t return t end)())",
      "cmsgpack.pack((function() local t = {} t[1] = t return t end)())"
    ]
    for (const expression of cases) await expectSame(`return ${expression}`)
  })

  it("unpacks every form, and unpack_one / unpack_limit report the next offset", async () => {
    const cases = [
      "cmsgpack.unpack(cmsgpack.pack(1, -1, 300, -300, 70000, -70000, 2^40, -2^40, 0.5, 1.1, 'x', true, false, nil))",
      "cmsgpack.unpack(string.char(0xcf, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe))",
      "cmsgpack.unpack(string.char(0xd3, 0x80, 0, 0, 0, 0, 0, 0, 1))",
      "cmsgpack.unpack(string.char(0xd9, 3) .. 'abc' .. string.char(0xda, 0, 1) .. 'z' .. string.char(0xdb, 0, 0, 0, 2) .. 'yz')",
      "cmsgpack.unpack(string.char(0xdc, 0, 2, 1, 2, 0xdd, 0, 0, 0, 1, 3, 0xde, 0, 1, 1, 2, 0xdf, 0, 0, 0, 1, 0xa1) .. 'k' .. string.char(4))",
      "cmsgpack.unpack(string.char(0x93, 1, 0x92, 2, 3, 0x81, 0xa1) .. 'a' .. string.char(0xc3))",
      "cmsgpack.unpack_one(string.char(1, 2, 3))",
      "cmsgpack.unpack_one(string.char(1, 2, 3), 2)",
      "cmsgpack.unpack_one(string.char(1, 2, 3), 3)",
      "cmsgpack.unpack_one(string.char(1, 2, 3), '1')",
      "cmsgpack.unpack_one('')",
      "cmsgpack.unpack_limit(string.char(1, 2, 3), 2)",
      "cmsgpack.unpack_limit(string.char(1, 2, 3), 2, 1)",
      "cmsgpack.unpack_limit(string.char(1, 2, 3), 0)",
      "cmsgpack.unpack_limit(string.char(1, 2, 3), 0, 1)",
      "cmsgpack.unpack_limit(string.char(1, 2, 3), 2^32)",
      "cmsgpack.unpack(123)",
      "cmsgpack.unpack('')"
    ]
    for (const expression of cases) {
      await expectSame(eachResultPacked(`function() return ${expression} end`))
    }
  })

  it("raises Redis's errors for bad input and arguments", async () => {
    const cases = [
      "cmsgpack.pack()",
      "(function() local p = cmsgpack.pack return p() end)()",
      "cmsgpack.unpack()",
      "cmsgpack.unpack({})",
      "cmsgpack.unpack(string.char(0xc1))",
      "cmsgpack.unpack(string.char(0xc4, 1, 0))",
      "cmsgpack.unpack(string.char(0xd4, 1, 0))",
      "cmsgpack.unpack(string.char(0x92, 1))",
      "cmsgpack.unpack(string.char(0xcd, 1))",
      "cmsgpack.unpack(string.char(0xdb, 0, 0, 1, 0, 1))",
      "cmsgpack.unpack(string.char(0x81, 0xc0, 1))",
      "cmsgpack.unpack(string.char(0x81, 0xcb, 0x7f, 0xf8, 0, 0, 0, 0, 0, 0, 1))",
      "cmsgpack.unpack_one(string.char(1), -1)",
      "cmsgpack.unpack_one(string.char(1), 5)",
      "cmsgpack.unpack_one(string.char(1), 2^32 + 1)",
      "cmsgpack.unpack_limit(string.char(1), 'x')",
      "cmsgpack.unpack_limit(string.char(1))",
      "cmsgpack.unpack_limit(string.char(1, 2, 3), -1, 5)",
      "cmsgpack.unpack(string.rep(string.char(1), 9000))",
      "#{cmsgpack.unpack(string.rep(string.char(1), 7990))}",
      "cmsgpack.unpack(string.rep(string.char(0x91), 5000) .. string.char(1))",
      "cmsgpack.unpack(string.rep(string.char(0x81, 1), 5000) .. string.char(1))",
      "#cmsgpack.unpack(string.rep(string.char(0x91), 3000) .. string.char(1))"
    ]
    for (const expression of cases) await expectSame(`return ${expression}`)
  })

  it("keeps the library's fields", async () => {
    await expectSame("return {cmsgpack._NAME, cmsgpack._VERSION, cmsgpack._COPYRIGHT, cmsgpack._DESCRIPTION}")
  })

  it("property: pack of random Lua values is redis-server's bytes", async () => {
    const values = fc.array(fc.oneof({ weight: 5, arbitrary: luaValue }, { weight: 1, arbitrary: nestedValue }), { minLength: 1, maxLength: 3 })
    await fc.assert(fc.asyncProperty(values, async (expressions) => {
      await expectSame(`return cmsgpack.pack(${expressions.join(", ")})`)
    }), fuzzRuns("cmsgpack", 150))
  }, 120_000)

  it("property: unpack(pack(x)) gives redis-server's values, and packs back to the same length", async () => {
    await fc.assert(fc.asyncProperty(luaValue, async (expression) => {
      await expectSame(eachResultPacked(`function() return cmsgpack.unpack(cmsgpack.pack(${expression})) end`))
      const { effectKv } = await servers.send("EVAL",
        `local s = cmsgpack.pack(${expression}) return #cmsgpack.pack(cmsgpack.unpack(s)) == #s`, "0")
      expect(effectKv).toBe(":1\r\n")
    }), fuzzRuns("cmsgpack", 150))
  }, 120_000)

  it("property: unpack, unpack_one and unpack_limit of random bytes answer as redis-server's", async () => {
    const fragment = fc.oneof(
      fc.uint8Array({ maxLength: 12 }),
      fc.constantFrom(0xc0, 0xc2, 0xc3, 0xcc, 0xcd, 0xce, 0xcf, 0xd0, 0xd1, 0xd2, 0xd3, 0xca, 0xcb, 0xd9, 0xda, 0xdb,
        0xdc, 0xdd, 0xde, 0xdf, 0x92, 0x82, 0xa3, 0xc1, 0xc4).map((tag) => Uint8Array.of(tag)),
      fc.constantFrom(Uint8Array.of(0, 0), Uint8Array.of(0, 2), Uint8Array.of(0x7f, 0xf8, 0, 0))
    )
    const input = fc.array(fragment, { maxLength: 8 }).map((parts) => Buffer.concat(parts).toString("latin1"))
    const call = fc.oneof(
      fc.constant("cmsgpack.unpack, ARGV[1]"),
      fc.integer({ min: -1, max: 12 }).map((offset) => `cmsgpack.unpack_one, ARGV[1], ${offset}`),
      fc.tuple(fc.integer({ min: -1, max: 4 }), fc.integer({ min: 0, max: 12 }))
        .map(([limit, offset]) => `cmsgpack.unpack_limit, ARGV[1], ${limit}, ${offset}`)
    )
    await fc.assert(fc.asyncProperty(input, call, async (bytes, unpackCall) => {
      const { effectKv, redis } = await servers.send("EVAL", eachResultPacked(unpackCall), "0", bytes)
      expect({ bytes, unpackCall, reply: effectKv }).toEqual({ bytes, unpackCall, reply: redis })
    }), fuzzRuns("cmsgpack", 200))
  }, 120_000)
})

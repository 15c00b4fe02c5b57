/**
 * struct in scripts against redis-server 7.0: the same EVAL sent to both,
 * raw replies compared byte for byte. Fixed cases for the format letters,
 * alignment and every error; fast-check properties for random formats and
 * arguments (pack, size, unpack of random bytes, unpack of pack).
 * FUZZ_RUNS / FUZZ_SEED as in the differential tests.
 */
import fc from "fast-check"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type BothServers, fuzzRuns, interestingNumber, luaNumber, luaString, openBothServers } from "./both-servers.js"

let servers: BothServers

beforeAll(async () => {
  servers = await openBothServers()
}, 30_000)

afterAll(async () => {
  await servers?.stop()
})

const expectSame = async (script: string, ...argv: ReadonlyArray<string>) => {
  const { effectKv, redis } = await servers.send("EVAL", script, "0", ...argv)
  expect({ script, argv, reply: effectKv }).toEqual({ script, argv, reply: redis })
}

/**
 * Each result of pcall(`call`), packed alone by cmsgpack (so nils and floats
 * survive the reply); NaN as the string "NaN" (its sign bit differs between
 * an x86 build and WebAssembly).
 */
const eachResult = (call: string): string => `
local function all(...) return select('#', ...), {...} end
local n, results = all(pcall(${call}))
local out = {}
for i = 1, n do
  local v = results[i]
  if v ~= v then v = 'NaN' end
  out[i] = cmsgpack.pack(v)
end
return out`

describe("struct answers as redis-server's", () => {
  it("packs, unpacks and sizes every format letter", async () => {
    const cases = [
      "struct.pack('>i3', 1)",
      "struct.pack('<bBhHlLTiI', -1, 255, -2, 65535, -3, 2^40, 7, -4, 4294967295)",
      "struct.pack('>bBhHlLTiI', -1, 255, -2, 65535, -3, 2^40, 7, -4, 4294967295)",
      "struct.pack('>L', 2^64)", "struct.pack('>L', 0/0)", "struct.pack('>l', -2^70)", "struct.pack('>L', 2^63 + 2^12)",
      "struct.pack('>i16', -2)", "struct.pack('<I32', 2^60)", "struct.pack('i0', 5)",
      "struct.pack('fd', 1.5, 0.1)", "struct.pack('>fd', 1/0, -0.0)",
      "struct.pack('c0', 'whole')", "struct.pack('c3', 'abcdef')", "struct.pack('s', 'zero')", "struct.pack('sc2x', 'a', 'bc')",
      "struct.pack('!4 b i', 1, 2)", "struct.pack('!b d', 1, 2)", "struct.pack('!8 b h b l', 1, 2, 3, 4)", "struct.pack('!8bI3', 1, 2)",
      "struct.pack('b\\0i', 1, 2)", "struct.pack('')", "struct.pack('i', '12')",
      "struct.size('!8bd')", "struct.size('q')", "struct.size('i7 > < c3 x')", "struct.size('')",
      "struct.unpack('>i16', string.rep(string.char(255), 16))",
      "struct.unpack('>i12', string.rep(string.char(1), 12))",
      "struct.unpack('<I12', string.rep(string.char(1), 12))",
      "struct.unpack('>L', string.rep(string.char(255), 8))",
      "struct.unpack('bc0', string.char(2) .. 'abc')", "struct.unpack('c0', '3abc')",
      "struct.unpack('s', 'abc\\0def')", "struct.unpack('i2', 'abc', 2)", "struct.unpack('', 'abc', -5)",
      "struct.unpack('!4 b i', struct.pack('!4 b i', 1, 2))", "struct.unpack('fd', struct.pack('fd', 1.5, 0.1))",
      "struct.unpack('x b', 'ab')"
    ]
    for (const expression of cases) await expectSame(eachResult(`function() return ${expression} end`))
  })

  it("raises Redis's errors", async () => {
    const cases = [
      "struct.pack('q', 1)", "struct.pack('i33', 1)", "struct.pack('i99999999999', 1)", "struct.pack('!3i', 1)",
      "struct.pack('i', 'x')", "struct.pack('i')", "struct.pack('ii', 1)", "struct.pack('c3', 'ab')",
      "struct.pack('f', 'x')", "struct.pack(1, 'x')", "struct.pack({}, 'x')", "struct.pack()",
      "struct.size('s')", "struct.size('c0')", "struct.size('!5')", "struct.size('i40')", "struct.size('%')",
      "struct.unpack('i', 'abc')", "struct.unpack('c0', 'abc')", "struct.unpack('bc0', string.char(5) .. 'abc')",
      "struct.unpack('s', 'abc')", "struct.unpack('i2', 'abc', 0)", "struct.unpack('i2', 'abc', -5)",
      "struct.unpack('i', 'abcd', 'x')", "struct.unpack('i')", "struct.unpack('q', 'abcd')",
      "struct.unpack(string.rep('b', 7997), string.rep('a', 7997))", "struct.unpack(string.rep('b', 7998), string.rep('a', 7998))",
      "struct.unpack(string.rep('b', 7995), string.rep('a', 7995), 1, 'x', 'y')", "struct.unpack('c0', '3', nil, 4)", "struct.unpack('b', 'a', 1, 'extra')"
    ]
    for (const expression of cases) await expectSame(`return ${expression}`)
    for (const expression of cases) await expectSame(eachResult(`function() return ${expression} end`))
  })

  const option = fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom("b", "B", "h", "H", "l", "L", "T", "i", "I", "f", "d", "x") },
    { weight: 2, arbitrary: fc.tuple(fc.constantFrom("i", "I"), fc.integer({ min: 0, max: 33 })).map(([letter, n]) => `${letter}${n}`) },
    { weight: 2, arbitrary: fc.constantFrom("c0", "c1", "c3", "s") },
    { weight: 2, arbitrary: fc.constantFrom(">", "<", "!", "!1", "!2", "!4", "!8", "!3", " ") },
    { weight: 1, arbitrary: fc.constantFrom("q", "%", "c") }
  )
  const format = fc.array(option, { maxLength: 8 }).map((options) => options.join(""))
  const argument = fc.oneof(
    { weight: 3, arbitrary: interestingNumber.map(luaNumber) },
    { weight: 1, arbitrary: fc.string({ maxLength: 6 }).map(luaString) },
    { weight: 1, arbitrary: fc.constantFrom("nil", "{}", "'12'") }
  )
  const data = fc.uint8Array({ maxLength: 48 }).map((bytes) => Buffer.from(bytes).toString("latin1"))

  it("property: pack and size of random formats and arguments answer as redis-server's", async () => {
    await fc.assert(fc.asyncProperty(format, fc.array(argument, { maxLength: 8 }), async (fmt, args) => {
      await expectSame(eachResult(["struct.pack", luaString(fmt), ...args].join(", ")))
      await expectSame(eachResult(`struct.size, ${luaString(fmt)}`))
    }), fuzzRuns("struct", 200))
  }, 120_000)

  it("property: unpack of random bytes, and unpack of pack, answer as redis-server's", async () => {
    const offset = fc.oneof(fc.constant("nil"), fc.integer({ min: -2, max: 50 }).map(String))
    await fc.assert(fc.asyncProperty(format, data, offset, fc.array(argument, { maxLength: 8 }), async (fmt, bytes, at, args) => {
      await expectSame(eachResult(`struct.unpack, ${luaString(fmt)}, ARGV[1], ${at}`), bytes)
      await expectSame(eachResult(
        `function() return struct.unpack(${luaString(fmt)}, struct.pack(${[luaString(fmt), ...args].join(", ")})) end`))
    }), fuzzRuns("struct", 200))
  }, 120_000)
})

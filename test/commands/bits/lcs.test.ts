/**
 * LCS against brute force on short strings: the answer is a common
 * subsequence no other is longer than, and IDX's ranges spell it out.
 */
import { describe, expect, it } from "@effect/vitest"
import { Either } from "effect"
import fc from "fast-check"
import { lcs, type LcsOptions, parseLcs } from "../../../src/commands/bits/lcs.js"
import * as Errors from "../../../src/errors.js"
import type { RespValue } from "../../../src/resp/values.js"

const isSubsequence = (candidate: string, of: string): boolean => {
  let at = 0
  for (const char of of) if (at < candidate.length && candidate[at] === char) at++
  return at === candidate.length
}

/** The longest common subsequence length, by trying every subsequence of `a`. */
const bruteForceLength = (a: string, b: string): number => {
  let best = 0
  for (let mask = 0; mask < 1 << a.length; mask++) {
    const candidate = [...a].filter((_, at) => (mask >> at) & 1).join("")
    if (candidate.length > best && isSubsequence(candidate, b)) best = candidate.length
  }
  return best
}

const text = fc.string({ unit: fc.constantFrom("a", "b", "c", "\xff"), maxLength: 8 })
const options = (reply: LcsOptions["reply"], minMatchLength = 0, withMatchLength = false): LcsOptions =>
  ({ reply, minMatchLength, withMatchLength })
const run = (a: string, b: string, given: LcsOptions): RespValue => Either.getOrThrow(lcs(a, b, given))

const numberOf = (value: RespValue): number => {
  if (value._tag !== "Integer") throw new Error(`not an integer: ${value._tag}`)
  return Number(value.value)
}
const itemsOf = (value: RespValue): ReadonlyArray<RespValue> => {
  if (value._tag !== "Array") throw new Error(`not an array: ${value._tag}`)
  return value.items
}

describe("LCS", () => {
  it("answers a longest common subsequence and its length", () => {
    fc.assert(fc.property(text, text, (a, b) => {
      const subsequence = run(a, b, options("STRING"))
      if (subsequence._tag !== "BulkString") throw new Error("not a bulk string")
      expect(isSubsequence(subsequence.value, a) && isSubsequence(subsequence.value, b)).toBe(true)
      expect(subsequence.value.length).toBe(bruteForceLength(a, b))
      expect(numberOf(run(a, b, options("LEN")))).toBe(subsequence.value.length)
    }))
  })

  it("IDX lists equal ranges from the end, their lengths adding up to the LCS", () => {
    fc.assert(fc.property(text, text, fc.nat({ max: 3 }), (a, b, minimum) => {
      const reply = run(a, b, options("IDX", minimum, true))
      if (reply._tag !== "Map") throw new Error("not a map")
      const [[, matches], [, length]] = reply.entries
      const ranges = itemsOf(matches).map((match) => {
        const [aRange, bRange, matchLength] = itemsOf(match)
        const [aStart, aEnd] = itemsOf(aRange).map(numberOf)
        const [bStart, bEnd] = itemsOf(bRange).map(numberOf)
        return { aStart, aEnd, bStart, bEnd, length: numberOf(matchLength) }
      })
      for (const range of ranges) {
        expect(a.slice(range.aStart, range.aEnd + 1)).toBe(b.slice(range.bStart, range.bEnd + 1))
        expect(range.length).toBe(range.aEnd - range.aStart + 1)
        expect(range.length).toBeGreaterThanOrEqual(minimum)
      }
      for (let at = 1; at < ranges.length; at++) {
        expect(ranges[at].aEnd).toBeLessThan(ranges[at - 1].aStart)
        expect(ranges[at].bEnd).toBeLessThan(ranges[at - 1].bStart)
      }
      if (minimum <= 1) expect(ranges.reduce((sum, range) => sum + range.length, 0)).toBe(numberOf(length))
    }))
  })

  it("parses options with Redis's errors", () => {
    const refused = (message: string) => Either.left(Errors.commandError(message))
    expect(parseLcs(["LCS", "a", "b", "LEN", "IDX"])).toEqual(refused(Errors.lcsLenWithIdx))
    expect(parseLcs(["LCS", "a", "b", "MINMATCHLEN"])).toEqual(refused(Errors.syntaxError))
    expect(parseLcs(["LCS", "a", "b", "MINMATCHLEN", "x"])).toEqual(refused(Errors.notInteger))
    expect(parseLcs(["LCS", "a", "b", "minmatchlen", "-5", "withmatchlen", "idx"])).toEqual(Either.right(options("IDX", 0, true)))
  })

  it("refuses a table larger than proto-max-bulk-len", () => {
    const long = "x".repeat(12_000)
    expect(lcs(long, long, options("LEN"))).toEqual(Either.left(Errors.commandError(Errors.lcsTableTooLarge)))
  })
})

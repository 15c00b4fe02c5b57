import { describe, expect, it } from "vitest"
import { globMatch } from "../../src/store/glob.js"

// Edge cases checked against redis-server 7.0.15 (KEYS over ab, a], a-, a\, abc).
describe("globMatch edges, as redis-server answers", () => {
  const keys = ["ab", "a]", "a-", "a\\", "abc"]
  const cases: ReadonlyArray<readonly [string, ReadonlyArray<string>]> = [
    ["a[b", ["ab"]],
    ["a[", []],
    ["a[]]", []],
    ["a[\\]", ["a]"]],
    ["a[a-]", ["a]"]],
    ["a\\", ["a\\"]],
    ["a[^b", ["a-", "a\\", "a]"]],
    ["*c", ["abc"]],
    ["a?\\c", ["abc"]]
  ]
  it.each(cases)("%s", (pattern, expected) => {
    expect(keys.filter((key) => globMatch(pattern, key)).sort()).toEqual([...expected].sort())
  })
})

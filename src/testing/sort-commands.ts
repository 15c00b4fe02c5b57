/**
 * SORT vectors: a list, set or sorted set of numbers and words, weight keys
 * (`w_<element>` strings) and hash fields (`h_<element>` field `f`), then SORT
 * and SORT_RO with random BY / GET / LIMIT / ASC|DESC / ALPHA / STORE.
 * Only orders Redis defines are asked for: no BY nosort on an unstored set
 * (its iteration order), and ALPHA with a BY weight only on a list without
 * LIMIT (equal weights keep the list's order in glibc's stable qsort). No
 * out-of-range numbers or empty strings: sort.c reads a stale errno (ERANGE
 * from an earlier strtod makes later SORTs fail), which is not reproducible.
 */
import fc from "fast-check"
import type { Command } from "../resp/values.js"

const sortElement = fc.constantFrom("1", "2", "10", "-3", "2.5", "007", "1e3", " 4", "a", "b", "apple", "B", "inf", "-inf", "0x10")
const numericElement = fc.constantFrom("1", "2", "10", "-3", "2.5", "007", "1e3", "0", "-0.5", "3")
const weightValue = fc.constantFrom("1", "5", "-2", "3.5", "10", "x", "y", "nan")
const numericWeight = fc.constantFrom("1", "5", "-2", "3.5", "10", "0")

const source = (elements: fc.Arbitrary<string>): fc.Arbitrary<ReadonlyArray<Command>> =>
  fc.tuple(fc.constantFrom("list", "set", "zset", "none"), fc.array(elements, { minLength: 1, maxLength: 8 }),
    fc.array(fc.integer({ min: -3, max: 3 }), { minLength: 8, maxLength: 8 })).map(([type, items, scores]): ReadonlyArray<Command> => {
    if (type === "list") return [["rpush", "s", ...items]]
    if (type === "set") return [["sadd", "s", ...items]]
    if (type === "zset") return [["zadd", "s", ...items.flatMap((item, i) => [String(scores[i]), item])]]
    return []
  })

const weights = (elements: fc.Arbitrary<string>, values: fc.Arbitrary<string>): fc.Arbitrary<ReadonlyArray<Command>> =>
  fc.array(fc.tuple(fc.boolean(), elements, values), { maxLength: 10 }).map((pairs) =>
    pairs.map(([hash, element, value]): Command => hash ? ["hset", `h_${element}`, "f", value] : ["set", `w_${element}`, value]))

const sortCommand: fc.Arbitrary<Command> = fc.record({
  name: fc.constantFrom("sort", "sort_ro"),
  by: fc.constantFrom(undefined, "w_*", "h_*->f", "nosort", "missing_*"),
  gets: fc.array(fc.constantFrom("#", "w_*", "h_*->f", "nokey", "h_*->g"), { maxLength: 2 }),
  limit: fc.option(fc.tuple(fc.integer({ min: -2, max: 9 }), fc.integer({ min: -2, max: 9 })), { nil: undefined }),
  desc: fc.constantFrom(undefined, "ASC", "DESC"),
  alpha: fc.boolean(),
  store: fc.boolean()
}).map(({ alpha, by, desc, gets, limit, name, store }): Command => [
  name,
  "s",
  ...(by === undefined ? [] : ["BY", by]),
  ...gets.flatMap((pattern) => ["GET", pattern]),
  ...(limit === undefined ? [] : ["LIMIT", String(limit[0]), String(limit[1])]),
  ...(desc === undefined ? [] : [desc]),
  ...(alpha ? ["ALPHA"] : []),
  ...(store && name === "sort" ? ["STORE", "dst"] : [])
])

/** Whether Redis defines the order this SORT answers (see the module comment); `type` is the source's type. */
const definedOrder = (type: string, command: Command): boolean => {
  const by = command.indexOf("BY") === -1 ? undefined : command[command.indexOf("BY") + 1]
  const stored = command.includes("STORE")
  if (type === "sadd" && by !== undefined && !by.includes("*") && !stored) return false
  if (command.includes("ALPHA") && by !== undefined && by.includes("*")) return type === "rpush" && !command.includes("LIMIT")
  return true
}

/** One SORT sequence: the source, its weights, and a few SORTs (each followed by LRANGE of the STORE destination). */
export const sortSequence = (numeric = false): fc.Arbitrary<ReadonlyArray<Command>> => {
  const elements = numeric ? numericElement : sortElement
  return fc.tuple(source(elements), weights(elements, numeric ? numericWeight : weightValue), fc.array(sortCommand, { minLength: 1, maxLength: 6 }))
    .map(([setup, weighted, sorts]) => {
      const type = setup[0]?.[0] ?? "none"
      const kept = sorts.filter((command) => definedOrder(type, command))
      return [...setup, ...weighted, ...kept.flatMap((command): ReadonlyArray<Command> =>
        command.includes("STORE") ? [command, ["lrange", "dst", "0", "-1"], ["type", "dst"]] : [command])]
    })
}

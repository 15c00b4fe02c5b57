/**
 * The sorted-set value (values/zset.ts, values/zset-type.ts): random edits
 * agree with a plain Map model, kept in order by (score, member), with the
 * B+tree's invariants; old versions keep their contents; the encoding
 * follows Redis 7.0's one-way conversion; RDB bodies and AOF rewrites read
 * back as the same set.
 */
import { describe, expect, it } from "vitest"
import { Either } from "effect"
import fc from "fast-check"
import { readRdb } from "../../src/persistence/rdb/reader.js"
import { writeRdb } from "../../src/persistence/rdb/writer.js"
import { databaseCount, entry, type Entry, valueOf } from "../../src/store/entry.js"
import * as BTree from "../../src/structures/btree.js"
import * as Hamt from "../../src/structures/hamt.js"
import * as Z from "../../src/values/zset.js"
import { zsetType } from "../../src/values/zset-type.js"
import { parseLooseDouble, parseScore } from "../../src/values/zset-score.js"
import { invariantViolation } from "../structures/btree-invariants.js"

type Model = ReadonlyMap<string, number>

const sortedModel = (model: Model): Array<Z.Scored> =>
  Array.from(model, ([member, score]) => [score, member] as const).sort(Z.byScoreThenMember)

const expectAgrees = (zset: Z.ZSetValue | undefined, model: Model) => {
  if (zset === undefined) {
    expect(model.size).toBe(0)
    return
  }
  expect(invariantViolation(zset.tree)).toBeUndefined()
  const expected = sortedModel(model)
  expect(Z.allEntries(zset)).toEqual(expected)
  expect(Hamt.size(zset.scores)).toBe(model.size)
  expected.forEach(([score, member], rank) => {
    expect(Z.scoreOf(zset, member)).toBe(score)
    expect(Z.rankOf(zset, member)).toBe(rank)
  })
}

type Edit =
  | { readonly _tag: "set"; readonly member: string; readonly score: number }
  | { readonly _tag: "remove"; readonly member: string }
  | { readonly _tag: "removeRanks"; readonly from: number; readonly length: number }

const member = fc.constantFrom("a", "b", "c", "d", "e", "f", "", "m".repeat(65), "\xff")
const score = fc.constantFrom(-Infinity, -1, 0, 0.5, 1, 2, 1e300, Infinity)
const edit: fc.Arbitrary<Edit> = fc.oneof(
  fc.record({ _tag: fc.constant("set" as const), member, score }),
  fc.record({ _tag: fc.constant("remove" as const), member }),
  fc.record({ _tag: fc.constant("removeRanks" as const), from: fc.nat(8), length: fc.nat(3) })
)

describe("sorted-set value", () => {
  it("edits agree with a Map model; old versions are unchanged; the encoding only ever turns skiplist", () => {
    fc.assert(
      fc.property(fc.array(fc.array(edit, { maxLength: 8 }), { maxLength: 25 }), fc.integer({ min: 0, max: 6 }), (commands, maxEntries) => {
        const limits: Z.ZSetLimits = { maxListpackEntries: maxEntries, maxListpackValue: 64 }
        let zset: Z.ZSetValue | undefined
        let model = new Map<string, number>()
        const versions: Array<[Z.ZSetValue | undefined, Model]> = []
        for (const edits of commands) {
          const builder = Z.edit(zset, limits)
          const next = new Map(model)
          let longMember = false
          for (const step of edits) {
            if (step._tag === "set") {
              const isNew = !next.has(step.member)
              builder.set(step.member, step.score)
              next.set(step.member, step.score)
              if (isNew && step.member.length > 64) longMember = true
            } else if (step._tag === "remove") {
              expect(builder.remove(step.member)).toBe(next.delete(step.member))
            } else {
              const from = Math.min(step.from, builder.size)
              const to = Math.min(from + step.length, builder.size)
              for (const [, gone] of builder.removeRanks(from, to)) next.delete(gone)
            }
          }
          const before = zset
          zset = builder.done()
          model = next
          expectAgrees(zset, model)
          if (zset !== undefined) {
            const wasSkiplist = before?.encoding === "skiplist"
            const mustConvert = model.size > maxEntries || longMember
            if (wasSkiplist) expect(zset.encoding).toBe("skiplist")
            if (mustConvert && edits.some((step) => step._tag === "set")) expect(zset.encoding).toBe("skiplist")
          }
          versions.push([zset, model])
        }
        for (const [version, contents] of versions) expectAgrees(version, contents)
      }),
      { numRuns: 200 }
    )
  })

  it("RDB bodies (ZSET_LISTPACK and ZSET_2) and AOF rewrites give back the same set", () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.tuple(fc.double({ noNaN: true }), fc.string({ maxLength: 70 })), { selector: ([, m]) => m, minLength: 1, maxLength: 300 }),
        (pairs) => {
          const zset = Z.fromEntries(pairs, Z.defaultZSetLimits)
          if (zset === undefined) throw new Error("empty")
          const keyspaces = Array.from({ length: databaseCount }, (_, db) =>
            db === 0 ? Hamt.fromEntries([["k", entry("k", zset, undefined)] as const]) : Hamt.empty<Entry>())
          const read = Either.getOrThrow(readRdb(Buffer.concat([...writeRdb(keyspaces, 0)])))
          const stored = Hamt.get(read[0], "k")
          const loaded = stored === undefined ? undefined : valueOf(stored)
          if (loaded === undefined || !zsetType.is(loaded)) throw new Error("not loaded")
          expect(Z.allEntries(loaded)).toEqual(Z.allEntries(zset))
          expect(loaded.encoding).toBe(zset.encoding)
          const rewrite = zsetType.rewrite("k", zset, undefined)
          expect(rewrite.every((command) => command.length <= 2 + 2 * 64)).toBe(true)
          const replayed = rewrite.flatMap((command) => {
            const out: Array<Z.Scored> = []
            for (let i = 2; i < command.length; i += 2) out.push([parseScore(command[i]) ?? NaN, command[i + 1]])
            return out
          })
          expect(Z.fromEntries(replayed, Z.defaultZSetLimits)?.tree.size).toBe(zset.size)
          expect(replayed.sort(Z.byScoreThenMember)).toEqual(Z.allEntries(zset))
        }),
      { numRuns: 60 }
    )
  })

  it("scores parse as strtod does, strictly (ZADD) and loosely (range bounds)", () => {
    expect(["1", "-1.5", "inf", "-Infinity", "+5", ".5", "5.", "1e3", "0x10", "1E-2"].map(parseScore)).toEqual(
      [1, -1.5, Infinity, -Infinity, 5, 0.5, 5, 1000, 16, 0.01])
    expect(["", " 1", "1 ", "nan", "1e999", "1e-400", "abc", "--1", "1e", "0x"].map(parseScore)).toEqual(Array(10).fill(undefined))
    expect(["", " 1", "1e999", "-inf"].map(parseLooseDouble)).toEqual([0, 1, Infinity, -Infinity])
    expect(["1 ", "nan", "abc", " "].map(parseLooseDouble)).toEqual([undefined, undefined, undefined, undefined])
  })

  it("a -0 score reads back as 0 from a listpack and stays -0 in a skiplist (as Redis 7.0 stores them)", () => {
    const small = Z.edit(undefined, Z.defaultZSetLimits)
    small.set("a", -0)
    expect(Object.is(Z.scoreOf(small.done() ?? Z.emptyZSet, "a"), 0)).toBe(true)
    const big = Z.edit(undefined, { maxListpackEntries: 0, maxListpackValue: 64 })
    big.set("a", -0)
    expect(Object.is(Z.scoreOf(big.done() ?? Z.emptyZSet, "a"), -0)).toBe(true)
    expect(BTree.toArray(Z.emptyZSet.tree)).toEqual([])
  })
})

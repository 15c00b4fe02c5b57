import { describe, expect, it } from "@effect/vitest"
import * as fc from "fast-check"
import * as BTree from "../../src/structures/btree.js"
import * as Ordered from "../../src/structures/btree-ordered.js"
import { invariantViolation } from "./btree-invariants.js"

/** A sorted-set element as a zset will hold it: ordered by score, then by member's bytes. */
type Scored = readonly [score: number, member: string]

const byScoreThenMember: Ordered.Order<Scored> = (a, b) =>
  a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0

// Few distinct scores and members, so that equal scores, repeats and removals of present elements are common.
const scored: fc.Arbitrary<Scored> = fc.tuple(
  fc.constantFrom(-Infinity, -1.5, 0, 1, 2, 3.25, 10, Infinity),
  fc.constantFrom("", "a", "ab", "b", "ba", "c", "\u00ff", "z")
)

type Edit =
  | { readonly _tag: "insert"; readonly element: Scored }
  | { readonly _tag: "remove"; readonly element: Scored }
  | { readonly _tag: "removePresent"; readonly at: number }
  | { readonly _tag: "replacePresent"; readonly at: number; readonly element: Scored }

const edit: fc.Arbitrary<Edit> = fc.oneof(
  fc.record({ _tag: fc.constant("insert" as const), element: scored }),
  fc.record({ _tag: fc.constant("remove" as const), element: scored }),
  fc.record({ _tag: fc.constant("removePresent" as const), at: fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }) }),
  fc.record({
    _tag: fc.constant("replacePresent" as const),
    at: fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }),
    element: scored
  })
)

const smallCapacity = fc.record({ leafMax: fc.integer({ min: 2, max: 6 }), branchMax: fc.integer({ min: 4, max: 6 }) })
  .map(({ branchMax, leafMax }) => BTree.capacity(leafMax, branchMax))

/** The sorted-array model: insertion keeps order and uniqueness. */
const modelInsert = (model: ReadonlyArray<Scored>, element: Scored): Array<Scored> =>
  model.some((e) => byScoreThenMember(e, element) === 0)
    ? [...model]
    : [...model, element].sort(byScoreThenMember)

const modelRemove = (model: ReadonlyArray<Scored>, element: Scored): Array<Scored> =>
  model.filter((e) => byScoreThenMember(e, element) !== 0)

const firstIndex = (model: ReadonlyArray<Scored>, reached: (e: Scored) => boolean): number => {
  const index = model.findIndex(reached)
  return index === -1 ? model.length : index
}

/** Every search agrees with a linear scan of the model, for every probe element and every score bound. */
const expectSearchesAgree = (tree: BTree.BTree<Scored>, model: ReadonlyArray<Scored>, probes: ReadonlyArray<Scored>) => {
  for (const probe of probes) {
    expect(Ordered.lowerBound(tree, probe, byScoreThenMember)).toBe(firstIndex(model, (e) => byScoreThenMember(e, probe) >= 0))
    expect(Ordered.upperBound(tree, probe, byScoreThenMember)).toBe(firstIndex(model, (e) => byScoreThenMember(e, probe) > 0))
    const rank = model.findIndex((e) => byScoreThenMember(e, probe) === 0)
    expect(Ordered.rankOf(tree, probe, byScoreThenMember)).toBe(rank === -1 ? undefined : rank)
    expect(Ordered.has(tree, probe, byScoreThenMember)).toBe(rank !== -1)
    // ZRANGEBYSCORE bounds: score >= min (inclusive) and score > min (exclusive, "(min").
    const [min] = probe
    expect(Ordered.firstIndexWhere(tree, (e) => e[0] >= min)).toBe(firstIndex(model, (e) => e[0] >= min))
    expect(Ordered.firstIndexWhere(tree, (e) => e[0] > min)).toBe(firstIndex(model, (e) => e[0] > min))
    // ZRANGEBYLEX among equal scores: (score, member) at or past (min, probe's member), a monotone predicate.
    const atOrPastMember = (e: Scored) => e[0] > min || (e[0] === min && e[1] >= probe[1])
    expect(Ordered.firstIndexWhere(tree, atOrPastMember)).toBe(firstIndex(model, atOrPastMember))
  }
}

describe("BTree (ordered)", () => {
  it("random inserts and removals agree with a sorted array model; searches agree; old versions keep their contents", () => {
    fc.assert(
      fc.property(smallCapacity, fc.array(edit, { maxLength: 150 }), fc.array(scored, { minLength: 1, maxLength: 8 }), (cap, edits, probes) => {
        let tree = BTree.empty<Scored>(cap)
        let model: Array<Scored> = []
        const versions: Array<[BTree.BTree<Scored>, Array<Scored>]> = []
        for (const step of edits) {
          const element = step._tag === "removePresent" || step._tag === "replacePresent" ? model[Math.floor(step.at * model.length)] : step.element
          if (element === undefined) continue
          const before = tree
          if (step._tag === "replacePresent") {
            // A score update: the present element at `at` becomes `step.element` (when that is not present already).
            if (model.some((e) => byScoreThenMember(e, step.element) === 0)) continue
            tree = Ordered.replaceSorted(tree, element, step.element, byScoreThenMember)
            model = modelInsert(modelRemove(model, element), step.element)
          } else if (step._tag === "insert") {
            tree = Ordered.insertSorted(tree, element, byScoreThenMember)
            model = modelInsert(model, element)
          } else {
            tree = Ordered.removeSorted(tree, element, byScoreThenMember)
            model = modelRemove(model, element)
          }
          // No change gives back the same tree (a zset can tell that nothing changed).
          if (step._tag !== "replacePresent" && tree.size === before.size) expect(tree).toBe(before)
          expect(invariantViolation(tree)).toBeUndefined()
          expect(BTree.toArray(tree)).toEqual(model)
          expectSearchesAgree(tree, model, probes)
          versions.push([tree, model])
        }
        for (const [version, contents] of versions) {
          expect(invariantViolation(version)).toBeUndefined()
          expect(BTree.toArray(version)).toEqual(contents)
        }
      }),
      { numRuns: 300 }
    )
  })

  it("searches over a tree built from a sorted array at the default capacity", () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.tuple(fc.integer({ min: -50, max: 50 }), fc.string({ maxLength: 3 })), {
        selector: ([score, member]) => `${score}:${member}`,
        maxLength: 3000
      }), fc.array(scored, { minLength: 1, maxLength: 10 }), (elements, probes) => {
        const model = elements.slice().sort(byScoreThenMember)
        const tree = BTree.fromArray(model)
        expect(invariantViolation(tree)).toBeUndefined()
        expectSearchesAgree(tree, model, [...probes, ...model.slice(0, 5), ...model.slice(-5)])
        for (let rank = 0; rank < model.length; rank += 97) {
          expect(Ordered.rankOf(tree, model[rank], byScoreThenMember)).toBe(rank)
          expect(BTree.at(tree, rank)).toBe(model[rank])
        }
      }),
      { numRuns: 60 }
    )
  })

  it("searches over a sorted tree built by pushes at both ends (elements in the end buffers)", () => {
    fc.assert(
      fc.property(smallCapacity, fc.uniqueArray(fc.integer({ min: -1000, max: 1000 }), { maxLength: 200 }), fc.nat(200), fc.array(scored, { minLength: 1, maxLength: 6 }), (cap, scores, split, probes) => {
        const model: Array<Scored> = scores.sort((a, b) => a - b).map((score) => [score, "m"])
        const cut = Math.min(split, model.length)
        let tree = BTree.empty<Scored>(cap)
        for (let i = cut; i < model.length; i++) tree = BTree.append(tree, model[i])
        for (let i = cut - 1; i >= 0; i--) tree = BTree.prepend(tree, model[i])
        expect(invariantViolation(tree)).toBeUndefined()
        expectSearchesAgree(tree, model, [...probes, ...model.filter((_, i) => i % 7 === 0)])
        for (const element of model.filter((_, i) => i % 5 === 0)) {
          const removed = Ordered.removeSorted(tree, element, byScoreThenMember)
          expect(BTree.toArray(removed)).toEqual(modelRemove(model, element))
          expect(BTree.toArray(Ordered.insertSorted(removed, element, byScoreThenMember))).toEqual(model)
        }
      }),
      { numRuns: 200 }
    )
  })

  it("a range from a rank, forwards and backwards (ZRANGE/ZREVRANGE with LIMIT)", () => {
    const model: Array<Scored> = Array.from({ length: 1000 }, (_, i) => [Math.floor(i / 10), `m${i % 10}`])
    const tree = BTree.fromArray(model)
    const from = Ordered.firstIndexWhere(tree, (e) => e[0] > 42)
    expect(from).toBe(430)
    expect(BTree.toArray(tree, from, from + 10)).toEqual(model.slice(430, 440))
    expect(BTree.toArrayReversed(tree, from - 10, from)).toEqual(model.slice(420, 430).reverse())
  })
})

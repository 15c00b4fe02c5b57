import { describe, expect, it } from "@effect/vitest"
import * as fc from "fast-check"
import * as BTree from "../../src/structures/btree.js"
import { depthOf, invariantViolation } from "./btree-invariants.js"

/** One edit of a list, with positions as fractions of the current size so that any sequence applies. */
type Edit =
  | { readonly _tag: "insert"; readonly at: number; readonly value: number }
  | { readonly _tag: "remove"; readonly at: number }
  | { readonly _tag: "set"; readonly at: number; readonly value: number }
  | { readonly _tag: "prepend"; readonly value: number }
  | { readonly _tag: "append"; readonly value: number }
  | { readonly _tag: "removeFirst" }
  | { readonly _tag: "removeLast" }
  | { readonly _tag: "removeRange"; readonly from: number; readonly to: number }
  | { readonly _tag: "slice"; readonly from: number; readonly to: number }

const fraction = fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true })
const value = fc.integer()

const edit: fc.Arbitrary<Edit> = fc.oneof(
  fc.record({ _tag: fc.constant("insert" as const), at: fraction, value }),
  fc.record({ _tag: fc.constant("remove" as const), at: fraction }),
  fc.record({ _tag: fc.constant("set" as const), at: fraction, value }),
  fc.record({ _tag: fc.constant("prepend" as const), value }),
  fc.record({ _tag: fc.constant("append" as const), value }),
  fc.record({ _tag: fc.constant("removeFirst" as const) }),
  fc.record({ _tag: fc.constant("removeLast" as const) }),
  fc.record({ _tag: fc.constant("removeRange" as const), from: fraction, to: fraction }),
  fc.record({ _tag: fc.constant("slice" as const), from: fraction, to: fraction })
)

/** Small capacities reach splits, merges, redistribution and several levels with few elements. */
const smallCapacity = fc.record({ leafMax: fc.integer({ min: 2, max: 8 }), branchMax: fc.integer({ min: 4, max: 8 }) })
  .map(({ branchMax, leafMax }) => BTree.capacity(leafMax, branchMax))

const position = (at: number, size: number): number => Math.floor(at * size)

const range = (from: number, to: number, size: number): [number, number] => {
  const a = Math.floor(from * (size + 1))
  const b = Math.floor(to * (size + 1))
  return a <= b ? [a, b] : [b, a]
}

/** Applies `edit` to the tree and to the array model alike (pops and edits of an empty list leave it alone). */
const apply = (tree: BTree.BTree<number>, model: ReadonlyArray<number>, step: Edit): [BTree.BTree<number>, Array<number>] => {
  const size = model.length
  switch (step._tag) {
    case "insert": {
      const at = position(step.at, size + 1)
      return [BTree.insert(tree, at, step.value), [...model.slice(0, at), step.value, ...model.slice(at)]]
    }
    case "remove": {
      if (size === 0) return [tree, [...model]]
      const at = position(step.at, size)
      return [BTree.remove(tree, at), [...model.slice(0, at), ...model.slice(at + 1)]]
    }
    case "set": {
      if (size === 0) return [tree, [...model]]
      const at = position(step.at, size)
      return [BTree.set(tree, at, step.value), model.map((old, i) => i === at ? step.value : old)]
    }
    case "prepend":
      return [BTree.prepend(tree, step.value), [step.value, ...model]]
    case "append":
      return [BTree.append(tree, step.value), [...model, step.value]]
    case "removeFirst":
      return size === 0 ? [tree, [...model]] : [BTree.removeFirst(tree), model.slice(1)]
    case "removeLast":
      return size === 0 ? [tree, [...model]] : [BTree.removeLast(tree), model.slice(0, -1)]
    case "removeRange": {
      const [start, end] = range(step.from, step.to, size)
      return [BTree.removeRange(tree, start, end), [...model.slice(0, start), ...model.slice(end)]]
    }
    case "slice": {
      const [start, end] = range(step.from, step.to, size)
      return [BTree.slice(tree, start, end), model.slice(start, end)]
    }
  }
}

const expectSame = (tree: BTree.BTree<number>, model: ReadonlyArray<number>): void => {
  expect(invariantViolation(tree)).toBeUndefined()
  expect(tree.size).toBe(model.length)
  expect(BTree.toArray(tree)).toEqual(model)
}

/** Reads that the edits do not cover: indexing, ranges both ways, early stops, iteration. */
const expectReadsAgree = (tree: BTree.BTree<number>, model: ReadonlyArray<number>, from: number, to: number): void => {
  const [start, end] = range(from, to, model.length)
  expect(BTree.toArray(tree, start, end)).toEqual(model.slice(start, end))
  expect(BTree.toArrayReversed(tree, start, end)).toEqual(model.slice(start, end).reverse())
  for (const i of [start, end - 1, 0, model.length - 1, -1, model.length]) {
    expect(BTree.get(tree, i)).toBe(model[i])
  }
  expect(BTree.first(tree)).toBe(model[0])
  expect(BTree.last(tree)).toBe(model[model.length - 1])
  expect([...tree]).toEqual(model)
  const seen: Array<number> = []
  const stopAt = start + ((end - start) >> 1)
  const completed = BTree.forEach(tree, (element, index) => {
    seen.push(index)
    expect(element).toBe(model[index])
    return index < stopAt
  }, start, end)
  expect(completed).toBe(start === end)
  expect(seen).toEqual(start === end ? [] : Array.from({ length: stopAt - start + 1 }, (_, k) => start + k))
  const seenBackwards: Array<number> = []
  BTree.forEachReversed(tree, (element, index) => {
    seenBackwards.push(index)
    expect(element).toBe(model[index])
  }, start, end)
  expect(seenBackwards).toEqual(Array.from({ length: end - start }, (_, k) => end - 1 - k))
}

const runEdits = (cap: BTree.Capacity, initial: Array<number>, edits: ReadonlyArray<Edit>) => {
  let tree = BTree.fromArray(initial, cap)
  let model = initial.slice()
  expectSame(tree, model)
  // Every version, kept with what it held: persistence means none changes after later edits.
  const versions: Array<[BTree.BTree<number>, Array<number>]> = [[tree, model]]
  for (const step of edits) {
    ;[tree, model] = apply(tree, model, step)
    expectSame(tree, model)
    versions.push([tree, model])
  }
  for (const [version, contents] of versions) expectSame(version, contents)
  return [tree, model] as const
}

/** Edits each applied to an earlier version picked at random: forks share buffers and nodes. */
const runForkedEdits = (cap: BTree.Capacity, initial: Array<number>, edits: ReadonlyArray<readonly [number, Edit]>) => {
  const versions: Array<[BTree.BTree<number>, Array<number>]> = [[BTree.fromArray(initial, cap), initial.slice()]]
  for (const [base, step] of edits) {
    const [tree, model] = versions[Math.floor(base * versions.length)]
    const next = apply(tree, model, step)
    expectSame(next[0], next[1])
    versions.push(next)
  }
  for (const [version, contents] of versions) expectSame(version, contents)
}

describe("BTree (positional)", () => {
  it("random edits agree with an array model, and every old version keeps its contents", () => {
    fc.assert(
      fc.property(smallCapacity, fc.array(value, { maxLength: 200 }), fc.array(edit, { maxLength: 120 }), (cap, initial, edits) => {
        runEdits(cap, initial, edits)
      }),
      { numRuns: 300 }
    )
  })

  it("edits of earlier versions (forks) leave every version with its contents", () => {
    fc.assert(
      fc.property(smallCapacity, fc.array(value, { maxLength: 60 }), fc.array(fc.tuple(fraction, edit), { maxLength: 120 }), (cap, initial, edits) => {
        runForkedEdits(cap, initial, edits)
      }),
      { numRuns: 300 }
    )
  })

  it("forks that push and pop at the ends of one version see only their own elements", () => {
    const base = BTree.append(BTree.append(BTree.empty<string>(), "a"), "b")
    const left = BTree.append(base, "left")
    const right = BTree.append(base, "right")
    const popped = BTree.removeLast(left)
    const again = BTree.append(popped, "again")
    const front = BTree.prepend(BTree.prepend(base, "x"), "y")
    const otherFront = BTree.prepend(BTree.prepend(base, "x"), "z")
    expect([...base]).toEqual(["a", "b"])
    expect([...left]).toEqual(["a", "b", "left"])
    expect([...right]).toEqual(["a", "b", "right"])
    expect([...popped]).toEqual(["a", "b"])
    expect([...again]).toEqual(["a", "b", "again"])
    expect([...front]).toEqual(["y", "x", "a", "b"])
    expect([...otherFront]).toEqual(["z", "x", "a", "b"])
  })

  it("reads (index, ranges forwards and backwards, early stop, iteration) agree with the model", () => {
    fc.assert(
      fc.property(smallCapacity, fc.array(value, { maxLength: 300 }), fc.array(edit, { maxLength: 40 }), fraction, fraction, (cap, initial, edits, from, to) => {
        const [tree, model] = runEdits(cap, initial, edits)
        expectReadsAgree(tree, model, from, to)
      }),
      { numRuns: 300 }
    )
  })

  it("the default capacity: edits over a few thousand elements agree with the model", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 5000 }), fc.array(edit, { maxLength: 60 }), (size, edits) => {
        runEdits(BTree.defaultCapacity, Array.from({ length: size }, (_, i) => i), edits)
      }),
      { numRuns: 40 }
    )
  })

  it("pushes at either end keep nodes at least 3/4 full and the depth logarithmic", () => {
    const cap = BTree.capacity(8, 4)
    let tree = BTree.empty<number>(cap)
    for (let i = 0; i < 3000; i++) tree = i % 2 === 0 ? BTree.append(tree, i) : BTree.prepend(tree, i)
    expect(invariantViolation(tree)).toBeUndefined()
    const leaves = countLeaves(tree.root)
    expect(3000 / leaves).toBeGreaterThanOrEqual(6)
    expect(depthOf(tree)).toBeLessThanOrEqual(Math.ceil(Math.log(3000 / 6) / Math.log(3)))
  })

  it("popping every element from either end empties the tree through valid shapes", () => {
    const cap = BTree.capacity(4, 4)
    let tree = BTree.fromArray(Array.from({ length: 500 }, (_, i) => i), cap)
    for (let n = 500; n > 0; n--) {
      expect(n % 3 === 0 ? BTree.first(tree) : BTree.last(tree)).toBeDefined()
      tree = n % 3 === 0 ? BTree.removeFirst(tree) : BTree.removeLast(tree)
      expect(invariantViolation(tree)).toBeUndefined()
    }
    expect(tree.size).toBe(0)
    expect(BTree.toArray(tree)).toEqual([])
  })

  it("fromArray builds full, balanced levels", () => {
    for (const size of [0, 1, 64, 65, 2048, 2049, 100_000]) {
      const tree = BTree.fromArray(Array.from({ length: size }, (_, i) => i))
      expect(invariantViolation(tree)).toBeUndefined()
      expect(BTree.get(tree, size - 1)).toBe(size === 0 ? undefined : size - 1)
    }
  })

  it("set shares the counts of the path and every untouched child", () => {
    const tree = BTree.fromArray(Array.from({ length: 10_000 }, (_, i) => i))
    const updated = BTree.set(tree, 5000, -1)
    expect(BTree.get(updated, 5000)).toBe(-1)
    expect(BTree.get(tree, 5000)).toBe(5000)
    if (!(tree.root instanceof BTree.Branch) || !(updated.root instanceof BTree.Branch)) throw new Error("expected branches")
    expect(updated.root.sizes).toBe(tree.root.sizes)
    const shared = updated.root.children.filter((child, j) => tree.root instanceof BTree.Branch && child === tree.root.children[j])
    expect(shared.length).toBe(tree.root.children.length - 1)
  })

  it("positions out of range are a RangeError", () => {
    const tree = BTree.fromArray([1, 2, 3])
    expect(() => BTree.set(tree, 3, 0)).toThrow(RangeError)
    expect(() => BTree.insert(tree, 4, 0)).toThrow(RangeError)
    expect(() => BTree.remove(tree, -1)).toThrow(RangeError)
    expect(() => BTree.at(tree, 3)).toThrow(RangeError)
    expect(() => BTree.toArray(tree, 2, 1)).toThrow(RangeError)
    expect(() => BTree.slice(tree, 0, 4)).toThrow(RangeError)
    expect(() => BTree.capacity(1, 4)).toThrow(RangeError)
  })
})

const countLeaves = <A>(node: BTree.Node<A>): number =>
  node instanceof BTree.Branch ? node.children.reduce((total, child) => total + countLeaves(child), 0) : 1

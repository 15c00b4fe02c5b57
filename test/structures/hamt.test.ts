import fc from "fast-check"
import { describe, expect, it } from "vitest"

// A fixed seed, so the colliding keys below collide (they were found by brute force under it).
process.env["EFFECT_KV_HASH_SEED"] = "12345"
const Hamt = await import("../../src/structures/hamt.js")
const Nodes = await import("../../src/structures/hamt-node.js")

type Map32 = ReturnType<typeof Hamt.empty<number>>

/** Three keys per hash: each list shares one full 32-bit hash under seed 12345. */
const tripleCollisions = [
  ["c356450", "c7591573", "c11281591"],
  ["c1418727", "c9057280", "c9677611"],
  ["c2947139", "c8618680", "c8973908"]
]

/** Pairs sharing a hash, found here among 300k keys (about ten expected). */
const pairCollisions = (): Array<[string, string]> => {
  const seen = new Map<number, string>()
  const pairs: Array<[string, string]> = []
  for (let i = 0; i < 300_000; i++) {
    const key = `p${i}`
    const hash = Hamt.hashKey(key)
    const other = seen.get(hash)
    if (other !== undefined) pairs.push([other, key])
    else seen.set(hash, key)
  }
  return pairs
}
const collidingPairs = pairCollisions()
const collidingKeys = [...tripleCollisions.flat(), ...collidingPairs.slice(0, 4).flat()]

const byteString = fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 5 }).map((codes) => String.fromCharCode(...codes))
const keyArbitrary = fc.oneof(byteString, fc.constantFrom(...collidingKeys), fc.integer({ min: 0, max: 80 }).map((i) => `k${i}`))

/** The hash's fragments, root level first. */
const fragmentsOf = (key: string): Array<number> => {
  const hash = Hamt.hashKey(key)
  const all: Array<number> = []
  for (let shift = Nodes.TOP_SHIFT; shift > Nodes.COLLISION_SHIFT; shift -= 5) all.push(Nodes.fragment(hash, shift))
  return all
}

/**
 * The trie's invariants, as a list of violations: slots match hash fragments, sizes add up, children
 * hold at least two entries (canonical form), collision nodes hold one hash.
 */
const violations = (map: Map32): Array<string> => {
  const found: Array<string> = []
  const fail = (what: string, prefix: ReadonlyArray<number>) => found.push(`${what} at [${prefix.join(",")}]`)
  const check = (node: Map32, shift: number, prefix: ReadonlyArray<number>, isRoot: boolean): number => {
    const dataMap = Nodes.dataMapOf(node)
    const nodeMap = Nodes.nodeMapOf(node)
    // The header: two int32 bitmaps, a size, an owner that is an Edit or undefined.
    if (!Number.isInteger(dataMap) || (dataMap | 0) !== dataMap || !Number.isInteger(nodeMap) || (nodeMap | 0) !== nodeMap) {
      fail("a bitmap that is no int32", prefix)
    }
    const owner = Nodes.ownerOf(node)
    if (owner !== undefined && !(owner instanceof Nodes.Edit)) fail("an owner that is no edit", prefix)
    const inline = Nodes.inlineCount(node)
    const keys: Array<string> = []
    for (let i = Nodes.HEADER; i < Nodes.HEADER + 2 * inline; i += 2) {
      const key = node[i]
      if (typeof key !== "string") fail("a non-string key", prefix)
      else {
        keys.push(key)
        if (fragmentsOf(key).slice(0, prefix.length).join() !== prefix.join()) fail(`key ${key} off its path`, prefix)
      }
      if (node[i + 1] === undefined) fail("an undefined value", prefix)
    }
    if (shift === Nodes.COLLISION_SHIFT) {
      if ((dataMap | nodeMap) !== 0) fail("bitmaps on a collision node", prefix)
      if (new Set(keys.map((key) => Hamt.hashKey(key))).size !== 1) fail("mixed hashes", prefix)
      if (Nodes.sizeOf(node) !== inline || inline < 2) fail("collision node size", prefix)
      return inline
    }
    if ((dataMap & nodeMap) !== 0) fail("a slot both entry and child", prefix)
    if (inline !== Nodes.bitCount(dataMap)) fail("entry count", prefix)
    if (node.length !== Nodes.HEADER + 2 * inline + Nodes.bitCount(nodeMap)) fail("node length", prefix)
    let total = inline
    for (let f = 0; f < 32; f++) {
      const bit = 1 << f
      if ((dataMap & bit) !== 0 && fragmentsOf(String(node[Nodes.dataIndex(dataMap, bit)]))[prefix.length] !== f) {
        fail(`entry in the wrong slot ${f}`, prefix)
      }
      if ((nodeMap & bit) !== 0) {
        const child = Nodes.childAt(node, Nodes.nodeIndex(node, bit))
        if (!Array.isArray(child)) fail("a child that is no node", prefix)
        else total += check(child, shift - 5, [...prefix, f], false)
      }
    }
    if (!isRoot && total < 2) fail("a child of fewer than two entries", prefix)
    if (Nodes.sizeOf(node) !== total) fail(`size ${Nodes.sizeOf(node)} for ${total} entries`, prefix)
    return total
  }
  check(map, Nodes.TOP_SHIFT, [], true)
  return found
}

const checkInvariants = (map: Map32): void => {
  expect(violations(map)).toEqual([])
}

/** What a map says about its contents, through every read: size, get, has, forEach, entries. */
const differences = (map: Map32, model: ReadonlyMap<string, number>): Array<string> => {
  const found: Array<string> = []
  if (Hamt.size(map) !== model.size) found.push(`size ${Hamt.size(map)}, expected ${model.size}`)
  for (const [key, value] of model) {
    if (Hamt.get(map, key) !== value) found.push(`get ${key}: ${Hamt.get(map, key)}, expected ${value}`)
    if (!Hamt.has(map, key)) found.push(`has ${key}: false`)
  }
  let visited = 0
  Hamt.forEach(map, (value, key) => {
    visited++
    if (model.get(key) !== value) found.push(`forEach ${key}: ${value}, expected ${model.get(key)}`)
  })
  if (visited !== model.size) found.push(`forEach visited ${visited}`)
  let iterated = 0
  for (const [key, value] of Hamt.entries(map)) {
    iterated++
    if (model.get(key) !== value) found.push(`entries ${key}: ${value}, expected ${model.get(key)}`)
  }
  if (iterated !== model.size) found.push(`entries yielded ${iterated}`)
  return found
}

const expectSame = (map: Map32, model: ReadonlyMap<string, number>): void => {
  expect(differences(map, model)).toEqual([])
}

type Operation =
  | { readonly op: "set"; readonly key: string; readonly value: number }
  | { readonly op: "remove"; readonly key: string }
  | { readonly op: "get"; readonly key: string }
  | { readonly op: "begin" }
  | { readonly op: "end" }

const operation: fc.Arbitrary<Operation> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ op: fc.constant("set" as const), key: keyArbitrary, value: fc.integer({ min: 0, max: 3 }) }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant("remove" as const), key: keyArbitrary }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("get" as const), key: keyArbitrary }) },
  { weight: 1, arbitrary: fc.constant({ op: "begin" as const }) },
  { weight: 1, arbitrary: fc.constant({ op: "end" as const }) }
)

describe("hamt", () => {
  it("finds real full-hash collisions for the tests", () => {
    expect(collidingPairs.length).toBeGreaterThanOrEqual(4)
    for (const keys of tripleCollisions) expect(new Set(keys.map(Hamt.hashKey)).size).toBe(1)
    expect(Hamt.hashWithSeed("hello", 0)).toBe(0x248bfa47) // MurmurHash3 x86_32's reference value
    expect(Hamt.hashWithSeed("Hello, world!", 1234)).toBe(0xfaf6cdb3)
  })

  it("behaves as a Map under random operations, with and without edit tokens, and never changes a published map", () => {
    fc.assert(
      fc.property(fc.array(operation, { maxLength: 300 }), (operations) => {
        let map: Map32 = Hamt.empty()
        const model = new Map<string, number>()
        let edit: ReturnType<typeof Hamt.beginEdit> | undefined
        let closed: ReturnType<typeof Hamt.beginEdit> | undefined
        const published: Array<[Map32, Map<string, number>]> = [[map, new Map()]]
        for (const step of operations) {
          // A closed token must act as no token: published maps stay as they were.
          const token = edit ?? closed
          if (step.op === "set") {
            map = Hamt.set(map, step.key, step.value, token)
            model.set(step.key, step.value)
          } else if (step.op === "remove") {
            map = Hamt.remove(map, step.key, token)
            model.delete(step.key)
          } else if (step.op === "get") {
            expect(Hamt.get(map, step.key)).toBe(model.get(step.key))
            expect(Hamt.has(map, step.key)).toBe(model.has(step.key))
          } else if (step.op === "begin") {
            edit ??= Hamt.beginEdit()
          } else if (edit !== undefined) {
            Hamt.endEdit(edit)
            closed = edit
            edit = undefined
          }
          expect(Hamt.size(map)).toBe(model.size)
          if (edit === undefined) published.push([map, new Map(model)])
        }
        if (edit !== undefined) Hamt.endEdit(edit)
        expectSame(map, model)
        checkInvariants(map)
        for (const [old, contents] of published) expectSame(old, contents)
      }),
      { numRuns: 300 }
    )
  })

  it("keeps every old version intact through thousands of changes in batches", () => {
    let map: Map32 = Hamt.empty()
    const model = new Map<string, number>()
    const versions: Array<[Map32, Map<string, number>]> = []
    for (let batch = 0; batch < 60; batch++) {
      const edit = batch % 2 === 0 ? Hamt.beginEdit() : undefined
      for (let i = 0; i < 400; i++) {
        const key = `key:${(batch * 7919 + i * 104729) % 9000}`
        if ((batch + i) % 5 === 0) {
          map = Hamt.remove(map, key, edit)
          model.delete(key)
        } else {
          map = Hamt.set(map, key, batch, edit)
          model.set(key, batch)
        }
      }
      if (edit !== undefined) Hamt.endEdit(edit)
      versions.push([map, new Map(model)])
    }
    checkInvariants(map)
    for (const [old, contents] of versions) expectSame(old, contents)
  })

  it("collision nodes hold, replace and remove keys that share a hash, back to canonical form", () => {
    const keys = [...tripleCollisions[0], ...tripleCollisions[1], ...collidingPairs[0]]
    let map: Map32 = Hamt.empty()
    keys.forEach((key, i) => {
      map = Hamt.set(map, key, i)
    })
    checkInvariants(map)
    expectSame(map, new Map(keys.map((key, i) => [key, i])))
    const edit = Hamt.beginEdit()
    for (const key of keys.slice(0, 5)) map = Hamt.remove(map, key, edit)
    Hamt.endEdit(edit)
    checkInvariants(map)
    expectSame(map, new Map(keys.slice(5).map((key) => [key, keys.indexOf(key)])))
    for (const key of keys.slice(5)) map = Hamt.remove(map, key)
    expect(map).toBe(Hamt.empty())
  })

  it("entryAt reaches every entry exactly once over 0..size-1, so a uniform index is a uniform entry", () => {
    fc.assert(
      fc.property(fc.uniqueArray(keyArbitrary, { maxLength: 200 }), (keys) => {
        const map = Hamt.fromEntries(keys.map((key, i): [string, number] => [key, i]))
        const reached = Array.from({ length: Hamt.size(map) }, (_, i) => Hamt.entryAt(map, i))
        expect(new Map(reached.map((entry) => [entry?.[0] ?? "", entry?.[1] ?? -1]))).toEqual(new Map(keys.map((key, i) => [key, i])))
        expect(Hamt.entryAt(map, -1)).toBeUndefined()
        expect(Hamt.entryAt(map, keys.length)).toBeUndefined()
      })
    )
  })

  it("samples of random entries are spread evenly", () => {
    const keys = Array.from({ length: 20 }, (_, i) => `sample:${i}`)
    const map = Hamt.fromEntries(keys.map((key): [string, number] => [key, 0]))
    const counts = new Map<string, number>()
    let seed = 1
    for (let n = 0; n < 20_000; n++) {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0
      const entry = Hamt.entryAt(map, Math.floor((seed / 2 ** 32) * Hamt.size(map)))
      if (entry !== undefined) counts.set(entry[0], (counts.get(entry[0]) ?? 0) + 1)
    }
    expect(counts.size).toBe(20)
    for (const count of counts.values()) expect(Math.abs(count - 1000)).toBeLessThan(150)
  })

  it("a full scan of an unchanged map returns every key once, in hash order, whatever COUNT", () => {
    fc.assert(
      fc.property(fc.uniqueArray(keyArbitrary, { maxLength: 300 }), fc.integer({ min: 1, max: 40 }), (keys, count) => {
        const map = Hamt.fromEntries(keys.map((key): [string, number] => [key, 1]))
        const seen: Array<string> = []
        let cursor = 0
        let calls = 0
        do {
          const [next, batch] = Hamt.scan(map, cursor, count)
          seen.push(...batch)
          if (next !== 0) {
            expect(next).toBeGreaterThan(cursor)
            expect(String(next)).toMatch(/^[0-9]+$/)
            expect(batch.length).toBeGreaterThanOrEqual(count)
          }
          cursor = next
          calls++
        } while (cursor !== 0 && calls < 10_000)
        expect([...seen].sort()).toEqual([...keys].sort())
        const hashes = seen.map(Hamt.hashKey)
        expect(hashes).toEqual([...hashes].sort((a, b) => a - b))
      })
    )
  })

  it("scan returns every key present throughout, at least once, while the map changes between calls", () => {
    const change = fc.record({ add: fc.boolean(), key: keyArbitrary })
    fc.assert(
      fc.property(
        fc.uniqueArray(keyArbitrary, { maxLength: 150 }),
        fc.array(fc.array(change, { maxLength: 20 }), { maxLength: 60 }),
        fc.integer({ min: 1, max: 15 }),
        (initial, changes, count) => {
          let map: Map32 = Hamt.fromEntries(initial.map((key): [string, number] => [key, 0]))
          const touched = new Set(changes.flat().map((c) => c.key))
          const throughout = initial.filter((key) => !touched.has(key))
          const seen = new Set<string>()
          const everPresent = new Set(initial)
          let cursor = 0
          let call = 0
          do {
            const [next, batch] = Hamt.scan(map, cursor, count)
            for (const key of batch) {
              expect(everPresent.has(key)).toBe(true)
              seen.add(key)
              // Keys with one hash come in one call.
              Hamt.forEach(map, (_, other) => {
                if (Hamt.hashKey(other) === Hamt.hashKey(key)) expect(batch).toContain(other)
              })
            }
            cursor = next
            const edit = call % 2 === 0 ? Hamt.beginEdit() : undefined
            for (const { add, key } of changes[call] ?? []) {
              map = add ? Hamt.set(map, key, call, edit) : Hamt.remove(map, key, edit)
              if (add) everPresent.add(key)
            }
            if (edit !== undefined) Hamt.endEdit(edit)
            call++
          } while (cursor !== 0)
          for (const key of throughout) expect(seen.has(key)).toBe(true)
        }
      ),
      { numRuns: 200 }
    )
  })

  it("scan ends on cursors outside [0, 2^32) and on an empty map", () => {
    const map = Hamt.fromEntries([["a", 1]])
    expect(Hamt.scan(map, 2 ** 32, 10)).toEqual([0, []])
    expect(Hamt.scan(map, -1, 10)).toEqual([0, []])
    expect(Hamt.scan(map, 1.5, 10)).toEqual([0, []])
    expect(Hamt.scan(Hamt.empty(), 0, 10)).toEqual([0, []])
    expect(Hamt.scan(map, 0, 10)).toEqual([0, ["a"]])
  })

  it("sizes and identity: setting an equal value or removing a missing key returns the same map", () => {
    const map = Hamt.fromEntries([["a", 1], ["b", 2]])
    expect(Hamt.set(map, "a", 1)).toBe(map)
    expect(Hamt.remove(map, "zz")).toBe(map)
    expect(Hamt.size(Hamt.set(map, "c", 3))).toBe(3)
    expect(Hamt.size(Hamt.remove(map, "a"))).toBe(1)
    expect(Hamt.get(map, "zz")).toBeUndefined()
  })

  it("a large map under one edit token matches the model and its invariants", () => {
    const edit = Hamt.beginEdit()
    let map: Map32 = Hamt.empty()
    const model = new Map<string, number>()
    for (let i = 0; i < 50_000; i++) {
      map = Hamt.set(map, `big:${i}`, i, edit)
      model.set(`big:${i}`, i)
    }
    for (let i = 0; i < 50_000; i += 3) {
      map = Hamt.remove(map, `big:${i}`, edit)
      model.delete(`big:${i}`)
    }
    Hamt.endEdit(edit)
    checkInvariants(map)
    expectSame(map, model)
  })

  it("fromEntries builds at once the canonical trie that successive sets make (later entries win)", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(keyArbitrary, fc.integer({ min: 0, max: 3 })), { maxLength: 300 }), (entries) => {
        const built = Hamt.fromEntries(entries)
        const model = new Map(entries)
        checkInvariants(built)
        expectSame(built, model)
        // The same key set gives the same canonical trie: the same walk, hash by hash (the order inside a
        // collision node is the order the keys came in).
        const inserted = entries.reduce<Map32>((map, [key, value]) => Hamt.set(map, key, value), Hamt.empty())
        const walk = (map: Map32) => [...Hamt.entries(map)].map(([key]) => Hamt.hashKey(key))
        expect(walk(built)).toEqual(walk(inserted))
      }),
      { numRuns: 300 }
    )
  })

  it("fromDistinct builds a large map, or names the first key given twice", () => {
    const keys = Array.from({ length: 60_000 }, (_, i) => `bulk:${i}`)
    const built = Hamt.fromDistinct(keys, keys.map((_, i) => i))
    if (!("map" in built)) throw new Error("no map")
    checkInvariants(built.map)
    expectSame(built.map, new Map(keys.map((key, i) => [key, i])))
    expect(Hamt.fromDistinct(["a", "b", ...collidingKeys, "b", "a"], Array.from({ length: collidingKeys.length + 4 }, () => 1)))
      .toEqual({ duplicateAt: collidingKeys.length + 2 })
    expect(Hamt.fromDistinct([...collidingKeys, collidingKeys[1]], [...collidingKeys, "x"].map(() => 1)))
      .toEqual({ duplicateAt: collidingKeys.length })
    expect(Hamt.fromDistinct([], [])).toEqual({ map: Hamt.empty() })
  })
})

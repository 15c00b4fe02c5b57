/**
 * Microbenchmark of the persistent B+tree (src/structures/btree.ts) at a million elements,
 * positional (list) and ordered (sorted set) uses, each figure the median of 3 rounds.
 *
 *   npm run build && node --expose-gc bench/structures-btree.mjs
 *
 * Side by side (optional, not project dependencies): npm's `list` (RRB vector) when
 * LIST_MODULE points at it, e.g.
 *   (mkdir -p /tmp/btree-bench && cd /tmp/btree-bench && npm install list@2)
 *   LIST_MODULE=/tmp/btree-bench/node_modules/list/dist/index.js node --expose-gc bench/structures-btree.mjs
 * and effect's RedBlackTree (installed with the project) for sorted-set score updates.
 * Options: --size N (default 1000000), --json (one JSON object instead of a table).
 */
import { createRequire } from "node:module"
import { RedBlackTree } from "effect"
import * as BTree from "../dist/structures/btree.js"
import * as Ordered from "../dist/structures/btree-ordered.js"

const args = process.argv.slice(2)
const option = (name, fallback) => {
  const at = args.indexOf(name)
  return at === -1 ? fallback : Number(args[at + 1])
}
const size = option("--size", 1_000_000)
const rounds = 3

/** A deterministic generator (mulberry32), so that every run measures the same work. */
const random = (() => {
  let seed = 0x5eed
  return () => {
    seed = (seed + 0x6d2b79f5) | 0
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
})()
const randomIndex = (n) => Math.floor(random() * n)

let sink = 0
/** ns per operation of `run(count)`, median of `rounds` rounds after one warm-up round. */
const measure = (count, run) => {
  run(Math.min(count, 10_000))
  const samples = []
  for (let r = 0; r < rounds; r++) {
    const started = process.hrtime.bigint()
    run(count)
    samples.push(Number(process.hrtime.bigint() - started) / count)
  }
  return samples.sort((a, b) => a - b)[1]
}

const heapUsed = () => {
  globalThis.gc?.()
  globalThis.gc?.()
  return process.memoryUsage().heapUsed
}
/** Heap bytes per element of what `build` returns (elements are small integers, stored inline). */
const bytesPerElement = (build) => {
  const before = heapUsed()
  const kept = build()
  const after = heapUsed()
  sink += kept === undefined ? 0 : 1
  return (after - before) / size
}

const results = {}
const record = (name, value) => {
  results[name] = Math.round(value * 10) / 10
}

// --- Positional (lists) -----------------------------------------------------
const items = Array.from({ length: size }, (_, i) => i)
const list = BTree.fromArray(items)
const indices = Array.from({ length: 1_000_000 }, () => randomIndex(size))

record("btree build fromArray (ns/element)", measure(1, () => { sink += BTree.fromArray(items).size }) / size)
record("btree append", measure(200_000, (n) => {
  let t = list
  for (let i = 0; i < n; i++) t = BTree.append(t, i)
  sink += t.size
}))
record("btree prepend", measure(200_000, (n) => {
  let t = list
  for (let i = 0; i < n; i++) t = BTree.prepend(t, i)
  sink += t.size
}))
record("btree removeLast", measure(200_000, (n) => {
  let t = list
  for (let i = 0; i < n; i++) t = BTree.removeLast(t)
  sink += t.size
}))
record("btree removeFirst", measure(200_000, (n) => {
  let t = list
  for (let i = 0; i < n; i++) t = BTree.removeFirst(t)
  sink += t.size
}))
record("btree get random", measure(1_000_000, (n) => {
  for (let i = 0; i < n; i++) sink += BTree.get(list, indices[i])
}))
record("btree set random", measure(200_000, (n) => {
  let t = list
  for (let i = 0; i < n; i++) t = BTree.set(t, indices[i], i)
  sink += t.size
}))
record("btree insert middle", measure(100_000, (n) => {
  let t = list
  for (let i = 0; i < n; i++) t = BTree.insert(t, t.size >> 1, i)
  sink += t.size
}))
record("btree range 10 from random index", measure(200_000, (n) => {
  for (let i = 0; i < n; i++) sink += BTree.toArray(list, Math.min(indices[i], size - 10), Math.min(indices[i], size - 10) + 10).length
}))
record("btree bytes/element (fromArray)", bytesPerElement(() => BTree.fromArray(items)))
record("btree bytes/element (appends)", bytesPerElement(() => {
  let t = BTree.empty()
  for (let i = 0; i < size; i++) t = BTree.append(t, i)
  return t
}))
record("plain array bytes/element", bytesPerElement(() => items.slice()))

// --- npm `list` side by side --------------------------------------------------
if (process.env.LIST_MODULE) {
  const L = createRequire(import.meta.url)(process.env.LIST_MODULE)
  const vector = L.from(items)
  record("list append", measure(200_000, (n) => {
    let t = vector
    for (let i = 0; i < n; i++) t = L.append(i, t)
    sink += t.length
  }))
  record("list prepend", measure(200_000, (n) => {
    let t = vector
    for (let i = 0; i < n; i++) t = L.prepend(i, t)
    sink += t.length
  }))
  record("list removeLast (init)", measure(200_000, (n) => {
    let t = vector
    for (let i = 0; i < n; i++) t = L.init(t)
    sink += t.length
  }))
  record("list removeFirst (tail)", measure(200_000, (n) => {
    let t = vector
    for (let i = 0; i < n; i++) t = L.tail(t)
    sink += t.length
  }))
  record("list get random", measure(1_000_000, (n) => {
    for (let i = 0; i < n; i++) sink += L.nth(indices[i], vector)
  }))
  record("list set random", measure(200_000, (n) => {
    let t = vector
    for (let i = 0; i < n; i++) t = L.update(indices[i], i, t)
    sink += t.length
  }))
  record("list insert middle", measure(10_000, (n) => {
    let t = vector
    for (let i = 0; i < n; i++) t = L.insert(t.length >> 1, i, t)
    sink += t.length
  }))
  record("list bytes/element (from)", bytesPerElement(() => L.from(items)))
}

// --- Ordered (sorted sets): [score, member] by score then member --------------
const byScoreThenMember = (a, b) => a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0
const members = Array.from({ length: size }, (_, i) => [Math.floor(random() * 1e9) / 1000, `member:${i}`])
const sorted = members.slice().sort(byScoreThenMember)
const zset = BTree.fromArray(sorted)
const fresh = Array.from({ length: 200_000 }, (_, i) => [Math.floor(random() * 1e9) / 1000, `new:${i}`])
const present = Array.from({ length: 200_000 }, () => members[randomIndex(size)])

record("zset insert new (score, member)", measure(100_000, (n) => {
  let t = zset
  for (let i = 0; i < n; i++) t = Ordered.insertSorted(t, fresh[i], byScoreThenMember)
  sink += t.size
}))
record("zset delete present", measure(100_000, (n) => {
  let t = zset
  for (let i = 0; i < n; i++) t = Ordered.removeSorted(t, present[i], byScoreThenMember)
  sink += t.size
}))
record("zset score update (delete + insert)", measure(100_000, (n) => {
  let t = zset
  for (let i = 0; i < n; i++) {
    const old = present[i]
    t = Ordered.insertSorted(Ordered.removeSorted(t, old, byScoreThenMember), [fresh[i][0], old[1]], byScoreThenMember)
  }
  sink += t.size
}))
record("zset rank", measure(200_000, (n) => {
  for (let i = 0; i < n; i++) sink += Ordered.rankOf(zset, present[i], byScoreThenMember)
}))
record("zset first index with score >= bound", measure(200_000, (n) => {
  for (let i = 0; i < n; i++) {
    const bound = fresh[i][0]
    sink += Ordered.firstIndexWhere(zset, (e) => e[0] >= bound)
  }
}))
record("zset range 10 from a rank", measure(200_000, (n) => {
  for (let i = 0; i < n; i++) {
    const from = Math.min(indices[i], size - 10)
    sink += BTree.toArray(zset, from, from + 10).length
  }
}))
record("zset range 10 by score (bound search + 10)", measure(200_000, (n) => {
  for (let i = 0; i < n; i++) {
    const bound = fresh[i][0]
    const from = Ordered.firstIndexWhere(zset, (e) => e[0] >= bound)
    sink += BTree.toArray(zset, from, Math.min(from + 10, size)).length
  }
}))

const tupleOrder = (a, b) => byScoreThenMember(a, b)
const redBlack = RedBlackTree.fromIterable(tupleOrder)(sorted.map((e) => [e, true]))
record("effect RedBlackTree score update (remove + insert)", measure(20_000, (n) => {
  let t = redBlack
  for (let i = 0; i < n; i++) {
    const old = present[i]
    t = RedBlackTree.insert(RedBlackTree.removeFirst(t, old), [fresh[i][0], old[1]], true)
  }
  sink += RedBlackTree.size(t)
}))

if (args.includes("--json")) {
  console.log(JSON.stringify({ size, rounds, results }))
} else {
  console.log(`size ${size}, median of ${rounds} rounds (ns/op unless stated)`)
  for (const [name, value] of Object.entries(results)) console.log(`${name.padEnd(52)} ${value}`)
}
if (sink === 0.5) console.log("unreachable")

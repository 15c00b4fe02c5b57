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
/**
 * Timed cases run round-robin (every case once per round, `rounds` rounds, after a warm-up of each),
 * so that a change in the machine's load hits all of them alike; each figure is the median in ns/op.
 */
const cases = []
const measure = (name, count, run) => {
  cases.push({ name, count, run, samples: [] })
}
const runCases = () => {
  for (const { count, run } of cases) run(Math.min(count, 10_000))
  for (let r = 0; r < rounds; r++) {
    for (const c of cases) {
      const started = process.hrtime.bigint()
      c.run(c.count)
      c.samples.push(Number(process.hrtime.bigint() - started) / c.count)
    }
  }
  for (const c of cases) record(c.name, c.samples.sort((a, b) => a - b)[rounds >> 1])
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

measure("btree build fromArray (ns/element)", size, () => { sink += BTree.fromArray(items).size })
measure("btree append", 200_000, (n) => {
  let t = list
  for (let i = 0; i < n; i++) t = BTree.append(t, i)
  sink += t.size
})
measure("btree prepend", 200_000, (n) => {
  let t = list
  for (let i = 0; i < n; i++) t = BTree.prepend(t, i)
  sink += t.size
})
measure("btree removeLast", 200_000, (n) => {
  let t = list
  for (let i = 0; i < n; i++) t = BTree.removeLast(t)
  sink += t.size
})
measure("btree removeFirst", 200_000, (n) => {
  let t = list
  for (let i = 0; i < n; i++) t = BTree.removeFirst(t)
  sink += t.size
})
measure("btree get random", 1_000_000, (n) => {
  for (let i = 0; i < n; i++) sink += BTree.get(list, indices[i])
})
measure("btree set random", 200_000, (n) => {
  let t = list
  for (let i = 0; i < n; i++) t = BTree.set(t, indices[i], i)
  sink += t.size
})
measure("btree insert middle", 100_000, (n) => {
  let t = list
  for (let i = 0; i < n; i++) t = BTree.insert(t, t.size >> 1, i)
  sink += t.size
})
measure("btree range 10 from random index", 200_000, (n) => {
  for (let i = 0; i < n; i++) sink += BTree.toArray(list, Math.min(indices[i], size - 10), Math.min(indices[i], size - 10) + 10).length
})
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
  measure("list append", 200_000, (n) => {
    let t = vector
    for (let i = 0; i < n; i++) t = L.append(i, t)
    sink += t.length
  })
  measure("list prepend", 200_000, (n) => {
    let t = vector
    for (let i = 0; i < n; i++) t = L.prepend(i, t)
    sink += t.length
  })
  measure("list removeLast (init)", 200_000, (n) => {
    let t = vector
    for (let i = 0; i < n; i++) t = L.init(t)
    sink += t.length
  })
  measure("list removeFirst (tail)", 200_000, (n) => {
    let t = vector
    for (let i = 0; i < n; i++) t = L.tail(t)
    sink += t.length
  })
  measure("list get random", 1_000_000, (n) => {
    for (let i = 0; i < n; i++) sink += L.nth(indices[i], vector)
  })
  measure("list set random", 200_000, (n) => {
    let t = vector
    for (let i = 0; i < n; i++) t = L.update(indices[i], i, t)
    sink += t.length
  })
  measure("list insert middle", 10_000, (n) => {
    let t = vector
    for (let i = 0; i < n; i++) t = L.insert(t.length >> 1, i, t)
    sink += t.length
  })
  record("list bytes/element (from)", bytesPerElement(() => L.from(items)))
}

// --- Ordered (sorted sets): [score, member] by score then member --------------
const byScoreThenMember = (a, b) => a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0
const members = Array.from({ length: size }, (_, i) => [Math.floor(random() * 1e9) / 1000, `member:${i}`])
const sorted = members.slice().sort(byScoreThenMember)
const zset = BTree.fromArray(sorted)
const fresh = Array.from({ length: 200_000 }, (_, i) => [Math.floor(random() * 1e9) / 1000, `new:${i}`])
const present = Array.from({ length: 200_000 }, () => members[randomIndex(size)])

measure("zset insert new (score, member)", 100_000, (n) => {
  let t = zset
  for (let i = 0; i < n; i++) t = Ordered.insertSorted(t, fresh[i], byScoreThenMember)
  sink += t.size
})
measure("zset delete present", 100_000, (n) => {
  let t = zset
  for (let i = 0; i < n; i++) t = Ordered.removeSorted(t, present[i], byScoreThenMember)
  sink += t.size
})
measure("zset score update (delete + insert)", 100_000, (n) => {
  let t = zset
  for (let i = 0; i < n; i++) {
    const old = present[i]
    t = Ordered.insertSorted(Ordered.removeSorted(t, old, byScoreThenMember), [fresh[i][0], old[1]], byScoreThenMember)
  }
  sink += t.size
})
measure("zset rank", 200_000, (n) => {
  for (let i = 0; i < n; i++) sink += Ordered.rankOf(zset, present[i], byScoreThenMember)
})
measure("zset first index with score >= bound", 200_000, (n) => {
  for (let i = 0; i < n; i++) {
    const bound = fresh[i][0]
    sink += Ordered.firstIndexWhere(zset, (e) => e[0] >= bound)
  }
})
measure("zset range 10 from a rank", 200_000, (n) => {
  for (let i = 0; i < n; i++) {
    const from = Math.min(indices[i], size - 10)
    sink += BTree.toArray(zset, from, from + 10).length
  }
})
measure("zset range 10 by score (bound search + 10)", 200_000, (n) => {
  for (let i = 0; i < n; i++) {
    const bound = fresh[i][0]
    const from = Ordered.firstIndexWhere(zset, (e) => e[0] >= bound)
    sink += BTree.toArray(zset, from, Math.min(from + 10, size)).length
  }
})

const tupleOrder = (a, b) => byScoreThenMember(a, b)
const redBlack = RedBlackTree.fromIterable(tupleOrder)(sorted.map((e) => [e, true]))
measure("effect RedBlackTree score update (remove + insert)", 20_000, (n) => {
  let t = redBlack
  for (let i = 0; i < n; i++) {
    const old = present[i]
    t = RedBlackTree.insert(RedBlackTree.removeFirst(t, old), [fresh[i][0], old[1]], true)
  }
  sink += RedBlackTree.size(t)
})

runCases()

if (args.includes("--json")) {
  console.log(JSON.stringify({ size, rounds, results }))
} else {
  console.log(`size ${size}, median of ${rounds} rounds (ns/op unless stated)`)
  for (const [name, value] of Object.entries(results)) console.log(`${name.padEnd(52)} ${value}`)
}
if (sink === 0.5) console.log("unreachable")

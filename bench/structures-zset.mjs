/**
 * Microbenchmark of the sorted-set value (src/values/zset.ts: a B+tree of (score, member) beside a HAMT
 * of member -> score) at a million members, each figure the median of 3 rounds in ns/op, and its heap
 * bytes per member.
 *
 *   npm run build && node --expose-gc bench/structures-zset.mjs
 *
 * Options: --size N (default 1000000), --json. Each edit is one builder (one command's worth of work,
 * as ZADD / ZREM / ZINCRBY make); reads run on the built set.
 */
import * as Z from "../dist/values/zset.js"

const args = process.argv.slice(2)
const option = (name, fallback) => {
  const at = args.indexOf(name)
  return at === -1 ? fallback : Number(args[at + 1])
}
const size = option("--size", 1_000_000)
const rounds = 3
const limits = Z.defaultZSetLimits

/** mulberry32, seeded: every run measures the same work. */
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
const cases = []
const measure = (name, count, run) => cases.push({ name, count, run, samples: [] })
const results = {}
const record = (name, value) => {
  results[name] = Math.round(value * 10) / 10
}

const members = Array.from({ length: size }, (_, i) => [Math.floor(random() * 1e9) / 1000, `member:${i}`])
const zset = Z.fromEntries(members, limits)
const fresh = Array.from({ length: 200_000 }, (_, i) => [Math.floor(random() * 1e9) / 1000, `new:${i}`])
const present = Array.from({ length: 200_000 }, () => members[randomIndex(size)])

const one = (from, f) => {
  const builder = Z.edit(from, limits)
  f(builder)
  return builder.done()
}

measure("zset insert new member (ZADD)", 100_000, (n) => {
  let z = zset
  for (let i = 0; i < n; i++) z = one(z, (b) => b.set(fresh[i][1], fresh[i][0]))
  sink += z.size
})
measure("zset score update, random new score (ZADD existing)", 100_000, (n) => {
  let z = zset
  for (let i = 0; i < n; i++) z = one(z, (b) => b.set(present[i][1], fresh[i][0]))
  sink += z.size
})
measure("zset score update, +1e-9 (ZINCRBY small step)", 100_000, (n) => {
  let z = zset
  for (let i = 0; i < n; i++) z = one(z, (b) => b.set(present[i][1], (b.score(present[i][1]) ?? 0) + 1e-9))
  sink += z.size
})
measure("zset remove member (ZREM)", 100_000, (n) => {
  let z = zset
  for (let i = 0; i < n; i++) z = one(z, (b) => b.remove(present[i][1])) ?? z
  sink += z.size
})
measure("zset rank (ZRANK)", 200_000, (n) => {
  for (let i = 0; i < n; i++) sink += Z.rankOf(zset, present[i][1]) ?? 0
})
measure("zset score (ZSCORE)", 200_000, (n) => {
  for (let i = 0; i < n; i++) sink += Z.scoreOf(zset, present[i][1]) ?? 0
})
measure("zset range by score, 10 members (ZRANGEBYSCORE LIMIT 0 10)", 200_000, (n) => {
  for (let i = 0; i < n; i++) {
    const bound = fresh[i][0]
    const from = Z.firstRankWhere(zset, ([score]) => score >= bound)
    sink += Z.entriesIn(zset, from, Math.min(from + 10, size)).length
  }
})
measure("zset pop min (ZPOPMIN)", 100_000, (n) => {
  let z = zset
  for (let i = 0; i < n && z !== undefined; i++) z = one(z, (b) => b.removeRanks(0, 1))
  sink += z?.size ?? 0
})

for (const { count, run } of cases) run(Math.min(count, 10_000))
for (let r = 0; r < rounds; r++) {
  for (const c of cases) {
    const started = process.hrtime.bigint()
    c.run(c.count)
    c.samples.push(Number(process.hrtime.bigint() - started) / c.count)
  }
}
for (const c of cases) record(c.name, c.samples.sort((a, b) => a - b)[rounds >> 1])

const heapUsed = () => {
  globalThis.gc?.()
  globalThis.gc?.()
  return process.memoryUsage().heapUsed
}
// Memory: the set's own structures (tree nodes, HAMT nodes, the [score, member] pairs), members' strings excluded
// (they exist before the set: the same strings are shared by both sides).
const before = heapUsed()
const built = Z.fromEntries(members, limits)
const after = heapUsed()
sink += built.size
record("zset heap bytes/member (fromEntries, member strings excluded)", (after - before) / size)

if (args.includes("--json")) console.log(JSON.stringify({ size, rounds, results }))
else {
  console.log(`size ${size}, median of ${rounds} rounds (ns/op unless stated)`)
  for (const [name, value] of Object.entries(results)) console.log(`${name.padEnd(64)} ${value}`)
}
if (sink === 0.5) console.log("unreachable")

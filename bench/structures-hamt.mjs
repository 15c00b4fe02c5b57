// Microbenchmark of the persistent map (src/structures/hamt.ts) against a mutable Map and effect's
// HashMap: get/set ns, structure bytes per key, random entry and SCAN COUNT 10 per call.
// Keys are 16 bytes, values 32 bytes, both flat latin1 strings as the RESP decoder makes them;
// lookups use fresh copies of the keys (not the stored string objects), in random order.
//
//   npm run build && node --expose-gc bench/structures-hamt.mjs [--keys 1000000] [--rounds 3]
//
// Each figure is the median of the rounds, in CPU time (process.cpuUsage: user + system, so other
// processes on a loaded machine disturb it less than wall time; it includes GC, which runs on this thread
// for the young generation). EFFECT_KV_HASH_SEED fixes the hash seed (random otherwise).
import { HashMap } from "effect"
import * as Hamt from "../dist/structures/hamt.js"

const option = (name, fallback) => {
  const at = process.argv.indexOf(name)
  return at < 0 ? fallback : Number(process.argv[at + 1])
}
const KEYS = option("--keys", 1_000_000)
const ROUNDS = option("--rounds", 3)
const OPS = Math.min(KEYS, 1_000_000)

if (typeof globalThis.gc !== "function") throw new Error("run with node --expose-gc")
const gc = () => {
  for (let i = 0; i < 3; i++) globalThis.gc()
}
const heap = () => {
  gc()
  return process.memoryUsage().heapUsed
}
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]

/** Deterministic pseudo-random integers (xorshift32), so every structure sees the same sequence. */
const randomInts = (count, bound, seed = 2463534242) => {
  const out = new Uint32Array(count)
  let x = seed
  for (let i = 0; i < count; i++) {
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    out[i] = (x >>> 0) % bound
  }
  return out
}

/** A flat latin1 string, as decoded from a socket. */
const bytes = (text) => Buffer.from(text, "latin1").toString("latin1")
const makeKey = (i) => bytes(`key:${String(i).padStart(12, "0")}`)
const makeValue = (i, round) => bytes(`value-${round}-${String(i).padStart(24, "0")}`.slice(0, 32).padEnd(32, "x"))

const keys = Array.from({ length: KEYS }, (_, i) => makeKey(i))
const values = Array.from({ length: KEYS }, (_, i) => makeValue(i, 0))
const order = randomInts(OPS, KEYS)
const lookups = Array.from(order, (i) => makeKey(i)) // fresh copies of existing keys
const newValues = Array.from(order, (i) => makeValue(i, 1))

/** ns per operation of `run(i)` over OPS operations, median of ROUNDS. */
const time = (label, count, run) => {
  const samples = []
  for (let round = 0; round < ROUNDS; round++) {
    gc()
    const start = process.cpuUsage()
    run(round)
    const used = process.cpuUsage(start)
    samples.push(((used.user + used.system) * 1000) / count)
  }
  const ns = median(samples)
  console.log(`${label.padEnd(48)} ${ns.toFixed(0).padStart(7)} ns   (rounds: ${samples.map((s) => s.toFixed(0)).join(", ")})`)
  return ns
}

const structureBytes = (label, build) => {
  const before = heap()
  const structure = build()
  const after = heap()
  const perKey = (after - before) / KEYS
  console.log(`${label.padEnd(48)} ${perKey.toFixed(1).padStart(7)} bytes/key (structure only: keys and values are held outside)`)
  return structure
}

console.log(`node ${process.version}, ${KEYS} keys (16-byte keys, 32-byte values), ${OPS} ops per round, median of ${ROUNDS}\n`)

// --- memory (each structure built once, kept for the timings below)
const map = structureBytes("Map", () => {
  const m = new Map()
  for (let i = 0; i < KEYS; i++) m.set(keys[i], values[i])
  return m
})
const hashMap = structureBytes("effect HashMap", () =>
  HashMap.mutate(HashMap.empty(), (m) => {
    for (let i = 0; i < KEYS; i++) HashMap.set(m, keys[i], values[i])
  }))
const hamtPersistent = structureBytes("hamt (built by persistent sets)", () => {
  let m = Hamt.empty()
  for (let i = 0; i < KEYS; i++) m = Hamt.set(m, keys[i], values[i])
  return m
})
const hamt = structureBytes("hamt (built under one edit)", () => {
  const edit = Hamt.beginEdit()
  let m = Hamt.empty()
  for (let i = 0; i < KEYS; i++) m = Hamt.set(m, keys[i], values[i], edit)
  Hamt.endEdit(edit)
  return m
})
if (Hamt.size(hamt) !== KEYS || Hamt.size(hamtPersistent) !== KEYS) throw new Error("size mismatch")
console.log()

// --- get
let sink = 0
time("get: Map", OPS, () => {
  for (let i = 0; i < OPS; i++) if (map.get(lookups[i]) !== undefined) sink++
})
time("get: effect HashMap", OPS, () => {
  for (let i = 0; i < OPS; i++) if (HashMap.unsafeGet(hashMap, lookups[i]) !== undefined) sink++
})
time("get: hamt", OPS, () => {
  for (let i = 0; i < OPS; i++) if (Hamt.get(hamt, lookups[i]) !== undefined) sink++
})
console.log()

// --- set (overwrite an existing key with a new value; persistent structures make a new version each time)
time("set: Map (in place)", OPS, () => {
  for (let i = 0; i < OPS; i++) map.set(lookups[i], newValues[i])
})
time("set: effect HashMap (new version each)", OPS, () => {
  let m = hashMap
  for (let i = 0; i < OPS; i++) m = HashMap.set(m, lookups[i], newValues[i])
  sink += HashMap.size(m)
})
time("set: hamt (new version each)", OPS, () => {
  let m = hamt
  for (let i = 0; i < OPS; i++) m = Hamt.set(m, lookups[i], newValues[i])
  sink += Hamt.size(m)
})
time("set: hamt, batches of 16 under one edit token", OPS, () => {
  let m = hamt
  for (let i = 0; i < OPS; i += 16) {
    const edit = Hamt.beginEdit()
    const end = Math.min(OPS, i + 16)
    for (let j = i; j < end; j++) m = Hamt.set(m, lookups[j], newValues[j], edit)
    Hamt.endEdit(edit)
  }
  sink += Hamt.size(m)
})
const fresh = Array.from({ length: OPS }, (_, i) => makeKey(KEYS + i))
time("set: hamt, new keys (new version each)", OPS, () => {
  let m = hamt
  for (let i = 0; i < OPS; i++) m = Hamt.set(m, fresh[i], values[i % KEYS])
  sink += Hamt.size(m)
})
time("remove: hamt (new version each)", OPS, () => {
  let m = hamt
  for (let i = 0; i < OPS; i++) m = Hamt.remove(m, lookups[i])
  sink += Hamt.size(m)
})
console.log()

// --- random entry and SCAN
const randomIndexes = randomInts(OPS, KEYS, 88172645)
time("random entry: hamt entryAt", OPS, () => {
  for (let i = 0; i < OPS; i++) if (Hamt.entryAt(hamt, randomIndexes[i]) !== undefined) sink++
})
const scanCalls = (m, calls) => () => {
  let cursor = 0
  for (let i = 0; i < calls; i++) {
    const [next, found] = Hamt.scan(m, cursor, 10)
    sink += found.length
    cursor = next
  }
}
const small = Hamt.fromEntries(keys.slice(0, 10_000).map((key, i) => [key, values[i]]))
time("scan COUNT 10 per call: hamt at 10k keys", 20_000, scanCalls(small, 20_000))
time(`scan COUNT 10 per call: hamt at ${KEYS} keys`, 20_000, scanCalls(hamt, 20_000))
const lateCursor = 0xf0000000
time(`scan COUNT 10 from cursor ${lateCursor}: ${KEYS} keys`, 10_000, () => {
  for (let i = 0; i < 10_000; i++) sink += Hamt.scan(hamt, lateCursor + i * 997, 10)[1].length
})
if (sink === 42) console.log("")

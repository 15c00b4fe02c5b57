// Heap bytes per key of one database (keyspace + expires index) at N keys, half with a TTL, built as
// the server builds it: database.put in batches of 100 under one edit each. In-process and in CPU
// time, so it stays meaningful on a loaded machine (the RSS figures of run.mjs do not).
//
//   npm run build && node --expose-gc bench/keyspace-memory.mjs [keys]
import * as Database from "../dist/store/database.js"
import * as Nodes from "../dist/structures/hamt-node.js"

if (typeof globalThis.gc !== "function") throw new Error("run with node --expose-gc")
const N = Number(process.argv[2] ?? 1_000_000)
const heap = () => {
  for (let i = 0; i < 3; i++) globalThis.gc()
  return process.memoryUsage().heapUsed
}
/** A flat latin1 string, as the RESP decoder makes them. */
const bytes = (text) => Buffer.from(text, "latin1").toString("latin1")

const start = heap()
const keys = Array.from({ length: N }, (_, i) => bytes(`key:${String(i).padStart(12, "0")}`))
const values = Array.from({ length: N }, (_, i) => bytes(`value:${String(i).padStart(26, "0")}`))
const withStrings = heap()
const now = Date.now()
let db = Database.emptyDatabase
const cpuStart = process.cpuUsage()
for (let i = 0; i < N; i += 100) {
  let batch = Database.openBatch(db)
  for (let j = i; j < Math.min(N, i + 100); j++) {
    batch = Database.put(batch, keys[j], values[j], j % 2 === 0 ? now + 3_600_000 : undefined)
  }
  db = Database.closeBatch(batch)
}
const cpu = process.cpuUsage(cpuStart)
const built = heap()

/** Nodes and slots (header included) of a trie. */
const shape = (node, acc = { nodes: 0, slots: 0 }) => {
  acc.nodes++
  acc.slots += node.length
  for (let i = Nodes.HEADER + 2 * Nodes.inlineCount(node); i < node.length; i++) shape(node[i], acc)
  return acc
}
console.log(JSON.stringify({
  keys: N,
  stringBytesPerKey: +((withStrings - start) / N).toFixed(1),
  databaseBytesPerKey: +((built - withStrings) / N).toFixed(1),
  putCpuUsPerKey: +((cpu.user + cpu.system) / N).toFixed(2),
  keyspace: shape(db.keyspace),
  expires: shape(db.expires)
}))

// CPU time of the RDB writer and reader at N keys (half with a TTL), in-process, no disk: what SAVE
// and the load at start cost before any I/O. Median of 3 rounds.
//
//   npm run build && node bench/rdb-cpu.mjs [keys]      (add --cpu-prof to profile)
import * as Database from "../dist/store/database.js"
import { readRdb } from "../dist/persistence/rdb/reader.js"
import { writeRdb } from "../dist/persistence/rdb/writer.js"

const N = Number(process.argv[2] ?? 1_000_000)
const bytes = (text) => Buffer.from(text, "latin1").toString("latin1")
const now = Date.now()
let db = Database.emptyDatabase
for (let i = 0; i < N; i += 1000) {
  let batch = Database.openBatch(db)
  for (let j = i; j < Math.min(N, i + 1000); j++) {
    const key = bytes(`key:${String(j).padStart(12, "0")}`)
    batch = Database.put(batch, key, bytes(`value:${String(j).padStart(26, "0")}`), j % 2 === 0 ? now + 3_600_000 : undefined)
  }
  db = Database.closeBatch(batch)
}
const keyspaces = Array.from({ length: 16 }, (_, i) => (i === 0 ? db.keyspace : Database.emptyDatabase.keyspace))
const cpuMs = (f) => {
  const start = process.cpuUsage()
  const result = f()
  const used = process.cpuUsage(start)
  return [result, (used.user + used.system) / 1000]
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const writes = []
const reads = []
let size = 0
for (let round = 0; round < 3; round++) {
  const [chunks, writeMs] = cpuMs(() => Array.from(writeRdb(keyspaces, now)))
  const file = Buffer.concat(chunks)
  size = file.length
  const [loaded, readMs] = cpuMs(() => readRdb(file, now))
  if (loaded._tag !== "Right") throw new Error("the RDB did not load")
  writes.push(writeMs)
  reads.push(readMs)
}
console.log(JSON.stringify({ keys: N, rdbBytes: size, writeCpuMs: Math.round(median(writes)), readCpuMs: Math.round(median(reads)), writeRounds: writes.map(Math.round), readRounds: reads.map(Math.round) }))

/**
 * maxmemory over the wire (the estimate is MEMORY USAGE's per key, so the
 * figures are deterministic), and the eviction choice as a pure function.
 */
import { afterEach, describe, expect, it } from "vitest"
import * as Errors from "../../src/errors.js"
import { type RunningServer, startServer } from "../../src/index.js"
import type { ServerConfig } from "../../src/config/config.js"
import { commandKeys, keyspaceBytes } from "../../src/commands/guards/memory.js"
import * as Database from "../../src/store/database.js"
import { entry, expiresAtOf, type Keyspace } from "../../src/store/entry.js"
import * as Hamt from "../../src/structures/hamt.js"
import { chooseVictim, sampleEntries } from "../../src/store/eviction.js"
import { commandTable } from "../../src/commands/table.js"
import { connectRaw, type RawClient } from "../wire/raw-client.js"

const cleanups: Array<() => void | Promise<void>> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

const start = async (settings: Partial<ServerConfig>): Promise<RawClient> => {
  const server: RunningServer = await startServer({ save: [], ...settings })
  cleanups.push(() => server.close())
  const client = await connectRaw(server.port)
  cleanups.push(() => client.close())
  return client
}

const frame = (...args: ReadonlyArray<string>): string =>
  `*${args.length}\r\n${args.map((arg) => `$${Buffer.byteLength(arg, "latin1")}\r\n${arg}\r\n`).join("")}`

/** Sends commands as one pipeline and returns the replies' text once `expectedBytes` arrived. */
const pipeline = async (client: RawClient, commands: ReadonlyArray<ReadonlyArray<string>>, expectedBytes: number) => {
  client.send(commands.map((args) => frame(...args)).join(""))
  return client.read(expectedBytes)
}

const value = "v".repeat(1000)
/** MEMORY USAGE of `k<i>` (3 or 4 chars) with a 1000-byte value: 24 + key+4 + 16 + 1009. */
const perKey = (key: string) => 24 + key.length + 4 + 16 + 1000 + 9

const count = (replies: string, reply: string): number => replies.split(reply).length - 1

describe("maxmemory", () => {
  it("noeviction: denyoom commands get OOM once the dataset is over the limit; reads and DEL still work", async () => {
    const client = await start({ maxmemory: 50 * 1024 })
    const sets = Array.from({ length: 100 }, (_, i) => ["SET", `k${String(i).padStart(2, "0")}`, value])
    const oom = `-${Errors.outOfMemory}\r\n`
    const fitting = Math.floor(50 * 1024 / perKey("k00")) + 1
    const replies = await pipeline(client, sets, fitting * 5 + (100 - fitting) * oom.length)
    expect(count(replies, "+OK\r\n")).toBe(fitting)
    expect(count(replies, oom)).toBe(100 - fitting)
    const expected = `:${fitting}\r\n$1000\r\n${value}\r\n:2\r\n+OK\r\n`
    expect(await pipeline(client, [["DBSIZE"], ["GET", "k00"], ["DEL", "k00", "k01"], ["SET", "k00", "x"]], expected.length))
      .toBe(expected)
  })

  it("writes made while maxmemory was off count when it is set again (the connection skips the guard while it is off)", async () => {
    const client = await start({ maxmemory: 50 * 1024 })
    const oom = `-${Errors.outOfMemory}\r\n`
    expect(await pipeline(client, [["SET", "first", value], ["CONFIG", "SET", "maxmemory", "0"]], 10)).toBe("+OK\r\n+OK\r\n")
    const sets = Array.from({ length: 100 }, (_, i) => ["SET", `k${String(i).padStart(2, "0")}`, value])
    expect(count(await pipeline(client, sets, 500), "+OK\r\n")).toBe(100)
    const replies = await pipeline(client, [["CONFIG", "SET", "maxmemory", String(50 * 1024)], ["SET", "last", value]], 5 + oom.length)
    expect(replies).toBe(`+OK\r\n${oom}`)
  })

  it("allkeys-lru: writes keep succeeding, the dataset stays under the limit, the newest keys are kept", async () => {
    // Which older key goes is sampled (as Redis's approximated LRU); the choice within a sample is tested below.
    const client = await start({ maxmemory: 50 * 1024, maxmemoryPolicy: "allkeys-lru" })
    const first = Array.from({ length: 40 }, (_, i) => ["SET", `a${String(i).padStart(2, "0")}`, value])
    await pipeline(client, first, 40 * 5)
    await pipeline(client, [["GET", "a00"]], 1009)
    const more = Array.from({ length: 40 }, (_, i) => ["SET", `b${String(i).padStart(2, "0")}`, value])
    const checks = [["EXISTS", "b37", "b38", "b39"], ["DBSIZE"]]
    const replies = await pipeline(client, [...more, ...checks], 40 * 5 + 4 + 5)
    expect(count(replies, "+OK\r\n")).toBe(40)
    expect(replies).toContain(":3\r\n:")
    expect(Number(/:(\d+)\r\n$/.exec(replies)?.[1])).toBeLessThanOrEqual(Math.floor(50 * 1024 / perKey("a00")) + 1)
  })

  it("volatile-ttl: the nearest expiry goes first; persistent keys are never evicted, then OOM", async () => {
    const client = await start({ maxmemory: 10 * 1024, maxmemoryPolicy: "volatile-ttl" })
    const volatile = Array.from({ length: 3 }, (_, i) => ["SET", `t${i}`, value, "EX", String(1000 + i)])
    const persistent = Array.from({ length: 8 }, (_, i) => ["SET", `p${i}`, value])
    const checks = [["EXISTS", "t0"], ["EXISTS", "t2"], ["EXISTS", "p0", "p7"]]
    expect(await pipeline(client, [...volatile, ...persistent, ...checks], 11 * 5 + 12))
      .toBe("+OK\r\n".repeat(11) + ":0\r\n:1\r\n:2\r\n")
    const oom = `-${Errors.outOfMemory}\r\n`
    const more = Array.from({ length: 4 }, (_, i) => ["SET", `q${i}`, value])
    expect(await pipeline(client, [...more, ["EXISTS", "t1", "t2"]], 2 * 5 + 2 * oom.length + 4))
      .toBe("+OK\r\n+OK\r\n" + oom + oom + ":0\r\n")
  })

  it("allkeys-random: the dataset stays under the limit and every write succeeds", async () => {
    const client = await start({ maxmemory: 20 * 1024, maxmemoryPolicy: "allkeys-random" })
    const sets = Array.from({ length: 200 }, (_, i) => ["SET", `r${i}`, value])
    const replies = await pipeline(client, [...sets, ["DBSIZE"]], 200 * 5 + 5)
    expect(count(replies, "+OK\r\n")).toBe(200)
    expect(Number(/:(\d+)\r\n$/.exec(replies)?.[1])).toBeLessThanOrEqual(Math.floor(20 * 1024 / perKey("r100")) + 1)
    const keys = Number(/:(\d+)\r\n$/.exec(replies)?.[1])
    client.send(frame("INFO", "stats"))
    // The bulk reply ends with its last field's CRLF and then its own.
    let stats = ""
    while (!stats.endsWith("\r\n\r\n")) stats += await client.read(1)
    expect(stats).toContain(`evicted_keys:${200 - keys}\r\n`)
  })
})

const keyspace = (entries: ReadonlyArray<readonly [string, number | undefined]>): Keyspace =>
  Hamt.fromEntries(entries.map(([key, expiresAt]) => [key, entry(key, "v", expiresAt)] as const))
const database = (entries: ReadonlyArray<readonly [string, number | undefined]>) => Database.fromKeyspace(keyspace(entries))
/** A random index that is always the last one (any choice is valid where the sample holds everything). */
const last = (n: number) => n - 1

describe("eviction choice", () => {
  const keys = database([["a", undefined], ["b", 50], ["c", 10], ["d", undefined], ["e", 30]])

  it("noeviction and empty keyspaces evict nothing; volatile policies ignore persistent keys", () => {
    expect(chooseVictim("noeviction", keys, last, () => 0)).toBeUndefined()
    expect(chooseVictim("allkeys-lru", Database.emptyDatabase, last, () => 0)).toBeUndefined()
    expect(chooseVictim("volatile-random", database([["a", undefined]]), last, () => 0)).toBeUndefined()
    expect(["b", "c", "e"]).toContain(chooseVictim("volatile-random", keys, last, () => 0))
  })

  it("volatile-ttl picks the nearest expiry; allkeys-lru the oldest access among the sample", () => {
    expect(chooseVictim("volatile-ttl", keys, last, () => 0)).toBe("c")
    const accessed: Record<string, number> = { a: 5, b: 4, c: 3, d: 1, e: 2 }
    expect(chooseVictim("allkeys-lru", keys, last, (key) => accessed[key] ?? 0)).toBe("d")
  })

  it("samples at most the sample size, at random among many keys, only volatile ones when asked", () => {
    expect(sampleEntries(keys, 2, false, last)).toHaveLength(2)
    expect(sampleEntries(keys, 5, false, last)).toHaveLength(5)
    expect(sampleEntries(keys, 5, true, last).map(([key]) => key).sort()).toEqual(["b", "c", "e"])
    const many = database(Array.from({ length: 100 }, (_, i) => [`k${i}`, i % 2 === 0 ? 10 : undefined] as const))
    const picks = [3, 49, 3, 41, 12]
    const sample = sampleEntries(many, 5, true, () => picks.shift() ?? 0)
    expect(sample).toHaveLength(5)
    for (const [key, stored] of sample) expect(Database.get(many, key)).toBe(stored)
    expect(sample.every(([, stored]) => expiresAtOf(stored) === 10)).toBe(true)
  })

  it("counts key arguments by the table's key positions and sizes keyspaces as MEMORY USAGE", () => {
    const spec = (name: string) => {
      const found = commandTable.get(name)
      if (found === undefined) throw new Error(name)
      return found
    }
    expect(commandKeys(spec("mset"), ["MSET", "a", "1", "b", "2"])).toEqual(["a", "b"])
    expect(commandKeys(spec("rename"), ["RENAME", "a", "b"])).toEqual(["a", "b"])
    expect(commandKeys(spec("flushall"), ["FLUSHALL"])).toEqual([])
    expect(keyspaceBytes(keyspace([["k00", undefined]]))).toBe(24 + 7 + 16 + 1 + 4)
  })
})

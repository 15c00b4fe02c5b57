/**
 * The hash and set encoding limits are read live from the configuration:
 * CONFIG SET of hash-max-listpack-entries / -value (and their ziplist
 * aliases) and set-max-intset-entries decides how later writes encode, and a
 * conversion never goes back. The same script runs on redis-server 7.0.15,
 * whose answers effect-kv must give.
 */
import { Redis } from "ioredis"
import { afterEach, describe, expect, it } from "vitest"
import { startServer } from "../../src/index.js"
import { type Cleanups, startRedis, tempDir } from "../persistence/redis-server.js"

const cleanups: Cleanups = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

const script: ReadonlyArray<ReadonlyArray<string>> = [
  ["CONFIG", "SET", "hash-max-listpack-entries", "2"],
  ["HSET", "h", "a", "1", "b", "2"],
  ["OBJECT", "ENCODING", "h"],
  ["HSET", "h", "c", "3"],
  ["OBJECT", "ENCODING", "h"],
  ["CONFIG", "SET", "hash-max-listpack-entries", "512"],
  ["HDEL", "h", "a", "b"],
  ["HSET", "h", "d", "4"],
  ["OBJECT", "ENCODING", "h"],
  ["CONFIG", "SET", "hash-max-ziplist-value", "3"],
  ["CONFIG", "GET", "hash-max-listpack-value"],
  ["HSET", "h2", "f", "abc"],
  ["OBJECT", "ENCODING", "h2"],
  ["HSETNX", "h2", "g", "abcd"],
  ["OBJECT", "ENCODING", "h2"],
  ["HINCRBY", "h3", "counter", "1000"],
  ["OBJECT", "ENCODING", "h3"],
  ["CONFIG", "SET", "hash-max-ziplist-entries", "0", "hash-max-listpack-value", "64"],
  ["CONFIG", "GET", "hash-max-listpack-entries"],
  ["HSET", "h4", "f", "v"],
  ["OBJECT", "ENCODING", "h4"],
  ["CONFIG", "SET", "set-max-intset-entries", "3"],
  ["SADD", "s", "1", "2", "3"],
  ["OBJECT", "ENCODING", "s"],
  ["SADD", "s", "4"],
  ["OBJECT", "ENCODING", "s"],
  ["CONFIG", "SET", "set-max-intset-entries", "512"],
  ["SREM", "s", "1", "2", "3"],
  ["OBJECT", "ENCODING", "s"],
  ["SADD", "t", "5", "6", "7", "8"],
  ["OBJECT", "ENCODING", "t"],
  ["CONFIG", "SET", "set-max-intset-entries", "2"],
  ["SUNIONSTORE", "u", "t"],
  ["OBJECT", "ENCODING", "u"],
  ["SMOVE", "t", "v", "5"],
  ["SMOVE", "t", "v", "6"],
  ["SMOVE", "t", "v", "7"],
  ["OBJECT", "ENCODING", "v"],
  ["SDIFFSTORE", "w", "t"],
  ["OBJECT", "ENCODING", "w"]
]

const answers = async (client: Redis): Promise<Array<unknown>> => {
  const all: Array<unknown> = []
  for (const [name, ...args] of script) {
    all.push([name, ...args, await client.call(name, ...args).catch((error: Error) => `error: ${error.message}`)])
  }
  return all
}

describe("encoding limits from CONFIG SET", () => {
  it("convert later writes as redis-server does, one way only", async () => {
    const redis = await startRedis(cleanups, tempDir(cleanups), "dump.rdb")
    const server = await startServer({})
    cleanups.push(() => server.close())
    const client = new Redis({ port: server.port, host: "127.0.0.1", maxRetriesPerRequest: 1 })
    cleanups.push(() => client.disconnect())
    const expected = await answers(redis)
    expect(await answers(client)).toEqual(expected)
    // The script does reach both encodings of both types.
    expect(expected.flat()).toEqual(expect.arrayContaining(["listpack", "hashtable", "intset"]))
  }, 30_000)
})

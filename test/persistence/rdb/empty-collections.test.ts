/**
 * An empty set or hash in an RDB file is skipped, as Redis 7.0's loader does
 * (rdb.c rdbLoadObject's RDB_LOAD_ERR_EMPTY_KEY): the file loads, without
 * those keys. redis-server 7.0.15 loads the same file with only the string.
 * A DUMP payload of an empty collection is "Bad data format" (RESTORE).
 */
import { writeFileSync } from "node:fs"
import { join } from "node:path"
import { Either } from "effect"
import { afterEach, describe, expect, it } from "vitest"
import { crc64 } from "../../../src/persistence/rdb/crc64.js"
import { readRdb, readValue } from "../../../src/persistence/rdb/reader.js"
import { valueOf } from "../../../src/store/entry.js"
import * as Hamt from "../../../src/structures/hamt.js"
import { type Cleanups, startRedis, tempDir } from "../redis-server.js"

const cleanups: Cleanups = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

const text = (value: string) => [value.length, ...Buffer.from(value, "latin1")]

/** An empty listpack: total bytes (7), count 0, end byte. */
const emptyListpack = [7, 0, 0, 0, 0, 0, 0xff]

/** REDIS0010, db 0: an empty SET, an empty HASH with an expiry, an empty HASH_LISTPACK, and the string k = v. */
const rdbFile = (): Buffer => {
  const body = Buffer.from([
    ...Buffer.from("REDIS0010", "latin1"),
    0xfe, 0,
    2, ...text("emptyset"), 0,
    0xfc, ...Buffer.from(new BigUint64Array([4_000_000_000_000n]).buffer),
    4, ...text("emptyhash"), 0,
    16, ...text("emptylistpack"), emptyListpack.length, ...emptyListpack,
    0, ...text("k"), ...text("v"),
    0xff
  ])
  const checksum = Buffer.alloc(8)
  checksum.writeBigUInt64LE(crc64(body))
  return Buffer.concat([body, checksum])
}

describe("empty collections in an RDB file", () => {
  it("are skipped on load; the rest loads", () => {
    const loaded = Either.getOrThrow(readRdb(rdbFile()))
    expect(Array.from(Hamt.entries(loaded[0]), ([key, stored]) => [key, valueOf(stored)])).toEqual([["k", "v"]])
  })

  it("are skipped by redis-server 7.0.15 too", async () => {
    const dir = tempDir(cleanups)
    writeFileSync(join(dir, "empty.rdb"), rdbFile())
    const redis = await startRedis(cleanups, dir, "empty.rdb")
    expect(await redis.keys("*")).toEqual(["k"])
  }, 30_000)

  it("make a DUMP payload's value bad data", () => {
    expect(Either.isLeft(readValue(Buffer.from([2, 0])))).toBe(true)
    expect(Either.isLeft(readValue(Buffer.from([4, 0])))).toBe(true)
  })
})

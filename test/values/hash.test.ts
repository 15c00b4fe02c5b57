import { expect, it } from "@effect/vitest"
import { Effect, Either } from "effect"
import * as Hamt from "../../src/structures/hamt.js"
import fc from "fast-check"
import { memoryUsageOf, objectEncoding } from "../../src/commands/object.js"
import { readRdb } from "../../src/persistence/rdb/reader.js"
import { writeRdb } from "../../src/persistence/rdb/writer.js"
import * as Resp from "../../src/resp/values.js"
import { databaseCount, entry, type Entry, valueOf } from "../../src/store/entry.js"
import { Store } from "../../src/store/Store.js"
import {
  emptyHash,
  hashEntries,
  hashFromPairs,
    hashType,
  HashValue,
  readHash,
  removeFields,
  setFields
} from "../../src/values/hash.js"
import { defaultEncodingLimits } from "../../src/values/encoding-limits.js"
import { typeForRdb, typeOf } from "../../src/values/registry.js"
import { runner, testSession } from "../commands/helpers.js"

const long = "x".repeat(65)

it("the encoding turns hashtable past the limits and never back", () => {
  const small = setFields(emptyHash, [["a", "1"], ["b", "2"]], defaultEncodingLimits)
  expect(small.encoding).toBe("listpack")
  expect(setFields(small, [["c", long]], defaultEncodingLimits).encoding).toBe("hashtable")
  expect(setFields(small, [[long, "v"]], defaultEncodingLimits).encoding).toBe("hashtable")
  // hashTypeTryConversion: every argument of the command counts, even one overwritten later in it
  expect(setFields(small, [["c", long], ["c", "short"]], defaultEncodingLimits).encoding).toBe("hashtable")
  const full = setFields(emptyHash, Array.from({ length: defaultEncodingLimits.hashMaxListpackEntries }, (_, i) => [`f${i}`, "v"] as const), defaultEncodingLimits)
  expect(full.encoding).toBe("listpack")
  const over = setFields(full, [["one more", "v"]], defaultEncodingLimits)
  expect(over.encoding).toBe("hashtable")
  const shrunk = removeFields(over, Array.from({ length: defaultEncodingLimits.hashMaxListpackEntries }, (_, i) => `f${i}`))
  expect(shrunk?.size).toBe(1)
  expect(shrunk?.encoding).toBe("hashtable")
  expect(removeFields(small, ["a", "b"])).toBeUndefined()
})

it("a hash is immutable: a write makes a new version and leaves the old one", () => {
  fc.assert(fc.property(fc.array(fc.tuple(fc.string(), fc.string()), { minLength: 1, maxLength: 50 }), fc.string(), (pairs, extra) => {
    const before = setFields(emptyHash, pairs, defaultEncodingLimits)
    const snapshot = hashEntries(before)
    setFields(before, [[extra, "changed"]], defaultEncodingLimits)
    removeFields(before, [pairs[0][0]])
    expect(hashEntries(before)).toEqual(snapshot)
    expect(new Map(snapshot)).toEqual(new Map(pairs))
  }))
})

it("TYPE, registry, WRONGTYPE accessor", () => {
  const hash = setFields(emptyHash, [["a", "1"]], defaultEncodingLimits)
  expect(typeOf(hash).name).toBe("hash")
  expect(typeOf("text").name).toBe("string")
  for (const rdbType of [4, 9, 13, 16]) expect(typeForRdb(rdbType)).toBe(hashType)
  expect(Either.isLeft(readHash("text"))).toBe(true)
  expect(readHash(hash)).toEqual(Either.right(hash))
})

it("BGREWRITEAOF form: HSET with at most 64 pairs, then PEXPIREAT", () => {
  const hash = setFields(emptyHash, Array.from({ length: 130 }, (_, i) => [`f${i}`, `v${i}`] as const), defaultEncodingLimits)
  const commands = hashType.rewrite("h", hash, 4102444800000)
  expect(commands.map((c) => [c[0], c.length])).toEqual([["HSET", 130], ["HSET", 130], ["HSET", 6], ["PEXPIREAT", 3]])
  expect(commands[3]).toEqual(["PEXPIREAT", "h", "4102444800000"])
  const replayed = new Map<string, string>()
  for (const command of commands.slice(0, 3)) for (let i = 2; i < command.length; i += 2) replayed.set(command[i], command[i + 1])
  expect(replayed).toEqual(new Map(hashEntries(hash)))
  expect(hashType.rewrite("h", setFields(emptyHash, [["a", "1"]], defaultEncodingLimits), undefined)).toEqual([["HSET", "h", "a", "1"]])
})

it("RDB: what we write reads back with the same fields and the encoding Redis would load it in", () => {
  const pairs = fc.array(fc.tuple(fc.string({ maxLength: 70 }), fc.string({ maxLength: 70 })), { minLength: 1, maxLength: 40 })
  fc.assert(fc.property(pairs, (list) => {
    const hash = setFields(emptyHash, list, defaultEncodingLimits)
    const keyspaces = Array.from({ length: databaseCount }, (_, db) =>
      db === 0 ? Hamt.fromEntries<Entry>([["h", entry("h", hash, undefined)]]) : Hamt.empty<Entry>())
    const read = Either.getOrThrow(readRdb(Buffer.concat([...writeRdb(keyspaces, 0)])))
    const stored = Hamt.get(read[0], "h")
    if (stored === undefined) throw new Error("h did not load")
    const loaded = valueOf(stored)
    expect(loaded).toBeInstanceOf(HashValue)
    if (!(loaded instanceof HashValue)) return
    expect(new Map(hashEntries(loaded))).toEqual(new Map(hashEntries(hash)))
    expect(loaded.encoding).toBe(hashFromPairs(hashEntries(hash)).encoding)
    expect(hashType.serializedLength(hash)).toBeGreaterThan(0)
    expect(hashType.memoryUsage(hash)).toBeGreaterThan(16)
  }))
})

it.effect("OBJECT ENCODING of a hash follows the writes", () =>
  Effect.gen(function*() {
    const redis = runner()
    const encoding = (key: string) => objectEncoding(["OBJECT", "ENCODING", key], testSession())
    yield* redis("HSET", "h", "a", "1")
    expect(yield* encoding("h")).toEqual(Resp.bulk("listpack"))
    yield* redis("HINCRBYFLOAT", "h", "f", "1e100")
    expect(yield* encoding("h")).toEqual(Resp.bulk("hashtable"))
    yield* redis("HDEL", "h", "f")
    expect(yield* encoding("h")).toEqual(Resp.bulk("hashtable"))
  }).pipe(Effect.provide(Store.layer)))

/** Within a quarter of redis-server 7.0.15's MEMORY USAGE (its numbers include jemalloc's size classes, which we do not model). */
const near = (ours: number, theirs: number) => expect(Math.abs(ours - theirs) / theirs).toBeLessThan(0.25)

it("MEMORY USAGE is near redis-server 7.0.15's for listpack and hashtable hashes", () => {
  const small = setFields(emptyHash, [["a", "1"], ["b", "2"]], defaultEncodingLimits)
  const big = setFields(emptyHash, Array.from({ length: 600 }, (_, i) => [`f${i + 1}`, `v${i + 1}`] as const), defaultEncodingLimits)
  const longValue = setFields(emptyHash, [["f", "x".repeat(70)]], defaultEncodingLimits)
  near(memoryUsageOf("e", entry("e", small, undefined)), 80)
  near(memoryUsageOf("big", entry("big", big, undefined)), 32296)
  near(memoryUsageOf("l", entry("l", longValue, undefined)), 248)
})

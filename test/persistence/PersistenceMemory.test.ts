import { describe, expect, it } from "@effect/vitest"
import { Effect} from "effect"
import { Persistence } from "../../src/persistence/Persistence.js"
import * as PersistenceMemory from "../../src/persistence/PersistenceMemory.js"
import { databaseCount, entry, type Entry, type Keyspace } from "../../src/store/entry.js"
import * as Hamt from "../../src/structures/hamt.js"

const nowMs = 1_700_000_000_000
const sample: Array<Keyspace> = Array.from({ length: databaseCount }, (_, i) =>
  i === 2 ? Hamt.fromEntries([["a", entry("a", "1", undefined)], ["gone", entry("gone", "x", nowMs - 1)]]) : Hamt.empty<Entry>())

describe("PersistenceMemory", () => {
  it.effect("keeps the last snapshot, minus keys expired at save time", () =>
    Effect.gen(function*() {
      const persistence = yield* Persistence
      expect(yield* persistence.load()).toBeUndefined()
      yield* persistence.save(sample, nowMs)
      const loaded = yield* persistence.load()
      expect(loaded?.length).toBe(databaseCount)
      expect([...Hamt.entries(loaded?.[2] ?? Hamt.empty())]).toEqual([["a", entry("a", "1", undefined)]])
    }).pipe(Effect.provide(PersistenceMemory.layer)))

  it.effect("starts from given bytes, failing on corrupt ones with the offset", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip((yield* Persistence).load())
      expect(error.message).toBe("Failed loading the DB from memory: unexpected end of file at offset 7")
    }).pipe(Effect.provide(PersistenceMemory.layerWithSnapshot(Buffer.from("REDIS00")))))
})

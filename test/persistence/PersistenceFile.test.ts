import { FileSystem } from "@effect/platform"
import { SystemError } from "@effect/platform/Error"
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterEach } from "vitest"
import { Persistence } from "../../src/persistence/Persistence.js"
import * as PersistenceFile from "../../src/persistence/PersistenceFile.js"
import { databaseCount, entry, type Entry, type Keyspace } from "../../src/store/entry.js"
import * as Hamt from "../../src/structures/hamt.js"

const nowMs = 1_700_000_000_000
const dirs: Array<string> = []
const tempDir = (): string => {
  const dir = mkdtempSync(join(tmpdir(), "effect-kv-persistence-"))
  dirs.push(dir)
  return dir
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

const databases = (db0: Keyspace): Array<Keyspace> =>
  Array.from({ length: databaseCount }, (_, i) => (i === 0 ? db0 : Hamt.empty<Entry>()))
const sample = databases(Hamt.fromEntries([["k\x00\xff", entry("k\x00\xff", "v".repeat(50), nowMs + 60_000)], ["n", entry("n", "42", undefined)]]))

const fileLayer = (dir: string) => PersistenceFile.layer({ dir, dbfilename: "dump.rdb" }).pipe(Layer.provide(NodeFileSystem.layer))

/** The real file system, except that rename fails. */
const failingRename = Layer.effect(
  FileSystem.FileSystem,
  Effect.map(FileSystem.FileSystem, (fs) => ({
    ...fs,
    rename: (from: string) =>
      Effect.fail(new SystemError({ reason: "PermissionDenied", module: "FileSystem", method: "rename", pathOrDescriptor: from }))
  }))
).pipe(Layer.provide(NodeFileSystem.layer))

describe("PersistenceFile", () => {
  it.effect("loads nothing before the first save", () =>
    Effect.gen(function*() {
      const persistence = yield* Persistence
      expect(yield* persistence.load()).toBeUndefined()
    }).pipe(Effect.provide(fileLayer(tempDir()))))

  it.effect("saves to dir/dbfilename and loads the same keyspaces, leaving no temp file", () => {
    const dir = tempDir()
    return Effect.gen(function*() {
      const persistence = yield* Persistence
      expect(persistence.location).toBe(join(dir, "dump.rdb"))
      yield* persistence.save(sample, nowMs)
      yield* persistence.save(sample, nowMs)
      expect(readdirSync(dir)).toEqual(["dump.rdb"])
      const loaded = yield* persistence.load()
      expect(loaded?.map((keyspace) => [...Hamt.entries(keyspace)].sort())).toEqual(sample.map((keyspace) => [...Hamt.entries(keyspace)].sort()))
      expect(Hamt.size((yield* persistence.load(nowMs + 60_001))?.[0] ?? Hamt.empty())).toBe(1)
    }).pipe(Effect.provide(fileLayer(dir)))
  })

  it.effect("a failed save removes its temp file and keeps the previous dump", () => {
    const dir = tempDir()
    writeFileSync(join(dir, "dump.rdb"), "previous")
    return Effect.gen(function*() {
      const persistence = yield* Persistence
      const error = yield* Effect.flip(persistence.save(sample, nowMs))
      expect(error.operation).toBe("save")
      expect(error.message).toContain(`Failed saving the DB to ${join(dir, "dump.rdb")}`)
      expect(readdirSync(dir)).toEqual(["dump.rdb"])
      expect(readFileSync(join(dir, "dump.rdb"), "latin1")).toBe("previous")
    }).pipe(Effect.provide(PersistenceFile.layer({ dir, dbfilename: "dump.rdb" })), Effect.provide(failingRename))
  })

  it.effect("fails to save into a missing directory", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip((yield* Persistence).save(sample, nowMs))
      expect(error._tag).toBe("PersistenceError")
    }).pipe(Effect.provide(fileLayer(join(tempDir(), "missing")))))

  it.effect("loading a truncated file names the file and the offset, and leaves it alone", () => {
    const dir = tempDir()
    return Effect.gen(function*() {
      const persistence = yield* Persistence
      yield* persistence.save(sample, nowMs)
      const path = join(dir, "dump.rdb")
      const truncated = readFileSync(path).subarray(0, 60)
      writeFileSync(path, truncated)
      const error = yield* Effect.flip(persistence.load())
      expect(error.message).toBe(`Failed loading the DB from ${path}: unexpected end of file at offset 60`)
      expect(readFileSync(path)).toEqual(truncated)
    }).pipe(Effect.provide(fileLayer(dir)))
  })
})

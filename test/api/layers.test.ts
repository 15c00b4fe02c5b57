import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, Option } from "effect"
import { mkdtemp, readFile, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Kv } from "../../src/api/Kv.js"
import { layerFilePersistence, layerPersistentStore } from "../../src/api/layers.js"
import * as PersistenceMemory from "../../src/persistence/PersistenceMemory.js"
import { Snapshots } from "../../src/persistence/Snapshots.js"
import { defaultServerConfig } from "../../src/config/config.js"
import { serverLayer } from "../../src/server/program.js"

/** A fresh store (with its Snapshots) over whatever Persistence the caller provides. */
const persistentKv = Kv.layer.pipe(Layer.provideMerge(layerPersistentStore()))

const writeAndSave = Effect.gen(function*() {
  const kv = yield* Kv
  yield* kv.set("kept", "value")
  yield* Effect.flatMap(kv.db(2), (db) => db.set("other", "db"))
  yield* Effect.flatMap(Snapshots, (snapshots) => snapshots.save)
}).pipe(Effect.provide(persistentKv))

const readBack = Effect.gen(function*() {
  const kv = yield* Kv
  return [yield* kv.get("kept"), yield* Effect.flatMap(kv.db(2), (db) => db.get("other"))] as const
}).pipe(Effect.provide(persistentKv))

const temporaryDirectory = Effect.acquireRelease(
  Effect.promise(() => mkdtemp(join(tmpdir(), "effect-kv-api-"))),
  (dir) => Effect.promise(() => rm(dir, { recursive: true, force: true }))
)

describe("layerPersistentStore", () => {
  it.effect("a saved snapshot is loaded by the next store (memory persistence)", () =>
    Effect.gen(function*() {
      yield* writeAndSave
      expect(yield* readBack).toEqual([Option.some("value"), Option.some("db")])
    }).pipe(Effect.provide(PersistenceMemory.layer)))

  it.scoped("a saved snapshot is loaded by the next store (file persistence)", () =>
    Effect.gen(function*() {
      const dir = yield* temporaryDirectory
      const persistence = layerFilePersistence({ dir, dbfilename: "dump.rdb" })
      yield* Effect.provide(writeAndSave, persistence)
      expect(yield* Effect.provide(readBack, persistence)).toEqual([Option.some("value"), Option.some("db")])
      expect((yield* Effect.promise(() => readFile(join(dir, "dump.rdb")))).subarray(0, 5).toString()).toBe("REDIS")
    }))

  it.effect("without a snapshot the store starts empty", () =>
    Effect.gen(function*() {
      expect(yield* readBack).toEqual([Option.none(), Option.none()])
    }).pipe(Effect.provide(PersistenceMemory.layer)))
})

describe("Kv beside the server", () => {
  it.live("shares the server's store, and its writes go to the server's AOF", () =>
    Effect.gen(function*() {
      const dir = yield* temporaryDirectory
      const config = { ...defaultServerConfig, port: 0, dir, appendonly: true, loglevel: "warning" as const }
      const server = Kv.layer.pipe(Layer.provideMerge(serverLayer(config, { persistence: PersistenceMemory.layer })))
      yield* Effect.gen(function*() {
        const kv = yield* Kv
        yield* kv.set("embedded", "write")
        yield* kv.incr("counter")
      }).pipe(Effect.provide(server))
      const log = yield* Effect.promise(() => readFile(join(dir, config.appendfilename), "latin1"))
      expect(log).toContain("$3\r\nSET\r\n$8\r\nembedded\r\n$5\r\nwrite\r\n")
      expect(log).toContain("$7\r\ncounter\r\n")
    }).pipe(Effect.scoped))
})

describe("serverLayer and dir", () => {
  it.live("creates a missing dir for its dump: the save at close (a save policy is set) lands there", () =>
    Effect.gen(function*() {
      const dir = join(yield* temporaryDirectory, "nested", "data")
      const config = { ...defaultServerConfig, port: 0, dir, loglevel: "warning" as const }
      yield* Effect.flatMap(Kv, (kv) => kv.set("kept", "at exit")).pipe(Effect.provide(Kv.layer.pipe(Layer.provideMerge(serverLayer(config)))))
      const dump = yield* Effect.promise(() => readFile(join(dir, config.dbfilename)))
      expect(dump.subarray(0, 5).toString()).toBe("REDIS")
      expect(dump.includes("at exit")).toBe(true)
    }).pipe(Effect.scoped))
})

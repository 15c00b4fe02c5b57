/**
 * Persistence to an RDB file, as Redis's rdbSave: the snapshot is written to
 * `dir/temp-<pid>-<n>.rdb`, fsynced, renamed over `dir/dbfilename`, and the
 * directory is fsynced so the rename itself is durable. A failed save removes
 * its temp file; the real file is never left partially written. Loading only
 * reads the file.
 *
 * Directory fsync: opening a directory read-only and fsyncing it works on
 * Linux and macOS; platforms that refuse (Windows cannot open a directory as
 * a file) get a logged warning instead of a failed save, since the data
 * itself is already synced and renamed.
 */
import * as FileSystem from "@effect/platform/FileSystem"
import { Effect, Layer, Ref } from "effect"
import { join } from "node:path"
import type { Keyspace } from "../store/entry.js"
import { decodeSnapshot, Persistence, PersistenceError, type SaveMode } from "./Persistence.js"
import { writeRdb } from "./rdb/writer.js"

export interface FileOptions {
  /** Redis's `dir`. */
  readonly dir: string
  /** Redis's `dbfilename`, e.g. "dump.rdb". */
  readonly dbfilename: string
}

/**
 * In a background save, how many keys the writer gathers between two empty
 * chunks, at which writeAndSync gives way to the event loop, as it does at
 * every write: a background save never holds the server for long.
 */
const pauseEveryKeys = 4096

export const layer = (options: FileOptions): Layer.Layer<Persistence, never, FileSystem.FileSystem> =>
  Layer.effect(Persistence, make(options))

const make = ({ dir, dbfilename }: FileOptions) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const location = join(dir, dbfilename)
    const saveCount = yield* Ref.make(0)

    const save = (
      databases: ReadonlyArray<Keyspace>,
      nowMs: number,
      mode: SaveMode = "foreground",
      functions: ReadonlyArray<string> = []
    ): Effect.Effect<void, PersistenceError> =>
      Effect.gen(function*() {
        const tempPath = join(dir, `temp-${process.pid}-${yield* Ref.getAndUpdate(saveCount, (n) => n + 1)}.rdb`)
        yield* writeAndSync(fs, tempPath, writeRdb(databases, nowMs, mode === "background" ? { pauseEveryKeys, functions } : { functions })).pipe(
          Effect.zipRight(fs.rename(tempPath, location)),
          Effect.onError(() => Effect.ignore(fs.remove(tempPath)))
        )
        yield* syncDirectory(fs, dir)
      }).pipe(
        Effect.mapError((cause) => new PersistenceError({ operation: "save", location, reason: cause.message, cause }))
      )

    const loadContents = (nowMs?: number) =>
      fs.readFile(location).pipe(
        Effect.map((bytes): Uint8Array | undefined => bytes),
        Effect.catchIf(
          (error) => error._tag === "SystemError" && error.reason === "NotFound",
          () => Effect.succeed(undefined)
        ),
        Effect.mapError((cause) => new PersistenceError({ operation: "load", location, reason: cause.message, cause })),
        Effect.flatMap((bytes) => (bytes === undefined ? Effect.succeed(undefined) : decodeSnapshot(bytes, nowMs, location)))
      )

    const load = (nowMs?: number) => Effect.map(loadContents(nowMs), (contents) => contents?.databases)

    return Persistence.of({ location, save, load, loadContents })
  })

/**
 * Writes every chunk to a new file at `path` and fsyncs it. Each write waits
 * for the file system, so the event loop runs in between; an empty chunk is
 * a pause point where it runs too.
 */
export const writeAndSync = (fs: FileSystem.FileSystem, path: string, chunks: Iterable<Uint8Array>) =>
  Effect.scoped(
    Effect.gen(function*() {
      const file = yield* fs.open(path, { flag: "w" })
      for (const chunk of chunks) yield* (chunk.length === 0 ? giveWay : file.writeAll(chunk))
      yield* file.sync
    })
  )

/** Resumes after the event loop has handled pending I/O (setImmediate), whatever the Clock. */
const giveWay: Effect.Effect<void> = Effect.async<void>((resume) => {
  const immediate = setImmediate(() => resume(Effect.void))
  return Effect.sync(() => clearImmediate(immediate))
})

/** Makes a rename in `dir` durable; a platform that refuses is logged, not failed. */
export const syncDirectory = (fs: FileSystem.FileSystem, dir: string) =>
  Effect.scoped(Effect.flatMap(fs.open(dir, { flag: "r" }), (directory) => directory.sync)).pipe(
    Effect.catchAll((error) => Effect.logWarning(`could not fsync directory ${dir}: ${error.message}`))
  )

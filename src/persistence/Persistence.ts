/**
 * The Persistence service: saves the databases as an RDB snapshot and loads
 * the last one back (SAVE, BGSAVE, startup). Layers: PersistenceFile (a file
 * on disk, written atomically) and PersistenceMemory (for tests).
 */
import { Context, Data, Effect, Either } from "effect"
import type { Keyspace } from "../store/entry.js"
import { type RdbContents, readRdbContents } from "./rdb/reader.js"

export class PersistenceError extends Data.TaggedError("PersistenceError")<{
  readonly operation: "save" | "load"
  /** The snapshot's location, as in PersistenceShape.location. */
  readonly location: string
  /** What went wrong, e.g. "unexpected end of file at offset 1234". */
  readonly reason: string
  readonly cause?: unknown
}> {
  override get message(): string {
    return `${this.operation === "save" ? "Failed saving the DB to" : "Failed loading the DB from"} ${this.location}: ${this.reason}`
  }
}

/**
 * How a save runs: `foreground` (SAVE, DEBUG RELOAD, shutdown: the server waits,
 * so the writer runs flat out) or `background` (BGSAVE: the writer gives way to
 * the event loop every few thousand keys, so clients keep being served).
 */
export type SaveMode = "foreground" | "background"

export interface PersistenceShape {
  /** Where snapshots go, for logs: the file path, or "memory". */
  readonly location: string
  /**
   * Writes a snapshot of `databases` (index = database number) as of `nowMs`;
   * keys expired by then are left out. `mode` defaults to foreground.
   * `functions` are the function libraries' code, saved before the databases
   * (rdb.c rdbSaveFunctions); none by default.
   */
  readonly save: (
    databases: ReadonlyArray<Keyspace>,
    nowMs: number,
    mode?: SaveMode,
    functions?: ReadonlyArray<string>
  ) => Effect.Effect<void, PersistenceError>
  /**
   * The last snapshot's databases (always 16), or undefined when there is none
   * yet. With `nowMs`, keys expired by then are dropped.
   */
  readonly load: (nowMs?: number) => Effect.Effect<ReadonlyArray<Keyspace> | undefined, PersistenceError>
  /** As `load`, with the function libraries the snapshot holds. */
  readonly loadContents: (nowMs?: number) => Effect.Effect<RdbContents | undefined, PersistenceError>
}

export class Persistence extends Context.Tag("effect-kv/Persistence")<Persistence, PersistenceShape>() {}

/** Parses a snapshot's bytes, failing with a PersistenceError that names `location` and the offset. */
export const decodeSnapshot = (
  bytes: Uint8Array,
  nowMs: number | undefined,
  location: string
): Effect.Effect<RdbContents, PersistenceError> =>
  Either.match(readRdbContents(bytes, nowMs), {
    onLeft: (cause) => Effect.fail(new PersistenceError({ operation: "load", location, reason: cause.message, cause })),
    onRight: Effect.succeed
  })

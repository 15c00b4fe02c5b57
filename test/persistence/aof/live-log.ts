/**
 * What the AOF replay tests share: a live Store logging a command sequence to
 * a temp directory (as the server's guard does: each write command runs under
 * `logged`, then the log is flushed, with fsync always), the clock moving
 * between commands; and the file loaded back as at start.
 */
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import { Effect, Layer, TestClock } from "effect"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { loadAppendOnlyFile } from "../../../src/commands/aof-replay.js"
import { executeCommand } from "../../../src/commands/dispatch.js"
import { aofReplayTable } from "../../../src/commands/table.js"
import { AppendOnly } from "../../../src/persistence/aof/AppendOnly.js"
import { Store } from "../../../src/store/Store.js"
import { testSession } from "../../commands/helpers.js"

export const appendfilename = "appendonly.aof"

/** A command, and how long (ms) the clock moves before it. */
export type TimedCommand = readonly [elapseMs: number, args: ReadonlyArray<string>]

/** Runs `steps` logging to `dir`; a command's error is its reply only. Returns the live keyspaces. */
export const runLive = (dir: string, steps: ReadonlyArray<TimedCommand>) =>
  Effect.gen(function*() {
    const appendOnly = yield* AppendOnly
    const session = testSession()
    for (const [elapse, args] of steps) {
      if (elapse > 0) yield* TestClock.adjust(elapse)
      yield* appendOnly.logged(session.db, args, Effect.either(executeCommand(aofReplayTable, args, session)))
      yield* appendOnly.flush
    }
    return yield* Effect.flatMap(Store, (store) => store.snapshot)
  }).pipe(
    Effect.provide(
      AppendOnly.layer({ dir, appendfilename, appendfsync: "always" }).pipe(
        Layer.provideMerge(Store.layer),
        Layer.provide(NodeFileSystem.layer)
      )
    )
  )

/** The time after the steps, from `startMs`. */
export const endOf = (startMs: number, steps: ReadonlyArray<TimedCommand>): number =>
  startMs + steps.reduce((total, [elapse]) => total + elapse, 0)

/** Loads an AOF of `dir` as the server does at start. */
export const loadLog = (dir: string, file = appendfilename) =>
  loadAppendOnlyFile(dir, file).pipe(Effect.provide(NodeFileSystem.layer))

/** Runs `f` with a fresh temp directory, removed afterwards. */
export const withTempDir = <A, E, R>(f: (dir: string) => Effect.Effect<A, E, R>) =>
  Effect.acquireUseRelease(
    Effect.sync(() => mkdtempSync(join(tmpdir(), "effect-kv-aof-"))),
    f,
    (dir) => Effect.sync(() => rmSync(dir, { recursive: true, force: true }))
  )

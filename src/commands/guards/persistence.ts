/**
 * Persistence around the command table (Redis's processCommand and call()):
 * while the disk refuses writes (a failed background save under
 * stop-writes-on-bgsave-error, or an AOF write error) write commands and PING
 * answer MISCONF; a write command runs under the AOF's `logged`, and what a
 * batch logged is written out (fsynced under `appendfsync always`) before its
 * replies (`flushLogged`).
 */
import type { CommandTable } from "../dispatch.js"
import type { CommandSpec } from "../types.js"
import { Effect } from "effect"
import * as Errors from "../../errors.js"
import { commandError } from "../../errors.js"
import { writesToDisk } from "../../state/Transaction.js"
import { AppendOnly, type AppendOnlyService } from "../../persistence/aof/AppendOnly.js"
import { Snapshots, type SnapshotsService } from "../../persistence/Snapshots.js"

/** The MISCONF error write commands get now, if any (writeCommandsDeniedByDiskError). */
export const diskError: Effect.Effect<string | undefined, never, Snapshots | AppendOnly> = Effect.gen(function*() {
  if (yield* Effect.flatMap(Snapshots, (snapshots) => snapshots.writesDenied)) return Errors.bgsaveError
  const { enabled, lastWriteError } = yield* Effect.flatMap(AppendOnly, (appendOnly) => appendOnly.status)
  return enabled && lastWriteError !== undefined ? Errors.aofWriteError(lastWriteError) : undefined
})

/** EXEC too: it answers MISCONF when a queued command writes (processCommand's is_write_command). */
const isGuarded = <R>(spec: CommandSpec<R>): boolean =>
  spec.flags.includes("write") || spec.name === "ping" || spec.name === "exec"

const guarded = <R>(spec: CommandSpec<R>): CommandSpec<R | Snapshots | AppendOnly> => ({
  ...spec,
  handler: (args, session) =>
    Effect.gen(function*() {
      const refusal = yield* diskError
      if (refusal !== undefined && (spec.name === "ping" || writesToDisk(spec.name, spec.flags, session.transaction))) {
        return yield* commandError(refusal)
      }
      // A blocking command logs the pop that serves it itself (lists-blocking.ts): it must not hold the log while it waits.
      if (!spec.flags.includes("write") || spec.flags.includes("blocking")) return yield* spec.handler(args, session)
      return yield* Effect.flatMap(AppendOnly, (appendOnly) => appendOnly.logged(session.db, args, spec.handler(args, session)))
    })
})

/**
 * Whether the guard has nothing to do now (no AOF, and the last background
 * save did not fail): a command then answers exactly as the unguarded one,
 * which the connection may run instead. Synchronous: read before every batch.
 */
export const persistenceGuardIdle = (snapshots: SnapshotsService, appendOnly: AppendOnlyService): boolean =>
  !appendOnly.enabled && !snapshots.lastBackgroundSaveFailed()

/**
 * Writes out what the guarded write commands logged (fsynced under
 * `appendfsync always`): the connection runs it once per batch, before the
 * batch's replies go out, so a pipeline costs one write and one fsync.
 */
export const flushLogged: Effect.Effect<void, never, AppendOnly> = Effect.flatMap(AppendOnly, (appendOnly) => appendOnly.flush)

/** The table the server runs: write commands (and PING) guarded; AOF replay uses the plain table. */
export const withPersistence = <R>(table: CommandTable<R>): CommandTable<R | Snapshots | AppendOnly> =>
  new Map(Array.from(table, ([name, spec]) => [name, isGuarded(spec) ? guarded(spec) : spec]))

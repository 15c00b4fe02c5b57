/**
 * Persistence around the command table (Redis's processCommand and call()):
 * while the disk refuses writes (a failed background save under
 * stop-writes-on-bgsave-error, or an AOF write error) write commands and PING
 * answer MISCONF; a write command runs under the AOF's `logged`, and what it
 * logged is written out (fsynced under `appendfsync always`) before its reply.
 */
import type { CommandTable } from "../commands/dispatch.js"
import type { CommandSpec } from "../commands/types.js"
import { Effect } from "effect"
import * as Errors from "../errors.js"
import { CommandError } from "../errors.js"
import { AppendOnly } from "./aof/AppendOnly.js"
import { Snapshots } from "./Snapshots.js"

/** The MISCONF error write commands get now, if any (writeCommandsDeniedByDiskError). */
export const diskError: Effect.Effect<string | undefined, never, Snapshots | AppendOnly> = Effect.gen(function*() {
  if (yield* Effect.flatMap(Snapshots, (snapshots) => snapshots.writesDenied)) return Errors.bgsaveError
  const { enabled, lastWriteError } = yield* Effect.flatMap(AppendOnly, (appendOnly) => appendOnly.status)
  return enabled && lastWriteError !== undefined ? Errors.aofWriteError(lastWriteError) : undefined
})

const isGuarded = <R>(spec: CommandSpec<R>): boolean => spec.flags.includes("write") || spec.name === "ping"

const guarded = <R>(spec: CommandSpec<R>): CommandSpec<R | Snapshots | AppendOnly> => ({
  ...spec,
  handler: (args, session) =>
    Effect.gen(function*() {
      const refusal = yield* diskError
      if (refusal !== undefined) return yield* new CommandError({ message: refusal })
      if (!spec.flags.includes("write")) return yield* spec.handler(args, session)
      const appendOnly = yield* AppendOnly
      const reply = yield* appendOnly.logged(session.db, args, spec.handler(args, session))
      yield* appendOnly.flush
      return reply
    })
})

/** The table the server runs: write commands (and PING) guarded; AOF replay uses the plain table. */
export const withPersistence = <R>(table: CommandTable<R>): CommandTable<R | Snapshots | AppendOnly> =>
  new Map(Array.from(table, ([name, spec]) => [name, isGuarded(spec) ? guarded(spec) : spec]))

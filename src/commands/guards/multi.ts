/**
 * Transactions around the command table (server.c processCommand's last
 * step, multi.c): while MULTI is open every command but EXEC, DISCARD,
 * MULTI, WATCH, QUIT and RESET is queued (`+QUEUED`), a `no_multi` one
 * refused; EXEC runs the queued commands. While any key is watched, a write
 * command that changed the dataset touches the keys it names
 * (signalModifiedKey -> touchWatchedKey).
 *
 * The guard rule holds: for a session outside MULTI, while no key is
 * watched, a command's handler is returned as it is.
 *
 * `withRefusalsFlagged` goes around all the guards: a command an outer guard
 * refuses while MULTI is open (OOM, MISCONF) flags the transaction, and EXEC
 * refused discards it (rejectCommand -> flagTransaction / execCommandAbort).
 */
import { Clock, Effect } from "effect"
import * as Errors from "../../errors.js"
import { commandError } from "../../errors.js"
import { AppendOnly } from "../../persistence/aof/AppendOnly.js"
import type { Snapshots } from "../../persistence/Snapshots.js"
import { clockAt } from "../../persistence/aof/clock.js"
import { array, type Command, nullArray, type RespValue, simple } from "../../resp/values.js"
import type { Session } from "../../state/Session.js"
import { refusedInTransaction, transactionControl, type WatchRegistry } from "../../state/Transaction.js"
import { Store } from "../../store/Store.js"
import { answered, type CommandTable, dispatchCommand } from "../dispatch.js"
import { beginExec, currentEntries, watchIn } from "../transactions.js"
import type { CommandSpec } from "../types.js"
import { commandKeys } from "./memory.js"
import { withPersistence } from "./persistence.js"
import { Blocking } from "../../state/Blocking.js"

const queuedReply = simple("QUEUED")

/** Every spec of `table`, subcommands included (`f` is told which are), through `f`. */
const mapSpecs = <R, R2>(
  table: CommandTable<R>,
  f: (spec: CommandSpec<R>, subcommand: boolean) => CommandSpec<R2>
): CommandTable<R2> => {
  const each = (subcommand: boolean) => (spec: CommandSpec<R>): CommandSpec<R2> => {
    const mapped = f(spec, subcommand)
    return spec.subcommands === undefined ? mapped : { ...mapped, subcommands: spec.subcommands.map(each(true)) }
  }
  return new Map(Array.from(table, ([name, spec]) => [name, each(false)(spec)]))
}

/**
 * A write command, while any key is watched: the Store's events touch the
 * keys they name (WatchRegistry.hear); a command that changed the dataset
 * without raising any touches the keys it names whose entry changed (all of
 * them when none did); SWAPDB touches the keys of both databases
 * (touchAllWatchedKeysInDb).
 */
const touching = <R>(registry: WatchRegistry, spec: CommandSpec<R>): CommandSpec<R | Store> =>
  !spec.flags.includes("write") ? spec : {
    ...spec,
    handler: (args, session) =>
      !registry.active() ? spec.handler(args, session) : Effect.gen(function*() {
        const store = yield* Store
        const before = yield* store.changeCount
        const heard = registry.heardUpdates
        const keyspaces = spec.name === "swapdb" ? yield* store.snapshot : undefined
        const keys = commandKeys(spec, args)
        const entriesBefore = yield* currentEntries(store, session.db, keys)
        return yield* Effect.ensuring(
          spec.handler(args, session),
          Effect.gen(function*() {
            if ((yield* store.changeCount) === before) return
            if (keyspaces !== undefined) {
              const nowMs = yield* Clock.currentTimeMillis
              const [first, second] = [Number(args[1]), Number(args[2])]
              // dbSwapDatabases returns before touching anything when both are one database.
              if (first === second) return
              registry.touchSwapped(first, keyspaces[first], keyspaces[second], nowMs)
              registry.touchSwapped(second, keyspaces[second], keyspaces[first], nowMs)
            } else if (registry.heardUpdates === heard) {
              // The keys whose entry changed; all of them when none did (SET of the same short string).
              const entriesAfter = yield* currentEntries(store, session.db, keys)
              const changed = keys.filter((_, i) => entriesAfter[i] !== entriesBefore[i])
              for (const key of changed.length > 0 ? changed : keys) registry.touch(session.db, key)
            }
          })
        )
      })
  }

/** Most operations EXEC runs before the fiber could yield: never, so no other client's command interleaves. */
const neverYield = Number.MAX_SAFE_INTEGER

/**
 * EXEC (multi.c execCommand): the queued commands run in order through
 * `runTable` (the AOF's logging and the watch touching, none of the other
 * guards: processCommand checked EXEC itself), at one clock reading, without
 * yielding to other fibers, logged as one transaction; the connection shows
 * each one to MONITOR and SLOWLOG before EXEC (session.transaction.ran).
 */
const execIn = <R>(runTable: CommandTable<R>) => (_args: Command, session: Session) =>
  Effect.gen(function*() {
    const queued = yield* beginExec(session)
    if (queued === undefined) return nullArray
    const clock = yield* Effect.clock
    const nowMs = clock.unsafeCurrentTimeMillis()
    const run = Effect.forEach(queued, ({ args }) => {
      const db = session.db
      const startedAt = performance.now()
      const { effect, name } = dispatchCommand(runTable, args, session)
      return Effect.map(answered(effect), (reply): RespValue => {
        session.transaction.ran.push({ args, db, durationMicros: Math.round((performance.now() - startedAt) * 1000), name, reply })
        return reply
      })
    })
    const appendOnly = yield* AppendOnly
    const transaction = session.transaction
    transaction.executing = true
    const blocking = yield* Blocking
    // Clients blocked on keys EXEC makes ready are served after EXEC (blocked.c handleClientsBlockedOnKeys).
    const replies = yield* blocking.servingAfter(appendOnly.transaction(run)).pipe(
      Effect.ensuring(Effect.sync(() => {
        transaction.executing = false
      })),
      Effect.withClock(clockAt(nowMs, (duration) => clock.sleep(duration))),
      Effect.withMaxOpsBeforeYield(neverYield)
    )
    return array(replies)
  })

/** The table with MULTI's queueing, EXEC, and WATCH in `registry`. */
export const withTransactions = (registry: WatchRegistry) => <R>(table: CommandTable<R>) => {
  const touched = mapSpecs(table, (spec) => touching(registry, spec))
  const runTable = withPersistence(touched)
  const exec = execIn(runTable)
  return mapSpecs(touched, (spec, subcommand): CommandSpec<R | Store | AppendOnly | Snapshots> => {
    if (!subcommand && spec.name === "exec") return { ...spec, handler: exec }
    if (!subcommand && spec.name === "watch") return { ...spec, handler: watchIn(registry) }
    if (!subcommand && transactionControl.has(spec.name)) return spec
    return {
      ...spec,
      handler: (args, session) => {
        const queue = session.transaction.queued
        if (queue === undefined) return spec.handler(args, session)
        if (spec.flags.includes("no_multi")) return commandError(Errors.notAllowedInMulti)
        return Effect.sync(() => {
          queue.push({ args, flags: spec.flags })
          return queuedReply
        })
      }
    }
  })
}

/** The table whose refusals while MULTI is open flag the transaction (outermost of the guards). */
export const withRefusalsFlagged = <R>(table: CommandTable<R>): CommandTable<R> =>
  mapSpecs(table, (spec, subcommand) => ({
    ...spec,
    handler: (args, session) =>
      session.transaction.queued === undefined
        ? spec.handler(args, session)
        : Effect.catchTag(spec.handler(args, session), "CommandError", (failure) =>
          commandError(refusedInTransaction(session.transaction, subcommand ? "" : spec.name, failure.message)))
  }))

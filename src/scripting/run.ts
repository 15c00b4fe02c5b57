/**
 * Running a script or a function (script.c scriptPrepareForRun / scriptCall,
 * eval.c evalGenericCommand): how redis.call reaches the command table.
 *
 * Atomicity: the script runs on the one JS thread, and each redis.call
 * completes synchronously from inside the VM: a command that is a
 * `KeyspaceStep` is applied at once through `Store.modifyNow` (no fiber: a
 * fiber per call was most of a script's cost), any other runs its Effect to
 * completion (`Runtime.runSyncExit`). The next redis.call sees the write, and
 * keyspace events are published by the Store as for any command. Nothing else
 * runs meanwhile: no fiber can be scheduled while the thread is in the VM.
 * Every command sees one clock reading, taken when the script starts (a
 * standing clock, as the AOF's `logged` uses). A command whose Effect would
 * suspend (none of those allowed in scripts does) answers an error instead
 * of waiting.
 *
 * Each call is counted as Redis's call() counts the script client's commands:
 * INFO commandstats (calls, usec, failed_calls; rejected_calls for the checks
 * of script.c scriptCall), errorstats; MONITOR shows it as `[db lua]` after
 * the script's own EVAL/FCALL line (eval.c feeds that one explicitly, first),
 * SLOWLOG logs it before the script. A read-only command's keys are
 * remembered for the calling client's tracking (server.c call() uses
 * server.script_caller). Past busy-reply-threshold the engine yields
 * between slices (engine.ts): the server then answers BUSY to every command
 * not flagged allow_busy (guards/busy.ts), so still no other command sees
 * a half-run script, and SCRIPT KILL / FUNCTION KILL / SHUTDOWN NOSAVE run.
 *
 * The writes reach the AOF as Redis 7 propagates a script's effects: the
 * commands that changed the dataset, wrapped in MULTI/EXEC when there is more
 * than one (AppendOnly.logEffects).
 */
import { Cause, Effect, Either, Exit, Option, Runtime } from "effect"
import type { CommandServices } from "../commands/table.js"
import { resolveCommand, errorReply, type CommandTable } from "../commands/dispatch.js"
import { KeyspaceStep } from "../commands/keyspace-step.js"
import { keyspaceBytes } from "../commands/guards/memory.js"
import type { CommandSpec } from "../commands/types.js"
import * as Errors from "../errors.js"
import { LiveConfig } from "../config/LiveConfig.js"
import { AppendOnly } from "../persistence/aof/AppendOnly.js"
import { withAbsoluteExpiry } from "../persistence/aof/absolute-expiry.js"
import { clockAt } from "../persistence/aof/clock.js"
import type { ByteString, Command, RespValue } from "../resp/values.js"
import * as Resp from "../resp/values.js"
import { Activity } from "../state/Activity.js"
import { recordCall } from "../state/command-stats.js"
import { internalSession, type Session } from "../state/Session.js"
import { currentTracking } from "../state/Tracking.js"
import { Store } from "../store/Store.js"
import type { LuaState } from "./lua-exports.js"
import type { ScriptRun } from "./engine.js"
import { Scripting } from "./Scripting.js"
import { Blocking } from "../state/Blocking.js"

export interface ScriptInvocation {
  readonly session: Session
  /** What error replies call the script: its SHA-1, or the function's name. */
  readonly name: string
  readonly ref: number
  readonly isEval: boolean
  /** EVAL_RO, FCALL_RO, a no-writes function: write commands are refused. */
  readonly readOnly: boolean
  /** A function flagged allow-oom. */
  readonly allowOom: boolean
  readonly keys: ReadonlyArray<ByteString>
  readonly argv: ReadonlyArray<ByteString>
  /** FCALL: pushes the callback's arguments (KEYS, ARGV tables); EVAL sets the globals instead. */
  readonly pushArgs?: (L: LuaState) => number
}

/** Redis logs at these levels (LL_DEBUG .. LL_WARNING). */
const logAt = (level: number, message: string): Effect.Effect<void> =>
  level >= 3 ? Effect.logWarning(message) : level === 2 ? Effect.logInfo(message) : Effect.logDebug(message)

/** The event loop's next turn: sockets are read and answered (BUSY) before the script resumes. */
const nextTurn = Effect.async<void>((resume) => {
  const timer = setImmediate(() => resume(Effect.void))
  return Effect.sync(() => clearImmediate(timer))
})

/** Microseconds since `startedAt` (a `performance.now()` reading), as call() measures a command. */
const microsSince = (startedAt: number): number => Math.round((performance.now() - startedAt) * 1000)

/**
 * EVAL, EVALSHA and FCALL feed MONITOR themselves as they start (eval.c
 * evalCommand, functions.c fcallCommandGeneric: "so that lua commands appear
 * after their script command"): the connection shows this line in the
 * request's place (EXEC's commands and a script's go the same way).
 */
export const showToMonitor = (args: Command, session: Session): Effect.Effect<void, never, Activity> =>
  Effect.map(Activity, (activity) => {
    if (!activity.watching().monitoring) return
    session.transaction.ran.push({ args, db: session.db, durationMicros: 0, name: undefined, reply: Resp.ok, monitorOnly: true })
  })

/** Runs a script; clients blocked on keys it makes ready are served after it ends (blocked.c handleClientsBlockedOnKeys). */
export const runScript = (
  table: CommandTable<CommandServices>,
  invocation: ScriptInvocation
): Effect.Effect<RespValue, never, CommandServices | Scripting> =>
  Effect.flatMap(Blocking, (blocking) => blocking.servingAfter(runScriptNow(table, invocation)))

/** What one command run by redis.call did: its reply, and whether it changed the dataset. */
interface CallResult {
  readonly reply: RespValue
  readonly wrote: boolean
}

const runScriptNow = (
  table: CommandTable<CommandServices>,
  invocation: ScriptInvocation
): Effect.Effect<RespValue, never, CommandServices | Scripting> =>
  Effect.gen(function*() {
    const scripting = yield* Scripting
    const store = yield* Store
    const appendOnly = yield* AppendOnly
    const activity = yield* Activity
    const tracking = yield* currentTracking
    // Read once per script: the settings, the clock, what MONITOR and SLOWLOG want to see.
    const config = (yield* LiveConfig).current()
    const watch = activity.watching()
    const runtime = yield* Effect.runtime<CommandServices | Scripting>()
    const runSync = Runtime.runSyncExit(runtime)
    const clock = yield* Effect.clock
    const nowMs = clock.unsafeCurrentTimeMillis()
    const standing = clockAt(nowMs, (duration) => clock.sleep(duration))
    const busyAfterMs = Number(config.remembered["busy-reply-threshold"] ?? "5000")
    // scriptVerifyOOM: over maxmemory when the script starts, denyoom commands fail until it has written.
    const outOfMemory = !invocation.allowOom && config.maxmemory > 0 &&
      (yield* store.snapshot).reduce((total, keyspace) => total + keyspaceBytes(keyspace), 0) > config.maxmemory
    const caller = invocation.session
    const session = internalSession(caller.db, "eval")
    const callerTracks = tracking?.of(caller.id) !== undefined
    /** MONITOR's and SLOWLOG's view of the calls, handed to the caller's connection with EXEC's (Transaction.ts `ran`). */
    const executed = caller.transaction.ran
    /** The command's exit, and whether it changed the dataset (the store's change count moved). */
    const changesAround = <E, R>(command: Effect.Effect<RespValue, E, R>) =>
      Effect.flatMap(store.changeCount, (before) =>
        Effect.flatMap(Effect.exit(command), (exit) =>
          Effect.map(store.changeCount, (after) => ({ exit, wrote: after !== before }))))
    const effects: Array<{ readonly db: number; readonly args: Command }> = []
    const logs: Array<readonly [number, string]> = []

    /** Runs a resolved command: a keyspace step straight through the Store, anything else as a synchronous Effect. */
    const execute = (spec: CommandSpec<CommandServices>, args: ReadonlyArray<ByteString>): CallResult => {
      const effect = spec.handler(args, session)
      if (effect instanceof KeyspaceStep && effect.session === session) {
        const [outcome, changes] = store.modifyNow(session.db, effect.keys, effect.run, effect.readsKeys, nowMs)
        return { reply: Either.isRight(outcome) ? outcome.right : errorReply(outcome.left), wrote: changes > 0 }
      }
      const outcome = runSync(Effect.withClock(changesAround(effect), standing))
      if (Exit.isFailure(outcome)) return { reply: Resp.error("ERR command failed in script"), wrote: false }
      const { exit, wrote } = outcome.value
      if (Exit.isSuccess(exit)) return { reply: exit.value, wrote }
      const failure = Cause.failureOption(exit.cause)
      return { reply: Option.isSome(failure) ? errorReply(failure.value) : Resp.error("ERR command failed in script"), wrote }
    }

    /** After a call: commandstats and errorstats at once, MONITOR and SLOWLOG when they want it. */
    const recorded = (
      args: ReadonlyArray<ByteString>,
      db: number,
      name: string | undefined,
      rejected: boolean,
      durationMicros: number,
      reply: RespValue
    ): RespValue => {
      recordCall(activity.statistics, name, rejected, durationMicros, reply)
      if (!rejected && (watch.monitoring || (watch.slowerThanMicros >= 0 && durationMicros >= watch.slowerThanMicros))) {
        executed.push({ args: [...args], db, durationMicros, name, reply, byScript: true })
      }
      return reply
    }

    /** scriptCall's checks refused the command: an error, counted as a rejected call (incrCommandStatsOnError). */
    const refused = (args: ReadonlyArray<ByteString>, name: string | undefined, message: string): RespValue =>
      recorded(args, session.db, name, true, 0, Resp.error(message))

    const call = (args: ReadonlyArray<ByteString>): RespValue => {
      const resolution = resolveCommand(table, args)
      if (resolution._tag === "Reject") {
        return refused(args, resolution.name, `ERR ${resolution.name === undefined ? Errors.scriptUnknownCommand : Errors.scriptWrongArity}`)
      }
      const { spec, fullName } = resolution
      if (spec.flags.includes("noscript")) return refused(args, fullName, `ERR ${Errors.scriptCommandNotAllowed}`)
      const writes = spec.flags.includes("write") || spec.flags.includes("may_replicate")
      if (invocation.readOnly && writes) return refused(args, fullName, `ERR ${Errors.scriptWriteInReadOnly}`)
      if (outOfMemory && running.wrote === false && spec.flags.includes("denyoom")) {
        return refused(args, fullName, Errors.scriptOutOfMemory.slice(1))
      }
      session.protocol = run.protocol
      const db = session.db
      const startedAt = performance.now()
      const { reply, wrote } = execute(spec, args)
      const durationMicros = microsSince(startedAt)
      if (wrote) {
        running.wrote = true
        effects.push({ db, args: withAbsoluteExpiry(args, nowMs) })
      }
      // call(): a read-only command remembers keys for the client that ran the script; Redis 7.0's
      // trackingRememberKeys(script_caller) takes them from the caller's command: the script's KEYS.
      if (callerTracks && spec.flags.includes("readonly")) tracking?.rememberForScript(caller.id, invocation.keys)
      // MONITOR shows the database the command left selected (call() feeds it after the command).
      return recorded(args, session.db, fullName, false, durationMicros, reply)
    }

    const run: ScriptRun = {
      name: invocation.name,
      startedAt: performance.now(),
      busyAfterMs,
      killed: false,
      busy: false,
      protocol: 2,
      call,
      log: (level, message) => {
        logs.push([level, message])
      }
    }
    const running = { run, isEval: invocation.isEval, wrote: false }
    const engine = scripting.engine
    if (invocation.pushArgs === undefined) {
      engine.setGlobalArray("KEYS", invocation.keys)
      engine.setGlobalArray("ARGV", invocation.argv)
    }
    scripting.running = running
    let status = engine.start(invocation.ref, run, invocation.pushArgs)
    while (status._tag === "Yielded") {
      yield* Effect.onInterrupt(nextTurn, () =>
        // The client went away or the server shuts down: the script is stopped, as SCRIPT KILL would.
        Effect.sync(() => {
          run.killed = true
          while (engine.resume()._tag === "Yielded");
          scripting.running = undefined
        }))
      engine.resumed()
      status = engine.resume()
    }
    scripting.running = undefined
    if (logs.length > 0) yield* Effect.forEach(logs, ([level, message]) => logAt(level, message), { discard: true })
    if (effects.length > 0) appendOnly.logEffects(effects, nowMs)
    // An error a redis.call raised was counted when the command failed: the script's reply is not counted again.
    if (status.errorCounted === true) activity.statistics.countedErrors.add(status.reply)
    return status.reply
  })

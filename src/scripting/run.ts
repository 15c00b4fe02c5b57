/**
 * Running a script or a function (script.c scriptPrepareForRun / scriptCall,
 * eval.c evalGenericCommand): how redis.call reaches the command table.
 *
 * Atomicity: the script runs on the one JS thread, and each redis.call runs
 * its command's Effect to completion synchronously (`Runtime.runSyncExit`)
 * from inside the VM: a KeyspaceStep commits through `Store.modify` at once,
 * so the next redis.call sees its write, and keyspace events are published
 * by the Store as for any command. Nothing else runs meanwhile: no fiber can
 * be scheduled while the thread is in the VM. Every command sees one clock
 * reading (a standing clock, as the AOF's `logged` uses). A command whose
 * Effect would suspend (none of those allowed in scripts does) answers an
 * error instead of waiting. Past busy-reply-threshold the engine yields
 * between slices (engine.ts): the server then answers BUSY to every command
 * not flagged allow_busy (guards/busy.ts), so still no other command sees
 * a half-run script, and SCRIPT KILL / FUNCTION KILL / SHUTDOWN NOSAVE run.
 *
 * The writes reach the AOF as Redis 7 propagates a script's effects: the
 * commands that changed the dataset, wrapped in MULTI/EXEC when there is more
 * than one (AppendOnly.logEffects).
 */
import { Cause, Effect, Exit, Option, Runtime } from "effect"
import type { CommandServices } from "../commands/table.js"
import { resolveCommand, errorReply, type CommandTable } from "../commands/dispatch.js"
import { keyspaceBytes } from "../commands/guards/memory.js"
import * as Errors from "../errors.js"
import { LiveConfig } from "../config/LiveConfig.js"
import { AppendOnly } from "../persistence/aof/AppendOnly.js"
import { withAbsoluteExpiry } from "../persistence/aof/absolute-expiry.js"
import { clockAt } from "../persistence/aof/clock.js"
import type { ByteString, Command, RespValue } from "../resp/values.js"
import * as Resp from "../resp/values.js"
import { internalSession, type Session } from "../state/Session.js"
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

/** Runs a script; clients blocked on keys it makes ready are served after it ends (blocked.c handleClientsBlockedOnKeys). */
export const runScript = (
  table: CommandTable<CommandServices>,
  invocation: ScriptInvocation
): Effect.Effect<RespValue, never, CommandServices | Scripting> =>
  Effect.flatMap(Blocking, (blocking) => blocking.servingAfter(runScriptNow(table, invocation)))

const runScriptNow = (
  table: CommandTable<CommandServices>,
  invocation: ScriptInvocation
): Effect.Effect<RespValue, never, CommandServices | Scripting> =>
  Effect.gen(function*() {
    const scripting = yield* Scripting
    const store = yield* Store
    const appendOnly = yield* AppendOnly
    const config = yield* Effect.flatMap(LiveConfig, (live) => live.get)
    const runtime = yield* Effect.runtime<CommandServices | Scripting>()
    const runSync = Runtime.runSyncExit(runtime)
    const clock = yield* Effect.clock
    const nowMs = clock.unsafeCurrentTimeMillis()
    const standing = clockAt(nowMs, (duration) => clock.sleep(duration))
    const busyAfterMs = Number(config.remembered["busy-reply-threshold"] ?? "5000")
    // scriptVerifyOOM: over maxmemory when the script starts, denyoom commands fail until it has written.
    const outOfMemory = !invocation.allowOom && config.maxmemory > 0 &&
      (yield* store.snapshot).reduce((total, keyspace) => total + keyspaceBytes(keyspace), 0) > config.maxmemory
    const session = internalSession(invocation.session.db, "eval")
    /** The command's exit, and whether it changed the dataset (the store's change count moved). */
    const changesAround = <E, R>(command: Effect.Effect<RespValue, E, R>) =>
      Effect.flatMap(store.changeCount, (before) =>
        Effect.flatMap(Effect.exit(command), (exit) =>
          Effect.map(store.changeCount, (after) => ({ exit, wrote: after !== before }))))
    const effects: Array<{ readonly db: number; readonly args: Command }> = []
    const logs: Array<readonly [number, string]> = []

    const call = (args: ReadonlyArray<ByteString>): RespValue => {
      const resolution = resolveCommand(table, args)
      if (resolution._tag === "Reject") {
        return Resp.error(`ERR ${resolution.name === undefined ? Errors.scriptUnknownCommand : Errors.scriptWrongArity}`)
      }
      const { spec } = resolution
      if (spec.flags.includes("noscript")) return Resp.error(`ERR ${Errors.scriptCommandNotAllowed}`)
      const writes = spec.flags.includes("write") || spec.flags.includes("may_replicate")
      if (invocation.readOnly && writes) return Resp.error(`ERR ${Errors.scriptWriteInReadOnly}`)
      if (outOfMemory && running.wrote === false && spec.flags.includes("denyoom")) {
        return Resp.error(Errors.scriptOutOfMemory.slice(1))
      }
      session.protocol = run.protocol
      const db = session.db
      // One synchronous run per call: each runSyncExit starts a fiber, the bulk of a redis.call's cost.
      const outcome = runSync(Effect.withClock(changesAround(spec.handler(args, session)), standing))
      if (Exit.isFailure(outcome)) return Resp.error("ERR command failed in script")
      const { exit, wrote } = outcome.value
      if (wrote) {
        running.wrote = true
        effects.push({ db, args: withAbsoluteExpiry(args, nowMs) })
      }
      if (Exit.isSuccess(exit)) return exit.value
      const failure = Cause.failureOption(exit.cause)
      return Option.isSome(failure) ? errorReply(failure.value) : Resp.error("ERR command failed in script")
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
    yield* Effect.forEach(logs, ([level, message]) => logAt(level, message), { discard: true })
    appendOnly.logEffects(effects, nowMs)
    return status.reply
  })

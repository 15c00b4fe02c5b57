/**
 * EVAL, EVALSHA, EVAL_RO, EVALSHA_RO and SCRIPT (eval.c). The script runs
 * through scripting/run.ts; its cache is the Scripting service's. A script
 * with a `#!lua` shebang is judged by its flags (scripting/shebang.ts).
 */
import { Effect } from "effect"
import * as Errors from "../errors.js"
import { commandError } from "../errors.js"
import { LiveConfig } from "../config/LiveConfig.js"
import { parseInt64 } from "../int64.js"
import type { ByteString, Command, RespValue } from "../resp/values.js"
import * as Resp from "../resp/values.js"
import type { Session } from "../state/Session.js"
import { Store } from "../store/Store.js"
import { runScript, showToMonitor } from "../scripting/run.js"
import { type CachedScript, Scripting, type ScriptingService, scriptSha } from "../scripting/Scripting.js"
import { parseShebang, scriptCode, type Shebang } from "../scripting/shebang.js"
import { keyspaceBytes } from "./guards/memory.js"
import { command, noKeys } from "./row.js"
import type { CommandServices } from "./table.js"
import type { CommandFlag } from "./types.js"

/** `numkeys key ... arg ...` from `args[2]` on (evalGetKeys / evalGenericCommand's checks). */
export const parseKeysAndArgs = (
  args: Command
): Effect.Effect<{ readonly keys: ReadonlyArray<ByteString>; readonly argv: ReadonlyArray<ByteString> }, Errors.CommandError> => {
  const numkeys = parseInt64(args[2])
  if (numkeys === undefined) return commandError(Errors.notInteger)
  if (numkeys < 0n) return commandError(Errors.negativeNumkeys)
  if (numkeys > BigInt(args.length - 3)) return commandError(Errors.tooManyNumkeys)
  const count = Number(numkeys)
  return Effect.succeed({ keys: args.slice(3, 3 + count), argv: args.slice(3 + count) })
}

/** Compiles `body` into the cache (luaCreateFunction): its SHA-1, or the shebang's or the compile error. */
export const cacheScript = (scripting: ScriptingService, body: ByteString): Effect.Effect<string, Errors.CommandError> => {
  const sha = scriptSha(body)
  if (scripting.scripts.has(sha)) return Effect.succeed(sha)
  const shebang = parseShebang(body)
  if (shebang._tag === "Invalid") return commandError(shebang.message)
  const compiled = scripting.engine.compile(scriptCode(body, shebang), "user_script")
  if ("error" in compiled) return commandError(Errors.compileError(compiled.error))
  scripting.scripts.set(sha, { body, ref: compiled.ref })
  return Effect.succeed(sha)
}

/**
 * The flags processCommand reads before running the command
 * (eval.c evalGetCommandFlags): the cached script's, else the shebang of
 * EVAL's body; none (compatibility mode) when neither gives any.
 */
const declaredFlags = (scripting: ScriptingService, bySha: boolean, script: ByteString): Shebang => {
  if (bySha) {
    const cached = script.length === 40 ? scripting.scripts.get(script.toLowerCase()) : undefined
    return cached === undefined ? { _tag: "None" } : parseShebang(cached.body)
  }
  const cached = scripting.scripts.get(scriptSha(script))
  return parseShebang(cached === undefined ? script : cached.body)
}

/** Whether the dataset is over maxmemory now (after the memory guard's evictions). */
const overMaxmemory = Effect.gen(function*() {
  const config = yield* Effect.flatMap(LiveConfig, (live) => live.get)
  if (config.maxmemory === 0) return false
  const keyspaces = yield* Effect.flatMap(Store, (store) => store.snapshot)
  return keyspaces.reduce((total, keyspace) => total + keyspaceBytes(keyspace), 0) > config.maxmemory
})

const evalGeneric = (bySha: boolean, readOnlyCommand: boolean) => (args: Command, session: Session) =>
  Effect.gen(function*() {
    yield* showToMonitor(args, session)
    const scripting = yield* Scripting
    // A script declaring flags without no-writes or allow-oom is a denyoom command (server.c scriptFlagsToCmdFlags).
    const declared = declaredFlags(scripting, bySha, args[1])
    const flags = declared._tag === "Flags" ? declared.flags : undefined
    const mayWrite = flags !== undefined && !flags.includes("no-writes")
    if (mayWrite && !flags.includes("allow-oom") && (yield* overMaxmemory)) return yield* commandError(Errors.outOfMemory)
    const { argv, keys } = yield* parseKeysAndArgs(args)
    let sha: string
    if (bySha) sha = args[1].toLowerCase()
    else sha = yield* cacheScript(scripting, args[1])
    const script: CachedScript | undefined = scripting.scripts.get(sha)
    if (script === undefined) return yield* commandError(Errors.noScript)
    // scriptPrepareForRun: a script that may write is refused by EVAL_RO / EVALSHA_RO; no-writes runs read-only.
    if (mayWrite && readOnlyCommand) return yield* commandError(Errors.writeFunctionInReadOnlyCall)
    return yield* runScript(scripting.table, {
      session,
      name: sha,
      ref: script.ref,
      isEval: true,
      readOnly: readOnlyCommand || (flags !== undefined && !mayWrite),
      allowOom: flags !== undefined && flags.includes("allow-oom"),
      keys,
      argv
    })
  })

/** SCRIPT KILL and FUNCTION KILL (script.c scriptKill). */
export const killScript = (isEval: boolean) => () =>
  Effect.gen(function*() {
    const scripting = yield* Scripting
    const running = scripting.running
    if (running === undefined) return yield* commandError(Errors.notBusy)
    if (running.wrote) return yield* commandError(Errors.unkillable)
    if (running.isEval !== isEval) return yield* commandError(isEval ? Errors.busyFunction : Errors.busyEval)
    running.run.killed = true
    return Resp.ok
  })

const scriptLoad = (args: Command) =>
  Effect.flatMap(Scripting, (scripting) => Effect.map(cacheScript(scripting, args[2]), (sha): RespValue => Resp.bulk(sha)))

const scriptExists = (args: Command) =>
  Effect.map(Scripting, (scripting) =>
    Resp.array(args.slice(2).map((sha) => Resp.integer(scripting.scripts.has(sha.toLowerCase()) ? 1 : 0))))

const scriptFlush = (args: Command) =>
  Effect.gen(function*() {
    if (args.length > 3 || (args.length === 3 && !["sync", "async"].includes(args[2].toLowerCase()))) {
      return yield* commandError(Errors.scriptFlushOption)
    }
    const scripting = yield* Scripting
    for (const script of scripting.scripts.values()) scripting.engine.release(script.ref)
    scripting.scripts.clear()
    return Resp.ok
  })

const evalFlags: ReadonlyArray<CommandFlag> = ["noscript", "stale", "skip_monitor", "no_mandatory_keys", "movablekeys"]
const evalReadOnlyFlags: ReadonlyArray<CommandFlag> = ["readonly", ...evalFlags]

export const scriptingCommands = [
  command({ name: "eval", arity: -3, flags: evalFlags, keys: noKeys,
    summary: "Execute a Lua script server side", since: "2.6.0", group: "scripting", handler: evalGeneric(false, false) }),
  command({ name: "evalsha", arity: -3, flags: evalFlags, keys: noKeys,
    summary: "Execute a Lua script server side", since: "2.6.0", group: "scripting", handler: evalGeneric(true, false) }),
  command({ name: "eval_ro", arity: -3, flags: evalReadOnlyFlags, keys: noKeys,
    summary: "Execute a read-only Lua script server side", since: "7.0.0", group: "scripting", handler: evalGeneric(false, true) }),
  command({ name: "evalsha_ro", arity: -3, flags: evalReadOnlyFlags, keys: noKeys,
    summary: "Execute a read-only Lua script server side", since: "7.0.0", group: "scripting", handler: evalGeneric(true, true) }),
  command({ name: "script", arity: -2, flags: [], keys: noKeys,
    summary: "A container for Lua scripts management commands", since: "2.6.0", group: "scripting",
    handler: () => commandError(Errors.wrongArity("script")),
    subcommands: [
      command({ name: "load", arity: 3, flags: ["noscript", "stale"], keys: noKeys,
        summary: "Load the specified Lua script into the script cache.", since: "2.6.0", group: "scripting", handler: scriptLoad }),
      command({ name: "exists", arity: -3, flags: ["noscript"], keys: noKeys,
        summary: "Check existence of scripts in the script cache.", since: "2.6.0", group: "scripting", handler: scriptExists }),
      command({ name: "flush", arity: -2, flags: ["noscript"], keys: noKeys,
        summary: "Remove all the scripts from the script cache.", since: "2.6.0", group: "scripting", handler: scriptFlush }),
      command({ name: "kill", arity: 2, flags: ["noscript", "allow_busy"], keys: noKeys,
        summary: "Kill the script currently in execution.", since: "2.6.0", group: "scripting", handler: killScript(true) })
    ] })
]

/** The services the scripting rows need. */
export type ScriptingServices = CommandServices | Scripting

/**
 * FUNCTION LOAD / DELETE / LIST / FLUSH / STATS / KILL / DUMP / RESTORE /
 * HELP, FCALL and FCALL_RO (functions.c, function_lua.c). Libraries live in
 * the Scripting service (changed through scripting/functions.ts
 * setLibraries, which keeps the code persistence saves in step); a function
 * runs through scripting/run.ts as a script does.
 */
import { Effect, Either } from "effect"
import * as Errors from "../errors.js"
import { commandError } from "../errors.js"
import { parseInt64 } from "../int64.js"
import type { ByteString, Command, RespValue } from "../resp/values.js"
import * as Resp from "../resp/values.js"
import type { Session } from "../state/Session.js"
import { AppendOnly } from "../persistence/aof/AppendOnly.js"
import {
  createLibrary,
  type FunctionLibraries,
  joinLibraries,
  type Library,
  type LibraryFunction,
  releaseLibrary,
  type RestorePolicy,
  setLibraries
} from "../scripting/functions.js"
import { readFunctionPayload } from "../persistence/rdb/reader.js"
import { writeFunctionRecords } from "../persistence/rdb/writer.js"
import { verifiedPayload, withDumpFooter } from "./dump.js"
import type { LuaState } from "../scripting/lua-exports.js"
import { runScript, showToMonitor } from "../scripting/run.js"
import { Scripting, type ScriptingService } from "../scripting/Scripting.js"
import { globMatch } from "../store/glob.js"
import { command, noKeys } from "./row.js"
import { killScript } from "./scripting.js"

/** FUNCTION LOAD's work (functionsCreateWithLibraryCtx): the new library, or the error reply. */
const loadLibrary = (scripting: ScriptingService, code: ByteString, replace: boolean): Effect.Effect<Library, Errors.CommandError> =>
  Either.match(createLibrary(scripting.engine, code, scripting.functions, replace), {
    onLeft: (failure) => commandError(failure),
    onRight: Effect.succeed
  })

/** Puts `library` in, replacing (and releasing) the one of the same name. */
const installLibrary = (scripting: ScriptingService, library: Library): void => {
  const previous = scripting.functions.get(library.name)
  if (previous !== undefined) releaseLibrary(scripting.engine, previous)
  setLibraries(scripting, new Map(scripting.functions).set(library.name, library))
}

/**
 * A FUNCTION command that changed the libraries goes to the AOF as it was
 * given (functions.c counts it in server.dirty, so Redis propagates it).
 */
const propagateFunctionCommand = (args: Command, session: Session) =>
  Effect.map(AppendOnly, (appendOnly) => appendOnly.propagate(session.db, args))

/** FUNCTION LOAD [REPLACE] code (functionLoadCommand). */
const functionLoad = (args: Command, session: Session) =>
  Effect.gen(function*() {
    let replace = false
    for (const option of args.slice(2, -1)) {
      if (option.toLowerCase() !== "replace") return yield* commandError(`ERR Unknown option given: ${option}`)
      replace = true
    }
    const scripting = yield* Scripting
    const library = yield* loadLibrary(scripting, args[args.length - 1], replace)
    installLibrary(scripting, library)
    yield* propagateFunctionCommand(args, session)
    return Resp.bulk(library.name)
  })

const functionDelete = (args: Command, session: Session) =>
  Effect.gen(function*() {
    const scripting = yield* Scripting
    const library = scripting.functions.get(args[2])
    if (library === undefined) return yield* commandError(Errors.libraryNotFound)
    releaseLibrary(scripting.engine, library)
    const rest = new Map(scripting.functions)
    rest.delete(library.name)
    setLibraries(scripting, rest)
    yield* propagateFunctionCommand(args, session)
    return Resp.ok
  })

const functionFlush = (args: Command, session: Session) =>
  Effect.gen(function*() {
    if (args.length > 3) return yield* commandError(Errors.subcommandSyntax(args[1], "FUNCTION"))
    if (args.length === 3 && !["sync", "async"].includes(args[2].toLowerCase())) {
      return yield* commandError(Errors.functionFlushOption)
    }
    const scripting = yield* Scripting
    for (const library of scripting.functions.values()) releaseLibrary(scripting.engine, library)
    setLibraries(scripting, new Map())
    yield* propagateFunctionCommand(args, session)
    return Resp.ok
  })

/** FUNCTION DUMP (functionDumpCommand): a FUNCTION2 record per library, the RDB version and the CRC64. */
const functionDump = () =>
  Effect.map(Scripting, (scripting) =>
    Resp.bulk(withDumpFooter(writeFunctionRecords(Array.from(scripting.functions.values(), (library) => library.code)))))

const restorePolicies: ReadonlyArray<RestorePolicy> = ["append", "replace", "flush"]

/**
 * FUNCTION RESTORE payload [FLUSH | APPEND | REPLACE] (functionRestoreCommand):
 * the payload's libraries are created apart (a failing one leaves nothing),
 * then replace all (FLUSH) or join the present ones (libraryJoin).
 */
const functionRestore = (args: Command, session: Session) =>
  Effect.gen(function*() {
    if (args.length > 4) return yield* commandError(Errors.subcommandSyntax(args[1], "FUNCTION"))
    const policy = args.length === 4 ? restorePolicies.find((name) => name === args[3].toLowerCase()) : "append"
    if (policy === undefined) return yield* commandError(Errors.functionRestorePolicy)
    const payload = verifiedPayload(args[2])
    if (payload === undefined) return yield* commandError(Errors.dumpPayloadWrong)
    const codes = readFunctionPayload(payload)
    if (Either.isLeft(codes)) return yield* commandError(`ERR ${codes.left}`)
    const scripting = yield* Scripting
    let restored: FunctionLibraries = new Map()
    const discard = () => restored.forEach((library) => releaseLibrary(scripting.engine, library))
    for (const code of codes.right) {
      const created = createLibrary(scripting.engine, code, restored, false)
      if (Either.isLeft(created)) {
        discard()
        return yield* commandError(created.left)
      }
      restored = new Map(restored).set(created.right.name, created.right)
    }
    const joined = policy === "flush" ? Either.right(restored) : joinLibraries(scripting.functions, restored, policy === "replace")
    if (Either.isLeft(joined)) {
      discard()
      return yield* commandError(joined.left)
    }
    for (const library of scripting.functions.values()) {
      if (joined.right.get(library.name) !== library) releaseLibrary(scripting.engine, library)
    }
    setLibraries(scripting, joined.right)
    yield* propagateFunctionCommand(args, session)
    return Resp.ok
  })

const describeLibrary = (library: Library, withCode: boolean): RespValue => {
  const functions = Array.from(library.functions.values(), (fn): RespValue =>
    Resp.map([
      [Resp.bulk("name"), Resp.bulk(fn.name)],
      [Resp.bulk("description"), fn.description === undefined ? Resp.nullBulk : Resp.bulk(fn.description)],
      [Resp.bulk("flags"), Resp.set(fn.flags.map((flag) => Resp.bulk(flag)))]
    ]))
  const entries: Array<readonly [RespValue, RespValue]> = [
    [Resp.bulk("library_name"), Resp.bulk(library.name)],
    [Resp.bulk("engine"), Resp.bulk("LUA")],
    [Resp.bulk("functions"), Resp.array(functions)]
  ]
  if (withCode) entries.push([Resp.bulk("library_code"), Resp.bulk(library.code)])
  return Resp.map(entries)
}

const functionList = (args: Command) =>
  Effect.gen(function*() {
    let withCode = false
    let pattern: string | undefined = undefined
    for (let i = 2; i < args.length; i++) {
      const option = args[i].toLowerCase()
      if (option === "withcode" && !withCode) withCode = true
      else if (option === "libraryname" && pattern === undefined) {
        if (i + 1 >= args.length) return yield* commandError("ERR library name argument was not given")
        pattern = args[++i]
      }
      else return yield* commandError(`ERR Unknown argument ${args[i]}`)
    }
    const scripting = yield* Scripting
    const libraries = Array.from(scripting.functions.values())
      .filter((library) => pattern === undefined || globMatch(pattern, library.name))
    return Resp.array(libraries.map((library) => describeLibrary(library, withCode)))
  })

const functionStats = () =>
  Effect.map(Scripting, (scripting): RespValue => {
    const running = scripting.running
    const functionsCount = Array.from(scripting.functions.values()).reduce((total, library) => total + library.functions.size, 0)
    return Resp.map([
      [Resp.bulk("running_script"), running === undefined || running.isEval ? Resp.nullBulk : Resp.map([
        [Resp.bulk("name"), Resp.bulk(running.run.name)],
        [Resp.bulk("command"), Resp.array([])],
        [Resp.bulk("duration_ms"), Resp.integer(Math.round(performance.now() - running.run.startedAt))]
      ])],
      [Resp.bulk("engines"), Resp.map([[Resp.bulk("LUA"), Resp.map([
        [Resp.bulk("libraries_count"), Resp.integer(scripting.functions.size)],
        [Resp.bulk("functions_count"), Resp.integer(functionsCount)]
      ])]])]
    ])
  })

/** The function `name`, in whichever library registered it. */
const findFunction = (scripting: ScriptingService, name: ByteString): LibraryFunction | undefined => {
  for (const library of scripting.functions.values()) {
    const found = library.functions.get(name)
    if (found !== undefined) return found
  }
  return undefined
}

const fcall = (readOnlyCall: boolean) => (args: Command, session: Session) =>
  Effect.gen(function*() {
    yield* showToMonitor(args, session)
    const scripting = yield* Scripting
    const found = findFunction(scripting, args[1])
    if (found === undefined) return yield* commandError(Errors.functionNotFound)
    const numkeys = parseInt64(args[2])
    if (numkeys === undefined) return yield* commandError("ERR Bad number of keys provided")
    if (numkeys > BigInt(args.length - 3)) return yield* commandError(Errors.tooManyNumkeys)
    if (numkeys < 0n) return yield* commandError(Errors.negativeNumkeys)
    const noWrites = found.flags.includes("no-writes")
    if (readOnlyCall && !noWrites) return yield* commandError(Errors.writeFunctionInReadOnlyCall)
    const keys = args.slice(3, 3 + Number(numkeys))
    const argv = args.slice(3 + Number(numkeys))
    const engine = scripting.engine
    const pushArray = (L: LuaState, items: ReadonlyArray<ByteString>) => {
      engine.lua._lua_createtable(L, items.length, 0)
      items.forEach((item, i) => {
        engine.heap.pushString(L, item)
        engine.lua._lua_rawseti(L, -2, i + 1)
      })
    }
    return yield* runScript(scripting.table, {
      session,
      name: found.name,
      ref: found.ref,
      isEval: false,
      readOnly: readOnlyCall || noWrites,
      allowOom: found.flags.includes("allow-oom"),
      keys,
      argv,
      pushArgs: (L) => {
        pushArray(L, keys)
        pushArray(L, argv)
        return 2
      }
    })
  })

/** FUNCTION HELP (functions.c functionHelpCommand). */
const functionHelp = () =>
  Effect.succeed(Resp.array([
    "FUNCTION <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "LOAD [REPLACE] <FUNCTION CODE>",
    "    Create a new library with the given library name and code.",
    "DELETE <LIBRARY NAME>",
    "    Delete the given library.",
    "LIST [LIBRARYNAME PATTERN] [WITHCODE]",
    "    Return general information on all the libraries:",
    "    * Library name",
    "    * The engine used to run the Library",
    "    * Library description",
    "    * Functions list",
    "    * Library code (if WITHCODE is given)",
    "    It also possible to get only function that matches a pattern using LIBRARYNAME argument.",
    "STATS",
    "    Return information about the current function running:",
    "    * Function name",
    "    * Command used to run the function",
    "    * Duration in MS that the function is running",
    "    If no function is running, return nil",
    "    In addition, returns a list of available engines.",
    "KILL",
    "    Kill the current running function.",
    "FLUSH [ASYNC|SYNC]",
    "    Delete all the libraries.",
    "    When called without the optional mode argument, the behavior is determined by the",
    "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
    "    * ASYNC: Asynchronously flush the libraries.",
    "    * SYNC: Synchronously flush the libraries.",
    "DUMP",
    "    Return a serialized payload representing the current libraries, can be restored using FUNCTION RESTORE command",
    "RESTORE <PAYLOAD> [FLUSH|APPEND|REPLACE]",
    "    Restore the libraries represented by the given payload, it is possible to give a restore policy to",
    "    control how to handle existing libraries (default APPEND):",
    "    * FLUSH: delete all existing libraries.",
    "    * APPEND: appends the restored libraries to the existing libraries. On collision, abort.",
    "    * REPLACE: appends the restored libraries to the existing libraries, On collision, replace the old",
    "      libraries with the new libraries (notice that even on this option there is a chance of failure",
    "      in case of functions name collision with another library).",
    "HELP",
    "    Prints this help."
  ].map(Resp.simple)))

const fcallFlags = ["noscript", "stale", "skip_monitor", "no_mandatory_keys", "movablekeys"] as const

export const functionCommands = [
  command({ name: "fcall", arity: -3, flags: [...fcallFlags], keys: noKeys,
    summary: "Invoke a function", since: "7.0.0", group: "scripting", handler: fcall(false) }),
  command({ name: "fcall_ro", arity: -3, flags: ["readonly", ...fcallFlags], keys: noKeys,
    summary: "Invoke a read-only function", since: "7.0.0", group: "scripting", handler: fcall(true) }),
  command({ name: "function", arity: -2, flags: [], keys: noKeys,
    summary: "A container for function commands", since: "7.0.0", group: "scripting",
    handler: () => commandError(Errors.wrongArity("function")),
    subcommands: [
      command({ name: "load", arity: -3, flags: ["write", "denyoom", "noscript"], keys: noKeys,
        summary: "Create a function with the given arguments (name, code, description)", since: "7.0.0", group: "scripting", handler: functionLoad }),
      command({ name: "delete", arity: 3, flags: ["write", "noscript"], keys: noKeys,
        summary: "Delete a function by name", since: "7.0.0", group: "scripting", handler: functionDelete }),
      command({ name: "list", arity: -2, flags: ["noscript"], keys: noKeys,
        summary: "List information about all the functions", since: "7.0.0", group: "scripting", handler: functionList }),
      command({ name: "flush", arity: -2, flags: ["write", "noscript"], keys: noKeys,
        summary: "Deleting all functions", since: "7.0.0", group: "scripting", handler: functionFlush }),
      command({ name: "stats", arity: 2, flags: ["noscript", "allow_busy"], keys: noKeys,
        summary: "Return information about the function currently running (name, description, duration)", since: "7.0.0", group: "scripting", handler: functionStats }),
      command({ name: "dump", arity: 2, flags: ["noscript"], keys: noKeys,
        summary: "Dump all functions into a serialized binary payload", since: "7.0.0", group: "scripting", handler: functionDump }),
      command({ name: "restore", arity: -3, flags: ["write", "denyoom", "noscript"], keys: noKeys,
        summary: "Restore all the functions on the given payload", since: "7.0.0", group: "scripting", handler: functionRestore }),
      command({ name: "help", arity: 2, flags: ["loading", "stale"], keys: noKeys,
        summary: "Show helpful text about the different subcommands", since: "7.0.0", group: "scripting", handler: functionHelp }),
      command({ name: "kill", arity: 2, flags: ["noscript", "allow_busy"], keys: noKeys,
        summary: "Kill the function currently in execution.", since: "7.0.0", group: "scripting", handler: killScript(false) })
    ] })
]

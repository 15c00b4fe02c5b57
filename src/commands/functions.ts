/**
 * FUNCTION LOAD / DELETE / LIST / FLUSH / STATS / KILL, FCALL and FCALL_RO
 * (functions.c, function_lua.c). Libraries live in the Scripting service;
 * a function runs through scripting/run.ts as a script does.
 */
import { Effect } from "effect"
import * as Errors from "../errors.js"
import { commandError } from "../errors.js"
import { parseInt64 } from "../int64.js"
import type { ByteString, Command, RespValue } from "../resp/values.js"
import * as Resp from "../resp/values.js"
import type { Session } from "../state/Session.js"
import { type Library, type LibraryFunction, parseHeader, validName } from "../scripting/functions.js"
import type { LuaState } from "../scripting/lua-exports.js"
import { runScript, showToMonitor } from "../scripting/run.js"
import { Scripting, type ScriptingService } from "../scripting/Scripting.js"
import { globMatch } from "../store/glob.js"
import { command, noKeys } from "./row.js"
import { killScript } from "./scripting.js"

/** FUNCTION LOAD's work (functionsCreateWithLibraryCtx): the new library, or the error reply. */
export const loadLibrary = (scripting: ScriptingService, code: ByteString, replace: boolean): Effect.Effect<Library, Errors.CommandError> => {
  const header = parseHeader(code)
  if (header._tag === "Invalid") return commandError(header.message)
  if (header.engine.toLowerCase() !== "lua") return commandError(Errors.engineNotFound(header.engine))
  if (!validName(header.name)) return commandError(Errors.libraryNameInvalid)
  const existing = scripting.functions.get(header.name)
  if (existing !== undefined && !replace) return commandError(Errors.libraryExists(header.name))
  // The header line stays as an empty line, so that error lines count from the code's first line.
  const loaded = scripting.engine.loadLibrary(`\n${header.body}`)
  if ("compileError" in loaded) return commandError(`ERR Error compiling function: ${loaded.compileError}`)
  if ("runError" in loaded) return commandError(`ERR Error registering functions: ${loaded.runError}`)
  const release = () => loaded.functions.forEach(({ ref }) => scripting.engine.release(ref))
  if (loaded.functions.length === 0) return commandError(Errors.noFunctionsRegistered)
  for (const { name } of loaded.functions) {
    for (const library of scripting.functions.values()) {
      if (library.name !== header.name && library.functions.has(name)) {
        release()
        return commandError(`ERR Function ${name} already exists`)
      }
    }
  }
  const functions = new Map(loaded.functions.map((registered): [ByteString, LibraryFunction] =>
    [registered.name, { ...registered, library: header.name }]))
  return Effect.succeed({ name: header.name, code, functions })
}

/** Puts `library` in, replacing (and releasing) the one of the same name. */
export const installLibrary = (scripting: ScriptingService, library: Library): void => {
  const previous = scripting.functions.get(library.name)
  if (previous !== undefined) releaseLibrary(scripting, previous)
  scripting.functions = new Map(scripting.functions).set(library.name, library)
}

const releaseLibrary = (scripting: ScriptingService, library: Library): void => {
  for (const { ref } of library.functions.values()) scripting.engine.release(ref)
}

const functionLoad = (args: Command) =>
  Effect.gen(function*() {
    const scripting = yield* Scripting
    const replace = args.length === 4 && args[2].toLowerCase() === "replace"
    if (args.length > 4 || (args.length === 4 && !replace)) return yield* commandError(Errors.syntaxError)
    const library = yield* loadLibrary(scripting, args[args.length - 1], replace)
    installLibrary(scripting, library)
    return Resp.bulk(library.name)
  })

const functionDelete = (args: Command) =>
  Effect.gen(function*() {
    const scripting = yield* Scripting
    const library = scripting.functions.get(args[2])
    if (library === undefined) return yield* commandError(Errors.libraryNotFound)
    releaseLibrary(scripting, library)
    const rest = new Map(scripting.functions)
    rest.delete(library.name)
    scripting.functions = rest
    return Resp.ok
  })

const functionFlush = (args: Command) =>
  Effect.gen(function*() {
    if (args.length > 3 || (args.length === 3 && !["sync", "async"].includes(args[2].toLowerCase()))) {
      return yield* commandError(Errors.functionFlushOption)
    }
    const scripting = yield* Scripting
    for (const library of scripting.functions.values()) releaseLibrary(scripting, library)
    scripting.functions = new Map()
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
      command({ name: "kill", arity: 2, flags: ["noscript", "allow_busy"], keys: noKeys,
        summary: "Kill the function currently in execution.", since: "7.0.0", group: "scripting", handler: killScript(false) })
    ] })
]

/**
 * Redis 7 function libraries (functions.c, function_lua.c): a library is the
 * code given to FUNCTION LOAD, with its `#!lua name=<library>` header, and
 * the functions its body registered with redis.register_function.
 */
import { Either } from "effect"
import * as Errors from "../errors.js"
import type { ByteString } from "../resp/values.js"
import type { FunctionCodesService } from "../persistence/FunctionCodes.js"
import { readFunctionPayload } from "../persistence/rdb/reader.js"
import type { LuaEngine } from "./engine.js"

/** register_function's flags (function_lua.c luaRegisterFunctionArgs). */
export type FunctionFlag = "no-writes" | "allow-oom" | "allow-stale" | "no-cluster" | "allow-cross-slot-keys"
export const functionFlags: ReadonlyArray<FunctionFlag> = ["no-writes", "allow-oom", "allow-stale", "no-cluster", "allow-cross-slot-keys"]

export interface LibraryFunction {
  readonly name: ByteString
  readonly library: ByteString
  /** The callback's registry reference in the engine. */
  readonly ref: number
  readonly flags: ReadonlyArray<FunctionFlag>
  readonly description: ByteString | undefined
}

export interface Library {
  readonly name: ByteString
  /** The whole code given to FUNCTION LOAD, header included (FUNCTION LIST WITHCODE, DUMP, the RDB). */
  readonly code: ByteString
  readonly functions: ReadonlyMap<ByteString, LibraryFunction>
}

/** Libraries by name. */
export type FunctionLibraries = ReadonlyMap<ByteString, Library>

export const emptyLibraries: FunctionLibraries = new Map()

/** A library's header: `#!<engine> name=<library>` (functions.c functionExtractLibMetaData). */
export type Header =
  | { readonly _tag: "Header"; readonly engine: string; readonly name: ByteString; readonly body: ByteString }
  | { readonly _tag: "Invalid"; readonly message: string }

/**
 * The first line split into words as sdssplitargs does for plain words
 * (quoted words are taken as they are written).
 */
export const parseHeader = (code: ByteString): Header => {
  const invalid = (message: string): Header => ({ _tag: "Invalid", message: `ERR ${message}` })
  if (!code.startsWith("#!")) return invalid("Missing library metadata")
  const end = code.indexOf("\n")
  if (end === -1) return invalid("Invalid library metadata")
  const [first, ...parts] = code.slice(0, end).split(/[ \t\r\v\f]+/).filter((part) => part.length > 0)
  if (first === undefined) return invalid("Invalid library metadata")
  let name: string | undefined = undefined
  for (const part of parts) {
    if (part.slice(0, 5).toLowerCase() !== "name=") return invalid(`Invalid metadata value given: ${part}`)
    if (name !== undefined) return invalid("Invalid metadata value, name argument was given multiple times")
    name = part.slice(5)
  }
  if (name === undefined) return invalid("Library name was not given")
  return { _tag: "Header", engine: first.slice(2), name, body: code.slice(end + 1) }
}

/** Library and function names: letters, digits and underscores (functions.c functionsVerifyName). */
export const validName = (name: string): boolean => /^[A-Za-z0-9_]+$/.test(name)

/**
 * functions.c functionsCreateWithLibraryCtx: `code`'s header checked, its
 * body run in `engine` (FUNCTION LOAD's environment), its functions checked
 * against those of `libraries` (the library it replaces aside, when
 * `replace`). The new library, or the error reply ("ERR ..."); on an error
 * nothing stays registered in the engine.
 */
export const createLibrary = (
  engine: LuaEngine,
  code: ByteString,
  libraries: FunctionLibraries,
  replace: boolean
): Either.Either<Library, string> => {
  const header = parseHeader(code)
  if (header._tag === "Invalid") return Either.left(header.message)
  if (!validName(header.name)) return Either.left(Errors.libraryNameInvalid)
  if (header.engine.toLowerCase() !== "lua") return Either.left(Errors.engineNotFound(header.engine))
  if (libraries.has(header.name) && !replace) return Either.left(Errors.libraryExists(header.name))
  // The header line stays as an empty line, so that error lines count from the code's first line.
  const loaded = engine.loadLibrary(`\n${header.body}`)
  if ("compileError" in loaded) return Either.left(`ERR Error compiling function: ${loaded.compileError}`)
  if ("runError" in loaded) return Either.left(`ERR Error registering functions: ${loaded.runError}`)
  const functions = new Map(loaded.functions.map((registered): [ByteString, LibraryFunction] =>
    [registered.name, { ...registered, library: header.name }]))
  const library: Library = { name: header.name, code, functions }
  const failure = functions.size === 0
    ? Errors.noFunctionsRegistered
    : functionCollision(library, libraries, header.name)
  if (failure === undefined) return Either.right(library)
  releaseLibrary(engine, library)
  return Either.left(failure)
}

/** The "Function <name> already exists" error when a function of `library` is in `libraries` (leaving out the library `except`). */
const functionCollision = (library: Library, libraries: FunctionLibraries, except: ByteString | undefined): string | undefined => {
  for (const name of library.functions.keys()) {
    for (const other of libraries.values()) {
      if (other.name !== except && other.functions.has(name)) return `ERR Function ${name} already exists`
    }
  }
  return undefined
}

/** Frees a library's functions in the engine. */
export const releaseLibrary = (engine: LuaEngine, library: Library): void => {
  for (const { ref } of library.functions.values()) engine.release(ref)
}

/** A restore policy of FUNCTION RESTORE (functions.c restorePolicy). */
export type RestorePolicy = "append" | "replace" | "flush"

/**
 * functions.c libraryJoin: `restored` added to `libraries`; a library of the
 * same name is an error unless `replace`, and so is a function another
 * library (one not replaced) has. The joined libraries, or the error reply.
 */
export const joinLibraries = (
  libraries: FunctionLibraries,
  restored: FunctionLibraries,
  replace: boolean
): Either.Either<FunctionLibraries, string> => {
  for (const name of restored.keys()) {
    if (libraries.has(name) && !replace) return Either.left(`ERR Library ${name} already exists`)
  }
  const kept = new Map(Array.from(libraries).filter(([name]) => !restored.has(name)))
  for (const library of restored.values()) {
    const collision = functionCollision(library, kept, undefined)
    if (collision !== undefined) return Either.left(collision)
  }
  return Either.right(new Map([...kept, ...restored]))
}

/** Where the libraries live: the engine, and the persisted copy of their code (persistence/FunctionCodes.ts). */
export interface LibraryHolder {
  readonly engine: LuaEngine
  readonly persisted: FunctionCodesService
  functions: FunctionLibraries
}

/** Makes `libraries` the server's, and their code what SAVE and the AOF rewrite write. */
export const setLibraries = (holder: LibraryHolder, libraries: FunctionLibraries): void => {
  holder.functions = libraries
  holder.persisted.codes = Array.from(libraries.values(), (library) => library.code)
}

/**
 * Loads the libraries persisted (the RDB file read at start) into the
 * engine, as rdb.c rdbFunctionLoad does; the error of each library that
 * fails, as Redis's "Failed loading library, ..." (Redis then stops loading).
 */
export const loadPersistedLibraries = (holder: LibraryHolder): ReadonlyArray<string> => {
  const failures: Array<string> = []
  let libraries: FunctionLibraries = new Map()
  for (const code of holder.persisted.codes) {
    Either.match(createLibrary(holder.engine, code, libraries, false), {
      onLeft: (failure) => failures.push(failure.replace(/^ERR /, "")),
      onRight: (library) => {
        libraries = new Map(libraries).set(library.name, library)
      }
    })
  }
  setLibraries(holder, libraries)
  return failures
}

/**
 * The libraries' code after the logged command `args` (FUNCTION LOAD,
 * DELETE, FLUSH or RESTORE), for the AOF replay at start, which rebuilds the
 * code before the engine exists: the command succeeded when it was logged,
 * so only its effect on the code is worked out. Undefined when `args` is no
 * such command.
 */
export const replayFunctionCommand = (codes: ReadonlyArray<string>, args: ReadonlyArray<ByteString>): ReadonlyArray<string> | undefined => {
  if (args.length < 2 || args[0].toLowerCase() !== "function") return undefined
  const named = (code: string): string | undefined => {
    const header = parseHeader(code)
    return header._tag === "Header" ? header.name : undefined
  }
  const without = (names: ReadonlySet<string | undefined>) => codes.filter((code) => !names.has(named(code)))
  switch (args[1].toLowerCase()) {
    case "load": {
      const code = args[args.length - 1]
      return [...without(new Set([named(code)])), code]
    }
    case "delete":
      return without(new Set([args[2]]))
    case "flush":
      return []
    case "restore": {
      const restored = Either.getOrElse(readFunctionPayload(Buffer.from(args[2] ?? "", "latin1")), () => [])
      if (args[3]?.toLowerCase() === "flush") return restored
      return [...without(new Set(restored.map(named))), ...restored]
    }
    default:
      return undefined
  }
}

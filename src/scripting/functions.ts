/**
 * Redis 7 function libraries (functions.c, function_lua.c): a library is the
 * code given to FUNCTION LOAD, with its `#!lua name=<library>` header, and
 * the functions its body registered with redis.register_function.
 */
import type { ByteString } from "../resp/values.js"

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

export const parseHeader = (code: ByteString): Header => {
  if (!code.startsWith("#!")) return { _tag: "Invalid", message: "ERR Missing library metadata" }
  const end = code.indexOf("\n")
  const line = end === -1 ? code.slice(2) : code.slice(2, end)
  const [engine, ...parts] = line.split(" ").filter((part) => part.length > 0)
  let name: string | undefined = undefined
  for (const part of parts) {
    if (!part.startsWith("name=")) return { _tag: "Invalid", message: "ERR Invalid library metadata" }
    name = part.slice(5)
  }
  if (name === undefined) return { _tag: "Invalid", message: "ERR Invalid library metadata" }
  return { _tag: "Header", engine: engine ?? "", name, body: end === -1 ? "" : code.slice(end + 1) }
}

/** Library and function names: letters, digits and underscores (functions.c functionsVerifyName). */
export const validName = (name: string): boolean => /^[A-Za-z0-9_]+$/.test(name)

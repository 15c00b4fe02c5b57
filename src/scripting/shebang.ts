/**
 * An EVAL script's `#!lua flags=...` first line (eval.c
 * evalExtractShebangFlags): which flags the script declares. A script
 * without one runs in the compatibility mode (no flag applies; it may write
 * and is judged by each command it calls); a script with one is judged up
 * front by its flags (script.c scriptPrepareForRun, server.c
 * scriptFlagsToCmdFlags). The line is left out of the compiled code, its
 * line feed kept so that error lines count from the script's first line.
 */
import * as Errors from "../errors.js"
import { splitArgs } from "../config/quoting.js"
import type { ByteString } from "../resp/values.js"
import { type FunctionFlag, functionFlags } from "./functions.js"

export type Shebang =
  | { readonly _tag: "None" }
  | { readonly _tag: "Flags"; readonly flags: ReadonlyArray<FunctionFlag>; readonly length: number }
  | { readonly _tag: "Invalid"; readonly message: string }

const isFlag = (text: string): text is FunctionFlag => functionFlags.some((flag) => flag === text)

/** The flags of `flags=a,b` (sdssplitlen on ",": an empty list is no flag, an empty item is an unknown flag). */
const readFlags = (list: string): ReadonlyArray<FunctionFlag> | { readonly unknown: string } => {
  if (list.length === 0) return []
  const flags: Array<FunctionFlag> = []
  for (const item of list.split(",")) {
    if (!isFlag(item)) return { unknown: item }
    flags.push(item)
  }
  return flags
}

export const parseShebang = (body: ByteString): Shebang => {
  if (!body.startsWith("#!")) return { _tag: "None" }
  const end = body.indexOf("\n")
  if (end === -1) return { _tag: "Invalid", message: Errors.shebangInvalid }
  const parts = splitArgs(body.slice(0, end))
  if (parts === undefined || parts.length === 0) return { _tag: "Invalid", message: Errors.shebangInvalidEngine }
  if (parts[0] !== "#!lua") return { _tag: "Invalid", message: Errors.shebangUnexpectedEngine(parts[0]) }
  const flags: Array<FunctionFlag> = []
  for (const part of parts.slice(1)) {
    if (!part.startsWith("flags=")) return { _tag: "Invalid", message: Errors.shebangUnknownOption(part) }
    const read = readFlags(part.slice("flags=".length))
    if ("unknown" in read) return { _tag: "Invalid", message: Errors.shebangUnexpectedFlag(read.unknown) }
    flags.push(...read)
  }
  return { _tag: "Flags", flags, length: end }
}

/** The code to compile: the script without its shebang line (the line feed stays). */
export const scriptCode = (body: ByteString, shebang: Shebang): ByteString =>
  shebang._tag === "Flags" ? body.slice(shebang.length) : body

/**
 * The Scripting service: the Lua engine, the script cache (EVAL / SCRIPT
 * LOAD, by SHA-1), the function libraries (FUNCTION LOAD), and the script
 * running now, which the busy guard and SCRIPT KILL / FUNCTION KILL read.
 * One engine for EVAL and FCALL alike (Redis keeps two Lua states; scripts
 * here never see each other's globals either: the globals are read-only).
 */
import { createHash } from "node:crypto"
import { Context, Effect, Layer, Option } from "effect"
import type { CommandTable } from "../commands/dispatch.js"
import type { CommandServices } from "../commands/table.js"
import type { ByteString } from "../resp/values.js"
import { LuaEngine, type ScriptRun } from "./engine.js"
import { FunctionCodes, type FunctionCodesService } from "../persistence/FunctionCodes.js"
import type { FunctionLibraries } from "./functions.js"
import { emptyLibraries, loadPersistedLibraries } from "./functions.js"

/** A script compiled into the engine. */
export interface CachedScript {
  readonly body: ByteString
  readonly ref: number
}

/** The script running now. */
export interface RunningScript {
  readonly run: ScriptRun
  /** EVAL / EVALSHA (SCRIPT KILL stops it) as against FCALL (FUNCTION KILL). */
  readonly isEval: boolean
  /** Whether it has written (it cannot be killed then). */
  wrote: boolean
}

export interface ScriptingService {
  readonly engine: LuaEngine
  /** The commands redis.call runs (the plain table: the guards were applied to the script's own command). */
  readonly table: CommandTable<CommandServices>
  /** SHA-1 (lower-case hex) -> the compiled script. */
  readonly scripts: Map<string, CachedScript>
  running: RunningScript | undefined
  /** Changed only through functions.ts setLibraries, which keeps `persisted` in step. */
  functions: FunctionLibraries
  /** The libraries' code as persistence reads it (the FunctionCodes service, or one of its own without it). */
  readonly persisted: FunctionCodesService
}

/** The SHA-1 of a script body, as EVAL names it. */
export const scriptSha = (body: ByteString): string =>
  createHash("sha1").update(Buffer.from(body, "latin1")).digest("hex")

export class Scripting extends Context.Tag("effect-kv/Scripting")<Scripting, ScriptingService>() {
  /** The libraries the FunctionCodes service holds at start (the RDB file's) are loaded. */
  static readonly layer = (table: CommandTable<CommandServices>): Layer.Layer<Scripting> => Layer.effect(
    this,
    Effect.gen(function*() {
      const persisted = Option.getOrElse(yield* Effect.serviceOption(FunctionCodes), (): FunctionCodesService => ({ codes: [] }))
      const scripting: ScriptingService = {
        engine: yield* Effect.promise(() => LuaEngine.create()),
        table,
        scripts: new Map(),
        running: undefined,
        functions: emptyLibraries,
        persisted
      }
      // rdb.c rdbLoadRioWithLoadingCtx logs this and stops loading; here the other libraries stay.
      for (const failure of loadPersistedLibraries(scripting)) yield* Effect.logWarning(`Failed loading library, ${failure}`)
      return scripting
    })
  )
}

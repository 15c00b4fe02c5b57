/**
 * One Lua 5.1 state, set up as Redis 7.0's (script_lua.c / eval.c): the
 * libraries (base, table, string, math; cjson, bit, struct, cmsgpack), the
 * `redis` table, the sandbox (sandbox.ts), compiled scripts kept as registry
 * references, and a count hook.
 *
 * A script runs as a coroutine of the main state, resumed from JS. The count
 * hook (every `hookInstructions` VM instructions, as Redis's
 * luaMaskCountHook) does what Redis's does between instructions: raise the
 * kill error after SCRIPT KILL, and, once the script has run past
 * busy-reply-threshold, yield the coroutine every `sliceMs` so that the
 * server can answer other clients (BUSY) and hear SCRIPT KILL / SHUTDOWN
 * NOSAVE before resuming it. Lua 5.1 can yield from a count hook only where
 * no C call is on the coroutine's stack (pcall, a metamethod, string.gsub's
 * callback): there the hook waits for the next chance.
 */
import type { ByteString, RespValue } from "../resp/values.js"
import * as Resp from "../resp/values.js"
import { toReply } from "./conversions.js"
import {
  LUA_GLOBALSINDEX,
  LUA_MASKCOUNT,
  LUA_REGISTRYINDEX,
  LUA_TNUMBER,
  LUA_TSTRING,
  LUA_TTABLE,
  LUA_YIELD,
  LuaHeap,
  type LuaExports,
  type LuaState,
  loadLuaExports
} from "./lua-exports.js"
import { openLibraries } from "./libraries.js"
import { Rand48 } from "./random.js"
import { ignoreErrorStatsField, registerRedisApi, type ScriptHost } from "./redis-api.js"
import { registerFunctionApi, type RegisteredFunction } from "./register-function.js"
import { sandboxPrelude } from "./sandbox.js"

/** Instructions between two calls of the count hook (Redis: LUA_MASKCOUNT every 100000). */
export const hookInstructions = 100_000
/** Once a script is busy, how long it runs between two turns of the event loop. */
export const sliceMs = 20

/** What a script's run is told by the server, and tells it back. */
export interface ScriptRun extends ScriptHost {
  /** The name the error replies give the script (its SHA-1, or the function's name). */
  readonly name: string
  readonly startedAt: number
  /** busy-reply-threshold: from then on the hook yields every `sliceMs`. */
  readonly busyAfterMs: number
  /** Set by SCRIPT KILL / FUNCTION KILL: the hook raises the kill error. */
  killed: boolean
  /** Whether the run has yielded at least once (others have been told BUSY). */
  busy: boolean
}

export type RunStatus =
  | {
    readonly _tag: "Done"
    readonly reply: RespValue
    /** The reply is an error a redis.call already counted in errorstats (luaCallFunction's ignore_err_stats_update). */
    readonly errorCounted?: boolean
  }
  | { readonly _tag: "Yielded" }

/** The offsets of `nCcalls` and `baseCcalls` in Lua 5.1.5's lua_State (lstate.h), on wasm32. */
const nCcallsOffset = 52
const baseCcallsOffset = 54

export class LuaEngine {
  readonly heap: LuaHeap
  readonly L: LuaState
  readonly random = new Rand48()
  /** The run in progress (at most one: scripts never nest). */
  running: ScriptRun | undefined = undefined
  /** While FUNCTION LOAD runs a library's body: the functions it registers. */
  private registering: Array<RegisteredFunction> | undefined = undefined
  private thread: LuaState = 0
  private threadRef = 0
  private readonly realGlobalsRef: number
  private readonly errorOfRef: number
  /** The sandbox's loading_library(on): the library API as the globals, or the script ones. */
  private readonly loadingLibraryRef: number

  private constructor(readonly lua: LuaExports) {
    this.heap = new LuaHeap(lua)
    const L = lua._luaL_newstate()
    this.L = L
    for (const open of [lua._luaopen_base, lua._luaopen_table, lua._luaopen_string, lua._luaopen_math, lua._luaopen_debug]) {
      open.call(lua, L)
      lua._lua_settop(L, 0)
    }
    openLibraries(this.heap, L, this.random)
    registerRedisApi(this.heap, L, () => this.running)
    registerFunctionApi(this.heap, L, () => this.registering)
    if (this.heap.load(L, sandboxPrelude, "=sandbox") !== 0 || lua._lua_pcall(L, 0, 4, 0) !== 0) {
      throw new Error(`Lua sandbox: ${this.heap.toString(L, -1)}`)
    }
    this.loadingLibraryRef = lua._luaL_ref(L, LUA_REGISTRYINDEX)
    this.errorOfRef = lua._luaL_ref(L, LUA_REGISTRYINDEX)
    this.realGlobalsRef = lua._luaL_ref(L, LUA_REGISTRYINDEX)
    lua._lua_replace(L, LUA_GLOBALSINDEX)
    lua._lua_settop(L, 0)
    const hook = lua.addFunction((state: number) => this.onHook(state), "vii")
    lua._lua_sethook(L, hook, LUA_MASKCOUNT, hookInstructions)
  }

  static async create(): Promise<LuaEngine> {
    return new LuaEngine(await loadLuaExports())
  }

  /** Compiles `body` as a function (chunk name `@<chunk>`): its registry reference, or Lua's error message. */
  compile(body: ByteString, chunk: string): { readonly ref: number } | { readonly error: string } {
    const lua = this.lua
    if (body.charCodeAt(0) === 27) return { error: `${chunk}: bad binary format (bytecode is refused)` }
    if (this.heap.load(this.L, body, `@${chunk}`) !== 0) {
      const error = this.heap.toString(this.L, -1)
      lua._lua_settop(this.L, 0)
      return { error }
    }
    return { ref: lua._luaL_ref(this.L, LUA_REGISTRYINDEX) }
  }

  /**
   * Runs a library's body (FUNCTION LOAD): the functions it registered with
   * redis.register_function, or the error (compiling, or running the body).
   */
  loadLibrary(body: ByteString): { readonly functions: ReadonlyArray<RegisteredFunction> } | { readonly compileError: string } | { readonly runError: string } {
    const compiled = this.compile(body, "user_function")
    if ("error" in compiled) return { compileError: compiled.error }
    const lua = this.lua
    const L = this.L
    const registered: Array<RegisteredFunction> = []
    this.registering = registered
    this.loadingLibrary(true)
    lua._lua_rawgeti(L, LUA_REGISTRYINDEX, compiled.ref)
    const status = lua._lua_pcall(L, 0, 0, 0)
    this.loadingLibrary(false)
    this.registering = undefined
    this.release(compiled.ref)
    if (status !== 0) {
      let message: string
      if (lua._lua_type(L, -1) === LUA_TTABLE) {
        this.heap.getField(L, -1, "err")
        message = this.heap.toString(L, -1)
      } else message = `ERR ${this.heap.toString(L, -1)}`
      lua._lua_settop(L, 0)
      for (const { ref } of registered) this.release(ref)
      return { runError: message }
    }
    return { functions: registered }
  }

  /** Swaps the globals for FUNCTION LOAD's narrower ones (function_lua.c luaEngineCreate), or back. */
  private loadingLibrary(on: boolean): void {
    const lua = this.lua
    lua._lua_rawgeti(this.L, LUA_REGISTRYINDEX, this.loadingLibraryRef)
    lua._lua_pushboolean(this.L, on ? 1 : 0)
    lua._lua_pcall(this.L, 1, 0, 0)
  }

  /** Frees a compiled function (SCRIPT FLUSH). */
  release(ref: number): void {
    this.lua._luaL_unref(this.L, LUA_REGISTRYINDEX, ref)
  }

  /** Sets the global `name` to an array of byte strings (KEYS, ARGV), past the read-only proxy. */
  setGlobalArray(name: string, items: ReadonlyArray<ByteString>): void {
    const lua = this.lua
    const L = this.L
    lua._lua_rawgeti(L, LUA_REGISTRYINDEX, this.realGlobalsRef)
    this.heap.pushString(L, name)
    lua._lua_createtable(L, items.length, 0)
    items.forEach((item, i) => {
      this.heap.pushString(L, item)
      lua._lua_rawseti(L, -2, i + 1)
    })
    lua._lua_rawset(L, -3)
    lua._lua_settop(L, -2)
  }

  /**
   * Starts the function `ref` with `args` pushed by `pushArgs` (FCALL's KEYS
   * and ARGV tables) as the run `run`; `resume` continues it.
   */
  start(ref: number, run: ScriptRun, pushArgs?: (L: LuaState) => number): RunStatus {
    const lua = this.lua
    const L = this.L
    this.thread = lua._lua_newthread(L)
    this.threadRef = lua._luaL_ref(L, LUA_REGISTRYINDEX)
    lua._lua_rawgeti(L, LUA_REGISTRYINDEX, ref)
    const argc = pushArgs === undefined ? 0 : pushArgs(L)
    lua._lua_xmove(L, this.thread, argc + 1)
    this.running = run
    return this.step(argc)
  }

  /** Runs the started script until it ends or yields again. */
  resume(): RunStatus {
    return this.step(0)
  }

  private step(argc: number): RunStatus {
    const lua = this.lua
    const thread = this.thread
    const run = this.running
    if (run === undefined) return { _tag: "Done", reply: Resp.error("ERR no script is running") }
    const status = lua._lua_resume(thread, argc)
    if (status === LUA_YIELD) {
      run.busy = true
      return { _tag: "Yielded" }
    }
    const returned = status === 0 && lua._lua_gettop(thread) > 0
    const reply = status === 0
      ? (returned ? toReply(this.heap, thread, 1, run.protocol) : Resp.nullBulk)
      : this.errorReply(run)
    // The error table (raised, or returned from redis.pcall) says whether its error was counted already.
    const errorCounted = reply._tag === "Error" && (status !== 0 || returned) && this.countedError(status === 0 ? thread : this.L)
    this.finish()
    return errorCounted ? { _tag: "Done", reply, errorCounted } : { _tag: "Done", reply }
  }

  private finish(): void {
    this.lua._lua_settop(this.thread, 0)
    this.lua._luaL_unref(this.L, LUA_REGISTRYINDEX, this.threadRef)
    this.lua._lua_settop(this.L, 0)
    this.running = undefined
    this.thread = 0
  }

  /** The error the dead coroutine left, as luaCallFunction phrases it: `-<err> script: <name>, on <source>:<line>.` */
  private errorReply(run: ScriptRun): RespValue {
    const lua = this.lua
    const L = this.L
    const heap = this.heap
    lua._lua_settop(L, 0)
    lua._lua_rawgeti(L, LUA_REGISTRYINDEX, this.errorOfRef)
    lua._lua_rawgeti(L, LUA_REGISTRYINDEX, this.threadRef)
    lua._lua_xmove(this.thread, L, 1)
    if (lua._lua_pcall(L, 2, 1, 0) !== 0 || lua._lua_type(L, -1) !== LUA_TTABLE) {
      return Resp.error(`ERR Error running script ${run.name}, ${heap.toString(L, -1).slice(0, 100)}`)
    }
    const field = (name: string, type: number): ByteString | undefined => {
      heap.getField(L, 1, name)
      const value = lua._lua_type(L, -1) === type ? heap.toString(L, -1) : undefined
      lua._lua_settop(L, 1)
      return value
    }
    const message = field("err", LUA_TSTRING) ?? ""
    const source = field("source", LUA_TSTRING)
    const line = field("line", LUA_TNUMBER)
    const where = source !== undefined && line !== undefined ? ` script: ${run.name}, on ${source}:${line}.` : ""
    return Resp.error(`${message}${where}`.replace(/[\r\n]/g, " "))
  }

  /** Whether the value at index 1 of `L` is an error table flagged as already counted. */
  private countedError(L: LuaState): boolean {
    const lua = this.lua
    if (lua._lua_type(L, 1) !== LUA_TTABLE) return false
    this.heap.getField(L, 1, ignoreErrorStatsField)
    const counted = lua._lua_toboolean(L, -1) !== 0
    lua._lua_settop(L, -2)
    return counted
  }

  /** Whether the coroutine `L` may yield now: no C call (pcall, a metamethod ...) between it and lua_resume. */
  private canYield(L: LuaState): boolean {
    const heap16 = this.lua.HEAPU16
    return heap16[(L + nCcallsOffset) >> 1] === heap16[(L + baseCcallsOffset) >> 1]
  }

  private sliceStartedAt = 0

  private onHook(L: LuaState): void {
    const run = this.running
    if (run === undefined) return
    if (run.killed) {
      this.heap.pushString(L, "Script killed by user with SCRIPT KILL...")
      this.lua._lua_error(L)
      return
    }
    const now = performance.now()
    if (now - run.startedAt < run.busyAfterMs || L !== this.thread) return
    if (run.busy && now - this.sliceStartedAt < sliceMs) return
    if (!this.canYield(L)) return
    this.sliceStartedAt = now
    this.lua._lua_yield(L, 0)
  }

  /** Marks the start of a slice (after the event loop had its turn). */
  resumed(): void {
    this.sliceStartedAt = performance.now()
  }
}

/**
 * The `redis` table (script_lua.c luaRegisterRedisAPI): call, pcall,
 * error_reply, status_reply, sha1hex, log, setresp, set_repl,
 * replicate_commands, breakpoint, debug, the REPL_* and LOG_* constants and
 * REDIS_VERSION. Each function is a C function made from JS; a JS exception
 * never crosses into the VM (it would skip Lua's own unwinding): the body
 * runs in a try, and Lua's error is raised after it.
 */
import { createHash } from "node:crypto"
import type { ByteString, RespValue } from "../resp/values.js"
import { redisCompatibleVersion as redisVersion } from "../version.js"
import { formatArgumentNumber, pushFieldTable, pushReply, type ScriptProtocol } from "./conversions.js"
import { LUA_TNUMBER, LUA_TSTRING, type LuaHeap, type LuaState } from "./lua-exports.js"

/** What redis.call and friends need from the server while a script runs. */
export interface ScriptHost {
  /** The protocol replies are read in (redis.setresp). */
  protocol: ScriptProtocol
  /** Runs one command; an error is an Error reply. */
  readonly call: (args: ReadonlyArray<ByteString>) => RespValue
  /** redis.log, at Redis's level number (0 debug .. 3 warning). */
  readonly log: (level: number, message: string) => void
}

/** What a JS-made C function does: returns its results' count, or raises. */
type Body = (L: LuaState) => number | Raise

/** Raise the value on top of the stack as the Lua error. */
export class Raise {
  readonly _tag = "Raise"
}
export const raise = new Raise()

/**
 * A lua_CFunction from `body`. A JS exception in `body` becomes a Lua error
 * with its message; lua_error is called outside the try (Emscripten's
 * longjmp is itself a JS exception, which the try would catch).
 */
export const cFunction = (heap: LuaHeap, body: Body): number =>
  heap.lua.addFunction((L: number) => {
    let result: number | Raise
    try {
      result = body(L)
    } catch (cause) {
      heap.pushString(L, cause instanceof Error ? cause.message : String(cause))
      result = raise
    }
    if (result instanceof Raise) return heap.lua._lua_error(L)
    return result
  }, "ii")

/**
 * Pushes an error table as luaPushErrorBuff builds it: "-CODE msg" keeps its
 * code, anything else gets ERR; trailing newlines trimmed.
 */
export const pushErrorTable = (heap: LuaHeap, L: LuaState, text: string): void => {
  let code = "ERR"
  let message = text
  if (text.startsWith("-")) {
    const space = text.indexOf(" ")
    if (space === -1) message = text.slice(1)
    else {
      code = text.slice(1, space)
      message = text.slice(space + 1)
    }
  }
  pushFieldTable(heap, L, "err", `${code} ${message.replace(/[\r\n]+$/, "")}`)
}

/** The field of an error table that says its error is already in errorstats (script_lua.c). */
export const ignoreErrorStatsField = "ignore_error_stats_update"

/** redis.call's arguments (luaArgsToRedisArgv): strings, and numbers as %.17g; undefined when one is neither. */
const commandArguments = (heap: LuaHeap, L: LuaState): Array<ByteString> | undefined => {
  const argc = heap.lua._lua_gettop(L)
  const args: Array<ByteString> = []
  for (let i = 1; i <= argc; i++) {
    const type = heap.lua._lua_type(L, i)
    if (type === LUA_TNUMBER) args.push(formatArgumentNumber(heap.lua._lua_tonumber(L, i)))
    else if (type === LUA_TSTRING) args.push(heap.toString(L, i))
    else return undefined
  }
  return args
}

export const registerRedisApi = (heap: LuaHeap, L: LuaState, current: () => ScriptHost | undefined): void => {
  const lua = heap.lua
  const setFunction = (name: string, body: Body) => {
    lua._lua_pushcclosure(L, cFunction(heap, body), 0)
    heap.setField(L, -2, name)
  }
  const setNumber = (name: string, value: number) => {
    lua._lua_pushnumber(L, value)
    heap.setField(L, -2, name)
  }
  /** Raises the error table luaPushError(text) + luaError. */
  const raiseError = (state: LuaState, text: string): Raise => {
    pushErrorTable(heap, state, text)
    return raise
  }

  const call = (raises: boolean): Body => (state) => {
    const host = current()
    if (host === undefined) return raiseError(state, "redis.call is only available while a script runs")
    if (lua._lua_gettop(state) === 0) {
      return raiseError(state, "Please specify at least one argument for this redis lib call")
    }
    const args = commandArguments(heap, state)
    if (args === undefined) return raiseError(state, "Lua redis lib command arguments must be strings or integers")
    const reply = host.call(args)
    lua._lua_settop(state, 0)
    if (reply._tag === "Error") {
      pushErrorTable(heap, state, `-${reply.message}`)
      // redisProtocolToLuaType_Error: the error was counted when the command failed; the script's reply must not count it again.
      lua._lua_pushboolean(state, 1)
      heap.setField(state, -2, ignoreErrorStatsField)
      return raises ? raise : 1
    }
    pushReply(heap, state, reply, host.protocol)
    return 1
  }

  lua._lua_createtable(L, 0, 32)
  setFunction("call", call(true))
  setFunction("pcall", call(false))
  setFunction("error_reply", (state) => {
    if (lua._lua_gettop(state) !== 1 || lua._lua_type(state, -1) !== LUA_TSTRING) {
      pushErrorTable(heap, state, "wrong number or type of arguments")
      return 1
    }
    const text = heap.toString(state, -1)
    pushErrorTable(heap, state, text.startsWith("-") ? text : `-${text}`)
    return 1
  })
  setFunction("status_reply", (state) => {
    if (lua._lua_gettop(state) !== 1 || lua._lua_type(state, -1) !== LUA_TSTRING) {
      pushErrorTable(heap, state, "wrong number or type of arguments")
      return 1
    }
    pushFieldTable(heap, state, "ok", heap.toString(state, -1))
    return 1
  })
  setFunction("sha1hex", (state) => {
    if (lua._lua_gettop(state) !== 1) return raiseError(state, "wrong number of arguments")
    const text = heap.toString(state, 1)
    heap.pushString(state, createHash("sha1").update(Buffer.from(text, "latin1")).digest("hex"))
    return 1
  })
  setFunction("log", (state) => {
    const argc = lua._lua_gettop(state)
    if (argc < 2) return raiseError(state, "redis.log() requires two arguments or more.")
    if (lua._lua_type(state, 1) !== LUA_TNUMBER) return raiseError(state, "First argument must be a number.")
    const level = lua._lua_tonumber(state, 1)
    if (level < 0 || level > 3) return raiseError(state, "Invalid debug level.")
    const parts: Array<string> = []
    for (let i = 2; i <= argc; i++) parts.push(heap.toString(state, i))
    current()?.log(level, parts.join(" "))
    return 0
  })
  setFunction("setresp", (state) => {
    if (lua._lua_gettop(state) !== 1) return raiseError(state, "redis.setresp() requires one argument.")
    const protocol = lua._lua_tonumber(state, 1)
    if (protocol !== 2 && protocol !== 3) return raiseError(state, "RESP version must be 2 or 3.")
    const host = current()
    if (host !== undefined) host.protocol = protocol
    return 0
  })
  setFunction("set_repl", (state) => {
    if (lua._lua_gettop(state) !== 1) return raiseError(state, "redis.set_repl() requires one argument.")
    const flags = lua._lua_tonumber(state, 1)
    if (!(flags >= 0 && flags <= 3)) return raiseError(state, "Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE.")
    return 0
  })
  setFunction("replicate_commands", (state) => {
    lua._lua_pushboolean(state, 1)
    return 1
  })
  setFunction("breakpoint", (state) => {
    lua._lua_pushboolean(state, 0)
    return 1
  })
  setFunction("debug", () => 0)
  setNumber("LOG_DEBUG", 0)
  setNumber("LOG_VERBOSE", 1)
  setNumber("LOG_NOTICE", 2)
  setNumber("LOG_WARNING", 3)
  setNumber("REPL_NONE", 0)
  setNumber("REPL_AOF", 1)
  setNumber("REPL_SLAVE", 2)
  setNumber("REPL_REPLICA", 2)
  setNumber("REPL_ALL", 3)
  heap.pushString(L, redisVersion)
  heap.setField(L, -2, "REDIS_VERSION")
  const [major, minor, patch] = redisVersion.split(".").map(Number)
  setNumber("REDIS_VERSION_NUM", (major << 16) | (minor << 8) | patch)
  heap.setField(L, -10002, "redis")
}

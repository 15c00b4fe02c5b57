/**
 * redis.register_function (function_lua.c luaRegisterFunction): during
 * FUNCTION LOAD, `register_function(name, callback)` or
 * `register_function{function_name=, callback=, flags={...}, description=}`
 * records a function of the library being loaded.
 */
import * as Errors from "../errors.js"
import { type FunctionFlag, functionFlags, validName } from "./functions.js"
import {
  LUA_GLOBALSINDEX,
  LUA_REGISTRYINDEX,
  LUA_TFUNCTION,
  LUA_TNIL,
  LUA_TSTRING,
  LUA_TTABLE,
  type LuaHeap,
  type LuaState
} from "./lua-exports.js"
import { cFunction, pushErrorTable, raise, type Raise } from "./redis-api.js"

export interface RegisteredFunction {
  readonly name: string
  readonly ref: number
  readonly flags: ReadonlyArray<FunctionFlag>
  readonly description: string | undefined
}

const isFlag = (text: string): text is FunctionFlag => functionFlags.some((flag) => flag === text)

export const registerFunctionApi = (
  heap: LuaHeap,
  L: LuaState,
  registering: () => Array<RegisteredFunction> | undefined
): void => {
  const lua = heap.lua
  const fail = (state: LuaState, message: string): Raise => {
    pushErrorTable(heap, state, message)
    return raise
  }
  const body = (state: LuaState): number | Raise => {
    const functions = registering()
    if (functions === undefined) return fail(state, "redis.register_function can only be called on FUNCTION LOAD command")
    const argc = lua._lua_gettop(state)
    let name: string | undefined = undefined
    let flags: Array<FunctionFlag> = []
    let description: string | undefined = undefined
    if (argc === 2) {
      if (lua._lua_type(state, 1) !== LUA_TSTRING) return fail(state, "first argument to redis.register_function must be a string")
      if (lua._lua_type(state, 2) !== LUA_TFUNCTION) {
        return fail(state, "second argument to redis.register_function must be a function")
      }
      name = heap.toString(state, 1)
      lua._lua_settop(state, 2)
    } else if (argc === 1) {
      if (lua._lua_type(state, 1) !== LUA_TTABLE) {
        return fail(state, "calling redis.register_function with a single argument is only applicable to Lua table (representing named arguments).")
      }
      let callback = false
      // Index 2 keeps the callback while lua_next walks the table above it.
      lua._lua_settop(state, 2)
      lua._lua_pushnil(state)
      while (lua._lua_next(state, 1) !== 0) {
        const key = lua._lua_type(state, -2) === LUA_TSTRING ? heap.toString(state, -2) : ""
        const type = lua._lua_type(state, -1)
        if (key === "function_name") {
          if (type !== LUA_TSTRING) return fail(state, "function_name argument given to redis.register_function must be a string")
          name = heap.toString(state, -1)
        } else if (key === "description") {
          if (type !== LUA_TSTRING) return fail(state, "description argument given to redis.register_function must be a string")
          description = heap.toString(state, -1)
        } else if (key === "callback") {
          if (type !== LUA_TFUNCTION) return fail(state, "callback argument given to redis.register_function must be a function")
          lua._lua_pushvalue(state, -1)
          lua._lua_replace(state, 2)
          callback = true
        } else if (key === "flags") {
          if (type !== LUA_TTABLE) return fail(state, "flags argument to redis.register_function must be a table representing function flags")
          flags = []
          for (let i = 1;; i++) {
            lua._lua_rawgeti(state, -1, i)
            if (lua._lua_type(state, -1) === LUA_TNIL) break
            const flag = lua._lua_type(state, -1) === LUA_TSTRING ? heap.toString(state, -1) : ""
            if (!isFlag(flag)) return fail(state, "unknown flag given")
            flags.push(flag)
            lua._lua_settop(state, -2)
          }
          lua._lua_settop(state, -2)
        } else return fail(state, "unknown argument given to redis.register_function")
        lua._lua_settop(state, -2)
      }
      if (name === undefined) return fail(state, "redis.register_function must get a function name argument")
      if (!callback) return fail(state, "redis.register_function must get a callback argument")
    } else return fail(state, "wrong number of arguments to redis.register_function")
    // functions.c functionLibCreateFunction (7.0 names the library in the first message).
    if (!validName(name)) return fail(state, Errors.libraryNameInvalid.slice(4))
    if (functions.some((registered) => registered.name === name)) return fail(state, "Function already exists in the library")
    lua._lua_pushvalue(state, 2)
    functions.push({ name, ref: lua._luaL_ref(state, LUA_REGISTRYINDEX), flags, description })
    return 0
  }
  heap.getField(L, LUA_GLOBALSINDEX, "redis")
  lua._lua_pushcclosure(L, cFunction(heap, body), 0)
  heap.setField(L, -2, "register_function")
  lua._lua_settop(L, -2)
}

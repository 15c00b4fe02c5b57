/**
 * The libraries Redis adds to Lua (eval.c luaLoadLibraries): cjson, bit,
 * struct and cmsgpack as JS-made C functions, and Redis's math.random /
 * math.randomseed.
 */
import { bitFunctions, toHex } from "./libraries/bit.js"
import { decodeValue, encodeValue } from "./libraries/cjson.js"
import { cmsgpackFields, cmsgpackFunctions } from "./libraries/cmsgpack.js"
import { structFunctions } from "./libraries/struct.js"
import { LUA_GLOBALSINDEX, LUA_TNUMBER, type LuaHeap, type LuaState } from "./lua-exports.js"
import type { Rand48 } from "./random.js"
import { cFunction, raise } from "./redis-api.js"

type Library = Record<string, (L: LuaState) => number | typeof raise>

const register = (heap: LuaHeap, L: LuaState, name: string, functions: Library, fields: Record<string, string> = {}): void => {
  const lua = heap.lua
  lua._lua_createtable(L, 0, Object.keys(functions).length + 1)
  for (const [field, body] of Object.entries(functions)) {
    lua._lua_pushcclosure(L, cFunction(heap, body), 0)
    heap.setField(L, -2, field)
  }
  for (const [field, value] of Object.entries(fields)) {
    heap.pushString(L, value)
    heap.setField(L, -2, field)
  }
  heap.setField(L, LUA_GLOBALSINDEX, name)
}

/** luaL_checknumber's message. */
const checkNumber = (heap: LuaHeap, L: LuaState, index: number, name: string): number => {
  if (heap.lua._lua_type(L, index) !== LUA_TNUMBER && heap.lua._lua_type(L, index) !== 4) {
    throw new Error(`bad argument #${index} to '${name}' (number expected, got ${heap.lua._lua_type(L, index) === 0 ? "no value" : "other"})`)
  }
  return heap.lua._lua_tonumber(L, index)
}

const cjson = (heap: LuaHeap): Library => ({
  encode: (L) => {
    if (heap.lua._lua_gettop(L) !== 1) throw new Error("bad argument #1 to 'encode' (expected 1 argument)")
    heap.pushString(L, encodeValue(heap, L))
    return 1
  },
  decode: (L) => {
    if (heap.lua._lua_gettop(L) !== 1) throw new Error("bad argument #1 to 'decode' (expected 1 argument)")
    decodeValue(heap, L, heap.toString(L, 1))
    return 1
  },
  encode_keep_buffer: () => 0,
  encode_max_depth: () => 0,
  decode_max_depth: () => 0,
  encode_number_precision: () => 0,
  encode_invalid_numbers: () => 0,
  decode_invalid_numbers: () => 0,
  encode_sparse_array: () => 0
})

const bit = (heap: LuaHeap): Library => {
  const library: Library = {}
  for (const [name, f] of Object.entries(bitFunctions)) {
    library[name] = (L) => {
      const argc = Math.max(1, heap.lua._lua_gettop(L))
      const args: Array<number> = []
      for (let i = 1; i <= argc; i++) args.push(checkNumber(heap, L, i, name))
      heap.lua._lua_pushnumber(L, f(args))
      return 1
    }
  }
  library.tohex = (L) => {
    const x = checkNumber(heap, L, 1, "tohex")
    const n = heap.lua._lua_gettop(L) >= 2 ? checkNumber(heap, L, 2, "tohex") : 8
    heap.pushString(L, toHex(x, n))
    return 1
  }
  return library
}

/** Replaces math.random and math.randomseed with Redis's (rand48: the same numbers on every run). */
const redisRandom = (heap: LuaHeap, L: LuaState, random: Rand48): void => {
  const lua = heap.lua
  heap.getField(L, LUA_GLOBALSINDEX, "math")
  lua._lua_pushcclosure(L, cFunction(heap, (state) => {
    const r = random.unit()
    const argc = lua._lua_gettop(state)
    if (argc === 0) lua._lua_pushnumber(state, r)
    else if (argc === 1) {
      const upper = Math.trunc(checkNumber(heap, state, 1, "random"))
      if (upper < 1) throw new Error("bad argument #1 to 'random' (interval is empty)")
      lua._lua_pushnumber(state, Math.floor(r * upper) + 1)
    } else if (argc === 2) {
      const lower = Math.trunc(checkNumber(heap, state, 1, "random"))
      const upper = Math.trunc(checkNumber(heap, state, 2, "random"))
      if (lower > upper) throw new Error("bad argument #2 to 'random' (interval is empty)")
      lua._lua_pushnumber(state, Math.floor(r * (upper - lower + 1)) + lower)
    } else throw new Error("wrong number of arguments")
    return 1
  }), 0)
  heap.setField(L, -2, "random")
  lua._lua_pushcclosure(L, cFunction(heap, (state) => {
    random.seed(checkNumber(heap, state, 1, "randomseed"))
    return 0
  }), 0)
  heap.setField(L, -2, "randomseed")
  lua._lua_settop(L, -2)
}

export const openLibraries = (heap: LuaHeap, L: LuaState, random: Rand48): void => {
  register(heap, L, "cjson", cjson(heap))
  heap.getField(L, LUA_GLOBALSINDEX, "cjson")
  heap.lua._lua_pushlightuserdata(L, 0)
  heap.setField(L, -2, "null")
  heap.pushString(L, "cjson")
  heap.setField(L, -2, "_NAME")
  heap.pushString(L, "2.1.0")
  heap.setField(L, -2, "_VERSION")
  heap.lua._lua_settop(L, -2)
  register(heap, L, "bit", bit(heap))
  register(heap, L, "struct", structFunctions(heap))
  register(heap, L, "cmsgpack", cmsgpackFunctions(heap), cmsgpackFields)
  redisRandom(heap, L, random)
}

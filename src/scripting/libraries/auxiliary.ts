/**
 * What lauxlib.c gives a C library, for libraries written in JS: an error
 * message as luaL_error builds it (the calling line's `chunk:line:` first),
 * luaL_argerror / luaL_typerror (naming the function as the caller called
 * it), and the argument readers (luaL_checknumber, luaL_checklstring,
 * luaL_checkinteger, luaL_optinteger). A JS-made C function throws the
 * Errors built here; `cFunction` (redis-api.ts) raises their message as the
 * Lua error.
 */
import { LUA_TNIL, type LuaHeap, type LuaState } from "../lua-exports.js"

/** lua_typename, with luaL_typename's "no value" for an absent argument. */
const typeNames = ["nil", "boolean", "userdata", "number", "string", "table", "function", "userdata", "thread"]
const LUA_TNONE = -1

export const typeName = (heap: LuaHeap, L: LuaState, index: number): string => {
  const type = heap.lua._lua_type(L, index)
  return type === LUA_TNONE ? "no value" : typeNames[type] ?? "userdata"
}

/** luaL_where(L, 1): the position of the Lua code that called the running C function ("user_script:3:"). */
const where = (heap: LuaHeap, L: LuaState): string => {
  heap.lua._luaL_where(L, 1)
  const text = heap.toString(L, -1)
  heap.lua._lua_settop(L, -2)
  return text
}

/** luaL_error's message: `message` after the caller's position. */
export const luaError = (heap: LuaHeap, L: LuaState, message: string): Error => new Error(`${where(heap, L)}${message}`)

/** sizeof(lua_Debug) on wasm32, and the offsets of its `name` and `namewhat` pointers (lua.h). */
const debugRecordSize = 100
const nameOffset = 4
const namewhatOffset = 8

const cString = (heap: LuaHeap, pointer: number): string | undefined => {
  if (pointer === 0) return undefined
  const bytes = heap.lua.HEAPU8
  let end = pointer
  while (bytes[end] !== 0) end++
  return Buffer.from(bytes.buffer, pointer, end - pointer).toString("latin1")
}

/** The running C function's name and how it was reached (lua_getstack(L, 0) + lua_getinfo("n")). */
const callee = (heap: LuaHeap, L: LuaState): { readonly name: string | undefined; readonly namewhat: string } => {
  const lua = heap.lua
  const record = lua._malloc(debugRecordSize)
  try {
    if (lua._lua_getstack(L, 0, record) === 0) return { name: undefined, namewhat: "" }
    lua._lua_getinfo(L, heap.name("n"), record)
    const words = lua.HEAPU32
    return {
      name: cString(heap, words[(record + nameOffset) >> 2]),
      namewhat: cString(heap, words[(record + namewhatOffset) >> 2]) ?? ""
    }
  } finally {
    lua._free(record)
  }
}

/** luaL_argerror's message. */
export const argumentError = (heap: LuaHeap, L: LuaState, argument: number, message: string): Error => {
  const { name, namewhat } = callee(heap, L)
  let position = argument
  if (namewhat === "method") {
    position--
    if (position === 0) return luaError(heap, L, `calling '${name ?? "?"}' on bad self (${message})`)
  }
  return luaError(heap, L, `bad argument #${position} to '${name ?? "?"}' (${message})`)
}

/** luaL_typerror's message. */
export const typeError = (heap: LuaHeap, L: LuaState, argument: number, expected: string): Error =>
  argumentError(heap, L, argument, `${expected} expected, got ${typeName(heap, L, argument)}`)

/** luaL_checknumber: a number, or a string Lua reads as one. */
export const checkNumber = (heap: LuaHeap, L: LuaState, argument: number): number => {
  const n = heap.lua._lua_tonumber(L, argument)
  if (n === 0 && heap.lua._lua_isnumber(L, argument) === 0) throw typeError(heap, L, argument, "number")
  return n
}

/**
 * A double converted to a 64-bit integer as the x86-64 `cvttsd2si`
 * instruction does (C's cast, lua_Number to lua_Integer): truncated toward
 * zero; NaN and out-of-range values give INT64_MIN.
 */
export const toInt64 = (n: number): bigint =>
  Number.isNaN(n) || n >= 2 ** 63 || n < -(2 ** 63) ? -(2n ** 63n) : BigInt(Math.trunc(n))

/** luaL_checkinteger: lua_tointeger (a cast to lua_Integer, 64 bits here and in Redis). */
export const checkInteger = (heap: LuaHeap, L: LuaState, argument: number): bigint =>
  toInt64(checkNumber(heap, L, argument))

/** luaL_optinteger: `fallback` when the argument is absent or nil. */
export const optInteger = (heap: LuaHeap, L: LuaState, argument: number, fallback: bigint): bigint =>
  heap.lua._lua_type(L, argument) <= LUA_TNIL ? fallback : checkInteger(heap, L, argument)

/** luaL_checklstring: a string, or a number (converted in place, as lua_tolstring does). */
export const checkString = (heap: LuaHeap, L: LuaState, argument: number): string => {
  if (heap.lua._lua_isstring(L, argument) === 0) throw typeError(heap, L, argument, "string")
  return heap.toString(L, argument)
}

/** luaL_checkstack: grows the stack by `extra` slots, or raises Lua's "stack overflow" error. */
export const checkStack = (heap: LuaHeap, L: LuaState, extra: number, message: string): void => {
  if (heap.lua._lua_checkstack(L, extra) === 0) throw luaError(heap, L, `stack overflow (${message})`)
}

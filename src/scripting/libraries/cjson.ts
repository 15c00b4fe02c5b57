/**
 * lua-cjson 2.1 (the `cjson` Redis bundles), over the Lua stack: encode
 * walks a Lua value, decode pushes one. Byte strings stay bytes: encode
 * escapes as lua-cjson's char2escape table does (control characters, `"`,
 * `\`, `/`, DEL) and passes bytes >= 0x80 through; decode reads UTF-8 and
 * writes \u escapes as UTF-8. Numbers print with 14 significant digits
 * (encode_number_precision). cjson.null is the NULL light userdata.
 */
import {
  LUA_TBOOLEAN,
  LUA_TLIGHTUSERDATA,
  LUA_TNIL,
  LUA_TNUMBER,
  LUA_TSTRING,
  LUA_TTABLE,
  type LuaHeap,
  type LuaState
} from "../lua-exports.js"
import { formatLuaNumber } from "./number-format.js"

const maxDepth = 1000
const typeNames = ["nil", "boolean", "lightuserdata", "number", "string", "table", "function", "userdata", "thread"]

/** A JSON string for the bytes `text` (json_append_string). */
export const jsonString = (text: string): string => {
  let out = "\""
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c === 0x22) out += "\\\""
    else if (c === 0x5c) out += "\\\\"
    else if (c === 0x2f) out += "\\/"
    else if (c === 0x08) out += "\\b"
    else if (c === 0x0c) out += "\\f"
    else if (c === 0x0a) out += "\\n"
    else if (c === 0x0d) out += "\\r"
    else if (c === 0x09) out += "\\t"
    else if (c < 0x20 || c === 0x7f) out += `\\u${c.toString(16).padStart(4, "0")}`
    else out += text[i]
  }
  return `${out}"`
}

export class CjsonError extends Error {}

/** lua_array_length: the array size of the table at `index`, or -1 when it is not an array. */
const arrayLength = (heap: LuaHeap, L: LuaState, index: number): number => {
  const lua = heap.lua
  let max = 0
  let items = 0
  lua._lua_pushnil(L)
  while (lua._lua_next(L, index) !== 0) {
    if (lua._lua_type(L, -2) === LUA_TNUMBER) {
      const k = lua._lua_tonumber(L, -2)
      if (Number.isInteger(k) && k >= 1) {
        if (k > max) max = k
        items++
        lua._lua_settop(L, -2)
        continue
      }
    }
    lua._lua_settop(L, -3)
    return -1
  }
  // encode_sparse_array defaults: convert = 0, ratio = 2, safe = 10.
  if (max > 10 && max > items * 2) throw new CjsonError("Cannot serialise table: excessively sparse array")
  return max
}

const encodeAt = (heap: LuaHeap, L: LuaState, index: number, depth: number): string => {
  const lua = heap.lua
  const type = lua._lua_type(L, index)
  switch (type) {
    case LUA_TSTRING:
      return jsonString(heap.toString(L, index))
    case LUA_TNUMBER: {
      const n = lua._lua_tonumber(L, index)
      if (!Number.isFinite(n)) throw new CjsonError("Cannot serialise number: must not be NaN or Inf")
      return formatLuaNumber(n)
    }
    case LUA_TBOOLEAN:
      return lua._lua_toboolean(L, index) !== 0 ? "true" : "false"
    case LUA_TNIL:
      return "null"
    case LUA_TLIGHTUSERDATA:
      if (lua._lua_touserdata(L, index) === 0) return "null"
      break
    case LUA_TTABLE: {
      if (depth + 1 > maxDepth) throw new CjsonError(`Cannot serialise, excessive nesting (${depth + 1})`)
      lua._lua_checkstack(L, 6)
      const length = arrayLength(heap, L, index)
      if (length > 0) {
        const items: Array<string> = []
        for (let i = 1; i <= length; i++) {
          lua._lua_rawgeti(L, index, i)
          items.push(encodeAt(heap, L, lua._lua_gettop(L), depth + 1))
          lua._lua_settop(L, -2)
        }
        return `[${items.join(",")}]`
      }
      const members: Array<string> = []
      lua._lua_pushnil(L)
      while (lua._lua_next(L, index) !== 0) {
        const keyType = lua._lua_type(L, -2)
        let key: string
        if (keyType === LUA_TSTRING) key = jsonString(heap.toString(L, -2))
        else if (keyType === LUA_TNUMBER) key = `"${formatLuaNumber(lua._lua_tonumber(L, -2))}"`
        else throw new CjsonError("Cannot serialise table: table key must be a number or string")
        members.push(`${key}:${encodeAt(heap, L, lua._lua_gettop(L), depth + 1)}`)
        lua._lua_settop(L, -2)
      }
      return `{${members.join(",")}}`
    }
  }
  throw new CjsonError(`Cannot serialise ${typeNames[type] ?? "userdata"}: type not supported`)
}

/** cjson.encode(value): the JSON text of the value at stack index 1. */
export const encodeValue = (heap: LuaHeap, L: LuaState): string => encodeAt(heap, L, 1, 0)

type Json = null | boolean | number | string | ReadonlyArray<Json> | { readonly [key: string]: Json }

const pushJson = (heap: LuaHeap, L: LuaState, value: Json, depth: number): void => {
  const lua = heap.lua
  if (depth > maxDepth) throw new CjsonError(`Found too many nested data structures (${depth}) at character 1`)
  lua._lua_checkstack(L, 4)
  if (value === null) return lua._lua_pushlightuserdata(L, 0)
  if (typeof value === "boolean") return lua._lua_pushboolean(L, value ? 1 : 0)
  if (typeof value === "number") return lua._lua_pushnumber(L, value)
  if (typeof value === "string") return heap.pushString(L, Buffer.from(value, "utf8").toString("latin1"))
  if (Array.isArray(value)) {
    lua._lua_createtable(L, value.length, 0)
    value.forEach((item: Json, i: number) => {
      pushJson(heap, L, item, depth + 1)
      lua._lua_rawseti(L, -2, i + 1)
    })
    return
  }
  const entries = Object.entries(value)
  lua._lua_createtable(L, 0, entries.length)
  for (const [key, item] of entries) {
    heap.pushString(L, Buffer.from(key, "utf8").toString("latin1"))
    pushJson(heap, L, item, depth + 1)
    lua._lua_rawset(L, -3)
  }
}

const isJson = (value: unknown): value is Json => value !== undefined

/** cjson.decode(text): pushes the decoded value. */
export const decodeValue = (heap: LuaHeap, L: LuaState, text: string): void => {
  let parsed: unknown
  try {
    parsed = JSON.parse(Buffer.from(text, "latin1").toString("utf8"))
  } catch {
    throw new CjsonError("Expected value but found invalid token at character 1")
  }
  if (!isJson(parsed)) throw new CjsonError("Expected value but found invalid token at character 1")
  pushJson(heap, L, parsed, 1)
}

/**
 * Between RESP replies and Lua values, both ways, as Redis 7.0's
 * script_lua.c does it: `redisProtocolToLuaType` (a command's reply as
 * redis.call returns it, in the protocol the script chose with
 * redis.setresp) and `luaReplyToRedisReply` (the script's return value as
 * the client's reply).
 */
import { formatDouble } from "../resp/encoder.js"
import { formatG } from "./libraries/number-format.js"
import * as Resp from "../resp/values.js"
import type { ByteString, RespValue } from "../resp/values.js"
import {
  LUA_TBOOLEAN,
  LUA_TNIL,
  LUA_TNUMBER,
  LUA_TSTRING,
  LUA_TTABLE,
  type LuaHeap,
  type LuaState
} from "./lua-exports.js"

/** The protocol a script reads replies in (redis.setresp). */
export type ScriptProtocol = 2 | 3

/** Pushes a table `{field = text}` (a status, an error). */
export const pushFieldTable = (heap: LuaHeap, L: LuaState, field: string, text: ByteString): void => {
  heap.lua._lua_createtable(L, 0, 1)
  heap.pushString(L, text)
  heap.setField(L, -2, field)
}

const pushArray = (heap: LuaHeap, L: LuaState, items: ReadonlyArray<RespValue>, protocol: ScriptProtocol): void => {
  heap.lua._lua_checkstack(L, 4)
  heap.lua._lua_createtable(L, items.length, 0)
  items.forEach((item, i) => {
    pushReply(heap, L, item, protocol)
    heap.lua._lua_rawseti(L, -2, i + 1)
  })
}

/** A reply pushed onto the Lua stack as redis.call returns it (redisProtocolToLuaType). */
export const pushReply = (heap: LuaHeap, L: LuaState, reply: RespValue, protocol: ScriptProtocol): void => {
  const lua = heap.lua
  switch (reply._tag) {
    case "Integer":
      return lua._lua_pushnumber(L, Number(reply.value))
    case "BulkString":
      return heap.pushString(L, reply.value)
    case "SimpleString":
      return pushFieldTable(heap, L, "ok", reply.value)
    case "Error":
      return pushFieldTable(heap, L, "err", reply.message)
    case "Null":
    case "NullArray":
      return protocol === 2 ? lua._lua_pushboolean(L, 0) : lua._lua_pushnil(L)
    case "Array":
    case "Push":
      return pushArray(heap, L, reply.items, protocol)
    case "Set":
      if (protocol === 2) return pushArray(heap, L, reply.items, protocol)
      lua._lua_createtable(L, 0, 1)
      lua._lua_createtable(L, 0, reply.items.length)
      for (const item of reply.items) {
        pushReply(heap, L, item, protocol)
        lua._lua_pushboolean(L, 1)
        lua._lua_rawset(L, -3)
      }
      return heap.setField(L, -2, "set")
    case "Map":
      if (protocol === 2) return pushArray(heap, L, reply.entries.flat(), protocol)
      lua._lua_createtable(L, 0, 1)
      lua._lua_createtable(L, 0, reply.entries.length)
      for (const [field, value] of reply.entries) {
        pushReply(heap, L, field, protocol)
        pushReply(heap, L, value, protocol)
        lua._lua_rawset(L, -3)
      }
      return heap.setField(L, -2, "map")
    case "Double":
      if (protocol === 2) return heap.pushString(L, formatDouble(reply.value))
      lua._lua_createtable(L, 0, 1)
      lua._lua_pushnumber(L, reply.value)
      return heap.setField(L, -2, "double")
    case "Boolean":
      return protocol === 2 ? lua._lua_pushnumber(L, reply.value ? 1 : 0) : lua._lua_pushboolean(L, reply.value ? 1 : 0)
    case "BigNumber":
      return protocol === 2 ? heap.pushString(L, String(reply.value)) : pushFieldTable(heap, L, "big_number", String(reply.value))
    case "Verbatim":
      if (protocol === 2) return heap.pushString(L, reply.value)
      lua._lua_createtable(L, 0, 1)
      lua._lua_createtable(L, 0, 2)
      heap.pushString(L, reply.format)
      heap.setField(L, -2, "format")
      heap.pushString(L, reply.value)
      heap.setField(L, -2, "string")
      return heap.setField(L, -2, "verbatim_string")
  }
}

/** Status and error texts on one line: Redis maps \r and \n to spaces (sdsmapchars). */
const oneLine = (text: string): string => text.replace(/[\r\n]/g, " ")

/** 2^63: the first double out of int64 range. */
const int64Bound = 2 ** 63

/** `(long long)lua_tonumber(...)`: the integer part, as an int64 reply. */
export const integerOf = (n: number): RespValue => {
  // Out of int64 range, infinite or NaN, the x86-64 conversion (cvttsd2si) gives INT64_MIN, which is what
  // redis-server 7.0.15 answers for `return 2^63`, `return 1/0` and `return 0/0` alike.
  if (!(n > -int64Bound && n < int64Bound)) return Resp.integer(-(2n ** 63n))
  const whole = Math.trunc(n)
  return Resp.integer(Number.isSafeInteger(whole) ? whole : BigInt(whole))
}

/** The field `name` of the table at `index`, of Lua type `type`, left on the stack; false (stack unchanged) otherwise. */
const fieldOfType = (heap: LuaHeap, L: LuaState, index: number, name: string, type: number): boolean => {
  heap.pushString(L, name)
  heap.lua._lua_rawget(L, index < 0 ? index - 1 : index)
  if (heap.lua._lua_type(L, -1) === type) return true
  heap.lua._lua_settop(L, -2)
  return false
}

/** An absolute stack index. */
const absolute = (heap: LuaHeap, L: LuaState, index: number): number =>
  index < 0 ? heap.lua._lua_gettop(L) + index + 1 : index

/** The pairs of the table at `index`, each converted (lua_next order). */
const tablePairs = (
  heap: LuaHeap,
  L: LuaState,
  index: number,
  protocol: ScriptProtocol
): Array<readonly [RespValue, RespValue]> => {
  const lua = heap.lua
  const pairs: Array<readonly [RespValue, RespValue]> = []
  lua._lua_pushnil(L)
  while (lua._lua_next(L, index) !== 0) {
    // Keys are converted from a copy: lua_tolstring on a number key would change it and break lua_next.
    lua._lua_pushvalue(L, -2)
    const key = toReply(heap, L, -1, protocol)
    lua._lua_settop(L, -2)
    pairs.push([key, toReply(heap, L, -1, protocol)])
    lua._lua_settop(L, -2)
  }
  return pairs
}

/**
 * The value at `index` as the client's reply (luaReplyToRedisReply): a string
 * is a bulk string, a number its integer part, true 1 (RESP2) or true, false a
 * null (RESP2) or false; a table an error (`err`), a status (`ok`), a RESP3
 * double, big number, map, set or verbatim string, else an array up to its
 * first nil. `protocol` is the script's (redis.setresp).
 */
export const toReply = (heap: LuaHeap, L: LuaState, index: number, protocol: ScriptProtocol): RespValue => {
  const lua = heap.lua
  const at = absolute(heap, L, index)
  switch (lua._lua_type(L, at)) {
    case LUA_TSTRING:
      return Resp.bulk(heap.toString(L, at))
    case LUA_TNUMBER:
      return integerOf(lua._lua_tonumber(L, at))
    case LUA_TBOOLEAN:
      return protocol === 2
        ? (lua._lua_toboolean(L, at) !== 0 ? Resp.integer(1) : Resp.nullBulk)
        : Resp.boolean(lua._lua_toboolean(L, at) !== 0)
    case LUA_TTABLE:
      return tableReply(heap, L, at, protocol)
    default:
      return Resp.nullBulk
  }
}

const tableReply = (heap: LuaHeap, L: LuaState, at: number, protocol: ScriptProtocol): RespValue => {
  const lua = heap.lua
  lua._lua_checkstack(L, 8)
  const popped = <A>(value: A): A => {
    lua._lua_settop(L, -2)
    return value
  }
  if (fieldOfType(heap, L, at, "err", LUA_TSTRING)) return popped(Resp.error(oneLine(heap.toString(L, -1))))
  if (fieldOfType(heap, L, at, "ok", LUA_TSTRING)) return popped(Resp.simple(oneLine(heap.toString(L, -1))))
  if (fieldOfType(heap, L, at, "double", LUA_TNUMBER)) return popped(Resp.double(lua._lua_tonumber(L, -1)))
  if (fieldOfType(heap, L, at, "big_number", LUA_TSTRING)) {
    const text = heap.toString(L, -1)
    return popped(/^-?[0-9]+$/.test(text) ? Resp.bigNumber(BigInt(text)) : Resp.bulk(text))
  }
  if (fieldOfType(heap, L, at, "map", LUA_TTABLE)) {
    return popped(Resp.map(tablePairs(heap, L, lua._lua_gettop(L), protocol)))
  }
  if (fieldOfType(heap, L, at, "set", LUA_TTABLE)) {
    return popped(Resp.set(tablePairs(heap, L, lua._lua_gettop(L), protocol).map(([member]) => member)))
  }
  if (fieldOfType(heap, L, at, "verbatim_string", LUA_TTABLE)) {
    const table = lua._lua_gettop(L)
    const format = fieldOfType(heap, L, table, "format", LUA_TSTRING) ? popped(heap.toString(L, -1)) : undefined
    const text = fieldOfType(heap, L, table, "string", LUA_TSTRING) ? popped(heap.toString(L, -1)) : undefined
    if (format !== undefined && text !== undefined) return popped(Resp.verbatim(format, text))
    lua._lua_settop(L, -2)
  }
  const items: Array<RespValue> = []
  for (let i = 1;; i++) {
    lua._lua_rawgeti(L, at, i)
    if (lua._lua_type(L, -1) === LUA_TNIL) {
      lua._lua_settop(L, -2)
      return Resp.array(items)
    }
    items.push(toReply(heap, L, -1, protocol))
    lua._lua_settop(L, -2)
  }
}

/**
 * A Lua number as a command argument: `%.17g`, as luaArgsToRedisArgv
 * formats it (0.1 is "0.10000000000000001", 1e20 is "1e+20").
 */
export const formatArgumentNumber = (n: number): string => formatG(n, 17)

/**
 * The Lua 5.1.5 C API, as the WebAssembly build of `wasmoon-lua5.1` exports
 * it (Emscripten's `_lua_*` functions over the module's heap). The package's
 * own JS interop converts values lossily (strings through UTF-8) and slowly;
 * scripts need byte strings exactly, so the engine speaks to the C API
 * directly. A pointer or a `lua_State*` is a number (wasm32).
 */
import { LuaApi } from "wasmoon-lua5.1"
import type { ByteString } from "../resp/values.js"

/** A `lua_State*`. */
export type LuaState = number

/** The exports the engine uses, typed as lua.h / lauxlib.h declare them (lua_Number is a double). */
export interface LuaExports {
  readonly HEAPU8: Uint8Array
  readonly HEAPU16: Uint16Array
  readonly HEAPU32: Uint32Array
  _malloc(size: number): number
  _free(pointer: number): void
  /** Emscripten: a JS function as a C function pointer (`sig`: "ii" for lua_CFunction, "vii" for lua_Hook). */
  addFunction(fn: (...args: Array<number>) => number | void, sig: string): number
  _luaL_newstate(): LuaState
  _luaopen_base(L: LuaState): number
  _luaopen_table(L: LuaState): number
  _luaopen_string(L: LuaState): number
  _luaopen_math(L: LuaState): number
  _luaopen_debug(L: LuaState): number
  _lua_pushcclosure(L: LuaState, fn: number, upvalues: number): void
  _lua_setfield(L: LuaState, index: number, name: number): void
  _lua_getfield(L: LuaState, index: number, name: number): void
  _lua_pushlstring(L: LuaState, pointer: number, length: number): void
  _lua_tolstring(L: LuaState, index: number, lengthOut: number): number
  _lua_pushnumber(L: LuaState, n: number): void
  _lua_tonumber(L: LuaState, index: number): number
  _lua_pushboolean(L: LuaState, b: number): void
  _lua_toboolean(L: LuaState, index: number): number
  _lua_pushnil(L: LuaState): void
  _lua_pushlightuserdata(L: LuaState, pointer: number): void
  _lua_touserdata(L: LuaState, index: number): number
  _lua_type(L: LuaState, index: number): number
  _lua_gettop(L: LuaState): number
  _lua_settop(L: LuaState, index: number): void
  _lua_pushvalue(L: LuaState, index: number): void
  _lua_insert(L: LuaState, index: number): void
  _lua_remove(L: LuaState, index: number): void
  _lua_replace(L: LuaState, index: number): void
  _lua_createtable(L: LuaState, arrayLength: number, recordLength: number): void
  _lua_rawseti(L: LuaState, index: number, n: number): void
  _lua_rawgeti(L: LuaState, index: number, n: number): void
  _lua_rawset(L: LuaState, index: number): void
  _lua_rawget(L: LuaState, index: number): void
  _lua_next(L: LuaState, index: number): number
  _lua_objlen(L: LuaState, index: number): number
  _lua_setmetatable(L: LuaState, index: number): number
  _lua_checkstack(L: LuaState, extra: number): number
  _luaL_loadbuffer(L: LuaState, pointer: number, length: number, chunkName: number): number
  _lua_pcall(L: LuaState, nargs: number, nresults: number, errorFunction: number): number
  _lua_error(L: LuaState): number
  _luaL_where(L: LuaState, level: number): void
  _lua_concat(L: LuaState, n: number): void
  _lua_sethook(L: LuaState, hook: number, mask: number, count: number): number
  _lua_newthread(L: LuaState): LuaState
  _lua_resume(L: LuaState, nargs: number): number
  _lua_yield(L: LuaState, nresults: number): number
  _lua_xmove(from: LuaState, to: LuaState, n: number): void
  _luaL_ref(L: LuaState, table: number): number
  _luaL_unref(L: LuaState, table: number, ref: number): void
  _lua_gc(L: LuaState, what: number, data: number): number
  _lua_close(L: LuaState): void
  _lua_isnumber(L: LuaState, index: number): number
  _lua_isstring(L: LuaState, index: number): number
  /** `record` is a lua_Debug (100 bytes on wasm32). */
  _lua_getstack(L: LuaState, level: number, record: number): number
  _lua_getinfo(L: LuaState, what: number, record: number): number
}

export const LUA_REGISTRYINDEX = -10000
export const LUA_GLOBALSINDEX = -10002
export const LUA_TNIL = 0
export const LUA_TBOOLEAN = 1
export const LUA_TLIGHTUSERDATA = 2
export const LUA_TNUMBER = 3
export const LUA_TSTRING = 4
export const LUA_TTABLE = 5
export const LUA_TFUNCTION = 6
export const LUA_YIELD = 1
export const LUA_MASKCOUNT = 8
export const LUA_GCCOUNT = 3

/** Loads the WebAssembly module (once per engine: each has its own heap). */
export const loadLuaExports = async (): Promise<LuaExports> => {
  const api = await LuaApi.initialize()
  const exports: LuaExports = api.module
  return exports
}

/**
 * Byte strings in and out of the heap: one char per byte (latin1), so a
 * Lua string with any bytes, NUL included, crosses unchanged.
 */
export class LuaHeap {
  private scratch: number
  private scratchSize = 4096
  private readonly lengthOut: number
  private readonly names = new Map<string, number>()

  constructor(readonly lua: LuaExports) {
    this.scratch = lua._malloc(this.scratchSize)
    this.lengthOut = lua._malloc(8)
  }

  /** `text` copied into a reused buffer (valid until the next call), NUL-terminated. */
  private bytes(text: ByteString): number {
    if (text.length + 1 > this.scratchSize) {
      this.lua._free(this.scratch)
      this.scratchSize = text.length * 2 + 1
      this.scratch = this.lua._malloc(this.scratchSize)
    }
    const heap = this.lua.HEAPU8
    const at = this.scratch
    for (let i = 0; i < text.length; i++) heap[at + i] = text.charCodeAt(i)
    heap[at + text.length] = 0
    return at
  }

  /** A constant C string (a field or chunk name), allocated once. */
  name(text: string): number {
    let pointer = this.names.get(text)
    if (pointer === undefined) {
      pointer = this.lua._malloc(text.length + 1)
      const heap = this.lua.HEAPU8
      for (let i = 0; i < text.length; i++) heap[pointer + i] = text.charCodeAt(i)
      heap[pointer + text.length] = 0
      this.names.set(text, pointer)
    }
    return pointer
  }

  pushString(L: LuaState, text: ByteString): void {
    this.lua._lua_pushlstring(L, this.bytes(text), text.length)
  }

  /** The string at `index` (a number is converted in place, as lua_tolstring does); "" when neither. */
  toString(L: LuaState, index: number): ByteString {
    const pointer = this.lua._lua_tolstring(L, index, this.lengthOut)
    if (pointer === 0) return ""
    const length = this.lua.HEAPU32[this.lengthOut >> 2]
    return Buffer.from(this.lua.HEAPU8.buffer, pointer, length).toString("latin1")
  }

  /** luaL_loadbuffer with `source` as the chunk. */
  load(L: LuaState, source: ByteString, chunkName: string): number {
    return this.lua._luaL_loadbuffer(L, this.bytes(source), source.length, this.name(chunkName))
  }

  setField(L: LuaState, index: number, field: string): void {
    this.lua._lua_setfield(L, index, this.name(field))
  }

  getField(L: LuaState, index: number, field: string): void {
    this.lua._lua_getfield(L, index, this.name(field))
  }
}

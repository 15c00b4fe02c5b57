/**
 * lua-cmsgpack 0.4.0, the `cmsgpack` Redis 7.0 bundles
 * (deps/lua/src/lua_cmsgpack.c): pack, unpack, unpack_one, unpack_limit,
 * byte for byte as Redis's build on x86-64 encodes and decodes.
 *
 * Its choices, which a general MessagePack package (e.g. @msgpack/msgpack,
 * which encodes JS values by their JS type, doubles as float64, and cannot
 * walk a Lua table in the VM's own `next` order) does not make, so the
 * encoder is written here over the Lua stack:
 * - a number that is a 64-bit integer is the smallest integer form; any
 *   other number is a float32 when the float32 holds it exactly, else a
 *   float64;
 * - a string is fixstr / str8 / str16 / str32 (never bin);
 * - a table whose keys are exactly 1..n is an array, any other a map, its
 *   pairs in `lua_next` order; tables nested LUACMSGPACK_MAX_NESTING (16)
 *   deep, functions, nil and other types are nil;
 * - decoding pushes values as Lua 5.1 numbers (a uint64 above INT64_MAX
 *   wraps to negative, as lua_pushinteger's cast does), and reads no bin,
 *   ext or fixext: "Bad data format in input.".
 */
import { LUA_TBOOLEAN, LUA_TNIL, LUA_TNUMBER, LUA_TSTRING, LUA_TTABLE, type LuaHeap, type LuaState } from "../lua-exports.js"
import { argumentError, checkInteger, checkStack, checkString, luaError, optInteger, toInt64 } from "./auxiliary.js"

/** LUACMSGPACK_MAX_NESTING: a table this deep is encoded as nil (this survives circular references). */
export const maxNesting = 16

const scratch = new DataView(new ArrayBuffer(8))

/** The first `length` bytes of `scratch`, as a byte string. */
const scratchBytes = (length: number): string => {
  let out = ""
  for (let i = 0; i < length; i++) out += String.fromCharCode(scratch.getUint8(i))
  return out
}

const withUint16 = (tag: number, n: number): string => {
  scratch.setUint16(0, n)
  return String.fromCharCode(tag) + scratchBytes(2)
}

const withUint32 = (tag: number, n: number): string => {
  scratch.setUint32(0, n)
  return String.fromCharCode(tag) + scratchBytes(4)
}

/** mp_encode_int: the smallest form holding `n`. */
export const encodeInteger = (n: bigint): string => {
  if (n >= 0n) {
    if (n <= 127n) return String.fromCharCode(Number(n))
    if (n <= 0xffn) return String.fromCharCode(0xcc, Number(n))
    if (n <= 0xffffn) return withUint16(0xcd, Number(n))
    if (n <= 0xffffffffn) return withUint32(0xce, Number(n))
    scratch.setBigUint64(0, n)
    return "\xcf" + scratchBytes(8)
  }
  if (n >= -32n) return String.fromCharCode(Number(n) & 0xff)
  if (n >= -128n) return String.fromCharCode(0xd0, Number(n) & 0xff)
  if (n >= -32768n) return withUint16(0xd1, Number(n) & 0xffff)
  if (n >= -2147483648n) return withUint32(0xd2, Number(n) >>> 0)
  scratch.setBigInt64(0, n)
  return "\xd3" + scratchBytes(8)
}

/** mp_encode_double: float32 when the conversion loses nothing, else float64. */
export const encodeDouble = (d: number): string => {
  if (Math.fround(d) === d) {
    scratch.setFloat32(0, d)
    return "\xca" + scratchBytes(4)
  }
  scratch.setFloat64(0, d)
  return "\xcb" + scratchBytes(8)
}

/** mp_encode_lua_number: IS_INT64_EQUIVALENT picks the integer forms. */
export const encodeNumber = (n: number): string => {
  const integer = toInt64(n)
  return Number(integer) === n ? encodeInteger(integer) : encodeDouble(n)
}

/** mp_encode_bytes. */
export const encodeString = (text: string): string => {
  const length = text.length
  if (length < 32) return String.fromCharCode(0xa0 | length) + text
  if (length <= 0xff) return String.fromCharCode(0xd9, length) + text
  if (length <= 0xffff) return withUint16(0xda, length) + text
  return withUint32(0xdb, length) + text
}

/** mp_encode_array / mp_encode_map: the header for `length` items (fix form up to 15). */
const collectionHeader = (fixTag: number, tag16: number, tag32: number, length: number): string => {
  if (length <= 15) return String.fromCharCode(fixTag | length)
  if (length <= 0xffff) return withUint16(tag16, length)
  return withUint32(tag32, length)
}

/**
 * table_is_an_array for the table on top: its keys are numbers in 1..INT_MAX
 * (the `(int)n == n` test) and the largest equals their count.
 */
const tableIsArray = (heap: LuaHeap, L: LuaState): boolean => {
  const lua = heap.lua
  const top = lua._lua_gettop(L)
  checkStack(heap, L, 2, "in function table_is_an_array")
  let count = 0
  let max = 0
  lua._lua_pushnil(L)
  while (lua._lua_next(L, top) !== 0) {
    lua._lua_settop(L, -2)
    const n = lua._lua_type(L, -1) === LUA_TNUMBER ? lua._lua_tonumber(L, -1) : 0
    if (!(n > 0 && Number.isInteger(n) && n <= 2147483647)) {
      lua._lua_settop(L, top)
      return false
    }
    max = Math.max(max, n)
    count++
  }
  lua._lua_settop(L, top)
  return max === count
}

/** mp_encode_lua_type: encodes the value on top into `out`, and pops it. */
const encodeTop = (heap: LuaHeap, L: LuaState, out: Array<string>, level: number): void => {
  const lua = heap.lua
  let type = lua._lua_type(L, -1)
  if (type === LUA_TTABLE && level === maxNesting) type = LUA_TNIL
  switch (type) {
    case LUA_TSTRING:
      out.push(encodeString(heap.toString(L, -1)))
      break
    case LUA_TBOOLEAN:
      out.push(lua._lua_toboolean(L, -1) !== 0 ? "\xc3" : "\xc2")
      break
    case LUA_TNUMBER:
      out.push(encodeNumber(lua._lua_tonumber(L, -1)))
      break
    case LUA_TTABLE:
      encodeTable(heap, L, out, level)
      break
    default:
      out.push("\xc0")
  }
  lua._lua_settop(L, -2)
}

/** mp_encode_lua_table: as an array (items 1..#t) or a map (pairs in `next` order). */
const encodeTable = (heap: LuaHeap, L: LuaState, out: Array<string>, level: number): void => {
  const lua = heap.lua
  const table = lua._lua_gettop(L)
  if (tableIsArray(heap, L)) {
    const length = lua._lua_objlen(L, table)
    out.push(collectionHeader(0x90, 0xdc, 0xdd, length))
    checkStack(heap, L, 1, "in function mp_encode_lua_table_as_array")
    for (let i = 1; i <= length; i++) {
      lua._lua_rawgeti(L, table, i)
      encodeTop(heap, L, out, level + 1)
    }
    return
  }
  checkStack(heap, L, 3, "in function mp_encode_lua_table_as_map")
  let length = 0
  lua._lua_pushnil(L)
  while (lua._lua_next(L, table) !== 0) {
    lua._lua_settop(L, -2)
    length++
  }
  out.push(collectionHeader(0x80, 0xde, 0xdf, length))
  lua._lua_pushnil(L)
  while (lua._lua_next(L, table) !== 0) {
    lua._lua_pushvalue(L, -2)
    encodeTop(heap, L, out, level + 1)
    encodeTop(heap, L, out, level + 1)
  }
}

/** mp_pack: every argument encoded, concatenated. */
const pack = (heap: LuaHeap, L: LuaState): number => {
  const lua = heap.lua
  const argc = lua._lua_gettop(L)
  if (argc === 0) throw argumentError(heap, L, 0, "MessagePack pack needs input.")
  if (lua._lua_checkstack(L, argc) === 0) throw argumentError(heap, L, 0, "Too many arguments for MessagePack pack.")
  const out: Array<string> = []
  for (let i = 1; i <= argc; i++) {
    checkStack(heap, L, 1, "in function mp_check")
    lua._lua_pushvalue(L, i)
    encodeTop(heap, L, out, 0)
  }
  heap.pushString(L, out.join(""))
  return 1
}

/** mp_cur: the input, the read position, and the error (MP_CUR_ERROR_EOF / _BADFMT). */
interface Cursor {
  readonly input: string
  at: number
  error: "none" | "eof" | "format"
}

const left = (cursor: Cursor): number => cursor.input.length - cursor.at

/** mp_cur_need: false (and the EOF error) when fewer than `n` bytes are left. */
const need = (cursor: Cursor, n: number): boolean => {
  if (left(cursor) >= n) return true
  cursor.error = "eof"
  return false
}

const byteAt = (cursor: Cursor, offset: number): number => cursor.input.charCodeAt(cursor.at + offset)

/** The `n` bytes after the type byte, into `scratch`. */
const loadScratch = (cursor: Cursor, n: number): void => {
  for (let i = 0; i < n; i++) scratch.setUint8(i, byteAt(cursor, 1 + i))
}

/** lua_pushinteger / lua_pushunsigned (a cast to the 64-bit lua_Integer, then to lua_Number). */
const pushInteger = (heap: LuaHeap, L: LuaState, n: bigint): void =>
  heap.lua._lua_pushnumber(L, Number(BigInt.asIntN(64, n)))

/** A number of `size` bytes after the type byte (big endian), pushed; consumed. */
const pushFixed = (heap: LuaHeap, L: LuaState, cursor: Cursor, size: number, read: () => number | bigint): undefined => {
  if (!need(cursor, 1 + size)) return undefined
  loadScratch(cursor, size)
  const value = read()
  if (typeof value === "bigint") pushInteger(heap, L, value)
  else heap.lua._lua_pushnumber(L, value)
  cursor.at += 1 + size
  return undefined
}

/** A string of `length` bytes after a `header`-byte header, pushed; consumed. */
const pushBytes = (heap: LuaHeap, L: LuaState, cursor: Cursor, header: number, length: number): void => {
  if (!need(cursor, header + length)) return
  heap.pushString(L, cursor.input.slice(cursor.at + header, cursor.at + header + length))
  cursor.at += header + length
}

/** A length of `size` bytes (1, 2 or 4) after the type byte, or undefined (EOF) when missing. */
const lengthAfter = (cursor: Cursor, size: number): number | undefined => {
  if (!need(cursor, 1 + size)) return undefined
  loadScratch(cursor, size)
  return size === 1 ? scratch.getUint8(0) : size === 2 ? scratch.getUint16(0) : scratch.getUint32(0)
}

/** lua_settable(t, k, v) of the new table: Lua's errors for a nil or NaN key. */
const setField = (heap: LuaHeap, L: LuaState): void => {
  const lua = heap.lua
  if (lua._lua_type(L, -2) === LUA_TNIL) throw new Error("table index is nil")
  if (lua._lua_type(L, -2) === LUA_TNUMBER && Number.isNaN(lua._lua_tonumber(L, -2))) throw new Error("table index is NaN")
  lua._lua_rawset(L, -3)
}

/** A table being filled: an array (items at 1, 2, ...) or a map (a key, then its value). */
interface OpenTable {
  readonly kind: "array" | "map"
  /** Items (pairs for a map) still to read. */
  left: number
  /** An array's next index. */
  index: number
  /** A map's key is on the stack, its value comes next. */
  keyRead: boolean
}

/**
 * A collection's header with a `size`-byte length (0: the fix forms' length
 * in the type byte): consumed, its table pushed (lua_newtable; an array also
 * checks the stack, as mp_decode_to_lua_array does).
 */
const openTable = (heap: LuaHeap, L: LuaState, cursor: Cursor, kind: OpenTable["kind"], size: number): OpenTable | undefined => {
  const length = size === 0 ? byteAt(cursor, 0) & 0x0f : lengthAfter(cursor, size)
  if (length === undefined) return undefined
  cursor.at += 1 + size
  heap.lua._lua_createtable(L, 0, 0)
  if (kind === "array") checkStack(heap, L, 1, "in function mp_decode_to_lua_array")
  return { kind, left: length, index: 1, keyRead: false }
}

/**
 * The item at the cursor (the first half of mp_decode_to_lua_type): a
 * scalar pushed (undefined returned), or a collection's table opened; or the
 * cursor's error set.
 */
const decodeItem = (heap: LuaHeap, L: LuaState, cursor: Cursor): OpenTable | undefined => {
  if (!need(cursor, 1)) return undefined
  checkStack(heap, L, 1, "too many return values at once; use unpack_one or unpack_limit instead.")
  const lua = heap.lua
  const tag = byteAt(cursor, 0)
  switch (tag) {
    case 0xcc: return pushFixed(heap, L, cursor, 1, () => scratch.getUint8(0))
    case 0xd0: return pushFixed(heap, L, cursor, 1, () => scratch.getInt8(0))
    case 0xcd: return pushFixed(heap, L, cursor, 2, () => scratch.getUint16(0))
    case 0xd1: return pushFixed(heap, L, cursor, 2, () => scratch.getInt16(0))
    case 0xce: return pushFixed(heap, L, cursor, 4, () => scratch.getUint32(0))
    case 0xd2: return pushFixed(heap, L, cursor, 4, () => scratch.getInt32(0))
    case 0xcf: return pushFixed(heap, L, cursor, 8, () => scratch.getBigUint64(0))
    case 0xd3: return pushFixed(heap, L, cursor, 8, () => scratch.getBigInt64(0))
    case 0xca: return pushFixed(heap, L, cursor, 4, () => scratch.getFloat32(0))
    case 0xcb: return pushFixed(heap, L, cursor, 8, () => scratch.getFloat64(0))
    case 0xc0:
      lua._lua_pushnil(L)
      cursor.at += 1
      return undefined
    case 0xc2:
    case 0xc3:
      lua._lua_pushboolean(L, tag === 0xc3 ? 1 : 0)
      cursor.at += 1
      return undefined
    case 0xd9:
    case 0xda:
    case 0xdb: {
      const size = tag === 0xd9 ? 1 : tag === 0xda ? 2 : 4
      const length = lengthAfter(cursor, size)
      if (length !== undefined) pushBytes(heap, L, cursor, 1 + size, length)
      return undefined
    }
    case 0xdc: return openTable(heap, L, cursor, "array", 2)
    case 0xdd: return openTable(heap, L, cursor, "array", 4)
    case 0xde: return openTable(heap, L, cursor, "map", 2)
    case 0xdf: return openTable(heap, L, cursor, "map", 4)
  }
  if ((tag & 0x80) === 0) {
    lua._lua_pushnumber(L, tag)
    cursor.at += 1
  } else if ((tag & 0xe0) === 0xe0) {
    lua._lua_pushnumber(L, tag - 256)
    cursor.at += 1
  } else if ((tag & 0xe0) === 0xa0) {
    pushBytes(heap, L, cursor, 1, tag & 0x1f)
  } else if ((tag & 0xf0) === 0x90) {
    return openTable(heap, L, cursor, "array", 0)
  } else if ((tag & 0xf0) === 0x80) {
    return openTable(heap, L, cursor, "map", 0)
  } else {
    cursor.error = "format"
  }
  return undefined
}

/**
 * mp_decode_to_lua_type: pushes the whole value at the cursor, or sets the
 * cursor's error. The C code recurses into arrays and maps; this walks the
 * same steps (index pushed, item decoded, lua_settable) with its own list of
 * open tables, so that nesting as deep as the Lua stack allows (about 4000)
 * does not exhaust the JS stack first.
 */
const decodeTop = (heap: LuaHeap, L: LuaState, cursor: Cursor): void => {
  const open: Array<OpenTable> = []
  for (;;) {
    const opened = decodeItem(heap, L, cursor)
    if (cursor.error !== "none") return
    let completed = opened === undefined
    if (opened !== undefined) open.push(opened)
    for (;;) {
      const table = open[open.length - 1]
      if (table === undefined) return
      if (completed) {
        if (table.kind === "map" && !table.keyRead) {
          table.keyRead = true
        } else {
          setField(heap, L)
          table.keyRead = false
          table.left--
        }
        completed = false
      }
      if (table.left > 0) {
        if (table.kind === "array" && !table.keyRead) heap.lua._lua_pushnumber(L, table.index++)
        break
      }
      open.pop()
      completed = true
    }
  }
}

/** C's `(int)` of a lua_Integer, as the error messages print it. */
const asInt = (n: bigint | number): bigint => BigInt.asIntN(32, BigInt(n))

/**
 * mp_unpack_full: up to `limit` values from byte `offset` of argument 1;
 * unless both are 0 (unpack), the next offset (-1 at the end) comes first.
 */
const unpackFull = (heap: LuaHeap, L: LuaState, limit: bigint, offset: bigint): number => {
  const lua = heap.lua
  const decodeAll = limit === 0n && offset === 0n
  const input = checkString(heap, L, 1)
  const length = BigInt(input.length)
  if (offset < 0n || limit < 0n) {
    throw luaError(heap, L, `Invalid request to unpack with offset of ${asInt(offset)} and limit of ${asInt(length)}.`)
  }
  if (offset > length) throw luaError(heap, L, `Start offset ${asInt(offset)} greater than input length ${asInt(length)}.`)
  const cursor: Cursor = { input, at: Number(offset), error: "none" }
  const most = decodeAll ? 2147483647n : limit
  let count = 0
  for (; left(cursor) > 0 && BigInt(count) < most; count++) {
    decodeTop(heap, L, cursor)
    if (cursor.error === "eof") throw luaError(heap, L, "Missing bytes in input.")
    if (cursor.error === "format") throw luaError(heap, L, "Bad data format in input.")
  }
  if (decodeAll) return count
  checkStack(heap, L, 1, "in function mp_unpack_full")
  lua._lua_pushnumber(L, left(cursor) === 0 ? -1 : cursor.at)
  lua._lua_insert(L, 2)
  return count + 1
}

type LibraryFunction = (L: LuaState) => number

/** The `cmsgpack` table's functions (luaopen_cmsgpack). */
export const cmsgpackFunctions = (heap: LuaHeap): Record<string, LibraryFunction> => ({
  pack: (L) => pack(heap, L),
  unpack: (L) => unpackFull(heap, L, 0n, 0n),
  unpack_one: (L) => {
    const offset = optInteger(heap, L, 2, 0n)
    heap.lua._lua_settop(L, -heap.lua._lua_gettop(L))
    return unpackFull(heap, L, 1n, offset)
  },
  unpack_limit: (L) => {
    const limit = checkInteger(heap, L, 2)
    const offset = optInteger(heap, L, 3, 0n)
    heap.lua._lua_settop(L, -heap.lua._lua_gettop(L))
    return unpackFull(heap, L, limit, offset)
  }
})

/** The table's other fields. */
export const cmsgpackFields: Readonly<Record<string, string>> = {
  _NAME: "cmsgpack",
  _VERSION: "lua-cmsgpack 0.4.0",
  _COPYRIGHT: "Copyright (C) 2012, Salvatore Sanfilippo",
  _DESCRIPTION: "MessagePack C implementation for Lua"
}

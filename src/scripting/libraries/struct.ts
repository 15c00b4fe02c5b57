/**
 * Roberto Ierusalimschy's struct library as Redis 7.0 bundles it
 * (deps/lua/src/lua_struct.c, with Redis's bounds checks): struct.pack,
 * struct.unpack and struct.size, for Redis's build on x86-64 (little endian
 * by default, long and size_t of 8 bytes, int of 4, alignment up to 8).
 *
 * Format: `>` `<` endianness, `![n]` maximum alignment, `x` a zero byte,
 * `b`/`B` `h`/`H` `l`/`L` `T` `i[n]`/`I[n]` integers (n up to 32 bytes),
 * `f` `d` floats, `c[n]` n chars (0: the whole string when packing, the
 * previous number when unpacking), `s` a zero-terminated string, ` `
 * ignored. Integers pass through a 64-bit unsigned long as the C code does
 * (bytes past the eighth are zero; the sign extension mask uses the shift
 * count modulo 64, as the x86 shift instruction does). The format ends at
 * its first NUL byte, as a C string does.
 */
import type { LuaHeap, LuaState } from "../lua-exports.js"
import { argumentError, checkNumber, checkStack, checkString, luaError, optInteger, toInt64 } from "./auxiliary.js"

/** MAXINTSIZE: the largest `i`/`I` size. */
const maxIntSize = 32
/** MAXALIGN: `!` without a number. */
const maxAlign = 8
const uint64Mask = (1n << 64n) - 1n

type Endian = "big" | "little"

interface Header {
  endian: Endian
  align: number
}

/** The format being read: the text up to its first NUL, and the position. */
interface Format {
  readonly text: string
  at: number
}

const isDigit = (char: string | undefined): boolean => char !== undefined && char >= "0" && char <= "9"
const isAlphanumeric = (char: string): boolean => /^[A-Za-z0-9]$/.test(char)
const isPowerOf2 = (n: number): boolean => n > 0 && (n & (n - 1)) === 0

/**
 * A double converted to size_t / unsigned long as gcc does on x86-64: from
 * 2^63 up by subtracting 2^63 and setting the top bit (so 2^64 and above
 * give 0); below, the signed conversion (NaN gives 2^63).
 */
export const toUint64 = (n: number): bigint =>
  n >= 2 ** 63 ? BigInt.asUintN(64, toInt64(n - 2 ** 63) ^ -(2n ** 63n)) : BigInt.asUintN(64, toInt64(n))

/** getnum: the decimal number at the format's position, or `fallback`. */
const readNumber = (heap: LuaHeap, L: LuaState, format: Format, fallback: number): number => {
  if (!isDigit(format.text[format.at])) return fallback
  let n = 0
  do {
    const digit = format.text.charCodeAt(format.at) - 48
    if (n > Math.floor(2147483647 / 10) || n * 10 > 2147483647 - digit) throw luaError(heap, L, "integral size overflow")
    n = n * 10 + digit
    format.at++
  } while (isDigit(format.text[format.at]))
  return n
}

/** optsize: the bytes an option takes (0 for the control options and `s`). */
const optionSize = (heap: LuaHeap, L: LuaState, option: string, format: Format): number => {
  switch (option) {
    case "B": case "b": return 1
    case "H": case "h": return 2
    case "L": case "l": case "T": case "d": return 8
    case "f": return 4
    case "x": return 1
    case "c": return readNumber(heap, L, format, 1)
    case "i": case "I": {
      const size = readNumber(heap, L, format, 4)
      if (size > maxIntSize) throw luaError(heap, L, `integral size ${size} is larger than limit of ${maxIntSize}`)
      return size
    }
    default: return 0
  }
}

/** gettoalign: the padding before an item of `size` bytes at `position`. */
const padding = (position: bigint, header: Header, option: string, size: number): bigint => {
  if (size === 0 || option === "c") return 0n
  const unit = BigInt(Math.min(size, header.align))
  return (unit - (position & (unit - 1n))) & (unit - 1n)
}

/** controloptions: endianness, alignment, spaces; anything else is an invalid option. */
const controlOption = (heap: LuaHeap, L: LuaState, option: string, format: Format, header: Header): void => {
  switch (option) {
    case " ": return
    case ">": header.endian = "big"; return
    case "<": header.endian = "little"; return
    case "!": {
      const align = readNumber(heap, L, format, maxAlign)
      if (!isPowerOf2(align)) throw luaError(heap, L, `alignment ${align} is not a power of 2`)
      header.align = align
      return
    }
    default: throw argumentError(heap, L, 1, `invalid format option '${option}'`)
  }
}

const formatOf = (heap: LuaHeap, L: LuaState): Format => {
  const text = checkString(heap, L, 1)
  const end = text.indexOf("\0")
  return { text: end === -1 ? text : text.slice(0, end), at: 0 }
}

const isInteger = (option: string): boolean => "bBhHlLTiI".includes(option)

/** The bytes of `view`'s first `size` bytes (written little endian), in `endian` order. */
const ordered = (view: DataView, size: number, endian: Endian): string => {
  let out = ""
  for (let i = 0; i < size; i++) out += String.fromCharCode(view.getUint8(endian === "little" ? i : size - 1 - i))
  return out
}

/** putinteger: `size` bytes of the number, through a 64-bit unsigned value. */
const packInteger = (n: number, endian: Endian, size: number): string => {
  let value = n < 0 ? BigInt.asUintN(64, toInt64(n)) : toUint64(n)
  const bytes: Array<number> = []
  for (let i = 0; i < size; i++) {
    bytes.push(Number(value & 0xffn))
    value >>= 8n
  }
  if (endian === "big") bytes.reverse()
  return String.fromCharCode(...bytes)
}

const scratch = new DataView(new ArrayBuffer(8))

/** b_pack. */
const pack = (heap: LuaHeap, L: LuaState): number => {
  const format = formatOf(heap, L)
  const header: Header = { endian: "little", align: 1 }
  // The C code pushes a nil to separate the arguments from its buffer: a missing argument reads as that nil.
  heap.lua._lua_pushnil(L)
  let argument = 2
  let out = ""
  while (format.at < format.text.length) {
    const option = format.text[format.at++]
    let size = optionSize(heap, L, option, format)
    out += "\0".repeat(Number(padding(BigInt(out.length), header, option, size)))
    if (isInteger(option)) {
      out += packInteger(checkNumber(heap, L, argument++), header.endian, size)
    } else if (option === "x") {
      out += "\0"
    } else if (option === "f") {
      scratch.setFloat32(0, checkNumber(heap, L, argument++), true)
      out += ordered(scratch, 4, header.endian)
    } else if (option === "d") {
      scratch.setFloat64(0, checkNumber(heap, L, argument++), true)
      out += ordered(scratch, 8, header.endian)
    } else if (option === "c" || option === "s") {
      const text = checkString(heap, L, argument++)
      if (size === 0) size = text.length
      if (text.length < size) throw argumentError(heap, L, argument, "string too short")
      out += text.slice(0, size)
      if (option === "s") out += "\0"
    } else {
      controlOption(heap, L, option, format, header)
    }
  }
  heap.pushString(L, out)
  return 1
}

/** getinteger: `size` bytes as an unsigned long, sign-extended for a signed option. */
const unpackInteger = (bytes: string, endian: Endian, signed: boolean, size: number): number => {
  let value = 0n
  for (let i = 0; i < size; i++) {
    const byte = bytes.charCodeAt(endian === "big" ? i : size - 1 - i)
    value = ((value << 8n) | BigInt(byte)) & uint64Mask
  }
  if (!signed) return Number(value)
  const mask = (uint64Mask << BigInt((size * 8 - 1) & 63)) & uint64Mask
  if ((value & mask) !== 0n) value |= mask
  return Number(BigInt.asIntN(64, value))
}

/** A float from `size` bytes in `endian` order. */
const unpackFloat = (bytes: string, endian: Endian, size: 4 | 8): number => {
  for (let i = 0; i < size; i++) scratch.setUint8(endian === "little" ? i : size - 1 - i, bytes.charCodeAt(i))
  return size === 4 ? scratch.getFloat32(0, true) : scratch.getFloat64(0, true)
}

/** b_unpack: the values, then the position after them (1-based). */
const unpack = (heap: LuaHeap, L: LuaState): number => {
  const lua = heap.lua
  const format = formatOf(heap, L)
  const data = checkString(heap, L, 2)
  const length = BigInt(data.length)
  const offset = BigInt.asUintN(64, optInteger(heap, L, 3, 1n))
  if (offset === 0n) throw argumentError(heap, L, 3, "offset must be 1 or greater")
  let position = offset - 1n
  const header: Header = { endian: "little", align: 1 }
  // The results are pushed above the arguments (all of them: none is dropped), and counted.
  let results = 0
  const fits = (size: bigint) => size <= length && position <= length - size
  while (format.at < format.text.length) {
    const option = format.text[format.at++]
    let size = BigInt(optionSize(heap, L, option, format))
    position += padding(position, header, option, Number(size))
    if (!fits(size)) throw argumentError(heap, L, 2, "data string too short")
    checkStack(heap, L, 2, "too many results")
    const at = Number(position)
    if (isInteger(option)) {
      const bytes = data.slice(at, at + Number(size))
      lua._lua_pushnumber(L, unpackInteger(bytes, header.endian, option === option.toLowerCase(), Number(size)))
      results++
    } else if (option === "f" || option === "d") {
      const width = option === "f" ? 4 : 8
      lua._lua_pushnumber(L, unpackFloat(data.slice(at, at + width), header.endian, width))
      results++
    } else if (option === "c") {
      if (size === 0n) {
        if (results === 0 || lua._lua_isnumber(L, -1) === 0) throw luaError(heap, L, "format 'c0' needs a previous size")
        size = toUint64(lua._lua_tonumber(L, -1))
        lua._lua_settop(L, -2)
        results--
        if (!fits(size)) throw argumentError(heap, L, 2, "data string too short")
      }
      heap.pushString(L, data.slice(at, at + Number(size)))
      results++
    } else if (option === "s") {
      const end = data.indexOf("\0", at)
      if (end === -1) throw luaError(heap, L, "unfinished string in data")
      size = BigInt(end - at + 1)
      heap.pushString(L, data.slice(at, end))
      results++
    } else if (option !== "x") {
      controlOption(heap, L, option, format, header)
    }
    position += size
  }
  lua._lua_pushnumber(L, Number(BigInt.asIntN(64, position + 1n)))
  return results + 1
}

/** b_size: the bytes a format packs to; `s` and `c0` have no fixed size. */
const size = (heap: LuaHeap, L: LuaState): number => {
  const format = formatOf(heap, L)
  const header: Header = { endian: "little", align: 1 }
  let position = 0n
  while (format.at < format.text.length) {
    const option = format.text[format.at++]
    const optionBytes = optionSize(heap, L, option, format)
    position += padding(position, header, option, optionBytes)
    if (option === "s") throw argumentError(heap, L, 1, "option 's' has no fixed size")
    if (option === "c" && optionBytes === 0) throw argumentError(heap, L, 1, "option 'c0' has no fixed size")
    if (!isAlphanumeric(option)) controlOption(heap, L, option, format, header)
    position += BigInt(optionBytes)
  }
  heap.lua._lua_pushnumber(L, Number(position))
  return 1
}

/** The `struct` table's functions (luaopen_struct). */
export const structFunctions = (heap: LuaHeap): Record<string, (L: LuaState) => number> => ({
  pack: (L) => pack(heap, L),
  unpack: (L) => unpack(heap, L),
  size: (L) => size(heap, L)
})

/**
 * LuaBitOp's `bit` library (Redis bundles lua_bit.c): 32-bit operations on
 * Lua numbers, normalised as tobit does.
 */
const scratch = new DataView(new ArrayBuffer(8))

/**
 * lua_bit.c's barg: the low 32 bits of the double `n + 2^52 + 2^51` (rounds
 * to the nearest integer, ties to even, and wraps; past 2^51 the addition
 * itself rounds, as it does in C).
 */
export const toBit = (n: number): number => {
  scratch.setFloat64(0, n + 6755399441055744, true)
  return scratch.getInt32(0, true)
}

/** bit.tohex(x [, n]): the low |n| nibbles (8 by default), upper case when n < 0. */
export const toHex = (x: number, n = 8): string => {
  const upper = n < 0
  const digits = Math.min(Math.abs(n), 8)
  const text = (toBit(x) >>> 0).toString(16).padStart(8, "0").slice(8 - digits)
  return upper ? text.toUpperCase() : text
}

const fold = (op: (a: number, b: number) => number) => (values: ReadonlyArray<number>): number =>
  values.map(toBit).reduce((a, b) => op(a, b) | 0)

/** The library's functions over already-read number arguments. */
export const bitFunctions: Record<string, (args: ReadonlyArray<number>) => number> = {
  tobit: ([x]) => toBit(x),
  bnot: ([x]) => ~toBit(x),
  band: fold((a, b) => a & b),
  bor: fold((a, b) => a | b),
  bxor: fold((a, b) => a ^ b),
  lshift: ([x, n]) => toBit(x) << (toBit(n) & 31),
  rshift: ([x, n]) => (toBit(x) >>> (toBit(n) & 31)) | 0,
  arshift: ([x, n]) => toBit(x) >> (toBit(n) & 31),
  rol: ([x, n]) => {
    const shift = toBit(n) & 31
    const value = toBit(x)
    return ((value << shift) | (value >>> ((32 - shift) & 31))) | 0
  },
  ror: ([x, n]) => {
    const shift = toBit(n) & 31
    const value = toBit(x)
    return ((value >>> shift) | (value << ((32 - shift) & 31))) | 0
  },
  bswap: ([x]) => {
    const v = toBit(x)
    return ((v >>> 24) | ((v >> 8) & 0xff00) | ((v & 0xff00) << 8) | (v << 24)) | 0
  }
}

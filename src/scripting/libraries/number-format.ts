/**
 * Lua 5.1's number to string (LUA_NUMBER_FMT "%.14g"), also lua-cjson's
 * default number format: 14 significant digits, exponent form below 1e-4
 * or from 1e14 on, trailing zeros dropped.
 */
export const formatG = (n: number, precision: number): string => {
  if (Number.isNaN(n)) return "nan"
  if (!Number.isFinite(n)) return n < 0 ? "-inf" : "inf"
  if (n === 0) return Object.is(n, -0) ? "-0" : "0"
  const [mantissa, exp] = n.toExponential(precision - 1).split("e")
  const power = Number(exp)
  const trim = (digits: string) => digits.includes(".") ? digits.replace(/0+$/, "").replace(/\.$/, "") : digits
  if (power < -4 || power >= precision) {
    return `${trim(mantissa)}e${power < 0 ? "-" : "+"}${String(Math.abs(power)).padStart(2, "0")}`
  }
  return trim(n.toFixed(Math.max(0, precision - 1 - power)))
}

export const formatLuaNumber = (n: number): string => formatG(n, 14)

/**
 * Sorted-set scores as text: C's strtod as Redis calls it, in its two
 * strictnesses.
 *
 * - `parseScore`: getDoubleFromObject (object.c), for ZADD, ZINCRBY,
 *   WEIGHTS: the whole string must be a number (no leading space), and an
 *   overflow (1e999) or an underflow to zero (1e-400) is refused; "inf" and
 *   "-inf" are numbers, "nan" is not.
 * - `parseLooseDouble`: zslParseRange (t_zset.c), strtod with only "nothing
 *   left over" and "not NaN" checked: leading white space is skipped, the
 *   empty string is 0, an overflow is an infinity, and the text ends at a
 *   NUL byte (a C string).
 *
 * Both take what strtod takes: decimal with an optional exponent, C99 hex
 * floats (0x1.8p3), inf/infinity, any case.
 */

const decimal = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/
const hexadecimal = /^([+-]?)0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?(?:[pP]([+-]?\d+))?$/
const infinity = /^([+-]?)inf(inity)?$/i

/** A hex float's value: its digits as an integer scaled by 2^(exponent - 4 * fraction digits). */
const hexValue = (sign: string, whole: string, fraction: string, exponent: string): number | undefined => {
  if (whole.length + fraction.length === 0) return undefined
  const digits = whole + fraction
  let mantissa = 0
  for (const digit of digits) mantissa = mantissa * 16 + parseInt(digit, 16)
  const value = mantissa * 2 ** (Number(exponent || "0") - 4 * fraction.length)
  return sign === "-" ? -value : value
}

/** What strtod reads from the whole of `text`, with whether it left range (ERANGE); undefined when it does not read all of it. */
const strtod = (text: string): { readonly value: number; readonly outOfRange: boolean } | undefined => {
  if (decimal.test(text)) {
    const value = Number(text)
    const mantissa = text.replace(/[eE].*$/, "")
    const underflow = value === 0 && /[1-9]/.test(mantissa)
    return { value, outOfRange: !Number.isFinite(value) || underflow }
  }
  const inf = infinity.exec(text)
  if (inf !== null) return { value: inf[1] === "-" ? -Infinity : Infinity, outOfRange: false }
  const hex = hexadecimal.exec(text)
  if (hex !== null) {
    const value = hexValue(hex[1], hex[2], hex[3] ?? "", hex[4] ?? "")
    return value === undefined ? undefined : { value, outOfRange: !Number.isFinite(value) }
  }
  return undefined
}

const isCSpace = (code: number): boolean => code === 32 || (code >= 9 && code <= 13)

/** getDoubleFromObject's double, or undefined ("value is not a valid float"). */
export const parseScore = (text: string): number | undefined => {
  if (text.length === 0 || isCSpace(text.charCodeAt(0))) return undefined
  const parsed = strtod(text)
  if (parsed === undefined || parsed.outOfRange || Number.isNaN(parsed.value)) return undefined
  return parsed.value
}

/**
 * strtod on a C string as zslParseRange and sort.c call it: the text ends at
 * the first NUL byte (which "consumes everything" then), "" reads as 0, white
 * space first is skipped; undefined when it does not read all of it.
 */
const strtodOfCString = (given: string): { readonly value: number; readonly outOfRange: boolean } | undefined => {
  const nul = given.indexOf("\0")
  const text = nul === -1 ? given : given.slice(0, nul)
  if (text.length === 0) return { value: 0, outOfRange: false }
  let start = 0
  while (start < text.length && isCSpace(text.charCodeAt(start))) start++
  return strtod(text.slice(start))
}

/** zslParseRange's strtod: overflow is kept (ERANGE is not checked); NaN or anything unread is undefined. */
export const parseLooseDouble = (given: string): number | undefined => {
  const parsed = strtodOfCString(given)
  return parsed === undefined || Number.isNaN(parsed.value) ? undefined : parsed.value
}

/** sort.c's strtod: out of range (ERANGE), NaN or anything unread is undefined. */
export const parseSortDouble = (given: string): number | undefined => {
  const parsed = strtodOfCString(given)
  return parsed === undefined || parsed.outOfRange || Number.isNaN(parsed.value) ? undefined : parsed.value
}

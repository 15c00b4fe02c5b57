/**
 * Number parsing and formatting as Redis does it (util.c string2ll, string2ld,
 * ld2string). Redis's INCRBYFLOAT works in x87 80-bit `long double` (64-bit
 * mantissa); `LongDouble` emulates it exactly with bigints so replies match
 * byte for byte (e.g. 0.1 + 0.2 = "0.3", 1e20 + 1 = "100000000000000000000").
 */

/** A finite long double: `mantissa · 2^exponent`, |mantissa| < 2^64 (or an infinity). */
export type LongDouble =
  | { readonly _tag: "Finite"; readonly mantissa: bigint; readonly exponent: number }
  | { readonly _tag: "Infinite"; readonly negative: boolean }

const mantissaBits = 64
/** Largest binary exponent of a long double's leading bit (LDBL_MAX_EXP - 1). */
const maxLeadingExponent = 16383
/** Smallest normal leading-bit exponent (LDBL_MIN_EXP - 1); below is ERANGE for strtold. */
const minLeadingExponent = -16382

const bitLength = (n: bigint): number => (n === 0n ? 0 : n.toString(2).length)
const abs = (n: bigint): bigint => (n < 0n ? -n : n)

/** Divides with rounding to nearest, ties to even (numerator >= 0, denominator > 0). */
const divideRoundingEven = (numerator: bigint, denominator: bigint): bigint => {
  const quotient = numerator / denominator
  const twiceRemainder = (numerator % denominator) * 2n
  if (twiceRemainder > denominator || (twiceRemainder === denominator && quotient % 2n === 1n)) return quotient + 1n
  return quotient
}

/** Rounds the exact rational `numerator / denominator` to a long double. */
const roundRational = (numerator: bigint, denominator: bigint): LongDouble => {
  const negative = numerator < 0n
  const magnitude = abs(numerator)
  if (magnitude === 0n) return { _tag: "Finite", mantissa: 0n, exponent: 0 }
  // Choose the exponent so that magnitude / denominator / 2^exponent lies in [2^63, 2^64).
  let exponent = bitLength(magnitude) - bitLength(denominator) - mantissaBits
  const scaled = (e: number): readonly [bigint, bigint] =>
    e >= 0 ? [magnitude, denominator << BigInt(e)] : [magnitude << BigInt(-e), denominator]
  let [num, den] = scaled(exponent)
  if (num / den >= 2n ** 64n) [num, den] = scaled(++exponent)
  else if (num / den < 2n ** 63n) [num, den] = scaled(--exponent)
  let mantissa = divideRoundingEven(num, den)
  if (mantissa === 2n ** 64n) {
    mantissa = 2n ** 63n
    exponent++
  }
  if (exponent + mantissaBits - 1 > maxLeadingExponent) return { _tag: "Infinite", negative }
  return { _tag: "Finite", mantissa: negative ? -mantissa : mantissa, exponent }
}

const dyadic = (mantissa: bigint, exponent: number): readonly [bigint, bigint] =>
  exponent >= 0 ? [mantissa << BigInt(exponent), 1n] : [mantissa, 1n << BigInt(-exponent)]

const decimalPattern = /^([+-]?)(?:(\d+)\.?(\d*)|\.(\d+))(?:[eE]([+-]?\d+))?$/
const hexPattern = /^([+-]?)0[xX](?:([0-9a-fA-F]+)\.?([0-9a-fA-F]*)|\.([0-9a-fA-F]+))(?:[pP]([+-]?\d+))?$/
const infinityPattern = /^([+-]?)inf(?:inity)?$/i

/** Exponents beyond this make the value overflow or underflow whatever the digits. */
const exponentLimit = 100_000

const fromParts = (
  negative: boolean,
  digits: string,
  fractionDigits: string,
  exponent: number,
  radix: 10 | 16,
  exponentBase: 10n | 2n
): LongDouble | undefined => {
  const prefix = radix === 16 ? "0x" : ""
  const significand = BigInt(prefix + ((digits + fractionDigits).replace(/^0+/, "") || "0"))
  if (significand === 0n) return { _tag: "Finite", mantissa: 0n, exponent: 0 }
  if (Math.abs(exponent) > exponentLimit) return undefined
  const fractionScale = BigInt(radix) ** BigInt(fractionDigits.length)
  const [num, den] = exponent >= 0
    ? [significand * exponentBase ** BigInt(exponent), fractionScale]
    : [significand, fractionScale * exponentBase ** BigInt(-exponent)]
  const value = roundRational(negative ? -num : num, den)
  if (value._tag === "Infinite") return undefined
  return value.exponent + mantissaBits - 1 < minLeadingExponent ? undefined : value
}

/** Redis's string2ld (strtold, whole string, no leading space, no NaN, no ERANGE). */
export const parseLongDouble = (text: string): LongDouble | undefined => {
  const infinity = infinityPattern.exec(text)
  if (infinity !== null) return { _tag: "Infinite", negative: infinity[1] === "-" }
  const hex = hexPattern.exec(text)
  if (hex !== null) {
    const [, sign, whole, fraction, onlyFraction, exponent] = hex
    return fromParts(sign === "-", whole ?? "", fraction || onlyFraction || "", Number(exponent ?? "0"), 16, 2n)
  }
  const decimal = decimalPattern.exec(text)
  if (decimal === null) return undefined
  const [, sign, whole, fraction, onlyFraction, exponent] = decimal
  return fromParts(sign === "-", whole ?? "", fraction || onlyFraction || "", Number(exponent ?? "0"), 10, 10n)
}

/** Long double addition, rounded to nearest even. */
export const addLongDouble = (a: LongDouble, b: LongDouble): LongDouble => {
  if (a._tag === "Infinite") return a
  if (b._tag === "Infinite") return b
  const exponent = Math.min(a.exponent, b.exponent)
  const sum = (a.mantissa << BigInt(a.exponent - exponent)) + (b.mantissa << BigInt(b.exponent - exponent))
  const [num, den] = dyadic(sum, exponent)
  return roundRational(num, den)
}

const fractionDigits = 17
const fractionScale = 10n ** BigInt(fractionDigits)

/** Redis's ld2string(LD_STR_HUMAN): `%.17Lf`, trailing zeros and dot trimmed, no "-0". */
export const formatLongDouble = (value: LongDouble & { readonly _tag: "Finite" }): string => {
  const [num, den] = dyadic(abs(value.mantissa), value.exponent)
  const scaled = divideRoundingEven(num * fractionScale, den)
  const whole = (scaled / fractionScale).toString()
  const fraction = (scaled % fractionScale).toString().padStart(fractionDigits, "0").replace(/0+$/, "")
  const text = fraction === "" ? whole : `${whole}.${fraction}`
  return value.mantissa < 0n && text !== "0" ? `-${text}` : text
}

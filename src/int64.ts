/**
 * Signed 64-bit integers as Redis parses them (util.c string2ll): command
 * arguments, configuration values, and the values INCR works on.
 */

export const int64Min = -(2n ** 63n)
export const int64Max = 2n ** 63n - 1n

/**
 * Redis's string2ll: an optional `-`, then digits with no leading zero (but
 * "0" itself), within a signed 64-bit integer; nothing else (no `+`, no
 * spaces, not "-0"). Undefined when the text is not such an integer.
 */
export const parseInt64 = (text: string): bigint | undefined => {
  if (text.length === 0 || text.length > 20) return undefined
  if (text === "0") return 0n
  if (!/^-?[1-9][0-9]*$/.test(text)) return undefined
  const value = BigInt(text)
  return value < int64Min || value > int64Max ? undefined : value
}

/** parseInt64 narrowed to a JavaScript safe integer (for counts, indexes, db numbers). */
export const parseSafeInteger = (text: string): number | undefined => {
  const value = parseInt64(text)
  if (value === undefined) return undefined
  const asNumber = Number(value)
  return Number.isSafeInteger(asNumber) ? asNumber : undefined
}

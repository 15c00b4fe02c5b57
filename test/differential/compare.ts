/**
 * Reply comparison for the differential tests: byte equality, except for the
 * documented normalisations where Redis itself is nondeterministic (see
 * differential.test.ts), and the redis-cli script a failure prints.
 */
import type { ByteString, Command } from "../../src/resp/values.js"
import { aggregateParts, bulkText, integerValue, isNull } from "./frames.js"

/** How far two servers' clocks may disagree on a TTL (they run the command a few ms apart). */
const toleranceSeconds = 1n
const toleranceMilliseconds = 1000n

const sorted = (frame: string): string => {
  const parts = aggregateParts(frame)
  return parts === undefined ? frame : parts.header + [...parts.items].sort().join("")
}

/** Cursors strtoul reads as 0. */
const zeroCursor = /^[+-]?0*$/

/**
 * SCAN: an iteration from cursor 0 finished in one page (cursor 0 on both)
 * must list the same keys; other pages depend on hash-table order.
 */
const sameScanPage = (cursor: string, expected: string, actual: string): boolean => {
  const [expectedPage, actualPage] = [aggregateParts(expected), aggregateParts(actual)]
  if (expectedPage === undefined || actualPage === undefined) return expected === actual
  const finished = zeroCursor.test(cursor) && bulkText(expectedPage.items[0]) === "0" && bulkText(actualPage.items[0]) === "0"
  if (finished) return sorted(expectedPage.items[1]) === sorted(actualPage.items[1])
  return expectedPage.header === actualPage.header && expectedPage.items.length === 2 && actualPage.items.length === 2
}

/**
 * HRANDFIELD: without a count, both nil or both a bulk string; with a count,
 * the same reply length, and when the whole hash came back (fewer elements
 * than asked for) the same elements in any order (hash order differs).
 */
const sameRandomFields = (command: Command, expected: string, actual: string): boolean => {
  if (command.length === 2) return isNull(expected) === isNull(actual) && expected[0] === actual[0]
  const [expectedPage, actualPage] = [aggregateParts(expected), aggregateParts(actual)]
  if (expectedPage === undefined || actualPage === undefined || expectedPage.header !== actualPage.header) return false
  const asked = Number(command[2])
  const perField = command.length === 4 && actualPage.items[0]?.[0] !== "*" ? 2 : 1
  return asked < 0 || expectedPage.items.length === asked * perField || sorted(expected) === sorted(actual)
}

/** Integers equal, or both non-negative and within `tolerance`. */
const closeIntegers = (expected: string, actual: string, tolerance: bigint): boolean => {
  const [a, b] = [integerValue(expected), integerValue(actual)]
  if (a === undefined || b === undefined || a < 0n || b < 0n) return expected === actual
  return (a > b ? a - b : b - a) <= tolerance
}

/** Whether effect-kv's reply (`actual`) to `command` matches redis-server's (`expected`). */
export const sameReply = (command: Command, expected: string, actual: string): boolean => {
  if (expected === actual) return true
  switch (command[0].toLowerCase()) {
    case "keys":
    case "hkeys":
    case "hvals":
    case "hgetall":
      return sorted(expected) === sorted(actual)
    case "hscan":
      return sameScanPage(command[2], expected, actual)
    case "hrandfield":
      return sameRandomFields(command, expected, actual)
    case "scan":
      return sameScanPage(command[1], expected, actual)
    case "randomkey":
      return isNull(expected) === isNull(actual) && expected[0] === actual[0]
    case "ttl":
    case "expiretime":
      return closeIntegers(expected, actual, toleranceSeconds)
    case "pttl":
    case "pexpiretime":
      return closeIntegers(expected, actual, toleranceMilliseconds)
    default:
      return false
  }
}

const bareArgument = /^[A-Za-z0-9_:.+\-*?[\]^,/=@!#$%&<>|~]+$/

/** An argument as redis-cli (sdssplitargs) reads it: bare when plain, else double-quoted with escapes. */
export const quoteArgument = (argument: ByteString): string => {
  if (bareArgument.test(argument)) return argument
  const escaped = Array.from(argument, (char) => {
    const code = char.charCodeAt(0)
    if (char === "\\" || char === "\"") return `\\${char}`
    return code >= 0x20 && code < 0x7f ? char : `\\x${code.toString(16).padStart(2, "0")}`
  })
  return `"${escaped.join("")}"`
}

/** The commands as a redis-cli script: one command a line. */
export const redisCliScript = (commands: ReadonlyArray<Command>): string =>
  commands.map((command) => command.map(quoteArgument).join(" ")).join("\n")

/** A reply made readable: CR LF shown as \r\n, other control and high bytes as \xHH. */
export const showReply = (frame: string): string =>
  Array.from(frame, (char) => {
    const code = char.charCodeAt(0)
    if (char === "\r") return "\\r"
    if (char === "\n") return "\\n"
    return code >= 0x20 && code < 0x7f ? char : `\\x${code.toString(16).padStart(2, "0")}`
  }).join("")

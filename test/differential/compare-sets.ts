/**
 * Reply comparison for the set differential tests: compare.ts's, plus the
 * set commands whose replies Redis leaves open.
 * - SMEMBERS, SINTER, SUNION, SDIFF and SPOP with a count: a hashtable set's
 *   order is Redis's dict order, so the elements are compared sorted, unless
 *   `exactOrder` (every set an intset: Redis lists it ascending).
 * - SRANDMEMBER: random picks; the same kind and count of elements, distinct
 *   for a positive count, and the same elements when a count >= the size
 *   returned the whole set (both replies distinct and of equal length then
 *   compare sorted only if they are the same set).
 * - SSCAN: as SCAN (compare.ts), the cursor being the third word.
 */
import type { Command } from "../../src/resp/values.js"
import { sameReply } from "./compare.js"
import { aggregateParts, bulkText } from "./frames.js"

const sortedItems = (frame: string): string | undefined => {
  const parts = aggregateParts(frame)
  return parts === undefined ? undefined : parts.header + [...parts.items].sort().join("")
}

const sameElements = (expected: string, actual: string): boolean => {
  const [a, b] = [sortedItems(expected), sortedItems(actual)]
  return a !== undefined && a === b
}

const distinct = (frame: string): boolean => {
  const items = aggregateParts(frame)?.items ?? []
  return new Set(items).size === items.length
}

/** SRANDMEMBER key [count]: same shape, distinct picks for a positive count. */
const sameRandomPicks = (command: Command, expected: string, actual: string): boolean => {
  if (command.length < 3) return (expected[0] === "$" && actual[0] === "$" && !expected.startsWith("$-1") && !actual.startsWith("$-1")) ||
    expected === actual
  const [a, b] = [aggregateParts(expected), aggregateParts(actual)]
  if (a === undefined || b === undefined) return expected === actual
  if (a.header !== b.header) return false
  return command[2].startsWith("-") || (distinct(expected) && distinct(actual))
}

const sameScanPage = (cursor: string, expected: string, actual: string): boolean => {
  const [a, b] = [aggregateParts(expected), aggregateParts(actual)]
  if (a === undefined || b === undefined) return expected === actual
  const finished = /^[+-]?0*$/.test(cursor) && bulkText(a.items[0]) === "0" && bulkText(b.items[0]) === "0"
  if (finished) return sameElements(a.items[1], b.items[1])
  return a.header === b.header && a.items.length === 2 && b.items.length === 2
}

/** The comparison for set sequences; `exactOrder` when every set is an intset. */
export const sameSetReply = (exactOrder: boolean) => (command: Command, expected: string, actual: string): boolean => {
  if (sameReply(command, expected, actual)) return true
  switch (command[0].toLowerCase()) {
    case "smembers":
    case "sinter":
    case "sunion":
    case "sdiff":
    case "spop":
      return !exactOrder && sameElements(expected, actual)
    case "srandmember":
      return sameRandomPicks(command, expected, actual)
    case "sscan":
      return sameScanPage(command[2], expected, actual)
    default:
      return false
  }
}

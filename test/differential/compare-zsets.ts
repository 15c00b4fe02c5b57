/**
 * Reply comparison for the sorted-set differential tests: compare.ts's, and
 * ZSCAN of a skiplist, which Redis pages in its dict's order: a finished
 * scan (cursor 0 on both sides) must hold the same member/score pairs.
 */
import type { Command } from "../../src/resp/values.js"
import { sameReply } from "./compare.js"
import { aggregateParts, bulkText } from "./frames.js"

/** The pairs of a ZSCAN page's flat member, score list, sorted. */
const sortedPairs = (frame: string): string | undefined => {
  const parts = aggregateParts(frame)
  if (parts === undefined) return undefined
  const pairs: Array<string> = []
  for (let i = 0; i + 1 < parts.items.length; i += 2) pairs.push(parts.items[i] + parts.items[i + 1])
  return parts.header + pairs.sort().join("")
}

const sameScanPage = (expected: string, actual: string): boolean => {
  const [a, b] = [aggregateParts(expected), aggregateParts(actual)]
  if (a === undefined || b === undefined || a.items.length !== 2 || b.items.length !== 2) return expected === actual
  if (bulkText(a.items[0]) !== "0" || bulkText(b.items[0]) !== "0") return false
  const [left, right] = [sortedPairs(a.items[1]), sortedPairs(b.items[1])]
  return left !== undefined && left === right
}

export const sameZSetReply = (command: Command, expected: string, actual: string): boolean =>
  sameReply(command, expected, actual) || (command[0].toLowerCase() === "zscan" && sameScanPage(expected, actual))

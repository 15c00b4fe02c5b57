/**
 * LCS key1 key2 [LEN] [IDX] [MINMATCHLEN len] [WITHMATCHLEN] (t_string.c
 * lcsCommand): the longest common subsequence by the classic dynamic
 * programming table, its matched ranges listed from the end as Redis does.
 */
import { Either } from "effect"
import { CommandError, commandError, lcsLenWithIdx, lcsTableTooLarge, notInteger, syntaxError } from "../../errors.js"
import { array, bulk, integer, map, type ByteString, type RespValue } from "../../resp/values.js"
import { parseInt64 } from "../../int64.js"
import { defaultProtoMaxBulkLen } from "./bitmap-arguments.js"

export interface LcsOptions {
  /** What to answer: the subsequence itself, its length, or the matched ranges. */
  readonly reply: "STRING" | "LEN" | "IDX"
  /** IDX lists only ranges at least this long (negative reads as 0). */
  readonly minMatchLength: number
  /** IDX adds each range's length. */
  readonly withMatchLength: boolean
}


/**
 * The options after the two keys. Parse them after checking both keys hold
 * strings (or are missing): Redis answers "The specified keys must contain
 * string values" first. LEN and IDX may not both be given.
 */
export const parseLcs = (args: ReadonlyArray<ByteString>): Either.Either<LcsOptions, CommandError> => {
  let len = false
  let idx = false
  let withMatchLength = false
  let minMatchLength = 0
  for (let j = 3; j < args.length; j++) {
    const option = args[j].toUpperCase()
    if (option === "IDX") idx = true
    else if (option === "LEN") len = true
    else if (option === "WITHMATCHLEN") withMatchLength = true
    else if (option === "MINMATCHLEN" && j + 1 < args.length) {
      const parsed = parseInt64(args[j + 1])
      if (parsed === undefined) return Either.left(commandError(notInteger))
      // Any length past the strings' own lengths filters everything alike.
      minMatchLength = parsed < 0n ? 0 : Number(parsed)
      j++
    } else return Either.left(commandError(syntaxError))
  }
  if (len && idx) return Either.left(commandError(lcsLenWithIdx))
  return Either.right({ reply: idx ? "IDX" : len ? "LEN" : "STRING", minMatchLength, withMatchLength })
}

/** One matched range: inclusive indexes into each string. */
interface Match {
  readonly aStart: number
  readonly aEnd: number
  readonly bStart: number
  readonly bEnd: number
}

const matchReply = (match: Match, withMatchLength: boolean): RespValue => {
  const ranges = [array([integer(match.aStart), integer(match.aEnd)]), array([integer(match.bStart), integer(match.bEnd)])]
  return array(withMatchLength ? [...ranges, integer(match.aEnd - match.aStart + 1)] : ranges)
}

/**
 * The LCS of `a` and `b` (missing keys as "") answered as `options` ask.
 * Redis refuses a table ((|a|+1)·(|b|+1) uint32 cells) larger than
 * proto-max-bulk-len. (Its "String too long for LCS", for strings of 4GB,
 * cannot happen with JS strings, so it has no constant here.)
 */
export const lcs = (
  a: ByteString,
  b: ByteString,
  options: LcsOptions,
  protoMaxBulkLen: number = defaultProtoMaxBulkLen
): Either.Either<RespValue, CommandError> => {
  const width = b.length + 1
  if ((a.length + 1) * width * 4 > protoMaxBulkLen) return Either.left(commandError(lcsTableTooLarge))
  // table[i * width + j]: the LCS length of a[0..i) and b[0..j).
  const table = new Uint32Array((a.length + 1) * width)
  const aBytes = Buffer.from(a, "latin1")
  const bBytes = Buffer.from(b, "latin1")
  for (let i = 1; i <= aBytes.length; i++) {
    const row = i * width
    const above = row - width
    const aByte = aBytes[i - 1]
    for (let j = 1; j <= bBytes.length; j++) {
      if (aByte === bBytes[j - 1]) table[row + j] = table[above + j - 1] + 1
      else {
        const up = table[above + j]
        const left = table[row + j - 1]
        table[row + j] = up > left ? up : left
      }
    }
  }
  const length = table[a.length * width + b.length]
  if (options.reply === "LEN") return Either.right(integer(length))
  // Walk back from the end, collecting the subsequence and the contiguous
  // ranges; a range is emitted when the walk leaves it or reaches index 0.
  const subsequence: Array<string> = []
  const matches: Array<Match> = []
  // The range being extended backwards; aStart === a.length: none open.
  let aStart = a.length
  let aEnd = 0
  let bStart = 0
  let bEnd = 0
  let i = a.length
  let j = b.length
  while (i > 0 && j > 0) {
    let emit = false
    if (a.charCodeAt(i - 1) === b.charCodeAt(j - 1)) {
      subsequence.push(a[i - 1])
      if (aStart === a.length) {
        aStart = aEnd = i - 1
        bStart = bEnd = j - 1
      } else if (aStart === i && bStart === j) {
        aStart--
        bStart--
      } else emit = true
      if (aStart === 0 || bStart === 0) emit = true
      i--
      j--
    } else {
      if (table[(i - 1) * width + j] > table[i * width + j - 1]) i--
      else j--
      if (aStart !== a.length) emit = true
    }
    if (emit) {
      if (aEnd - aStart + 1 >= options.minMatchLength) matches.push({ aStart, aEnd, bStart, bEnd })
      aStart = a.length
    }
  }
  if (options.reply === "STRING") return Either.right(bulk(subsequence.reverse().join("")))
  return Either.right(map([
    [bulk("matches"), array(matches.map((match) => matchReply(match, options.withMatchLength)))],
    [bulk("len"), integer(length)]
  ]))
}

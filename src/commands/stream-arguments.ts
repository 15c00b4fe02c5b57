/**
 * Reading stream command arguments as t_stream.c does: IDs
 * (streamGenericParseIDOrReply, with util.c string2ull's strtoull fallback),
 * interval bounds (streamParseIntervalIDOrReply) and XADD / XTRIM's trimming
 * clauses (streamParseAddOrTrimArgsOrReply).
 */
import { Either } from "effect"
import * as Errors from "../errors.js"
import type { CommandError } from "../errors.js"
import { parseInt64 } from "../int64.js"
import type { ByteString, Command } from "../resp/values.js"
import { maxId, streamNodeLimits, type StreamId, type Trim, type TrimStrategy, uint64Max, zeroId } from "../values/stream.js"
import { failure } from "./keyspace-step.js"

const invalidId = Either.left(failure(Errors.streamInvalidId))

/** isspace in the C locale: what strtoull skips first. */
const isSpace = (char: string): boolean => char === " " || (char >= "\t" && char <= "\r")

/**
 * util.c string2ull: string2ll when it parses (a negative is out of range),
 * else strtoull's reading: blanks, a sign, decimal digits to the end, at most
 * 2^64-1 (a minus negates modulo 2^64, as strtoull does).
 */
export const parseUint64 = (text: string): bigint | undefined => {
  const exact = parseInt64(text)
  if (exact !== undefined) return exact < 0n ? undefined : exact
  let at = 0
  while (at < text.length && isSpace(text[at])) at++
  const negative = text[at] === "-"
  if (text[at] === "-" || text[at] === "+") at++
  const digits = text.slice(at)
  if (!/^[0-9]+$/.test(digits)) return undefined
  const magnitude = BigInt(digits)
  if (magnitude > uint64Max) return undefined
  return negative ? BigInt.asUintN(64, -magnitude) : magnitude
}

export interface ParsedId {
  readonly id: StreamId
  /** False for XADD's `ms-*` (the sequence is chosen on append). */
  readonly seqGiven: boolean
}

/**
 * streamGenericParseIDOrReply: `-` (0-0) and `+` (the last possible ID)
 * unless `strict`, `ms-seq`, or `ms` with `missingSeq`; `ms-*` only where
 * `allowsSeqStar` (XADD). The argument is read as the C string it is (to its
 * first NUL byte), and may be at most 127 bytes.
 */
export const parseStreamId = (
  argument: ByteString,
  options: { readonly missingSeq?: bigint; readonly strict?: boolean; readonly allowsSeqStar?: boolean } = {}
): Either.Either<ParsedId, CommandError> => {
  if (argument.length > 127) return invalidId
  const nul = argument.indexOf("\0")
  const text = nul < 0 ? argument : argument.slice(0, nul)
  if (text === "-" || text === "+") {
    if (options.strict === true) return invalidId
    return Either.right({ id: text === "-" ? zeroId : maxId, seqGiven: true })
  }
  const dash = text.indexOf("-")
  const ms = parseUint64(dash < 0 ? text : text.slice(0, dash))
  if (ms === undefined) return invalidId
  if (dash < 0) return Either.right({ id: { ms, seq: options.missingSeq ?? 0n }, seqGiven: true })
  const seqText = text.slice(dash + 1)
  if (options.allowsSeqStar === true && seqText === "*") return Either.right({ id: { ms, seq: 0n }, seqGiven: false })
  const seq = parseUint64(seqText)
  return seq === undefined ? invalidId : Either.right({ id: { ms, seq }, seqGiven: true })
}

/** streamParseStrictIDOrReply: an ID, `-` and `+` refused. */
export const parseStrictId = (argument: ByteString): Either.Either<StreamId, CommandError> =>
  Either.map(parseStreamId(argument, { strict: true }), (parsed) => parsed.id)

/** streamParseIntervalIDOrReply: an interval bound, `(` making it exclusive. */
export const parseIntervalId = (
  argument: ByteString,
  missingSeq: bigint
): Either.Either<{ readonly id: StreamId; readonly exclusive: boolean }, CommandError> => {
  const exclusive = argument.length > 1 && argument[0] === "("
  const parsed = exclusive ? parseStreamId(argument.slice(1), { missingSeq, strict: true }) : parseStreamId(argument, { missingSeq })
  return Either.map(parsed, ({ id }) => ({ id, exclusive }))
}

/** XADD / XTRIM's options once read. */
export interface AddOrTrimArguments {
  readonly noMkStream: boolean
  /** The trimming asked for, and the index of its threshold argument (rewritten for the AOF). */
  readonly trim: (Trim & { readonly thresholdIndex: number }) | undefined
  /** XADD's explicit ID; undefined for `*`. */
  readonly id: ParsedId | undefined
  /** The index of the ID argument (XADD), or the argument count (XTRIM). */
  readonly idIndex: number
}

const same = (argument: ByteString | undefined, text: string): boolean => argument?.toLowerCase() === text

/** streamParseAddOrTrimArgsOrReply. */
export const parseAddOrTrim = (args: Command, xadd: boolean): Either.Either<AddOrTrimArguments, CommandError> => {
  let noMkStream = false
  let strategy: TrimStrategy | undefined
  let approximate = false
  let thresholdIndex = 0
  let limit = 0n
  let limitGiven = false
  let id: ParsedId | undefined
  let i = 2
  for (; i < args.length; i++) {
    const moreArgs = args.length - 1 - i
    const option = args[i]
    if (xadd && option === "*") break
    if ((same(option, "maxlen") || same(option, "minid")) && moreArgs > 0) {
      if (strategy !== undefined) return Either.left(failure(Errors.streamMaxlenAndMinid))
      approximate = false
      const next = args[i + 1]
      if (moreArgs >= 2 && next === "~") {
        approximate = true
        i++
      } else if (moreArgs >= 2 && next === "=") {
        i++
      }
      const threshold = args[i + 1]
      if (same(option, "maxlen")) {
        const maxlen = parseInt64(threshold)
        if (maxlen === undefined) return Either.left(failure(Errors.notInteger))
        if (maxlen < 0n) return Either.left(failure(Errors.streamMaxlenNegative))
        strategy = { _tag: "MaxLen", maxlen }
      } else {
        const minId = parseStrictId(threshold)
        if (Either.isLeft(minId)) return Either.left(minId.left)
        strategy = { _tag: "MinId", minId: minId.right }
      }
      i++
      thresholdIndex = i
    } else if (same(option, "limit") && moreArgs > 0) {
      const given = parseInt64(args[i + 1])
      if (given === undefined) return Either.left(failure(Errors.notInteger))
      if (given < 0n) return Either.left(failure(Errors.streamLimitNegative))
      limit = given
      limitGiven = true
      i++
    } else if (xadd && same(option, "nomkstream")) {
      noMkStream = true
    } else if (xadd) {
      const parsed = parseStreamId(option, { strict: true, allowsSeqStar: true })
      if (Either.isLeft(parsed)) return Either.left(parsed.left)
      id = parsed.right
      break
    } else {
      return Either.left(failure(Errors.syntaxError))
    }
  }
  if (limit !== 0n && strategy === undefined) return Either.left(failure(Errors.streamLimitWithoutStrategy))
  if (!xadd && strategy === undefined) return Either.left(failure(Errors.streamXtrimWithoutStrategy))
  if (limitGiven && !approximate) return Either.left(failure(Errors.streamLimitWithoutApprox))
  // Without LIMIT, `~` may do at most 100 nodes' worth of work.
  const effectiveLimit = limitGiven ? limit : approximate ? BigInt(100 * streamNodeLimits.maxEntries) : 0n
  return Either.right({
    noMkStream,
    trim: strategy === undefined ? undefined : { strategy, approximate, limit: effectiveLimit, thresholdIndex },
    id,
    idIndex: i
  })
}

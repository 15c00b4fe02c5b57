/**
 * Sorted-set ranges (t_zset.c): ZRANGE in all its forms (zrangeGenericCommand:
 * by rank, BYSCORE, BYLEX, REV, LIMIT, WITHSCORES), ZRANGESTORE and the
 * older ZREVRANGE, Z[REV]RANGEBYSCORE, Z[REV]RANGEBYLEX; ZCOUNT, ZLEXCOUNT;
 * ZREMRANGEBYRANK / BYSCORE / BYLEX (zremrangeGenericCommand).
 *
 * A range is a span of ranks [start, end) found by binary search on the
 * tree. Lex ranges are only ordered when every member has the same score;
 * otherwise Redis answers what its walk finds: a listpack is scanned from
 * the first (or last) element, as zzlFirstInLexRange / zzlLastInLexRange
 * do, which is reproduced here; a skiplist's answer then depends on its
 * random node levels, and a binary search stands in for it.
 */
import { Effect, Either } from "effect"
import { type CommandError, syntaxError, zsetLimitNeedsByScoreOrLex, zsetWithScoresWithByLex } from "../errors.js"
import { array, integer, type ByteString } from "../resp/values.js"
import * as Database from "../store/database.js"
import type { Store } from "../store/Store.js"
import * as Z from "../values/zset.js"
import type { Scored, ZSetValue } from "../values/zset.js"
import { failure, reply, transact, transactReading, unchanged } from "./keyspace-step.js"
import {
  aboveMin,
  belowMax,
  delEvent,
  eventsOf,
  keep,
  lexAboveMin,
  lexBelowMax,
  type LexBound,
  type LexRange,
  parseLexRange,
  parseLong,
  parseScoreRange,
  type ScoreRange,
  scoredReply,
  withZSet,
  zsetEvent,
  zsetLimits,
  zsetRow
} from "./sorted-set-common.js"
import type { Handler } from "./types.js"

/** Ranks [start, end). */
interface Span {
  readonly start: number
  readonly end: number
}

const emptySpan: Span = { start: 0, end: 0 }

/** ZRANGE's start/stop sanitised (genericZrangebyrankCommand): negative from the end, clamped; empty when crossed. */
const rankSpan = (size: number, start: number, stop: number): Span => {
  let from = start < 0 ? size + start : start
  let to = stop < 0 ? size + stop : stop
  if (from < 0) from = 0
  if (from > to || from >= size) return emptySpan
  if (to >= size) to = size - 1
  return { start: from, end: to + 1 }
}

/** zslIsInRange's empty ranges, then the ranks of the scores in range. */
const scoreSpan = (zset: ZSetValue, range: ScoreRange): Span => {
  if (range.min > range.max || (range.min === range.max && (range.minExclusive || range.maxExclusive))) return emptySpan
  const inMin = aboveMin(range)
  const inMax = belowMax(range)
  const start = Z.firstRankWhere(zset, ([score]) => inMin(score))
  const end = Z.firstRankWhere(zset, ([score]) => !inMax(score))
  return end > start ? { start, end } : emptySpan
}

/** sdscmplex: "-" below and "+" above every member, each equal to itself. */
const compareLexBounds = (a: LexBound, b: LexBound): number => {
  if (a._tag !== "Member" && a._tag === b._tag) return 0
  if (a._tag === "Min" || b._tag === "Max") return -1
  if (a._tag === "Max" || b._tag === "Min") return 1
  return a.member < b.member ? -1 : a.member > b.member ? 1 : 0
}

const isExclusive = (bound: LexBound): boolean => bound._tag === "Member" && bound.exclusive

/** zzlIsInLexRange / zslIsInLexRange's test for ranges that are always empty. */
const lexAlwaysEmpty = ({ max, min }: LexRange): boolean => {
  const order = compareLexBounds(min, max)
  return order > 0 || (order === 0 && (isExclusive(min) || isExclusive(max)))
}

const memberAt = (zset: ZSetValue, rank: number): string => Z.entryAt(zset, rank)[1]

/** The lex range's ranks, as Redis walks them forwards (or, `reversed`, backwards from the end). */
const lexSpan = (zset: ZSetValue, range: LexRange, reversed: boolean): Span => {
  if (lexAlwaysEmpty(range)) return emptySpan
  const gteMin = lexAboveMin(range)
  const lteMax = lexBelowMax(range)
  const size = zset.size
  if (zset.encoding === "skiplist") {
    const start = Z.firstRankWhere(zset, ([, member]) => gteMin(member))
    const end = Z.firstRankWhere(zset, ([, member]) => !lteMax(member))
    return end > start ? { start, end } : emptySpan
  }
  if (!reversed) {
    let start = 0
    while (start < size && !gteMin(memberAt(zset, start))) start++
    let end = start
    while (end < size && lteMax(memberAt(zset, end))) end++
    return { start, end }
  }
  let last = size - 1
  while (last >= 0 && !lteMax(memberAt(zset, last))) last--
  let first = last
  while (first >= 0 && gteMin(memberAt(zset, first))) first--
  return { start: first + 1, end: last + 1 }
}

/** The span after LIMIT offset count, counted from the emitting end (negative offset: nothing; negative count: all). */
const limited = (span: Span, offset: number, count: number, reversed: boolean): Span => {
  if (offset < 0 || offset >= span.end - span.start) return emptySpan
  const available = span.end - span.start - offset
  const taken = count < 0 ? available : Math.min(count, available)
  return reversed ? { start: span.end - offset - taken, end: span.end - offset } : { start: span.start + offset, end: span.start + offset + taken }
}

// ---------------------------------------------------------------------------
// ZRANGE and its older forms

type RangeKind = "rank" | "score" | "lex"

interface RangeRequest {
  readonly kind: RangeKind
  readonly reversed: boolean
  readonly withScores: boolean
  readonly offset: number
  readonly count: number
  readonly min: ByteString
  readonly max: ByteString
}

/** zrangeGenericCommand's step 1: options after <src> <min> <max>, in its order of checks. */
const parseRangeOptions = (
  args: ReadonlyArray<ByteString>,
  keyIndex: number,
  store: boolean,
  fixedKind: RangeKind | undefined,
  fixedReversed: boolean | undefined
): Either.Either<RangeRequest, CommandError> => {
  let kind = fixedKind
  let reversed = fixedReversed
  let withScores = false
  let offset = 0
  let count = -1
  let limitGiven = false
  for (let j = keyIndex + 3; j < args.length; j++) {
    const option = args[j].toLowerCase()
    const left = args.length - j - 1
    if (!store && option === "withscores") withScores = true
    else if (option === "limit" && left >= 2) {
      const parsedOffset = parseLong(args[j + 1])
      if (Either.isLeft(parsedOffset)) return Either.left(parsedOffset.left)
      const parsedCount = parseLong(args[j + 2])
      if (Either.isLeft(parsedCount)) return Either.left(parsedCount.left)
      offset = parsedOffset.right
      count = parsedCount.right
      limitGiven = count !== -1
      j += 2
    } else if (fixedReversed === undefined && reversed === undefined && option === "rev") reversed = true
    else if (fixedKind === undefined && kind === undefined && option === "bylex") kind = "lex"
    else if (fixedKind === undefined && kind === undefined && option === "byscore") kind = "score"
    else return Either.left(failure(syntaxError))
  }
  const finalKind = kind ?? "rank"
  const finalReversed = reversed ?? false
  if (limitGiven && finalKind === "rank") return Either.left(failure(zsetLimitNeedsByScoreOrLex))
  if (withScores && finalKind === "lex") return Either.left(failure(zsetWithScoresWithByLex))
  // Reversed score and lex ranges are given as max, min.
  const swap = finalReversed && finalKind !== "rank"
  return Either.right({
    kind: finalKind,
    reversed: finalReversed,
    withScores,
    offset,
    count,
    min: swap ? args[keyIndex + 2] : args[keyIndex + 1],
    max: swap ? args[keyIndex + 1] : args[keyIndex + 2]
  })
}

/** The entries a parsed range selects, in emission order; the range's own parse error first (step 2). */
type Selector = (zset: ZSetValue) => Array<Scored>

const selector = (request: RangeRequest): Either.Either<Selector, CommandError> => {
  const { count, kind, offset, reversed } = request
  const emit = (zset: ZSetValue, span: Span) => Z.entriesIn(zset, span.start, span.end, reversed)
  if (kind === "rank") {
    return Either.map(Either.all([parseLong(request.min), parseLong(request.max)]), ([start, stop]) => (zset: ZSetValue) => {
      const span = rankSpan(zset.size, start, stop)
      return emit(zset, reversed ? { start: zset.size - span.end, end: zset.size - span.start } : span)
    })
  }
  if (kind === "score") {
    return Either.map(parseScoreRange(request.min, request.max), (range) => (zset: ZSetValue) =>
      emit(zset, limited(scoreSpan(zset, range), offset, count, reversed)))
  }
  return Either.map(parseLexRange(request.min, request.max), (range) => (zset: ZSetValue) =>
    emit(zset, limited(lexSpan(zset, range, reversed), offset, count, reversed)))
}

const emptyArray = array([])

/** Z[REV]RANGE[BYSCORE|BYLEX] key min max [options]: `kind`/`reversed` fixed by the older commands, from options for ZRANGE. */
const zrangeGeneric = (kind: RangeKind | undefined, reversed: boolean | undefined): Handler<Store> => (args, session) => {
  const parsed = Either.flatMap(parseRangeOptions(args, 1, false, kind, reversed), (request) =>
    Either.map(selector(request), (select) => ({ request, select })))
  if (Either.isLeft(parsed)) return Effect.fail(parsed.left)
  const { request, select } = parsed.right
  return transact(session, [args[1]], (db) =>
    withZSet(db, args[1], (zset) =>
      unchanged(db, reply(zset === undefined ? emptyArray : scoredReply(select(zset), request.withScores, session.protocol)))))
}

/** ZRANGESTORE dst src min max [BYSCORE|BYLEX] [REV] [LIMIT offset count] (zrangeResultFinalizeStore). */
export const zrangestore: Handler<Store> = (args, session) => {
  const parsed = Either.flatMap(parseRangeOptions(args, 2, true, undefined, undefined), selector)
  if (Either.isLeft(parsed)) return Effect.fail(parsed.left)
  const select = parsed.right
  const [, destination, source] = args
  return Effect.flatMap(zsetLimits, (limits) =>
    // The source is read with lookupKeyRead (zrangeGenericCommand): a miss raises keymiss.
    transactReading(session, [destination, source], (db) =>
      withZSet(db, source, (zset) => {
        const stored = zset === undefined ? undefined : Z.fromEntries(select(zset), limits)
        if (stored === undefined) {
          if (Database.get(db, destination) === undefined) return unchanged(db, reply(integer(0)))
          return [reply(integer(0)), Database.remove(db, destination), 1, [delEvent(destination)]]
        }
        return [reply(integer(stored.size)), Database.put(db, destination, stored, undefined), 1, [zsetEvent("zrangestore", destination)]]
      }), [1]))
}

// ---------------------------------------------------------------------------
// ZCOUNT, ZLEXCOUNT

/** A count over a range parsed before the key is looked up (zcountCommand, zlexcountCommand). */
const counting = <R>(parse: (min: ByteString, max: ByteString) => Either.Either<R, CommandError>, span: (zset: ZSetValue, range: R) => Span): Handler<Store> =>
(args, session) => {
  const range = parse(args[2], args[3])
  if (Either.isLeft(range)) return Effect.fail(range.left)
  return transact(session, [args[1]], (db) =>
    withZSet(db, args[1], (zset) => {
      const found = zset === undefined ? emptySpan : span(zset, range.right)
      return unchanged(db, reply(integer(Math.max(0, found.end - found.start))))
    }))
}

/** ZRANGE (by rank, REV, WITHSCORES) and ZRANGEBYSCORE: the handlers the typed API runs. */
export const zrangeByRank = zrangeGeneric(undefined, undefined)
export const zrangeByScore = zrangeGeneric("score", false)

export const zcount = counting(parseScoreRange, scoreSpan)
export const zlexcount = counting(parseLexRange, (zset, range) => lexSpan(zset, range, false))

// ---------------------------------------------------------------------------
// ZREMRANGEBY*

/** zremrangeGenericCommand: the range parsed first, then the key; its event, and `del` when emptied. */
const removingRange = <R>(
  event: string,
  parse: (min: ByteString, max: ByteString) => Either.Either<R, CommandError>,
  span: (zset: ZSetValue, range: R) => Span
): Handler<Store> => (args, session) => {
  const range = parse(args[2], args[3])
  if (Either.isLeft(range)) return Effect.fail(range.left)
  const key = args[1]
  return transact(session, [key], (db) =>
    withZSet(db, key, (zset) => {
      if (zset === undefined) return unchanged(db, reply(integer(0)))
      const found = span(zset, range.right)
      if (found.end <= found.start) return unchanged(db, reply(integer(0)))
      const builder = Z.edit(zset, Z.defaultZSetLimits)
      const deleted = builder.removeRanks(found.start, found.end).length
      const after = builder.done()
      return [reply(integer(deleted)), keep(db, key, after), deleted, eventsOf(event, key, after === undefined)]
    }))
}

const parseRanks = (start: ByteString, stop: ByteString) => Either.all([parseLong(start), parseLong(stop)])

export const zremrangebyrank = removingRange("zremrangebyrank", parseRanks, (zset, [start, stop]) => rankSpan(zset.size, start, stop))
export const zremrangebyscore = removingRange("zremrangebyscore", parseScoreRange, scoreSpan)
export const zremrangebylex = removingRange("zremrangebylex", parseLexRange, (zset, range) => lexSpan(zset, range, false))

export const rangeCommands = [
  zsetRow("zcount", 4, ["readonly", "fast"], [1, 1, 1], "Count the members in a sorted set with scores within the given values", "2.0.0",
    zcount),
  zsetRow("zlexcount", 4, ["readonly", "fast"], [1, 1, 1],
    "Count the number of members in a sorted set between a given lexicographical range", "2.8.9", zlexcount),
  zsetRow("zrange", -4, ["readonly"], [1, 1, 1], "Return a range of members in a sorted set", "1.2.0", zrangeGeneric(undefined, undefined)),
  zsetRow("zrangebylex", -4, ["readonly"], [1, 1, 1], "Return a range of members in a sorted set, by lexicographical range", "2.8.9",
    zrangeGeneric("lex", false)),
  zsetRow("zrangebyscore", -4, ["readonly"], [1, 1, 1], "Return a range of members in a sorted set, by score", "1.0.5",
    zrangeGeneric("score", false)),
  zsetRow("zrangestore", -5, ["write", "denyoom"], [1, 2, 1], "Store a range of members from sorted set into another key", "6.2.0",
    zrangestore),
  zsetRow("zremrangebylex", 4, ["write"], [1, 1, 1], "Remove all members in a sorted set between the given lexicographical range",
    "2.8.9", zremrangebylex),
  zsetRow("zremrangebyrank", 4, ["write"], [1, 1, 1], "Remove all members in a sorted set within the given indexes", "2.0.0",
    zremrangebyrank),
  zsetRow("zremrangebyscore", 4, ["write"], [1, 1, 1], "Remove all members in a sorted set within the given scores", "1.2.0",
    zremrangebyscore),
  zsetRow("zrevrange", -4, ["readonly"], [1, 1, 1],
    "Return a range of members in a sorted set, by index, with scores ordered from high to low", "1.2.0", zrangeGeneric("rank", true)),
  zsetRow("zrevrangebylex", -4, ["readonly"], [1, 1, 1],
    "Return a range of members in a sorted set, by lexicographical range, ordered from higher to lower strings.", "2.8.9",
    zrangeGeneric("lex", true)),
  zsetRow("zrevrangebyscore", -4, ["readonly"], [1, 1, 1],
    "Return a range of members in a sorted set, by score, with scores ordered from high to low", "2.2.0", zrangeGeneric("score", true))
]

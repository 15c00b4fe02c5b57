/**
 * The sorted-set commands (Redis's t_zset.c), each a pure transition over
 * the selected database; the values are values/zset.ts. This file: members
 * and scores (ZADD ... ZREVRANK), ZSCAN, and the command rows of the whole
 * family; ranges are in sorted-set-ranges.ts, pops and random members in
 * sorted-set-pops.ts, union/intersection/difference in sorted-set-algebra.ts.
 */
import { Effect, Either } from "effect"
import {
  fail,
  invalidCursor,
  syntaxError,
  notFloat,
  zsetGtLtNxIncompatible,
  zsetIncrSinglePair,
  zsetNanResult,
  zsetNxXxIncompatible
} from "../errors.js"
import { formatDouble } from "../resp/encoder.js"
import { array, bulk, double, integer, nullBulk, type ByteString, type RespValue } from "../resp/values.js"
import { globMatch } from "../store/glob.js"
import type { Store } from "../store/Store.js"
import { scan } from "../structures/hamt.js"
import * as Z from "../values/zset.js"
import type { ZSetValue } from "../values/zset.js"
import { parseScore } from "../values/zset-score.js"
import { failure, reply, transact, unchanged } from "./keyspace-step.js"
import { parseScanClauses, parseScanCursor } from "./keys.js"
import { eventsOf, keep, withZSet, zsetEvent, zsetLimits, zsetRow } from "./sorted-set-common.js"
import { algebraCommands } from "./sorted-set-algebra.js"
import { blockingPopCommands } from "./sorted-set-blocking.js"
import { popCommands } from "./sorted-set-pops.js"
import { rangeCommands } from "./sorted-set-ranges.js"
import type { Handler } from "./types.js"

/** A read-only step over the sorted set at `args[1]`. */
const reading = (answer: (zset: ZSetValue | undefined, args: ReadonlyArray<ByteString>) => RespValue): Handler<Store> => (args, session) =>
  transact(session, [args[1]], (db) => withZSet(db, args[1], (zset) => unchanged(db, reply(answer(zset, args)))))

// ---------------------------------------------------------------------------
// ZADD / ZINCRBY

interface ZaddOptions {
  readonly nx: boolean
  readonly xx: boolean
  readonly gt: boolean
  readonly lt: boolean
  readonly ch: boolean
  readonly incr: boolean
}

const zaddFlags = ["nx", "xx", "gt", "lt", "ch", "incr"] as const

/** zaddGenericCommand's parse: the leading flags, then score/member pairs, checked in its order. */
const parseZadd = (args: ReadonlyArray<ByteString>, incr: boolean) => {
  const flags = new Set<string>(incr ? ["incr"] : [])
  let scoreIndex = 2
  for (; scoreIndex < args.length; scoreIndex++) {
    const flag = args[scoreIndex].toLowerCase()
    if (!zaddFlags.some((name) => name === flag)) break
    flags.add(flag)
  }
  const options: ZaddOptions = {
    nx: flags.has("nx"),
    xx: flags.has("xx"),
    gt: flags.has("gt"),
    lt: flags.has("lt"),
    ch: flags.has("ch"),
    incr: flags.has("incr")
  }
  const elements = args.length - scoreIndex
  if (elements === 0 || elements % 2 !== 0) return Either.left(failure(syntaxError))
  if (options.nx && options.xx) return Either.left(failure(zsetNxXxIncompatible))
  if ((options.gt && options.nx) || (options.lt && options.nx) || (options.gt && options.lt)) {
    return Either.left(failure(zsetGtLtNxIncompatible))
  }
  if (options.incr && elements > 2) return Either.left(failure(zsetIncrSinglePair))
  const pairs: Array<readonly [number, ByteString]> = []
  for (let i = scoreIndex; i < args.length; i += 2) {
    const score = parseScore(args[i])
    if (score === undefined) return Either.left(failure(notFloat))
    pairs.push([score, args[i + 1]])
  }
  return Either.right({ options, pairs })
}

/** ZADD key [NX|XX] [GT|LT] [CH] [INCR] score member ... and ZINCRBY key increment member (zaddGenericCommand, zsetAdd). */
const zaddGeneric = (incr: boolean): Handler<Store> => (args, session) => {
  const parsed = parseZadd(args, incr)
  if (Either.isLeft(parsed)) return Effect.fail(parsed.left)
  const { options, pairs } = parsed.right
  const key = args[1]
  return Effect.flatMap(zsetLimits, (limits) =>
    transact(session, [key], (db) =>
      withZSet(db, key, (zset) => {
        const emptyReply = options.incr ? nullBulk : integer(0)
        if (zset === undefined && options.xx) return unchanged(db, reply(emptyReply))
        const builder = Z.edit(zset, limits)
        let added = 0
        let updated = 0
        let processed = 0
        let lastScore = 0
        for (const [score, member] of pairs) {
          const current = builder.score(member)
          if (current === undefined) {
            if (options.xx) continue
            builder.set(member, score)
            added++
            processed++
            lastScore = score
            continue
          }
          if (options.nx) continue
          const next = options.incr ? current + score : score
          if (Number.isNaN(next)) return unchanged(db, Either.left(failure(zsetNanResult)))
          if ((options.lt && next >= current) || (options.gt && next <= current)) continue
          processed++
          lastScore = next
          if (next !== current) {
            builder.set(member, next)
            updated++
          }
        }
        const answer = options.incr
          ? (processed > 0 ? double(lastScore) : nullBulk)
          : integer(options.ch ? added + updated : added)
        if (added + updated === 0) return unchanged(db, reply(answer))
        return [reply(answer), keep(db, key, builder.done()), added + updated, [zsetEvent(options.incr ? "zincr" : "zadd", key)]]
      })))
}

export const zadd = zaddGeneric(false)
export const zincrby = zaddGeneric(true)

/** ZREM key member ... (zremCommand: stops once the set is empty, which deletes the key). */
export const zrem: Handler<Store> = (args, session) =>
  transact(session, [args[1]], (db) =>
    withZSet(db, args[1], (zset) => {
      if (zset === undefined) return unchanged(db, reply(integer(0)))
      const builder = Z.edit(zset, Z.defaultZSetLimits)
      let deleted = 0
      for (const member of args.slice(2)) {
        if (builder.remove(member)) deleted++
        if (builder.size === 0) break
      }
      if (deleted === 0) return unchanged(db, reply(integer(0)))
      const after = builder.done()
      return [reply(integer(deleted)), keep(db, args[1], after), deleted, eventsOf("zrem", args[1], after === undefined)]
    }))

export const zcard = reading((zset) => integer(zset === undefined ? 0 : zset.size))

const scoreReply = (score: number | undefined): RespValue => score === undefined ? nullBulk : double(score)

export const zscore = reading((zset, args) => scoreReply(zset === undefined ? undefined : Z.scoreOf(zset, args[2])))

export const zmscore = reading((zset, args) =>
  array(args.slice(2).map((member) => scoreReply(zset === undefined ? undefined : Z.scoreOf(zset, member)))))

const rankReply = (reversed: boolean) => (zset: ZSetValue | undefined, args: ReadonlyArray<ByteString>): RespValue => {
  const rank = zset === undefined ? undefined : Z.rankOf(zset, args[2])
  return zset === undefined || rank === undefined ? nullBulk : integer(reversed ? zset.size - 1 - rank : rank)
}

export const zrank = reading(rankReply(false))
export const zrevrank = reading(rankReply(true))

// ---------------------------------------------------------------------------
// ZSCAN

const scanReply = (cursor: number, pairs: ReadonlyArray<readonly [string, number]>): RespValue =>
  array([bulk(String(cursor)), array(pairs.flatMap(([member, score]) => [bulk(member), bulk(formatDouble(score))]))])

/**
 * ZSCAN key cursor [MATCH pattern] [COUNT count] (scanGenericCommand): the
 * cursor first, then the key, then the options. A listpack answers every
 * member and score at once, ascending, with cursor 0; a skiplist pages its
 * member map in hash order. Scores are text (%.17g), never RESP3 doubles.
 */
export const zscan: Handler<Store> = (args, session) => {
  const cursor = parseScanCursor(args[2])
  if (cursor === undefined) return fail(invalidCursor)
  return transact(session, [args[1]], (db) =>
    withZSet(db, args[1], (zset) => {
      if (zset === undefined) return unchanged(db, reply(scanReply(0, [])))
      return unchanged(db, Either.map(parseScanClauses(args, 3, false), ({ count, pattern }) => {
        const [next, members] = zset.encoding === "listpack"
          ? [0, Z.allEntries(zset).map(([, member]) => member)]
          : scan(zset.scores, Number(cursor), count)
        const kept = pattern === undefined ? members : members.filter((member) => globMatch(pattern, member))
        return scanReply(next, kept.map((member) => [member, Z.scoreOf(zset, member) ?? 0] as const))
      }))
    }))
}

// ---------------------------------------------------------------------------
// Rows (COMMAND INFO / COMMAND DOCS of redis-server 7.0.15)

const memberCommands = [
  zsetRow("zadd", -4, ["write", "denyoom", "fast"], [1, 1, 1],
    "Add one or more members to a sorted set, or update its score if it already exists", "1.2.0", zadd),
  zsetRow("zcard", 2, ["readonly", "fast"], [1, 1, 1], "Get the number of members in a sorted set", "1.2.0", zcard),
  zsetRow("zincrby", 4, ["write", "denyoom", "fast"], [1, 1, 1], "Increment the score of a member in a sorted set", "1.2.0", zincrby),
  zsetRow("zmscore", -3, ["readonly", "fast"], [1, 1, 1], "Get the score associated with the given members in a sorted set", "6.2.0",
    zmscore),
  zsetRow("zrank", 3, ["readonly", "fast"], [1, 1, 1], "Determine the index of a member in a sorted set", "2.0.0", zrank),
  zsetRow("zrem", -3, ["write", "fast"], [1, 1, 1], "Remove one or more members from a sorted set", "1.2.0", zrem),
  zsetRow("zrevrank", 3, ["readonly", "fast"], [1, 1, 1],
    "Determine the index of a member in a sorted set, with scores ordered from high to low", "2.0.0", zrevrank),
  zsetRow("zscan", -3, ["readonly"], [1, 1, 1], "Incrementally iterate sorted sets elements and associated scores", "2.8.0", zscan),
  zsetRow("zscore", 3, ["readonly", "fast"], [1, 1, 1], "Get the score associated with the given member in a sorted set", "1.2.0",
    zscore)
]

/** Every sorted-set command. */
export const sortedSetCommands = [...memberCommands, ...rangeCommands, ...popCommands, ...blockingPopCommands, ...algebraCommands]

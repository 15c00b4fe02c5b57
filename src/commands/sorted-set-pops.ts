/**
 * Sorted-set pops and random members (t_zset.c): ZPOPMIN, ZPOPMAX, ZMPOP,
 * the parsing of BZPOPMIN, BZPOPMAX and BZMPOP, and ZRANDMEMBER.
 *
 * `popFirstNonEmpty` is genericZpopCommand: the first of the keys that
 * holds a sorted set is popped, with the reply shape each command gives.
 * The blocking commands (sorted-set-blocking.ts) serve from it.
 */
import { Effect, Either, Random } from "effect"
import {
  type CommandError,
  countOutOfRange,
  fail,
  notInteger,
  numkeysNotPositive,
  syntaxError,
  timeoutNegative,
  timeoutOutOfRange,
  valueMustBePositive,
  valueOutOfRange,
  zsetCountNotPositive,
  zsetTimeoutNotFloat
} from "../errors.js"
import { parseInt64 } from "../int64.js"
import { array, bulk, double, nullArray, nullBulk, type ByteString, type RespValue } from "../resp/values.js"
import type * as Database from "../store/database.js"
import type { Store, Transition } from "../store/Store.js"
import * as Z from "../values/zset.js"
import type { Scored, ZSetValue } from "../values/zset.js"
import { parseScore } from "../values/zset-score.js"
import { failure, type Outcome, reply, transact, transactReading, unchanged } from "./keyspace-step.js"
import { generator } from "./sets.js"
import { eventsOf, keep, scoredReply, withZSet, zsetAt, zsetRow } from "./sorted-set-common.js"
import type { Handler } from "./types.js"

export type PopEnd = "min" | "max"

/**
 * genericZpopCommand's reply shapes: `flat` member, score ... (ZPOPMIN in
 * RESP2, or without a count); `nested` [member, score] pairs (ZPOPMIN with a
 * count in RESP3); `keyedFlat` key, member, score (BZPOPMIN); `keyedNested`
 * [key, [[member, score] ...]] (ZMPOP, BZMPOP).
 */
export type PopShape = "flat" | "nested" | "keyedFlat" | "keyedNested"

const popReply = (key: ByteString, popped: ReadonlyArray<Scored>, shape: PopShape): RespValue => {
  const pairs = popped.map(([score, member]) => array([bulk(member), double(score)]))
  const flat = popped.flatMap(([score, member]) => [bulk(member), double(score)])
  switch (shape) {
    case "flat":
      return array(flat)
    case "nested":
      return array(pairs)
    case "keyedFlat":
      return array([bulk(key), ...flat])
    case "keyedNested":
      return array([bulk(key), array(pairs)])
  }
}

/**
 * Pops up to `count` members from the `end` of the first key holding a sorted
 * set (WRONGTYPE when the first existing key holds another type); undefined
 * when no key exists (the caller answers empty, or blocks). Events: zpopmin
 * or zpopmax, then del when the set is emptied.
 */
export const popFirstNonEmpty = (
  db: Database.Database,
  keys: ReadonlyArray<ByteString>,
  end: PopEnd,
  count: number,
  shape: PopShape
): Transition<Outcome> | undefined => {
  for (const key of keys) {
    const found = zsetAt(db, key)
    if (Either.isLeft(found)) return unchanged(db, Either.left(found.left))
    const zset = found.right
    if (zset === undefined) continue
    const taken = Math.min(count, zset.size)
    const builder = Z.edit(zset, Z.defaultZSetLimits)
    const popped = end === "min" ? builder.removeRanks(0, taken) : builder.removeRanks(zset.size - taken, zset.size).reverse()
    const after = builder.done()
    return [reply(popReply(key, popped, shape)), keep(db, key, after), taken, eventsOf(end === "min" ? "zpopmin" : "zpopmax", key, after === undefined)]
  }
  return undefined
}

const emptyArray = array([])

/** ZPOPMIN / ZPOPMAX key [count] (zpopMinMaxCommand: a positive count, nested pairs only in RESP3 with a count). */
const zpop = (end: PopEnd): Handler<Store> => (args, session) => {
  if (args.length > 3) return fail(syntaxError)
  const count = args.length === 3 ? parseInt64(args[2]) : undefined
  if (args.length === 3 && (count === undefined || count < 0n)) return fail(valueMustBePositive)
  const shape: PopShape = session.protocol === 3 && count !== undefined ? "nested" : "flat"
  return transact(session, [args[1]], (db) =>
    withZSet(db, args[1], (zset) => {
      if (zset === undefined || count === 0n) return unchanged(db, reply(emptyArray))
      return popFirstNonEmpty(db, [args[1]], end, count === undefined ? 1 : Number(count), shape) ?? unchanged(db, reply(emptyArray))
    }))
}

export const zpopmin = zpop("min")
export const zpopmax = zpop("max")

/** getRangeLongFromObjectOrReply(1, LONG_MAX) with its message for every failure. */
const parsePositive = (text: ByteString, message: string): Either.Either<bigint, CommandError> => {
  const value = parseInt64(text)
  return value === undefined || value < 1n ? Either.left(failure(message)) : Either.right(value)
}

interface MultiPop {
  readonly keys: ReadonlyArray<ByteString>
  readonly end: PopEnd
  readonly count: number
}

/** zmpopGenericCommand's parse from the numkeys at `numkeysIndex`: numkeys, keys, MIN|MAX, [COUNT count]. */
const parseMultiPop = (args: ReadonlyArray<ByteString>, numkeysIndex: number): Either.Either<MultiPop, CommandError> => {
  const numkeys = parsePositive(args[numkeysIndex], numkeysNotPositive)
  if (Either.isLeft(numkeys)) return Either.left(numkeys.left)
  const whereIndex = BigInt(numkeysIndex) + numkeys.right + 1n
  if (whereIndex >= BigInt(args.length)) return Either.left(failure(syntaxError))
  const where = args[Number(whereIndex)].toLowerCase()
  if (where !== "min" && where !== "max") return Either.left(failure(syntaxError))
  let count: bigint | undefined
  for (let j = Number(whereIndex) + 1; j < args.length; j++) {
    if (count === undefined && args[j].toLowerCase() === "count" && j + 1 < args.length) {
      const parsed = parsePositive(args[++j], zsetCountNotPositive)
      if (Either.isLeft(parsed)) return Either.left(parsed.left)
      count = parsed.right
    } else return Either.left(failure(syntaxError))
  }
  return Either.right({
    keys: args.slice(numkeysIndex + 1, Number(whereIndex)),
    end: where,
    count: count === undefined ? 1 : Number(count)
  })
}

/** ZMPOP numkeys key [key ...] MIN|MAX [COUNT count]: a null array when no key holds a sorted set. */
export const zmpop: Handler<Store> = (args, session) => {
  const parsed = parseMultiPop(args, 1)
  if (Either.isLeft(parsed)) return Effect.fail(parsed.left)
  const { count, end, keys } = parsed.right
  return transact(session, keys, (db) => popFirstNonEmpty(db, keys, end, count, "keyedNested") ?? unchanged(db, reply(nullArray)))
}

// ---------------------------------------------------------------------------
// Blocking pops: parsing (sorted-set-blocking.ts blocks)

/** getTimeoutFromObjectOrReply in seconds: the timeout in milliseconds (0: wait forever). */
export const parseBlockingTimeout = (text: ByteString): Either.Either<number, CommandError> => {
  const seconds = parseScore(text)
  if (seconds === undefined) return Either.left(failure(zsetTimeoutNotFloat))
  const milliseconds = seconds * 1000
  if (milliseconds > 2 ** 63 - 1) return Either.left(failure(timeoutOutOfRange))
  if (milliseconds < 0) return Either.left(failure(timeoutNegative))
  return Either.right(Math.ceil(milliseconds))
}

/** What a blocking pop asks for: pop `count` from `end` of the first of `keys` with members, within `timeoutMs`. */
export interface BlockingPop extends MultiPop {
  readonly timeoutMs: number
  readonly shape: PopShape
}

/** BZPOPMIN / BZPOPMAX key [key ...] timeout. */
export const parseBzpop = (args: ReadonlyArray<ByteString>, end: PopEnd): Either.Either<BlockingPop, CommandError> =>
  Either.map(parseBlockingTimeout(args[args.length - 1]), (timeoutMs) => ({
    keys: args.slice(1, -1),
    end,
    count: 1,
    timeoutMs,
    shape: "keyedFlat"
  }))

/** BZMPOP timeout numkeys key [key ...] MIN|MAX [COUNT count]: the pop's arguments first, then the timeout (blockingGenericZpopCommand). */
export const parseBzmpop = (args: ReadonlyArray<ByteString>): Either.Either<BlockingPop, CommandError> =>
  Either.flatMap(parseMultiPop(args, 2), (pop) =>
    Either.map(parseBlockingTimeout(args[1]), (timeoutMs) => ({ ...pop, timeoutMs, shape: "keyedNested" })))

// ---------------------------------------------------------------------------
// ZRANDMEMBER

const longMax = 2n ** 63n - 1n

/** `count` (< size) distinct ranks in random order: a partial Fisher-Yates shuffle. */
const distinctRanks = (size: number, count: number, random: (bound: number) => number): Array<number> => {
  const positions = new Map<number, number>()
  const picks: Array<number> = []
  for (let i = 0; i < count; i++) {
    const j = i + random(size - i)
    picks.push(positions.get(j) ?? j)
    positions.set(j, positions.get(i) ?? i)
  }
  return picks
}

const randomPicks = (zset: ZSetValue, count: bigint, random: (bound: number) => number): Array<Scored> => {
  if (count < 0n) return Array.from({ length: Number(-count) }, () => Z.entryAt(zset, random(zset.size)))
  // The whole set, which zrandmemberWithCountCommand (CASE 2) lists from the highest score down.
  if (count >= BigInt(zset.size)) return Z.entriesIn(zset, 0, zset.size, true)
  return distinctRanks(zset.size, Number(count), random).map((rank) => Z.entryAt(zset, rank))
}

/** ZRANDMEMBER key [count [WITHSCORES]] (zrandmemberCommand, zrandmemberWithCountCommand). */
export const zrandmember: Handler<Store> = (args, session) => {
  let count: bigint | undefined
  let withScores = false
  if (args.length >= 3) {
    count = parseInt64(args[2])
    if (count === undefined) return fail(notInteger)
    if (count < -longMax) return fail(valueOutOfRange(-longMax, longMax))
    if (args.length > 4 || (args.length === 4 && args[3].toLowerCase() !== "withscores")) return fail(syntaxError)
    withScores = args.length === 4
    if (withScores && (count < -longMax / 2n || count > longMax / 2n)) return fail(countOutOfRange)
  }
  const wanted = count
  // A read command whose step is built inside an effect: it says itself that it reads its key (lookups.ts).
  return Effect.flatMap(Random.nextInt, (seed) =>
    transactReading(session, [args[1]], (db) =>
      withZSet(db, args[1], (zset) => {
        const random = generator(seed)
        if (wanted === undefined) return unchanged(db, reply(zset === undefined ? nullBulk : bulk(Z.entryAt(zset, random(zset.size))[1])))
        if (zset === undefined || wanted === 0n) return unchanged(db, reply(emptyArray))
        return unchanged(db, reply(scoredReply(randomPicks(zset, wanted, random), withScores, session.protocol)))
      }), true))
}

export const popCommands = [
  zsetRow("zmpop", -4, ["write"], [0, 0, 0], "Remove and return members with scores in a sorted set", "7.0.0", zmpop),
  zsetRow("zpopmax", -2, ["write", "fast"], [1, 1, 1], "Remove and return members with the highest scores in a sorted set", "5.0.0",
    zpopmax),
  zsetRow("zpopmin", -2, ["write", "fast"], [1, 1, 1], "Remove and return members with the lowest scores in a sorted set", "5.0.0",
    zpopmin),
  zsetRow("zrandmember", -2, ["readonly"], [1, 1, 1], "Get one or multiple random elements from a sorted set", "6.2.0", zrandmember)
]

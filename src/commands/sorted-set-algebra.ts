/**
 * Union, intersection and difference of sorted sets (t_zset.c
 * zunionInterDiffGenericCommand): ZUNION, ZINTER, ZDIFF, their *STORE
 * forms, and ZINTERCARD. Plain sets are inputs too, every member scored 1.
 *
 * Order of checks, as Redis: numkeys, the key types (WRONGTYPE), then the
 * options (WEIGHTS, AGGREGATE, WITHSCORES).
 */
import { Effect, Either } from "effect"
import {
  type CommandError,
  limitNegative,
  notInteger,
  syntaxError,
  wrongType,
  zsetNoInputKeys,
  zsetWeightNotFloat
} from "../errors.js"
import { parseInt64 } from "../int64.js"
import { integer, type ByteString } from "../resp/values.js"
import * as Database from "../store/database.js"
import { valueOf } from "../store/entry.js"
import type { Store } from "../store/Store.js"
import * as Sets from "../values/set.js"
import { setType, type SetValue } from "../values/set.js"
import * as Z from "../values/zset.js"
import type { Scored, ZSetValue } from "../values/zset.js"
import { zsetType } from "../values/zset-type.js"
import { parseScore } from "../values/zset-score.js"
import { failure, reply, transact, transactReading, unchanged } from "./keyspace-step.js"
import { indicesFrom, untilWrongType } from "./lookups.js"
import { delEvent, scoredReply, zsetEvent, zsetLimits, zsetRow } from "./sorted-set-common.js"
import type { Handler } from "./types.js"

type SetOperation = "union" | "inter" | "diff"
type Aggregate = "sum" | "min" | "max"

/** An input (zsetopsrc): a sorted set, a set (scores 1), or a missing key (empty). */
type Source = ZSetValue | SetValue | undefined

const sizeOf = (source: Source): number =>
  source === undefined ? 0 : source instanceof Z.ZSetValue ? source.size : Sets.size(source)

/** zuiNext over a source: members with their scores, in the source's own order. */
const entriesOf = (source: Source): Array<Scored> => {
  if (source === undefined) return []
  if (source instanceof Z.ZSetValue) return Z.allEntries(source)
  return Sets.members(source).map((member) => [1, member] as const)
}

/** zuiFind: the member's score in the source, or undefined. */
const findIn = (source: Source, member: string): number | undefined => {
  if (source === undefined) return undefined
  if (source instanceof Z.ZSetValue) return Z.scoreOf(source, member)
  return Sets.has(source, member) ? 1 : undefined
}

/** zunionInterAggregate (a NaN sum, inf + -inf, is 0). */
const aggregated = (target: number, value: number, aggregate: Aggregate): number => {
  if (aggregate === "sum") {
    const sum = target + value
    return Number.isNaN(sum) ? 0 : sum
  }
  if (aggregate === "min") return value < target ? value : target
  return value > target ? value : target
}

const weighted = (score: number, weight: number): number => {
  const product = score * weight
  return Number.isNaN(product) ? 0 : product
}

interface Options {
  readonly weights: ReadonlyArray<number>
  readonly aggregate: Aggregate
  readonly withScores: boolean
}

const intersection = (sources: ReadonlyArray<Source>, options: Options, limit = 0): Array<Scored> => {
  const order = sources.map((source, i) => ({ source, weight: options.weights[i] })).sort((a, b) => sizeOf(a.source) - sizeOf(b.source))
  const [first, ...others] = order
  const result: Array<Scored> = []
  if (sizeOf(first.source) === 0) return result
  for (const [score, member] of entriesOf(first.source)) {
    let total = weighted(score, first.weight)
    let inAll = true
    for (const other of others) {
      const found = findIn(other.source, member)
      if (found === undefined) {
        inAll = false
        break
      }
      total = aggregated(total, found * other.weight, options.aggregate)
    }
    if (!inAll) continue
    result.push([total, member])
    if (limit > 0 && result.length >= limit) break
  }
  return result
}

const union = (sources: ReadonlyArray<Source>, options: Options): Array<Scored> => {
  const accumulator = new Map<string, number>()
  sources.forEach((source, i) => {
    for (const [score, member] of entriesOf(source)) {
      const value = weighted(score, options.weights[i])
      const existing = accumulator.get(member)
      accumulator.set(member, existing === undefined ? value : aggregated(existing, value, options.aggregate))
    }
  })
  return Array.from(accumulator, ([member, score]) => [score, member] as const)
}

const difference = ([first, ...others]: ReadonlyArray<Source>): Array<Scored> =>
  entriesOf(first).filter(([, member]) => others.every((other) => findIn(other, member) === undefined))

const combine = (operation: SetOperation, sources: ReadonlyArray<Source>, options: Options): Array<Scored> =>
  operation === "union" ? union(sources, options) : operation === "inter" ? intersection(sources, options) : difference(sources)

/** The inputs at `keys`, or WRONGTYPE for a key of another type than zset or set. */
const sourcesAt = (db: Database.Database, keys: ReadonlyArray<ByteString>): Either.Either<Array<Source>, CommandError> => {
  const sources: Array<Source> = []
  for (const key of keys) {
    const stored = Database.get(db, key)
    const value = stored === undefined ? undefined : valueOf(stored)
    if (value !== undefined && !zsetType.is(value) && !setType.is(value)) return Either.left(failure(wrongType, "WrongType"))
    sources.push(value !== undefined && (zsetType.is(value) || setType.is(value)) ? value : undefined)
  }
  return Either.right(sources)
}

/** The options after the keys, from `from` (WEIGHTS and AGGREGATE not for ZDIFF, WITHSCORES not for the *STORE forms). */
const parseOptions = (args: ReadonlyArray<ByteString>, from: number, count: number, operation: SetOperation, store: boolean) => {
  const weights: Array<number> = Array.from({ length: count }, () => 1)
  let aggregate: Aggregate = "sum"
  let withScores = false
  let j = from
  while (j < args.length) {
    const option = args[j].toLowerCase()
    const remaining = args.length - j
    if (operation !== "diff" && remaining >= count + 1 && option === "weights") {
      for (let i = 0; i < count; i++) {
        const weight = parseScore(args[j + 1 + i])
        if (weight === undefined) return Either.left(failure(zsetWeightNotFloat))
        weights[i] = weight
      }
      j += count + 1
    } else if (operation !== "diff" && remaining >= 2 && option === "aggregate") {
      const name = args[j + 1].toLowerCase()
      if (name !== "sum" && name !== "min" && name !== "max") return Either.left(failure(syntaxError))
      aggregate = name
      j += 2
    } else if (!store && option === "withscores") {
      withScores = true
      j += 1
    } else return Either.left(failure(syntaxError))
  }
  return Either.right<Options>({ weights, aggregate, withScores })
}

/** numkeys at `numkeysIndex`: a long of at least 1 that the arguments can hold. */
const parseNumkeys = (args: ReadonlyArray<ByteString>, numkeysIndex: number, name: string): Either.Either<number, CommandError> => {
  const numkeys = parseInt64(args[numkeysIndex])
  if (numkeys === undefined) return Either.left(failure(notInteger, "NotInteger"))
  if (numkeys < 1n) return Either.left(failure(zsetNoInputKeys(name)))
  if (numkeys > BigInt(args.length - numkeysIndex - 1)) return Either.left(failure(syntaxError))
  return Either.right(Number(numkeys))
}

/** ZUNION / ZINTER / ZDIFF numkeys key [key ...] [options] [WITHSCORES]. */
const algebra = (operation: SetOperation, name: string): Handler<Store> => (args, session) => {
  const numkeys = parseNumkeys(args, 1, name)
  if (Either.isLeft(numkeys)) return Effect.fail(numkeys.left)
  const keys = args.slice(2, 2 + numkeys.right)
  const options = parseOptions(args, 2 + keys.length, keys.length, operation, false)
  return transact(session, keys, (db) =>
    unchanged(db, Either.flatMap(sourcesAt(db, keys), (sources) =>
      Either.map(options, (parsed) =>
        scoredReply(combine(operation, sources, parsed).sort(Z.byScoreThenMember), parsed.withScores, session.protocol)))))
}

/** ZUNIONSTORE / ZINTERSTORE / ZDIFFSTORE destination numkeys key [key ...] [options]: an empty result deletes the destination. */
const algebraStore = (operation: SetOperation, name: string): Handler<Store> => (args, session) => {
  const numkeys = parseNumkeys(args, 2, name)
  if (Either.isLeft(numkeys)) return Effect.fail(numkeys.left)
  const destination = args[1]
  const keys = args.slice(3, 3 + numkeys.right)
  const options = parseOptions(args, 3 + keys.length, keys.length, operation, true)
  const stepKeys = [destination, ...keys]
  // The sources are read with lookupKeyRead, in turn, up to one of a wrong type (zunionInterDiffGenericCommand).
  const reads = untilWrongType(`z${operation}store`, indicesFrom(1, stepKeys))
  return Effect.flatMap(zsetLimits, (limits) =>
    transactReading(session, stepKeys, (db) => {
      const result = Either.flatMap(sourcesAt(db, keys), (sources) => Either.map(options, (parsed) => combine(operation, sources, parsed)))
      if (Either.isLeft(result)) return unchanged(db, Either.left(result.left))
      const stored = Z.fromEntries(result.right, limits)
      if (stored === undefined) {
        if (Database.get(db, destination) === undefined) return unchanged(db, reply(integer(0)))
        return [reply(integer(0)), Database.remove(db, destination), 1, [delEvent(destination)]]
      }
      return [reply(integer(stored.size)), Database.put(db, destination, stored, undefined), 1, [zsetEvent(`z${operation}store`, destination)]]
    }, reads))
}

/** ZINTERCARD's LIMIT (0: none), parsed after the types are checked, as zunionInterDiffGenericCommand does. */
const parseCardLimit = (args: ReadonlyArray<ByteString>, from: number): Either.Either<number, CommandError> => {
  let limit = 0
  for (let i = from; i < args.length; i++) {
    if (args[i].toLowerCase() !== "limit" || i + 1 >= args.length) return Either.left(failure(syntaxError))
    const parsed = parseInt64(args[++i])
    if (parsed === undefined || parsed < 0n) return Either.left(failure(limitNegative))
    limit = Number(parsed)
  }
  return Either.right(limit)
}

/** ZINTERCARD numkeys key [key ...] [LIMIT limit]: numkeys, then the key types, then LIMIT. */
export const zintercard: Handler<Store> = (args, session) => {
  const numkeys = parseNumkeys(args, 1, "zintercard")
  if (Either.isLeft(numkeys)) return Effect.fail(numkeys.left)
  const keys = args.slice(2, 2 + numkeys.right)
  const limit = parseCardLimit(args, 2 + keys.length)
  const options: Options = { weights: keys.map(() => 1), aggregate: "sum", withScores: false }
  return transact(session, keys, (db) =>
    unchanged(db, Either.flatMap(sourcesAt(db, keys), (sources) =>
      Either.map(limit, (most) => integer(intersection(sources, options, most).length)))))
}

export const algebraCommands = [
  zsetRow("zdiff", -3, ["readonly"], [0, 0, 0], "Subtract multiple sorted sets", "6.2.0", algebra("diff", "zdiff")),
  zsetRow("zdiffstore", -4, ["write", "denyoom"], [1, 1, 1], "Subtract multiple sorted sets and store the resulting sorted set in a new key",
    "6.2.0", algebraStore("diff", "zdiffstore")),
  zsetRow("zinter", -3, ["readonly"], [0, 0, 0], "Intersect multiple sorted sets", "6.2.0", algebra("inter", "zinter")),
  zsetRow("zintercard", -3, ["readonly"], [0, 0, 0], "Intersect multiple sorted sets and return the cardinality of the result", "7.0.0",
    zintercard),
  zsetRow("zinterstore", -4, ["write", "denyoom"], [1, 1, 1],
    "Intersect multiple sorted sets and store the resulting sorted set in a new key", "2.0.0", algebraStore("inter", "zinterstore")),
  zsetRow("zunion", -3, ["readonly"], [0, 0, 0], "Add multiple sorted sets", "6.2.0", algebra("union", "zunion")),
  zsetRow("zunionstore", -4, ["write", "denyoom"], [1, 1, 1], "Add multiple sorted sets and store the resulting sorted set in a new key",
    "2.0.0", algebraStore("union", "zunionstore"))
]

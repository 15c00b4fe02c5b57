/**
 * Kv's sorted-set methods (ZADD, ZINCRBY, ZSCORE, ZREM, ZCARD, ZRANK,
 * ZRANGE by rank and by score, ZCOUNT, ZPOPMIN, ZPOPMAX), composed into each
 * database's operations by Kv.ts. Like every Kv method they run the command
 * handler a client's request runs (commands/sorted-sets.ts and its
 * siblings); members are UTF-8 text, scores numbers; a key of another type
 * fails with `WrongTypeError`.
 */
import { Effect, Option } from "effect"
import { zrangeByScore as zrangeByScoreHandler, zrangeByRank, zcount as zcountHandler } from "../commands/sorted-set-ranges.js"
import { zpopmax, zpopmin } from "../commands/sorted-set-pops.js"
import * as ZSets from "../commands/sorted-sets.js"
import type { Handler } from "../commands/types.js"
import { formatDouble } from "../resp/encoder.js"
import type { ByteString, RespValue } from "../resp/values.js"
import type { Store } from "../store/Store.js"
import { type Input, toByteString, toText } from "./bytes.js"
import { failsWith, type InvalidArgumentError, type KvError, type WrongTypeError } from "./errors.js"
import * as Replies from "./replies.js"

/** A member with its score, as the range and pop methods return them. */
export interface ScoredMember {
  readonly member: string
  readonly score: number
}

/** Members to add with their scores: a record or a Map (or any iterable of [member, score] pairs). */
export type ScoredMembers = Iterable<readonly [Input, number]> | Readonly<Record<string, number>>

/** ZADD's conditions: only new members (`nx`) or only existing ones (`xx`), only raising (`gt`) or lowering (`lt`) scores. */
export interface ZaddOptions {
  readonly nx?: boolean
  readonly xx?: boolean
  readonly gt?: boolean
  readonly lt?: boolean
}

/** A score bound of ZRANGEBYSCORE / ZCOUNT: a number (inclusive; ±Infinity for no bound) or `{ exclusive }`. */
export type ScoreBound = number | { readonly exclusive: number }

export interface KvSortedSetMethods {
  /** ZADD: sets the members' scores (creating the sorted set); returns how many members were new. */
  readonly zadd: (key: Input, members: ScoredMembers, options?: ZaddOptions) => Effect.Effect<number, WrongTypeError | InvalidArgumentError>
  /** ZINCRBY: adds `increment` to the member's score (0 when missing); returns the new score. */
  readonly zincrBy: (key: Input, increment: number, member: Input) => Effect.Effect<number, WrongTypeError | InvalidArgumentError>
  /** ZSCORE: the member's score, or none. */
  readonly zscore: (key: Input, member: Input) => Effect.Effect<Option.Option<number>, WrongTypeError>
  /** ZREM: removes the members (the key goes with its last one); returns how many were there. */
  readonly zrem: (key: Input, ...members: ReadonlyArray<Input>) => Effect.Effect<number, WrongTypeError>
  /** ZCARD: how many members (0 for a missing key). */
  readonly zcard: (key: Input) => Effect.Effect<number, WrongTypeError>
  /** ZRANK (ZREVRANK when `reversed`): the member's 0-based rank, or none. */
  readonly zrank: (key: Input, member: Input, reversed?: boolean) => Effect.Effect<Option.Option<number>, WrongTypeError>
  /** ZRANGE start stop WITHSCORES (REV when `reversed`): negative ranks count from the end. */
  readonly zrange: (key: Input, start: number, stop: number, reversed?: boolean) => Effect.Effect<ReadonlyArray<ScoredMember>, WrongTypeError>
  /** ZRANGEBYSCORE min max WITHSCORES [LIMIT offset count], ascending. */
  readonly zrangeByScore: (
    key: Input,
    min: ScoreBound,
    max: ScoreBound,
    limit?: { readonly offset: number; readonly count: number }
  ) => Effect.Effect<ReadonlyArray<ScoredMember>, WrongTypeError>
  /** ZCOUNT: how many scores are within [min, max]. */
  readonly zcount: (key: Input, min: ScoreBound, max: ScoreBound) => Effect.Effect<number, WrongTypeError>
  /** ZPOPMIN: removes and returns up to `count` (default 1) members of the lowest scores. */
  readonly zpopMin: (key: Input, count?: number) => Effect.Effect<ReadonlyArray<ScoredMember>, WrongTypeError>
  /** ZPOPMAX: removes and returns up to `count` (default 1) members of the highest scores. */
  readonly zpopMax: (key: Input, count?: number) => Effect.Effect<ReadonlyArray<ScoredMember>, WrongTypeError>
}

/** Runs a handler (`run`), or a write one logged to the AOF when there is one (`write`), as Kv.ts does. */
type Runner = (handler: Handler<Store>, name: string, ...args: ReadonlyArray<ByteString>) => Effect.Effect<RespValue, KvError>

const isIterable = (value: object): value is Iterable<readonly [Input, number]> => Symbol.iterator in value

const pairsOf = (members: ScoredMembers): ReadonlyArray<readonly [Input, number]> =>
  isIterable(members) ? Array.from(members) : Object.entries(members)

const scoreText = (score: number): string => formatDouble(score)

const boundText = (bound: ScoreBound): string => typeof bound === "number" ? scoreText(bound) : `(${scoreText(bound.exclusive)}`

const scoreOf = (item: RespValue): number | undefined =>
  item._tag === "Double" ? item.value : item._tag === "BulkString" ? Number(item.value) : undefined

/** A flat member, score, member, score ... reply (RESP2 WITHSCORES, ZPOPMIN) as scored members. */
const scoredMembers = (reply: RespValue): Effect.Effect<ReadonlyArray<ScoredMember>> => {
  if (reply._tag !== "Array") return Effect.dieMessage(`effect-kv: expected an array, got a ${reply._tag} reply`)
  const result: Array<ScoredMember> = []
  for (let i = 0; i + 1 < reply.items.length; i += 2) {
    const [member, score] = [reply.items[i], scoreOf(reply.items[i + 1])]
    if (member._tag !== "BulkString" || score === undefined) return Effect.dieMessage("effect-kv: expected member, score pairs")
    result.push({ member: toText(member.value), score })
  }
  return Effect.succeed(result)
}

const optionalScore = (reply: RespValue): Effect.Effect<Option.Option<number>> =>
  reply._tag === "Null" ? Effect.succeed(Option.none()) : Effect.map(Replies.double(reply), Option.some)

/** The sorted-set methods over one database's `run` and `write`. */
export const sortedSetMethods = (run: Runner, write: Runner): KvSortedSetMethods => ({
  zadd: (key, members, options = {}) => {
    const pairs = pairsOf(members).flatMap(([member, score]) => [scoreText(score), toByteString(member)])
    if (pairs.length === 0) return Effect.succeed(0)
    const flags = (["nx", "xx", "gt", "lt"] as const).filter((flag) => options[flag] === true).map((flag) => flag.toUpperCase())
    return write(ZSets.zadd, "ZADD", toByteString(key), ...flags, ...pairs).pipe(
      Effect.flatMap(Replies.integer),
      failsWith("WrongTypeError", "InvalidArgumentError")
    )
  },
  zincrBy: (key, increment, member) =>
    write(ZSets.zincrby, "ZINCRBY", toByteString(key), scoreText(increment), toByteString(member)).pipe(
      Effect.flatMap(Replies.double),
      failsWith("WrongTypeError", "InvalidArgumentError")
    ),
  zscore: (key, member) =>
    run(ZSets.zscore, "ZSCORE", toByteString(key), toByteString(member)).pipe(Effect.flatMap(optionalScore), failsWith("WrongTypeError")),
  zrem: (key, ...members) =>
    members.length === 0
      ? Effect.succeed(0)
      : write(ZSets.zrem, "ZREM", toByteString(key), ...members.map(toByteString)).pipe(
        Effect.flatMap(Replies.integer),
        failsWith("WrongTypeError")
      ),
  zcard: (key) => run(ZSets.zcard, "ZCARD", toByteString(key)).pipe(Effect.flatMap(Replies.integer), failsWith("WrongTypeError")),
  zrank: (key, member, reversed = false) =>
    run(reversed ? ZSets.zrevrank : ZSets.zrank, reversed ? "ZREVRANK" : "ZRANK", toByteString(key), toByteString(member)).pipe(
      Effect.map((reply) => (reply._tag === "Integer" ? Option.some(Number(reply.value)) : Option.none())),
      failsWith("WrongTypeError")
    ),
  zrange: (key, start, stop, reversed = false) =>
    run(zrangeByRank, "ZRANGE", toByteString(key), String(start), String(stop), ...(reversed ? ["REV"] : []), "WITHSCORES").pipe(
      Effect.flatMap(scoredMembers),
      failsWith("WrongTypeError")
    ),
  zrangeByScore: (key, min, max, limit) =>
    run(zrangeByScoreHandler, "ZRANGEBYSCORE", toByteString(key), boundText(min), boundText(max), "WITHSCORES",
      ...(limit === undefined ? [] : ["LIMIT", String(limit.offset), String(limit.count)])).pipe(
        Effect.flatMap(scoredMembers),
        failsWith("WrongTypeError")
      ),
  zcount: (key, min, max) =>
    run(zcountHandler, "ZCOUNT", toByteString(key), boundText(min), boundText(max)).pipe(
      Effect.flatMap(Replies.integer),
      failsWith("WrongTypeError")
    ),
  zpopMin: (key, count = 1) =>
    write(zpopmin, "ZPOPMIN", toByteString(key), String(count)).pipe(Effect.flatMap(scoredMembers), failsWith("WrongTypeError")),
  zpopMax: (key, count = 1) =>
    write(zpopmax, "ZPOPMAX", toByteString(key), String(count)).pipe(Effect.flatMap(scoredMembers), failsWith("WrongTypeError"))
})

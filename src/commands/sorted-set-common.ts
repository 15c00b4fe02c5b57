/**
 * What the sorted-set command files share (Redis's t_zset.c): the key's
 * sorted set, its live encoding limits, score and range parsing with Redis's
 * errors, and the reply shapes of scored members in RESP2 and RESP3.
 */
import { Effect, Either, Option } from "effect"
import { LiveConfig } from "../config/LiveConfig.js"
import { type CommandError, notInteger, zsetMinMaxNotFloat, zsetMinMaxNotStringRange } from "../errors.js"
import { parseInt64 } from "../int64.js"
import { array, bulk, double, type ByteString, type ProtocolVersion, type RespValue } from "../resp/values.js"
import * as Database from "../store/database.js"
import { expiresAtOf, valueOf } from "../store/entry.js"
import { type KeyspaceEvent, keyspaceEvent } from "../store/keyspace-events.js"
import type { Transition } from "../store/Store.js"
import { defaultZSetLimits, type Scored, type ZSetLimits, type ZSetValue } from "../values/zset.js"
import { parseLooseDouble } from "../values/zset-score.js"
import { readZSet } from "../values/zset-type.js"
import { failure, type Outcome, unchanged } from "./keyspace-step.js"
import { groupRow } from "./row.js"

/** The live `zset-max-listpack-*` settings (Redis's defaults where no LiveConfig is provided: AOF replay, embedded tests). */
export const zsetLimits: Effect.Effect<ZSetLimits> = Effect.map(
  Effect.serviceOption(LiveConfig),
  Option.match({
    onNone: () => defaultZSetLimits,
    onSome: (live) => {
      const config = live.current()
      return { maxListpackEntries: config.zsetMaxListpackEntries, maxListpackValue: config.zsetMaxListpackValue }
    }
  })
)

/** The key's sorted set (undefined when missing), or WRONGTYPE. */
export const zsetAt = (db: Database.Database, key: ByteString): Either.Either<ZSetValue | undefined, CommandError> => {
  const stored = Database.get(db, key)
  return readZSet(stored === undefined ? undefined : valueOf(stored))
}

/** Runs `f` on the sorted set at `key`; WRONGTYPE changes nothing. */
export const withZSet = (
  db: Database.Database,
  key: ByteString,
  f: (zset: ZSetValue | undefined) => Transition<Outcome>
): Transition<Outcome> => Either.match(zsetAt(db, key), { onLeft: (error) => unchanged(db, Either.left(error)), onRight: f })

/** `key` holding `zset`, its TTL kept; none left deletes the key. */
export const keep = (db: Database.Database, key: ByteString, zset: ZSetValue | undefined): Database.Database =>
  zset === undefined ? Database.remove(db, key) : Database.put(db, key, zset, expiresAtOf(Database.get(db, key)))

export const zsetEvent = (event: string, key: ByteString): KeyspaceEvent => keyspaceEvent("zset", event, key)
export const delEvent = (key: ByteString): KeyspaceEvent => keyspaceEvent("generic", "del", key)

/** A command's event on `key`, then `del` when it emptied the key (t_zset.c's order). */
export const eventsOf = (event: string, key: ByteString, emptied: boolean): ReadonlyArray<KeyspaceEvent> =>
  emptied ? [zsetEvent(event, key), delEvent(key)] : [zsetEvent(event, key)]

/** getLongFromObjectOrReply: a long, or "value is not an integer or out of range". */
export const parseLong = (text: ByteString): Either.Either<number, CommandError> => {
  const value = parseInt64(text)
  return value === undefined ? Either.left(failure(notInteger, "NotInteger")) : Either.right(Number(value))
}

/**
 * Scored members as ZRANGE ... WITHSCORES replies them (zrangeResultEmitCBufferToClient):
 * flat member, score in RESP2, a [member, score] pair each in RESP3; members alone without scores.
 */
export const scoredReply = (entries: ReadonlyArray<Scored>, withScores: boolean, protocol: ProtocolVersion): RespValue => {
  if (!withScores) return array(entries.map(([, member]) => bulk(member)))
  if (protocol === 3) return array(entries.map(([score, member]) => array([bulk(member), double(score)])))
  return array(entries.flatMap(([score, member]) => [bulk(member), double(score)]))
}

// ---------------------------------------------------------------------------
// Ranges

/** zrangespec: a score range, each end inclusive unless marked exclusive ("(" before it). */
export interface ScoreRange {
  readonly min: number
  readonly max: number
  readonly minExclusive: boolean
  readonly maxExclusive: boolean
}

const parseBound = (text: ByteString): { readonly value: number; readonly exclusive: boolean } | undefined => {
  const exclusive = text.startsWith("(")
  const value = parseLooseDouble(exclusive ? text.slice(1) : text)
  return value === undefined ? undefined : { value, exclusive }
}

/** zslParseRange, or "min or max is not a float". */
export const parseScoreRange = (min: ByteString, max: ByteString): Either.Either<ScoreRange, CommandError> => {
  const low = parseBound(min)
  const high = parseBound(max)
  if (low === undefined || high === undefined) return Either.left(failure(zsetMinMaxNotFloat))
  return Either.right({ min: low.value, max: high.value, minExclusive: low.exclusive, maxExclusive: high.exclusive })
}

export const aboveMin = (range: ScoreRange) => (score: number): boolean =>
  range.minExclusive ? score > range.min : score >= range.min
export const belowMax = (range: ScoreRange) => (score: number): boolean =>
  range.maxExclusive ? score < range.max : score <= range.max

/** One end of a zlexrangespec: "-" (below everything), "+" (above everything), or a member, inclusive ("[") or not ("("). */
export type LexBound =
  | { readonly _tag: "Min" }
  | { readonly _tag: "Max" }
  | { readonly _tag: "Member"; readonly member: string; readonly exclusive: boolean }

const parseLexBound = (text: ByteString): LexBound | undefined => {
  if (text === "-") return { _tag: "Min" }
  if (text === "+") return { _tag: "Max" }
  if (text.startsWith("(")) return { _tag: "Member", member: text.slice(1), exclusive: true }
  if (text.startsWith("[")) return { _tag: "Member", member: text.slice(1), exclusive: false }
  return undefined
}

export interface LexRange {
  readonly min: LexBound
  readonly max: LexBound
}

/** zslParseLexRange, or "min or max not valid string range item". */
export const parseLexRange = (min: ByteString, max: ByteString): Either.Either<LexRange, CommandError> => {
  const low = parseLexBound(min)
  const high = parseLexBound(max)
  if (low === undefined || high === undefined) return Either.left(failure(zsetMinMaxNotStringRange))
  return Either.right({ min: low, max: high })
}

/** zslLexValueGteMin. */
export const lexAboveMin = (range: LexRange) => (member: string): boolean => {
  const { min } = range
  if (min._tag !== "Member") return min._tag === "Min"
  return min.exclusive ? member > min.member : member >= min.member
}

/** zslLexValueLteMax. */
export const lexBelowMax = (range: LexRange) => (member: string): boolean => {
  const { max } = range
  if (max._tag !== "Member") return max._tag === "Max"
  return max.exclusive ? member < max.member : member <= max.member
}

/** A command row of the sorted-set group (COMMAND INFO / COMMAND DOCS of redis-server 7.0.15). */
export const zsetRow = groupRow("sorted-set")

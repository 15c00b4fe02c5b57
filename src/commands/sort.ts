/**
 * SORT and SORT_RO (sort.c sortCommandGeneric): the elements of a list, set
 * or sorted set, sorted numerically (strtod of each element or of its BY
 * weight; ties by the elements' bytes) or with ALPHA by bytes (the C
 * locale's strcoll), or in the value's own order when BY names no `*`
 * ("BY nosort"); LIMIT offset count; GET patterns (`#`, `prefix*suffix`
 * string keys, `key*->field` hash fields); STORE as a list.
 */
import { Either } from "effect"
import { type CommandError, notInteger, sortScoreNotDouble, syntaxError, wrongType } from "../errors.js"
import { parseInt64 } from "../int64.js"
import { array, bulk, integer, nullBulk, type ByteString } from "../resp/values.js"
import * as Database from "../store/database.js"
import { isExpired, valueOf } from "../store/entry.js"
import { keyspaceEvent, type KeyspaceEvent } from "../store/keyspace-events.js"
import { getField, readHash } from "../values/hash.js"
import { listElements, listFromArray, readList } from "../values/list.js"
import { members, readSet } from "../values/set.js"
import { readString, textOf } from "../values/string.js"
import type { StoredValue } from "../values/types.js"
import * as Z from "../values/zset.js"
import { readZSet } from "../values/zset-type.js"
import { parseSortDouble } from "../values/zset-score.js"
import { failure, type Outcome, reply, transact, unchanged } from "./keyspace-step.js"
import { command } from "./row.js"
import type { Store } from "../store/Store.js"
import type { Handler } from "./types.js"

interface SortOptions {
  readonly desc: boolean
  readonly alpha: boolean
  readonly limitStart: bigint
  readonly limitCount: bigint
  readonly by: ByteString | undefined
  readonly gets: ReadonlyArray<ByteString>
  readonly store: ByteString | undefined
}

/** The option loop of sortCommandGeneric: a syntax error (or LIMIT's integer error) for anything else. */
const parseOptions = (args: ReadonlyArray<ByteString>, readonly: boolean): Either.Either<SortOptions, CommandError> => {
  let desc = false, alpha = false, limitStart = 0n, limitCount = -1n
  let by: ByteString | undefined, store: ByteString | undefined
  const gets: Array<ByteString> = []
  for (let j = 2; j < args.length; j++) {
    const option = args[j].toLowerCase()
    const left = args.length - j - 1
    if (option === "asc") desc = false
    else if (option === "desc") desc = true
    else if (option === "alpha") alpha = true
    else if (option === "limit" && left >= 2) {
      const start = parseInt64(args[j + 1])
      const count = parseInt64(args[j + 2])
      if (start === undefined || count === undefined) return Either.left(failure(notInteger))
      limitStart = start
      limitCount = count
      j += 2
    } else if (!readonly && option === "store" && left >= 1) store = args[++j]
    else if (option === "by" && left >= 1) by = args[++j]
    else if (option === "get" && left >= 1) gets.push(args[++j])
    else return Either.left(failure(syntaxError))
  }
  return Either.right({ desc, alpha, limitStart, limitCount, by, gets, store })
}

const live = (db: Database.Database, key: ByteString, nowMs: number): StoredValue | undefined => {
  const stored = Database.get(db, key)
  return stored === undefined || isExpired(stored, nowMs) ? undefined : valueOf(stored)
}

/** lookupKeyByPattern: `#` is the element; the first `*` takes the element; `->field` after it reads a hash field. */
const lookupByPattern = (db: Database.Database, nowMs: number, pattern: ByteString, element: ByteString): ByteString | undefined => {
  if (pattern === "#") return element
  const star = pattern.indexOf("*")
  if (star === -1) return undefined
  const arrow = pattern.indexOf("->", star + 1)
  const field = arrow !== -1 && arrow + 2 < pattern.length ? pattern.slice(arrow + 2) : undefined
  const key = pattern.slice(0, star) + element + pattern.slice(star + 1, field === undefined ? pattern.length : arrow)
  const value = live(db, key, nowMs)
  if (value === undefined) return undefined
  if (field === undefined) {
    const text = readString(value)
    return Either.isRight(text) && text.right !== undefined ? textOf(text.right) : undefined
  }
  const hash = readHash(value)
  return Either.isRight(hash) && hash.right !== undefined ? getField(hash.right, field) : undefined
}

type Sortable = { readonly _tag: "list" | "set"; readonly elements: Array<ByteString> } | { readonly _tag: "zset"; readonly zset: Z.ZSetValue }

const sortableOf = (value: StoredValue | undefined): Either.Either<Sortable, CommandError> => {
  if (value === undefined) return Either.right({ _tag: "list", elements: [] })
  const list = readList(value)
  if (Either.isRight(list) && list.right !== undefined) return Either.right({ _tag: "list", elements: listElements(list.right) })
  const set = readSet(value)
  if (Either.isRight(set) && set.right !== undefined) return Either.right({ _tag: "set", elements: members(set.right) })
  const zset = readZSet(value)
  if (Either.isRight(zset) && zset.right !== undefined) return Either.right({ _tag: "zset", zset: zset.right })
  return Either.left(failure(wrongType))
}

const compareBytes = (a: ByteString, b: ByteString): number => a < b ? -1 : a > b ? 1 : 0

interface Keyed {
  readonly element: ByteString
  score: number
  weight: ByteString | undefined
}

/** The sorted (or kept) elements, start..end inclusive; undefined when a score is not a double. */
const sortedRange = (
  db: Database.Database,
  nowMs: number,
  sortable: Sortable,
  options: SortOptions
): Array<ByteString> | undefined => {
  let dontSort = options.by !== undefined && !options.by.includes("*")
  let alpha = options.alpha
  let by = options.by
  const length = sortable._tag === "zset" ? sortable.zset.size : sortable.elements.length
  // A set has no order of its own: stored, it is sorted ALPHA (sort.c; Redis does so in scripts too).
  if (dontSort && sortable._tag === "set" && options.store !== undefined) {
    dontSort = false
    alpha = true
    by = undefined
  }
  let start = options.limitStart < 0n ? 0 : Number(options.limitStart)
  let end = options.limitCount < 0n ? length - 1 : Number(BigInt(start) + options.limitCount - 1n)
  if (start >= length) {
    start = length - 1
    end = length - 2
  }
  if (end >= length) end = length - 1
  if (dontSort) {
    if (end < start) return []
    if (sortable._tag === "zset") return Z.entriesIn(sortable.zset, options.desc ? length - 1 - end : start, options.desc ? length - start : end + 1, options.desc).map(([, member]) => member)
    const kept = sortable._tag === "list" && options.desc ? [...sortable.elements].reverse() : sortable.elements
    return kept.slice(start, end + 1)
  }
  const elements = sortable._tag === "zset" ? Z.allEntries(sortable.zset).map(([, member]) => member) : sortable.elements
  const vector: Array<Keyed> = elements.map((element) => ({ element, score: 0, weight: undefined }))
  for (const entry of vector) {
    const weight = by === undefined ? entry.element : lookupByPattern(db, nowMs, by, entry.element)
    if (weight === undefined) continue
    if (alpha) entry.weight = by === undefined ? undefined : weight
    else {
      const score = parseSortDouble(weight)
      if (score === undefined) return undefined
      entry.score = score
    }
  }
  const sign = options.desc ? -1 : 1
  vector.sort((a, b) => {
    if (!alpha) return sign * (a.score > b.score ? 1 : a.score < b.score ? -1 : compareBytes(a.element, b.element))
    if (by === undefined) return sign * compareBytes(a.element, b.element)
    if (a.weight === undefined || b.weight === undefined) return sign * (a.weight === b.weight ? 0 : a.weight === undefined ? -1 : 1)
    return sign * compareBytes(a.weight, b.weight)
  })
  return end < start ? [] : vector.slice(start, end + 1).map(({ element }) => element)
}

const sortGeneric = (readonly: boolean): Handler<Store> => (args, session) => {
  const parsed = parseOptions(args, readonly)
  if (Either.isLeft(parsed)) return Either.left(parsed.left)
  const options = parsed.right
  const keys = options.store === undefined ? [args[1]] : [args[1], options.store]
  return transact(session, keys, (db, nowMs) => {
    const sortable = sortableOf(live(db, args[1], nowMs))
    if (Either.isLeft(sortable)) return unchanged(db, Either.left(sortable.left))
    const range = sortedRange(db, nowMs, sortable.right, options)
    if (range === undefined) return unchanged(db, Either.left(failure(sortScoreNotDouble)))
    const output: Array<ByteString | undefined> = options.gets.length === 0
      ? range
      : range.flatMap((element) => options.gets.map((pattern) => lookupByPattern(db, nowMs, pattern, element)))
    if (options.store === undefined) return unchanged(db, reply(array(output.map((value) => value === undefined ? nullBulk : bulk(value)))))
    return stored(db, options.store, output.map((value) => value ?? ""))
  })
}

/** STORE: the list replaces the destination (sortstore), or the destination is deleted when empty (del). */
const stored = (db: Database.Database, destination: ByteString, elements: ReadonlyArray<ByteString>) => {
  const answer: Outcome = reply(integer(elements.length))
  if (elements.length > 0) {
    const events: ReadonlyArray<KeyspaceEvent> = [keyspaceEvent("list", "sortstore", destination)]
    return [answer, Database.put(db, destination, listFromArray(elements), undefined), elements.length, events] as const
  }
  if (Database.get(db, destination) === undefined) return unchanged(db, answer)
  return [answer, Database.remove(db, destination), 1, [keyspaceEvent("generic", "del", destination)]] as const
}

const summary = "Sort the elements in a list, set or sorted set"

export const sortCommands = [
  command({ name: "sort", arity: -2, flags: ["write", "denyoom", "movablekeys"], keys: [1, 1, 1], summary, since: "1.0.0", group: "generic",
    handler: sortGeneric(false) }),
  command({ name: "sort_ro", arity: -2, flags: ["readonly", "movablekeys"], keys: [1, 1, 1],
    summary: "Sort the elements in a list, set or sorted set. Read-only variant of SORT.", since: "7.0.0", group: "generic",
    handler: sortGeneric(true) })
]

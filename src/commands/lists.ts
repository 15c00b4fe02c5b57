/**
 * The list commands (Redis's t_list.c), each a pure transition over the
 * selected database, built on the shared edits of list-edits.ts. Writes keep
 * the key's TTL and return the keyspace events t_list.c raises, in its
 * order. The blocking commands are in lists-blocking.ts.
 */
import { Effect, Either } from "effect"
import * as Errors from "../errors.js"
import type { CommandError } from "../errors.js"
import { parseInt64 } from "../int64.js"
import { array, bulk, type ByteString, integer, nullArray, nullBulk, ok, type RespValue } from "../resp/values.js"
import * as Database from "../store/database.js"
import { type KeyspaceEvent, keyspaceEvent, noEvents } from "../store/keyspace-events.js"
import type { Store, Transition } from "../store/Store.js"
import * as BTree from "../structures/btree.js"
import { emptyList, listElements, ListValue } from "../values/list.js"
import { failure, type Outcome, reply, transact, unchanged } from "./keyspace-step.js"
import {
  type End,
  listAt,
  moveElement,
  multiPopNow,
  parseEnd,
  parseLong,
  parseAtLeast,
  parseMultiPop,
  parsePositive,
  popElements,
  pushAll,
  rangeOf,
  storeList
} from "./list-edits.js"
import { groupRow } from "./row.js"
import type { CommandSpec, Handler } from "./types.js"

type Step = Transition<Outcome>

/** A read-only command: `answer` on the key's list, WRONGTYPE for another type. */
const reading = (key: ByteString, session: Parameters<Handler<Store>>[1], answer: (list: ListValue | undefined) => Outcome) =>
  transact(session, [key], (db) => unchanged(db, Either.flatMap(listAt(Database.get(db, key)), answer)))

/** A write on one key's list: `change` gives the reply, the list after (or the same list: no change) and the events. */
const writing = (
  key: ByteString,
  session: Parameters<Handler<Store>>[1],
  change: (list: ListValue | undefined) => Either.Either<readonly [RespValue, ListValue | undefined, ReadonlyArray<KeyspaceEvent>, number], CommandError>
) =>
  transact(session, [key], (db): Step => {
    const stored = Database.get(db, key)
    const current = listAt(stored)
    if (Either.isLeft(current)) return unchanged(db, Either.left(current.left))
    const changed = change(current.right)
    if (Either.isLeft(changed)) return unchanged(db, Either.left(changed.left))
    const [answer, after, events, changes] = changed.right
    if (after === current.right || after === undefined) return [reply(answer), db, 0, events]
    return [reply(answer), storeList(db, key, stored, after), changes, events]
  })

// ---------------------------------------------------------------------------
// Pushes and pops

/** pushGenericCommand: LPUSH / RPUSH, and with `onlyExisting` LPUSHX / RPUSHX. */
const pushing = (end: End, onlyExisting: boolean): Handler<Store> => (args, session) =>
  writing(args[1], session, (list) => {
    if (list === undefined && onlyExisting) return Either.right([integer(0), undefined, noEvents, 0])
    const elements = args.slice(2)
    const after = pushAll(list ?? emptyList, end, elements)
    return Either.right([integer(after.size), after, [keyspaceEvent("list", end === "left" ? "lpush" : "rpush", args[1])], elements.length])
  })

export const lpush = pushing("left", false)
export const rpush = pushing("right", false)
export const lpushx = pushing("left", true)
export const rpushx = pushing("right", true)

/** popGenericCommand: LPOP / RPOP key [count]. */
const popping = (end: End): Handler<Store> => (args, session) => {
  if (args.length > 3) return Effect.fail(failure(Errors.wrongArity(args[0].toLowerCase())))
  const counted = args.length === 3
  const count = counted ? parsePositive(args[2]) : Either.right(1)
  if (Either.isLeft(count)) return Effect.fail(count.left)
  const key = args[1]
  return transact(session, [key], (db): Step => {
    const stored = Database.get(db, key)
    const current = listAt(stored)
    if (Either.isLeft(current)) return unchanged(db, Either.left(current.left))
    const list = current.right
    if (list === undefined) return unchanged(db, reply(counted ? nullArray : nullBulk))
    if (count.right === 0) return unchanged(db, reply(array([])))
    const popped = popElements(db, key, stored, list, end, count.right)
    const answer = counted ? array(popped.elements.map(bulk)) : bulk(popped.elements[0])
    return [reply(answer), popped.database, popped.elements.length, popped.events]
  })
}

export const lpop = popping("left")
export const rpop = popping("right")

/** LMPOP numkeys key [key ...] LEFT|RIGHT [COUNT count] */
export const lmpop: Handler<Store> = (args, session) =>
  Either.match(parseMultiPop(args, 1), {
    onLeft: Effect.fail,
    onRight: (request) =>
      transact(session, request.keys, (db): Step => {
        const result = multiPopNow(db, request)
        if (Either.isLeft(result)) return unchanged(db, Either.left(result.left))
        if (result.right === undefined) return unchanged(db, reply(nullArray))
        const [answer, popped] = result.right
        return [reply(answer), popped.database, popped.elements.length, popped.events]
      })
  })

/** lmoveGenericCommand: LMOVE / RPOPLPUSH once the ends are parsed. */
export const moving = (from: End, to: End): Handler<Store> => (args, session) =>
  transact(session, [args[1], args[2]], (db): Step => {
    const current = listAt(Database.get(db, args[1]))
    if (Either.isLeft(current)) return unchanged(db, Either.left(current.left))
    if (current.right === undefined) return unchanged(db, reply(nullBulk))
    const moved = moveElement(db, args[1], current.right, args[2], from, to)
    if (Either.isLeft(moved)) return unchanged(db, Either.left(moved.left))
    return [reply(bulk(moved.right.element)), moved.right.database, 1, moved.right.events]
  })

export const rpoplpush: Handler<Store> = moving("right", "left")

/** LMOVE source destination LEFT|RIGHT LEFT|RIGHT */
export const lmove: Handler<Store> = (args, session) => {
  const from = parseEnd(args[3])
  const to = parseEnd(args[4])
  if (from === undefined || to === undefined) return Effect.fail(failure(Errors.syntaxError))
  return moving(from, to)(args, session)
}

// ---------------------------------------------------------------------------
// Reading

export const llen: Handler<Store> = (args, session) => reading(args[1], session, (list) => reply(integer(list?.size ?? 0)))

/** LRANGE key start stop: the indexes are parsed before the key is looked up. */
export const lrange: Handler<Store> = (args, session) => {
  const start = parseLong(args[2])
  const stop = parseLong(args[3])
  if (Either.isLeft(start)) return Effect.fail(start.left)
  if (Either.isLeft(stop)) return Effect.fail(stop.left)
  return reading(args[1], session, (list) => {
    if (list === undefined) return reply(array([]))
    const [from, to] = rangeOf(start.right, stop.right, list.size)
    return reply(array(listElements(list, from, to).map(bulk)))
  })
}

/** The position of a (possibly negative) index in a list of `length`, or undefined out of range. */
const positionOf = (index: number, length: number): number | undefined => {
  const position = index < 0 ? length + index : index
  return position >= 0 && position < length ? position : undefined
}

/** LINDEX key index: the key is looked up before the index is parsed. */
export const lindex: Handler<Store> = (args, session) =>
  reading(args[1], session, (list) => {
    if (list === undefined) return reply(nullBulk)
    return Either.map(parseLong(args[2]), (index) => {
      const position = positionOf(index, list.size)
      return position === undefined ? nullBulk : bulk(BTree.at(list.items, position))
    })
  })


// ---------------------------------------------------------------------------
// Edits inside the list

/** LSET key index element: the key is looked up (`ERR no such key`) before the index is parsed. */
export const lset: Handler<Store> = (args, session) =>
  writing(args[1], session, (list) => {
    if (list === undefined) return Either.left(failure(Errors.noSuchKey))
    return Either.flatMap(parseLong(args[2]), (index) => {
      const position = positionOf(index, list.size)
      if (position === undefined) return Either.left(failure(Errors.outOfRangeIndex))
      const after = new ListValue(BTree.set(list.items, position, args[3]))
      return Either.right([ok, after, [keyspaceEvent("list", "lset", args[1])], 1] as const)
    })
  })

/** The first index holding `element` from the head, or -1. */
const indexOf = (list: ListValue, element: string): number => {
  let found = -1
  BTree.forEach(list.items, (candidate, index) => {
    if (candidate !== element) return true
    found = index
    return false
  })
  return found
}

/** LINSERT key BEFORE|AFTER pivot element: BEFORE/AFTER is checked before the key is looked up. */
export const linsert: Handler<Store> = (args, session) => {
  const where = args[2].toLowerCase()
  if (where !== "before" && where !== "after") return Effect.fail(failure(Errors.syntaxError))
  return writing(args[1], session, (list) => {
    if (list === undefined) return Either.right([integer(0), undefined, noEvents, 0] as const)
    const pivot = indexOf(list, args[3])
    if (pivot < 0) return Either.right([integer(-1), list, noEvents, 0] as const)
    const after = new ListValue(BTree.insert(list.items, where === "before" ? pivot : pivot + 1, args[4]))
    return Either.right([integer(after.size), after, [keyspaceEvent("list", "linsert", args[1])], 1] as const)
  })
}

/** LREM key count element: count > 0 removes from the head, < 0 from the tail, 0 all. */
export const lrem: Handler<Store> = (args, session) => {
  const count = parseLong(args[2])
  if (Either.isLeft(count)) return Effect.fail(count.left)
  const key = args[1]
  return writing(key, session, (list) => {
    if (list === undefined) return Either.right([integer(0), undefined, noEvents, 0] as const)
    const limit = Math.abs(count.right)
    const removedAt = new Set<number>()
    const visit = (candidate: string, index: number) => {
      if (candidate === args[3]) removedAt.add(index)
      return limit === 0 || removedAt.size < limit
    }
    if (count.right < 0) BTree.forEachReversed(list.items, visit)
    else BTree.forEach(list.items, visit)
    if (removedAt.size === 0) return Either.right([integer(0), list, noEvents, 0] as const)
    const kept = listElements(list).filter((_, index) => !removedAt.has(index))
    const events: Array<KeyspaceEvent> = [keyspaceEvent("list", "lrem", key)]
    if (kept.length === 0) events.push(keyspaceEvent("generic", "del", key))
    return Either.right([integer(removedAt.size), new ListValue(BTree.fromArray(kept)), events, removedAt.size] as const)
  })
}

/** LTRIM key start stop: `ltrim` is raised even when nothing is removed (ltrimCommand), then `del` when the list empties. */
export const ltrim: Handler<Store> = (args, session) => {
  const start = parseLong(args[2])
  const stop = parseLong(args[3])
  if (Either.isLeft(start)) return Effect.fail(start.left)
  if (Either.isLeft(stop)) return Effect.fail(stop.left)
  const key = args[1]
  return writing(key, session, (list) => {
    if (list === undefined) return Either.right([ok, undefined, noEvents, 0] as const)
    const [from, to] = rangeOf(start.right, stop.right, list.size)
    const removed = list.size - (to - from)
    const events: Array<KeyspaceEvent> = [keyspaceEvent("list", "ltrim", key)]
    if (removed === 0) return Either.right([ok, list, events, 0] as const)
    if (to === from) events.push(keyspaceEvent("generic", "del", key))
    return Either.right([ok, new ListValue(BTree.slice(list.items, from, to)), events, removed] as const)
  })
}

// ---------------------------------------------------------------------------
// LPOS

interface PositionOptions {
  /** 1-based match to start from; counted from the tail when `fromTail`. */
  readonly rank: number
  readonly fromTail: boolean
  /** COUNT, or undefined when not given (a single reply). 0: every match. */
  readonly count: number | undefined
  /** MAXLEN: elements to compare at most; 0: all. */
  readonly maxlen: number
}

const lposRankOverflow = -(2n ** 63n)

/** lposCommand's options, parsed before the key is looked up. */
const parsePositionOptions = (args: ReadonlyArray<ByteString>): Either.Either<PositionOptions, CommandError> => {
  let rank = 1
  let fromTail = false
  let count: number | undefined
  let maxlen = 0
  for (let j = 3; j < args.length; j++) {
    const option = args[j].toLowerCase()
    const hasValue = j + 1 < args.length
    if (option === "rank" && hasValue) {
      const value = parseInt64(args[++j])
      if (value === undefined) return Either.left(failure(Errors.notInteger, "NotInteger"))
      if (value === 0n) return Either.left(failure(Errors.lposRankZero))
      // -LONG_MIN overflows in C and stays negative: every match then counts (the first from the tail).
      fromTail = value < 0n
      rank = value === lposRankOverflow ? 1 : Math.abs(Number(value))
    } else if (option === "count" && hasValue) {
      const value = parseAtLeast(args[++j], 0n, Errors.lposCountNegative)
      if (Either.isLeft(value)) return Either.left(value.left)
      count = value.right
    } else if (option === "maxlen" && hasValue) {
      const value = parseAtLeast(args[++j], 0n, Errors.lposMaxlenNegative)
      if (Either.isLeft(value)) return Either.left(value.left)
      maxlen = value.right
    } else return Either.left(failure(Errors.syntaxError))
  }
  return Either.right({ rank, fromTail, count, maxlen })
}

/** The indexes of the matches LPOS reports, in search order. */
const matchPositions = (list: ListValue, element: string, { count, fromTail, maxlen, rank }: PositionOptions): Array<number> => {
  const found: Array<number> = []
  const wanted = count === undefined ? 1 : count
  let matches = 0
  let scanned = 0
  const visit = (candidate: string, index: number) => {
    if (maxlen !== 0 && scanned >= maxlen) return false
    scanned++
    if (candidate !== element) return true
    matches++
    if (matches < rank) return true
    found.push(index)
    return wanted === 0 || found.length < wanted
  }
  if (fromTail) BTree.forEachReversed(list.items, visit)
  else BTree.forEach(list.items, visit)
  return found
}

/** LPOS key element [RANK rank] [COUNT num-matches] [MAXLEN len] */
export const lpos: Handler<Store> = (args, session) =>
  Either.match(parsePositionOptions(args), {
    onLeft: Effect.fail,
    onRight: (options) =>
      reading(args[1], session, (list) => {
        const found = list === undefined ? [] : matchPositions(list, args[2], options)
        if (options.count !== undefined) return reply(array(found.map((index) => integer(index))))
        return reply(found.length === 0 ? nullBulk : integer(found[0]))
      })
  })

// ---------------------------------------------------------------------------
// Rows (COMMAND INFO / COMMAND DOCS of redis-server 7.0.15)

const row = groupRow("list")

const oneKey = [1, 1, 1] as const

/** Every non-blocking list command, for the command table (and the AOF replay table: the writes are logged). */
export const listCommands: ReadonlyArray<CommandSpec<Store>> = [
  row("lindex", 3, ["readonly"], oneKey, "Get an element from a list by its index", "1.0.0", lindex),
  row("linsert", 5, ["write", "denyoom"], oneKey, "Insert an element before or after another element in a list", "2.2.0", linsert),
  row("llen", 2, ["readonly", "fast"], oneKey, "Get the length of a list", "1.0.0", llen),
  row("lmove", 5, ["write", "denyoom"], [1, 2, 1], "Pop an element from a list, push it to another list and return it", "6.2.0", lmove),
  row("lmpop", -4, ["write"], [0, 0, 0], "Pop elements from a list", "7.0.0", lmpop),
  row("lpop", -2, ["write", "fast"], oneKey, "Remove and get the first elements in a list", "1.0.0", lpop),
  row("lpos", -3, ["readonly"], oneKey, "Return the index of matching elements on a list", "6.0.6", lpos),
  row("lpush", -3, ["write", "denyoom", "fast"], oneKey, "Prepend one or multiple elements to a list", "1.0.0", lpush),
  row("lpushx", -3, ["write", "denyoom", "fast"], oneKey, "Prepend an element to a list, only if the list exists", "2.2.0", lpushx),
  row("lrange", 4, ["readonly"], oneKey, "Get a range of elements from a list", "1.0.0", lrange),
  row("lrem", 4, ["write"], oneKey, "Remove elements from a list", "1.0.0", lrem),
  row("lset", 4, ["write", "denyoom"], oneKey, "Set the value of an element in a list by its index", "1.0.0", lset),
  row("ltrim", 4, ["write"], oneKey, "Trim a list to the specified range", "1.0.0", ltrim),
  row("rpop", -2, ["write", "fast"], oneKey, "Remove and get the last elements in a list", "1.0.0", rpop),
  row("rpoplpush", 3, ["write", "denyoom"], [1, 2, 1], "Remove the last element in a list, prepend it to another list and return it", "1.2.0", rpoplpush),
  row("rpush", -3, ["write", "denyoom", "fast"], oneKey, "Append one or multiple elements to a list", "1.0.0", rpush),
  row("rpushx", -3, ["write", "denyoom", "fast"], oneKey, "Append an element to a list, only if the list exists", "2.2.0", rpushx)
]

/**
 * The list edits the list commands share (t_list.c's listTypePush,
 * listTypeDelRange, listElementsRemoved, lmoveGenericCommand), pure over a
 * database: the non-blocking commands (lists.ts) and the blocking ones,
 * served now or later (lists-blocking.ts), make the same changes and raise
 * the same events. A list never exists empty: the last element's removal
 * deletes the key.
 */
import { Either } from "effect"
import * as Errors from "../errors.js"
import type { CommandError } from "../errors.js"
import { parseInt64 } from "../int64.js"
import { array, bulk, type ByteString, type RespValue } from "../resp/values.js"
import * as Database from "../store/database.js"
import { type Entry, expiresAtOf, valueOf } from "../store/entry.js"
import { type KeyspaceEvent, keyspaceEvent } from "../store/keyspace-events.js"
import * as BTree from "../structures/btree.js"
import { emptyList, listElements, ListValue, readList } from "../values/list.js"
import { failure } from "./keyspace-step.js"

/** LIST_HEAD / LIST_TAIL: the end an element is pushed to or popped from. */
export type End = "left" | "right"

/** The key's list (undefined when missing), or WRONGTYPE. */
export const listAt = (stored: Entry | undefined): Either.Either<ListValue | undefined, CommandError> =>
  readList(stored === undefined ? undefined : valueOf(stored))

/** getListPositionFromObjectOrReply: LEFT or RIGHT, any case. */
export const parseEnd = (text: string): End | undefined => {
  const lower = text.toLowerCase()
  return lower === "left" ? "left" : lower === "right" ? "right" : undefined
}

const longMax = 2n ** 63n - 1n
/** Lists are far shorter than 2^53: an index beyond that behaves as that bound, so it can be a number. */
const indexBound = 2n ** 53n
const toIndex = (value: bigint): number => Number(value > indexBound ? indexBound : value < -indexBound ? -indexBound : value)

/** getLongFromObjectOrReply: an integer (clamped to a safe index), or `ERR value is not an integer or out of range`. */
export const parseLong = (text: string): Either.Either<number, CommandError> => {
  const value = parseInt64(text)
  return value === undefined ? Either.left(failure(Errors.notInteger, "NotInteger")) : Either.right(toIndex(value))
}

/** getRangeLongFromObjectOrReply(min, LONG_MAX) with Redis's message for both a bad and an out-of-range value. */
export const parseAtLeast = (text: string, min: bigint, message: string): Either.Either<number, CommandError> => {
  const value = parseInt64(text)
  return value === undefined || value < min || value > longMax ? Either.left(failure(message)) : Either.right(toIndex(value))
}

/** getPositiveLongFromObjectOrReply with no message of its own: Redis's default message for a bad and a negative value alike. */
export const parsePositive = (text: string): Either.Either<number, CommandError> =>
  parseAtLeast(text, 0n, Errors.valueMustBePositive)

/** The database with `key` holding `list` (keeping its TTL), or without the key when `list` is empty. */
export const storeList = (database: Database.Database, key: ByteString, stored: Entry | undefined, list: ListValue): Database.Database =>
  list.size === 0 ? Database.remove(database, key) : Database.put(database, key, list, expiresAtOf(stored))

/** The list with `elements` pushed one by one at `end` (LPUSH a b leaves b first). */
export const pushAll = (list: ListValue, end: End, elements: ReadonlyArray<string>): ListValue => {
  let items = list.items
  for (const element of elements) items = end === "left" ? BTree.prepend(items, element) : BTree.append(items, element)
  return new ListValue(items)
}

/** What popping left: the popped elements in pop order, the database after, and the events (listElementsRemoved). */
export interface Popped {
  readonly elements: ReadonlyArray<string>
  readonly database: Database.Database
  readonly events: ReadonlyArray<KeyspaceEvent>
}

/** Pops min(count, size) elements from `end` of the key's list (listTypeDelRange, listElementsRemoved). */
export const popElements = (
  database: Database.Database,
  key: ByteString,
  stored: Entry | undefined,
  list: ListValue,
  end: End,
  count: number
): Popped => {
  const taken = Math.min(count, list.size)
  const elements = end === "left"
    ? listElements(list, 0, taken)
    : BTree.toArrayReversed(list.items, list.size - taken, list.size)
  const rest = end === "left"
    ? new ListValue(BTree.removeRange(list.items, 0, taken))
    : new ListValue(BTree.removeRange(list.items, list.size - taken, list.size))
  const events = [keyspaceEvent("list", end === "left" ? "lpop" : "rpop", key)]
  if (rest.size === 0) events.push(keyspaceEvent("generic", "del", key))
  return { elements, database: storeList(database, key, stored, rest), events }
}

/** What a move did: the element, the database after and the events, or WRONGTYPE for the destination. */
export interface Moved {
  readonly element: string
  readonly database: Database.Database
  readonly events: ReadonlyArray<KeyspaceEvent>
}

/**
 * lmoveGenericCommand on a non-empty source: the destination's type is
 * checked, the element popped and pushed (lmoveHandlePush: the push event),
 * then the pop event and the source's `del` when it emptied. Source and
 * destination may be the same list (a rotation).
 */
export const moveElement = (
  database: Database.Database,
  source: ByteString,
  sourceList: ListValue,
  destination: ByteString,
  from: End,
  to: End
): Either.Either<Moved, CommandError> => {
  const sourceStored = Database.get(database, source)
  const destinationStored = Database.get(database, destination)
  return Either.map(listAt(destinationStored), (destinationList) => {
    const element = from === "left" ? BTree.at(sourceList.items, 0) : BTree.at(sourceList.items, sourceList.size - 1)
    const rest = new ListValue(from === "left" ? BTree.removeFirst(sourceList.items) : BTree.removeLast(sourceList.items))
    const pushedEvent = keyspaceEvent("list", to === "left" ? "lpush" : "rpush", destination)
    const poppedEvent = keyspaceEvent("list", from === "left" ? "lpop" : "rpop", source)
    if (source === destination) {
      const rotated = pushAll(rest, to, [element])
      return { element, database: storeList(database, source, sourceStored, rotated), events: [pushedEvent, poppedEvent] }
    }
    const pushed = pushAll(destinationList ?? emptyList, to, [element])
    const afterPush = storeList(database, destination, destinationStored, pushed)
    const events = [pushedEvent, poppedEvent]
    if (rest.size === 0) events.push(keyspaceEvent("generic", "del", source))
    return { element, database: storeList(afterPush, source, sourceStored, rest), events }
  })
}

/** LMPOP's keys, end and count, as lmpopGenericCommand parses them from `numkeysIndex` on. */
export interface MultiPop {
  readonly keys: ReadonlyArray<ByteString>
  readonly end: End
  readonly count: number
}

export const parseMultiPop = (args: ReadonlyArray<ByteString>, numkeysIndex: number): Either.Either<MultiPop, CommandError> =>
  Either.flatMap(parseAtLeast(args[numkeysIndex], 1n, Errors.numkeysNotPositive), (numkeys) => {
    const endIndex = numkeysIndex + numkeys + 1
    if (endIndex >= args.length) return Either.left(failure(Errors.syntaxError))
    const end = parseEnd(args[endIndex])
    if (end === undefined) return Either.left(failure(Errors.syntaxError))
    let count: number | undefined
    for (let j = endIndex + 1; j < args.length; j++) {
      if (count === undefined && args[j].toLowerCase() === "count" && j + 1 < args.length) {
        const parsed = parseAtLeast(args[++j], 1n, Errors.countNotPositive)
        if (Either.isLeft(parsed)) return Either.left(parsed.left)
        count = parsed.right
      } else return Either.left(failure(Errors.syntaxError))
    }
    return Either.right({ keys: args.slice(numkeysIndex + 1, endIndex), end, count: count ?? 1 })
  })

/** The [key, [elements]] reply of LMPOP / BLMPOP (listPopRangeAndReplyWithKey). */
export const keyAndElements = (key: ByteString, elements: ReadonlyArray<string>): RespValue =>
  array([bulk(key), array(elements.map(bulk))])

/** mpopGenericCommand: the first non-empty list of `keys` popped, WRONGTYPE at the first key of another type; undefined when all are missing. */
export const multiPopNow = (database: Database.Database, { count, end, keys }: MultiPop): Either.Either<
  readonly [RespValue, Popped] | undefined,
  CommandError
> => {
  for (const key of keys) {
    const stored = Database.get(database, key)
    const current = listAt(stored)
    if (Either.isLeft(current)) return Either.left(current.left)
    if (current.right === undefined) continue
    const popped = popElements(database, key, stored, current.right, end, count)
    return Either.right([keyAndElements(key, popped.elements), popped])
  }
  return Either.right(undefined)
}

/** addListRangeReply's index arithmetic: the [start, end) slice of a list of `length`, empty when out of range. */
export const rangeOf = (start: number, stop: number, length: number): readonly [number, number] => {
  let from = start < 0 ? length + start : start
  const to = stop < 0 ? length + stop : stop
  if (from < 0) from = 0
  if (from > to || from >= length) return [0, 0]
  return [from, Math.min(to, length - 1) + 1]
}


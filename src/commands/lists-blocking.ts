/**
 * The blocking list commands (t_list.c blockingPopGenericCommand,
 * blmoveGenericCommand, lmpopGenericCommand): BLPOP, BRPOP, BLMPOP,
 * BRPOPLPUSH and BLMOVE. Each is described once by what it does now (serve
 * from the first non-empty key of its keys, WRONGTYPE at the first key of
 * another type, or nothing) and what it does when a key it waits on becomes
 * ready (state/Blocking.ts serves it in blocking order). A served pop is
 * logged to the AOF as the non-blocking command Redis propagates (LPOP key,
 * LPOP key count, RPOPLPUSH, LMOVE), so these commands are not logged as sent.
 *
 * `nonBlockingListCommands` holds each one's non-blocking form (serve now, or
 * the timeout reply at once, as Redis does for a client that may not block:
 * CLIENT_DENY_BLOCKING in MULTI and scripts); the AOF replay runs those too.
 */
import { Effect, Either } from "effect"
import * as Errors from "../errors.js"
import type { CommandError } from "../errors.js"
import { array, bulk, type ByteString, type Command, nullArray, nullBulk } from "../resp/values.js"
import type { Served } from "../state/Blocking.js"
import type { Session } from "../state/Session.js"
import * as Database from "../store/database.js"
import type { Store } from "../store/Store.js"
import { type BlockingCommand, serveOrBlock } from "./blocking-command.js"
import { failure, reply, transact, unchanged } from "./keyspace-step.js"
import { parseLongDouble } from "./numbers.js"
import {
  type End,
  keyAndElements,
  listAt,
  moveElement,
  type MultiPop,
  parseEnd,
  parseMultiPop,
  popElements
} from "./list-edits.js"
import { groupRow } from "./row.js"
import type { CommandSpec, Handler } from "./types.js"

/** A blocking list command once parsed. */
type BlockingPop = BlockingCommand

const llongMax = 2 ** 63

/**
 * timeout.c getTimeoutFromObjectOrReply in seconds: a long double (strtold),
 * times 1000, truncated to milliseconds; an overflowing product converts to
 * LLONG_MIN in C, so it is "negative" as infinity is; 0 waits forever.
 */
export const parseTimeout = (text: string): Either.Either<number, CommandError> => {
  const parsed = parseLongDouble(text)
  if (parsed === undefined) return Either.left(failure(Errors.timeoutNotFloat))
  if (parsed._tag === "Infinite") return Either.left(failure(Errors.timeoutNegative))
  const milliseconds = Number(parsed.mantissa) * 2 ** parsed.exponent * 1000
  if (milliseconds >= llongMax || milliseconds <= -llongMax) return Either.left(failure(Errors.timeoutNegative))
  const truncated = Math.trunc(milliseconds)
  return truncated < 0 ? Either.left(failure(Errors.timeoutNegative)) : Either.right(truncated === 0 ? 0 : truncated)
}

/** A pop served from a non-empty list: the reply, the change and the propagated [LR]POP. */
const servedPop = (
  database: Database.Database,
  key: ByteString,
  end: End,
  count: number | undefined
): Served | undefined => {
  const stored = Database.get(database, key)
  const current = listAt(stored)
  if (Either.isLeft(current) || current.right === undefined) return undefined
  const popped = popElements(database, key, stored, current.right, end, count ?? 1)
  const name = end === "left" ? "LPOP" : "RPOP"
  return {
    outcome: Either.right(count === undefined ? array([bulk(key), bulk(popped.elements[0])]) : keyAndElements(key, popped.elements)),
    database: popped.database,
    changes: popped.elements.length,
    events: popped.events,
    propagate: [count === undefined ? [name, key] : [name, key, String(popped.elements.length)]]
  }
}

/** blockingPopGenericCommand: the first key holding a list is popped; another type stops with WRONGTYPE. */
const popNow = (keys: ReadonlyArray<ByteString>, end: End, count: number | undefined) =>
(database: Database.Database): Either.Either<Served | undefined, CommandError> => {
  for (const key of keys) {
    const current = listAt(Database.get(database, key))
    if (Either.isLeft(current)) return Either.left(current.left)
    if (current.right !== undefined) return Either.right(servedPop(database, key, end, count))
  }
  return Either.right(undefined)
}

/** BLPOP / BRPOP key [key ...] timeout */
const parsePop = (end: End) => (args: Command): Either.Either<BlockingPop, CommandError> =>
  Either.map(parseTimeout(args[args.length - 1]), (timeoutMs) => {
    const keys = args.slice(1, -1)
    return {
      keys,
      timeoutMs,
      timeoutReply: nullArray,
      deniedReply: nullArray,
      now: popNow(keys, end, undefined),
      serve: (database, key) => servedPop(database, key, end, undefined)
    }
  })

/** BLMPOP timeout numkeys key [key ...] LEFT|RIGHT [COUNT count]: the keys and options are parsed before the timeout. */
const parseMultiPopBlocking = (args: Command): Either.Either<BlockingPop, CommandError> =>
  Either.flatMap(parseMultiPop(args, 2), ({ count, end, keys }: MultiPop) =>
    Either.map(parseTimeout(args[1]), (timeoutMs) => ({
      keys,
      timeoutMs,
      timeoutReply: nullArray,
      deniedReply: nullArray,
      now: popNow(keys, end, count),
      serve: (database, key) => servedPop(database, key, end, count)
    })))

/** A move served from a non-empty source (lmoveGenericCommand, serveClientBlockedOnList): WRONGTYPE for the destination's type. */
const servedMove = (
  database: Database.Database,
  source: ByteString,
  destination: ByteString,
  from: End,
  to: End,
  propagated: (source: ByteString, destination: ByteString) => Command
): Served | undefined => {
  const current = listAt(Database.get(database, source))
  if (Either.isLeft(current) || current.right === undefined) return undefined
  const moved = moveElement(database, source, current.right, destination, from, to)
  if (Either.isLeft(moved)) return { outcome: Either.left(moved.left), database, changes: 0, events: [], propagate: [] }
  return {
    outcome: Either.right(bulk(moved.right.element)),
    database: moved.right.database,
    changes: 1,
    events: moved.right.events,
    propagate: [propagated(source, destination)]
  }
}

const moveParsed = (
  args: Command,
  from: End,
  to: End,
  timeoutMs: number,
  propagated: (source: ByteString, destination: ByteString) => Command
): BlockingPop => ({
  keys: [args[1]],
  timeoutMs,
  timeoutReply: nullArray,
  deniedReply: nullBulk,
  now: (database) => {
    const current = listAt(Database.get(database, args[1]))
    if (Either.isLeft(current)) return Either.left(current.left)
    if (current.right === undefined) return Either.right(undefined)
    return Either.right(servedMove(database, args[1], args[2], from, to, propagated))
  },
  serve: (database, key) => servedMove(database, key, args[2], from, to, propagated)
})

/** BRPOPLPUSH source destination timeout, propagated as RPOPLPUSH. */
const parseRpoplpush = (args: Command): Either.Either<BlockingPop, CommandError> =>
  Either.map(parseTimeout(args[3]), (timeoutMs) =>
    moveParsed(args, "right", "left", timeoutMs, (source, destination) => ["RPOPLPUSH", source, destination]))

/** BLMOVE source destination LEFT|RIGHT LEFT|RIGHT timeout: the ends, then the timeout; propagated as LMOVE. */
const parseMove = (args: Command): Either.Either<BlockingPop, CommandError> => {
  const from = parseEnd(args[3])
  const to = parseEnd(args[4])
  if (from === undefined || to === undefined) return Either.left(failure(Errors.syntaxError))
  return Either.map(parseTimeout(args[5]), (timeoutMs) =>
    moveParsed(args, from, to, timeoutMs, (source, destination) => ["LMOVE", source, destination, from.toUpperCase(), to.toUpperCase()]))
}

type Parse = (args: Command) => Either.Either<BlockingPop, CommandError>

/** The non-blocking form: served now, or the timeout reply at once (a pure keyspace step). */
const nonBlocking = (parse: Parse): Handler<Store> => (args, session) =>
  Either.match(parse(args), {
    onLeft: Effect.fail,
    onRight: (pop) =>
      transact(session, pop.keys, (db) => {
        const served = pop.now(db)
        if (Either.isLeft(served)) return unchanged(db, Either.left(served.left))
        if (served.right === undefined) return unchanged(db, reply(pop.deniedReply))
        return [served.right.outcome, served.right.database, served.right.changes, served.right.events]
      })
  })

/** Served now, or blocked until served, timed out or unblocked (blocking-command.ts). */
const blocking = (parse: Parse): Handler<Store> => (args, session: Session) =>
  Either.match(parse(args), { onLeft: Effect.fail, onRight: (pop) => serveOrBlock(session, pop) })

const parseBlpop = parsePop("left")
const parseBrpop = parsePop("right")

const parsers: ReadonlyArray<readonly [name: string, parse: Parse]> = [
  ["blpop", parseBlpop],
  ["brpop", parseBrpop],
  ["blmpop", parseMultiPopBlocking],
  ["brpoplpush", parseRpoplpush],
  ["blmove", parseMove]
]

/** Each blocking list command's non-blocking form, by name (for MULTI/EXEC, scripts and the AOF replay). */
export const nonBlockingListCommands: ReadonlyMap<string, Handler<Store>> = new Map(
  parsers.map(([name, parse]) => [name, nonBlocking(parse)])
)

const row = groupRow("list")

const rowsWith = (handlerFor: (parse: Parse) => Handler<Store>): ReadonlyArray<CommandSpec<Store>> => [
  row("blmove", 6, ["write", "denyoom", "noscript", "blocking"], [1, 2, 1],
    "Pop an element from a list, push it to another list and return it; or block until one is available", "6.2.0",
    handlerFor(parseMove)),
  row("blmpop", -5, ["write", "blocking"], [0, 0, 0], "Pop elements from a list, or block until one is available", "7.0.0",
    handlerFor(parseMultiPopBlocking)),
  row("blpop", -3, ["write", "noscript", "blocking"], [1, -2, 1],
    "Remove and get the first element in a list, or block until one is available", "2.0.0", handlerFor(parseBlpop)),
  row("brpop", -3, ["write", "noscript", "blocking"], [1, -2, 1],
    "Remove and get the last element in a list, or block until one is available", "2.0.0", handlerFor(parseBrpop)),
  row("brpoplpush", 4, ["write", "denyoom", "noscript", "blocking"], [1, 2, 1],
    "Pop an element from a list, push it to another list and return it; or block until one is available", "2.2.0",
    handlerFor(parseRpoplpush))
]

/** The blocking list commands, for the command table. */
export const blockingListCommands: ReadonlyArray<CommandSpec<Store>> = rowsWith(blocking)

/** The same rows running their non-blocking forms: what the AOF replay table holds. */
export const nonBlockingListRows: ReadonlyArray<CommandSpec<Store>> = rowsWith(nonBlocking)

/**
 * The stream commands without consumer groups (Redis's t_stream.c): XADD,
 * XTRIM, XLEN, XRANGE, XREVRANGE, XSETID here, XREAD in streams-read.ts.
 * Unlike other collections a stream may exist empty (XADD MAXLEN 0, XTRIM).
 *
 * XADD with `*` or `ms-*`, and an approximate trim (`~`), propagate as Redis
 * rewrites them (xaddCommand, streamRewriteApproxSpecifier,
 * streamRewriteTrimArgument): the ID chosen, `=` and the length (or first ID)
 * the trim left, so an AOF replays to the same stream. The LIMIT clause is
 * left out of what is logged: Redis ignores it when it replays (mustObeyClient).
 */
import { Effect, Either } from "effect"
import * as Errors from "../errors.js"
import { parseInt64 } from "../int64.js"
import { propagateAs } from "../persistence/aof/propagation.js"
import { array, bulk, type ByteString, type Command, integer, nullArray, nullBulk, ok, type RespValue } from "../resp/values.js"
import * as Database from "../store/database.js"
import { expiresAtOf } from "../store/entry.js"
import { keyspaceEvent, type KeyspaceEvent } from "../store/keyspace-events.js"
import type { Store, Transition } from "../store/Store.js"
import {
  appendEntry,
  compareIds,
  emptyStream,
  entriesInRange,
  formatId,
  idForAppend,
  lastValidId,
  maxId,
  nextId,
  previousId,
  type StreamId,
  StreamValue,
  trimStream,
  uint64Max,
  withLastId,
  zeroId
} from "../values/stream.js"
import { commandName } from "./dispatch.js"
import { failure, type Outcome, reply, transact, transactReading, unchanged } from "./keyspace-step.js"
import { groupRow } from "./row.js"
import { type AddOrTrimArguments, parseAddOrTrim, parseIntervalId, parseStrictId } from "./stream-arguments.js"
import { entryReply, streamAt, xreadCommands } from "./streams-read.js"
import type { CommandSpec, Handler } from "./types.js"

type Step = Transition<Outcome>

const stepFailure = (database: Database.Database, message: string): Step => unchanged(database, Either.left(failure(message)))

const events = (key: ByteString, names: ReadonlyArray<string>): Array<KeyspaceEvent> =>
  names.map((name) => keyspaceEvent("stream", name, key))

/** streamGetEdgeID(s, first, no tombstone skipping): what an approximate MINID trim propagates as its threshold. */
const firstIdWithDeleted = (stream: StreamValue): StreamId => stream.nodes[0]?.entries[0]?.id ?? maxId

/** The argv Redis propagates after an approximate trim: `=`, and the length or first ID it left; LIMIT left out. */
const rewrittenTrim = (args: Command, parsed: AddOrTrimArguments, after: StreamValue): Array<ByteString> => {
  const trim = parsed.trim
  const rewritten: Array<ByteString> = args.slice(0, 2)
  for (let i = 2; i < parsed.idIndex; i++) {
    if (trim !== undefined && trim.approximate && i === trim.thresholdIndex - 1) rewritten.push("=")
    else if (trim !== undefined && trim.approximate && i === trim.thresholdIndex) {
      rewritten.push(trim.strategy._tag === "MaxLen" ? String(after.length) : formatId(firstIdWithDeleted(after)))
    } else if (args[i].toLowerCase() === "limit") i++
    else rewritten.push(args[i])
  }
  return [...rewritten, ...args.slice(parsed.idIndex)]
}

/** XADD key [NOMKSTREAM] [MAXLEN|MINID [=|~] threshold [LIMIT count]] *|id field value [field value ...] (xaddCommand). */
export const xadd: Handler<Store> = (args, session) => {
  const parsed = parseAddOrTrim(args, true)
  if (Either.isLeft(parsed)) return Effect.fail(parsed.left)
  const { id: given, idIndex, noMkStream, trim } = parsed.right
  const fieldCount = args.length - idIndex - 1
  if (fieldCount < 2 || fieldCount % 2 === 1) return Effect.fail(failure(Errors.wrongArity(commandName(args))))
  if (given !== undefined && given.seqGiven && compareIds(given.id, zeroId) === 0) return Effect.fail(failure(Errors.streamXaddIdZero))
  const key = args[1]
  const pairs = args.slice(idIndex + 1)
  let propagated: ReadonlyArray<Command> | undefined
  const step = transact(session, [key], (db, nowMs): Step => {
    const found = streamAt(db, key)
    if (Either.isLeft(found)) return unchanged(db, Either.left(found.left))
    if (found.right === undefined && noMkStream) return unchanged(db, reply(nullBulk))
    const stream = found.right ?? emptyStream
    if (stream.lastId.ms === uint64Max && stream.lastId.seq === uint64Max) return stepFailure(db, Errors.streamExhausted)
    const id = idForAppend(stream, given?.id, given?.seqGiven ?? false, nowMs)
    const appended = id === undefined ? "IdTooSmall" : appendEntry(stream, id, pairs)
    if (appended === "IdTooSmall") return stepFailure(db, Errors.streamXaddIdTooSmall)
    if (appended === "TooLarge") return stepFailure(db, Errors.streamElementsTooLarge)
    const [after, trimmed] = trim === undefined ? [appended, 0] : trimStream(appended, trim)
    const argv = rewrittenTrim(args, parsed.right, after)
    // the ID's index once LIMIT count is left out
    if (given === undefined || !given.seqGiven) argv[argv.length - pairs.length - 1] = formatId(appended.lastId)
    propagated = [argv]
    const raised = events(key, trimmed > 0 ? ["xadd", "xtrim"] : ["xadd"])
    return [reply(bulk(formatId(appended.lastId))), Database.put(db, key, after, expiresAtOf(Database.get(db, key))), 1, raised]
  })
  return Effect.tap(step, () => (propagated === undefined ? Effect.void : propagateAs(propagated)))
}

/** XTRIM key MAXLEN|MINID [=|~] threshold [LIMIT count] (xtrimCommand). */
export const xtrim: Handler<Store> = (args, session) => {
  const parsed = parseAddOrTrim(args, false)
  if (Either.isLeft(parsed)) return Effect.fail(parsed.left)
  const trim = parsed.right.trim
  if (trim === undefined) return Effect.fail(failure(Errors.streamXtrimWithoutStrategy))
  const key = args[1]
  let propagated: ReadonlyArray<Command> | undefined
  const step = transact(session, [key], (db): Step => {
    const found = streamAt(db, key)
    if (Either.isLeft(found)) return unchanged(db, Either.left(found.left))
    if (found.right === undefined) return unchanged(db, reply(integer(0)))
    const [after, trimmed] = trimStream(found.right, trim)
    if (trimmed === 0) {
      const next = after === found.right ? db : Database.put(db, key, after, expiresAtOf(Database.get(db, key)))
      return [reply(integer(0)), next, 0]
    }
    propagated = [rewrittenTrim(args, parsed.right, after)]
    return [reply(integer(trimmed)), Database.put(db, key, after, expiresAtOf(Database.get(db, key))), trimmed, events(key, ["xtrim"])]
  })
  return Effect.tap(step, () => (propagated === undefined ? Effect.void : propagateAs(propagated)))
}

export const xlen: Handler<Store> = (args, session) =>
  transactReading(session, [args[1]], (db) =>
    unchanged(db, Either.map(streamAt(db, args[1]), (stream) => integer(stream?.length ?? 0))), true)

/** XRANGE / XREVRANGE key start end [COUNT count] (xrangeGenericCommand). */
const ranging = (reverse: boolean): Handler<Store> => (args, session) => {
  const [startArgument, endArgument] = reverse ? [args[3], args[2]] : [args[2], args[3]]
  const start = parseIntervalId(startArgument, 0n)
  if (Either.isLeft(start)) return Effect.fail(start.left)
  const startId = start.right.exclusive ? nextId(start.right.id) : start.right.id
  if (startId === undefined) return Effect.fail(failure(Errors.streamInvalidStart))
  const end = parseIntervalId(endArgument, uint64Max)
  if (Either.isLeft(end)) return Effect.fail(end.left)
  const endId = end.right.exclusive ? previousId(end.right.id) : end.right.id
  if (endId === undefined) return Effect.fail(failure(Errors.streamInvalidEnd))
  let count = -1n
  for (let j = 4; j < args.length; j++) {
    if (args[j].toLowerCase() !== "count" || j + 1 >= args.length) return Effect.fail(failure(Errors.syntaxError))
    const given = parseInt64(args[j + 1])
    if (given === undefined) return Effect.fail(failure(Errors.notInteger))
    count = given < 0n ? 0n : given
    j++
  }
  return transactReading(session, [args[1]], (db) =>
    unchanged(db, Either.map(streamAt(db, args[1]), (stream): RespValue => {
      if (stream === undefined) return array([])
      if (count === 0n) return nullArray
      const limit = count === -1n ? 0 : Number(count > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : count)
      const entries = entriesInRange(stream, startId, endId, limit, reverse)
      return array(entries.map(entryReply))
    })), true)
}

export const xrange = ranging(false)
export const xrevrange = ranging(true)

/** XSETID key last-id [ENTRIESADDED entries-added] [MAXDELETEDID max-deleted-id] (xsetidCommand). */
export const xsetid: Handler<Store> = (args, session) => {
  const id = parseStrictId(args[2])
  if (Either.isLeft(id)) return Effect.fail(id.left)
  let entriesAdded: bigint | undefined
  let maxDeletedId: StreamId | undefined
  for (let i = 3; i < args.length; i += 2) {
    const option = args[i].toLowerCase()
    if (option === "entriesadded" && i + 1 < args.length) {
      const given = parseInt64(args[i + 1])
      if (given === undefined) return Effect.fail(failure(Errors.notInteger))
      if (given < 0n) return Effect.fail(failure(Errors.streamXsetidEntriesAddedNegative))
      entriesAdded = given
    } else if (option === "maxdeletedid" && i + 1 < args.length) {
      const given = parseStrictId(args[i + 1])
      if (Either.isLeft(given)) return Effect.fail(given.left)
      if (compareIds(id.right, given.right) < 0) return Effect.fail(failure(Errors.streamXsetidBelowMaxDeleted))
      maxDeletedId = given.right
    } else {
      return Effect.fail(failure(Errors.syntaxError))
    }
  }
  const key = args[1]
  return transact(session, [key], (db): Step => {
    const found = streamAt(db, key)
    if (Either.isLeft(found)) return unchanged(db, Either.left(found.left))
    const stream = found.right
    if (stream === undefined) return stepFailure(db, Errors.noSuchKey)
    if (stream.length > 0) {
      if (compareIds(id.right, lastValidId(stream)) < 0) return stepFailure(db, Errors.streamXsetidBelowTop)
      if (entriesAdded !== undefined && BigInt(stream.length) > entriesAdded) return stepFailure(db, Errors.streamXsetidBelowLength)
    }
    const kept = maxDeletedId !== undefined && compareIds(maxDeletedId, zeroId) === 0 ? undefined : maxDeletedId
    const after = withLastId(stream, id.right, entriesAdded, kept)
    return [reply(ok), Database.put(db, key, after, expiresAtOf(Database.get(db, key))), 1, events(key, ["xsetid"])]
  })
}

const streamRow = groupRow("stream")

export const streamCommands: ReadonlyArray<CommandSpec<Store>> = [
  streamRow("xadd", -5, ["write", "denyoom", "fast"], [1, 1, 1], "Appends a new entry to a stream", "5.0.0", xadd),
  streamRow("xlen", 2, ["readonly", "fast"], [1, 1, 1], "Return the number of entries in a stream", "5.0.0", xlen),
  streamRow("xrange", -4, ["readonly"], [1, 1, 1], "Return a range of elements in a stream, with IDs matching the specified IDs interval",
    "5.0.0", xrange),
  streamRow("xrevrange", -4, ["readonly"], [1, 1, 1],
    "Return a range of elements in a stream, with IDs matching the specified IDs interval, in reverse order (from greater to smaller IDs) compared to XRANGE",
    "5.0.0", xrevrange),
  streamRow("xsetid", -3, ["write", "denyoom", "fast"], [1, 1, 1], "An internal command for replicating stream values", "5.0.0", xsetid),
  streamRow("xtrim", -4, ["write"], [1, 1, 1], "Trims the stream to (approximately if '~' is passed) a certain size", "5.0.0", xtrim),
  ...xreadCommands
]

/**
 * XREAD [COUNT count] [BLOCK milliseconds] STREAMS key [key ...] id [id ...]
 * (t_stream.c xreadCommand, without GROUP): the entries after each given ID
 * (`$`: the stream's last ID now), from every stream that has some; with
 * BLOCK and nothing to serve, the client waits (state/Blocking.ts) until an
 * XADD gives one of its streams an entry past its ID (blocked.c
 * serveClientsBlockedOnStreamKey: that stream alone is served, at most COUNT
 * or 1000 entries), the timeout passes (a null array) or CLIENT UNBLOCK.
 * Inside EXEC it answers a null array at once (CLIENT_DENY_BLOCKING).
 */
import { Effect, Either } from "effect"
import * as Errors from "../errors.js"
import type { CommandError } from "../errors.js"
import { parseInt64 } from "../int64.js"
import { array, bulk, type ByteString, map, nullArray, type ProtocolVersion, type RespValue } from "../resp/values.js"
import type { Served } from "../state/Blocking.js"
import * as Database from "../store/database.js"
import { valueOf } from "../store/entry.js"
import type { Store } from "../store/Store.js"
import { compareIds, entriesInRange, formatId, lastValidId, maxId, nextId, type StreamEntry, type StreamId, type StreamValue } from "../values/stream.js"
import { readStream } from "../values/stream-type.js"
import { serveOrBlock } from "./blocking-command.js"
import { failure } from "./keyspace-step.js"
import { groupRow } from "./row.js"
import { parseStrictId } from "./stream-arguments.js"
import type { CommandSpec, Handler } from "./types.js"

/** The key's stream (undefined when missing), or WRONGTYPE. */
export const streamAt = (database: Database.Database, key: ByteString): Either.Either<StreamValue | undefined, CommandError> => {
  const stored = Database.get(database, key)
  return readStream(stored === undefined ? undefined : valueOf(stored))
}

/** An entry as replies give it: its ID, then its fields and values (addReplyStreamID, streamReplyWithRange). */
export const entryReply = (entry: StreamEntry): RespValue => array([bulk(formatId(entry.id)), array(entry.pairs.map(bulk))])

/** XREAD_BLOCKED_DEFAULT_COUNT: what a blocked XREAD without COUNT is served at most. */
const blockedDefaultCount = 1000

interface XreadArguments {
  readonly count: number
  /** Milliseconds; undefined without BLOCK, 0 waits forever. */
  readonly blockMs: number | undefined
  readonly keys: ReadonlyArray<ByteString>
  /** Each stream's ID argument (`$` resolved against the database). */
  readonly ids: ReadonlyArray<ByteString>
}

const clampCount = (count: bigint): number => (count > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(count))

/** xreadCommand's option loop. */
const parseXread = (args: ReadonlyArray<ByteString>): Either.Either<XreadArguments, CommandError> => {
  let count = 0
  let blockMs: number | undefined
  for (let i = 1; i < args.length; i++) {
    const moreArgs = args.length - i - 1
    const option = args[i].toLowerCase()
    if (option === "block" && moreArgs > 0) {
      i++
      const timeout = parseInt64(args[i])
      if (timeout === undefined) return Either.left(failure(Errors.timeoutNotInteger))
      if (timeout < 0n) return Either.left(failure(Errors.timeoutNegative))
      blockMs = clampCount(timeout)
    } else if (option === "count" && moreArgs > 0) {
      i++
      const given = parseInt64(args[i])
      if (given === undefined) return Either.left(failure(Errors.notInteger))
      count = given < 0n ? 0 : clampCount(given)
    } else if (option === "streams" && moreArgs > 0) {
      const rest = args.slice(i + 1)
      if (rest.length % 2 !== 0) return Either.left(failure(Errors.streamXreadUnbalanced))
      const half = rest.length / 2
      return Either.right({ count, blockMs, keys: rest.slice(0, half), ids: rest.slice(half) })
    } else if (option === "group" && moreArgs >= 2) {
      return Either.left(failure(Errors.streamXreadGroupOption))
    } else if (option === "noack") {
      return Either.left(failure(Errors.streamXreadNoackOption))
    } else {
      return Either.left(failure(Errors.syntaxError))
    }
  }
  return Either.left(failure(Errors.syntaxError))
}

/** Each stream's ID to read after: `$` its last ID (0-0 when missing); WRONGTYPE or an ID error in key order. */
const resolveIds = (database: Database.Database, read: XreadArguments): Either.Either<Array<StreamId>, CommandError> => {
  const ids: Array<StreamId> = []
  for (let i = 0; i < read.keys.length; i++) {
    const found = streamAt(database, read.keys[i])
    if (Either.isLeft(found)) return Either.left(found.left)
    const argument = read.ids[i]
    if (argument === "$") {
      ids.push(found.right?.lastId ?? { ms: 0n, seq: 0n })
      continue
    }
    if (argument === ">") return Either.left(failure(Errors.streamXreadGreaterId))
    const id = parseStrictId(argument)
    if (Either.isLeft(id)) return Either.left(id.left)
    ids.push(id.right)
  }
  return Either.right(ids)
}

/** The reply naming each served stream and its entries: an array of pairs (RESP2), a map (RESP3). */
const streamsReply = (served: ReadonlyArray<readonly [ByteString, ReadonlyArray<StreamEntry>]>, protocol: ProtocolVersion): RespValue =>
  protocol === 3
    ? map(served.map(([key, entries]) => [bulk(key), array(entries.map(entryReply))] as const))
    : array(served.map(([key, entries]) => array([bulk(key), array(entries.map(entryReply))])))

/** The entries after `after` (none past the last ID: nextId is undefined). */
const entriesAfter = (stream: StreamValue, after: StreamId, count: number): ReadonlyArray<StreamEntry> => {
  const start = nextId(after)
  return start === undefined ? [] : entriesInRange(stream, start, maxId, count)
}

export const xread: Handler<Store> = (args, session) => {
  const parsed = parseXread(args)
  if (Either.isLeft(parsed)) return Effect.fail(parsed.left)
  const read = parsed.right
  /** Resolved on the first run (`$` reads the stream as the command finds it). */
  let after: ReadonlyArray<StreamId> = []
  const protocol = session.protocol
  return serveOrBlock(session, {
    keys: read.keys,
    timeoutMs: read.blockMs ?? 0,
    timeoutReply: nullArray,
    deniedReply: nullArray,
    now: (database) => {
      const ids = resolveIds(database, read)
      if (Either.isLeft(ids)) return Either.left(ids.left)
      after = ids.right
      const served: Array<readonly [ByteString, ReadonlyArray<StreamEntry>]> = []
      for (let i = 0; i < read.keys.length; i++) {
        const stream = Either.getOrUndefined(streamAt(database, read.keys[i]))
        // served at once when an entry past the ID is live (streamLastValidID)
        if (stream === undefined || stream.length === 0 || compareIds(lastValidId(stream), after[i]) <= 0) continue
        served.push([read.keys[i], entriesAfter(stream, after[i], read.count)])
      }
      if (served.length > 0) return Either.right(ready(database, streamsReply(served, protocol)))
      return Either.right(read.blockMs === undefined ? ready(database, nullArray) : undefined)
    },
    serve: (database, key) => {
      const stream = Either.getOrUndefined(streamAt(database, key))
      const index = read.keys.indexOf(key)
      if (stream === undefined || index < 0 || compareIds(stream.lastId, after[index]) <= 0) return undefined
      const entries = entriesAfter(stream, after[index], read.count === 0 ? blockedDefaultCount : read.count)
      return ready(database, streamsReply([[key, entries]], protocol))
    }
  })
}

/** A reply that changes nothing. */
const ready = (database: Database.Database, reply: RespValue): Served => ({
  outcome: Either.right(reply),
  database,
  changes: 0,
  events: [],
  propagate: []
})

export const xreadCommands: ReadonlyArray<CommandSpec<Store>> = [
  groupRow("stream")("xread", -4, ["readonly", "blocking", "movablekeys"], [0, 0, 0],
    "Return never seen elements in multiple streams, with IDs greater than the ones reported by the caller for each stream. Can block.",
    "5.0.0", xread)
]

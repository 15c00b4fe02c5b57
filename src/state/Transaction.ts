/**
 * A connection's transaction state (Redis's `client.mstate`, `watched_keys`
 * and the CLIENT_MULTI / CLIENT_DIRTY_EXEC / CLIENT_DIRTY_CAS flags, multi.c),
 * and the server's registry of watched keys (`db->watched_keys`).
 *
 * A watched key counts as touched (EXEC answers a null array) when
 * - a command raised a keyspace event on it (signalModifiedKey ->
 *   touchWatchedKey, by any client, this one included): the registry hears
 *   every committed update's events from the Store, so every value type is
 *   covered without code of its own; a write command that changed the
 *   dataset but raised no event touches the keys it names (until every
 *   command reports its events);
 * - SWAPDB put another database under it (touchAllWatchedKeysInDb);
 * - its entry is no longer the one WATCH saw (every stored entry is
 *   immutable, so the entry object itself is the key's version): FLUSHDB,
 *   FLUSHALL and deletions by expiry or eviction change it without a command
 *   naming it (touchAllWatchedKeysInDb touches only keys that exist, as here);
 * - it has expired since WATCH (isWatchedKeyExpired), unless it already had.
 */
import type { CommandFlag } from "../commands/types.js"
import * as Errors from "../errors.js"
import { type ByteString, type Command, error, type RespValue } from "../resp/values.js"
import { type Entry, isExpired, type Keyspace } from "../store/entry.js"
import type { KeyspaceEvent } from "../store/keyspace-events.js"
import * as Hamt from "../structures/hamt.js"

/** One queued command, as the client sent it, with its command's flags (EXEC's OOM and MISCONF checks read them). */
export interface QueuedCommand {
  readonly args: Command
  readonly flags: ReadonlyArray<CommandFlag>
}

/** A key this connection watches, with the entry WATCH saw (undefined: none) and whether it had expired then. */
export interface WatchedKey {
  readonly db: number
  readonly key: ByteString
  readonly entry: Entry | undefined
  readonly expiredAtWatch: boolean
}

/** Which replies the client gets (CLIENT REPLY): all, none, or none for the next command. */
export type ReplyMode = "on" | "off" | "skip-this" | "skip-next"

export interface ClientTransaction {
  /** The commands queued since MULTI; undefined outside MULTI. */
  queued: Array<QueuedCommand> | undefined
  /** A command was refused while queueing (CLIENT_DIRTY_EXEC): EXEC answers EXECABORT. */
  aborted: boolean
  /** A watched key was touched (CLIENT_DIRTY_CAS): EXEC answers a null array. */
  touched: boolean
  watched: Array<WatchedKey>
  /** The registry the watched keys are in (set by the first WATCH). */
  registry: WatchRegistry | undefined
  replies: ReplyMode
  /**
   * EXEC is running the queued commands (execCommand's CLIENT_DENY_BLOCKING):
   * a blocking command (BLPOP ...) must answer at once as if it timed out,
   * never wait. Read it through `mayBlock`.
   */
  executing: boolean
  /** The commands the last EXEC ran, for the connection to show in MONITOR and SLOWLOG before EXEC itself. */
  ran: Array<ExecutedCommand>
}

export interface ExecutedCommand {
  readonly args: Command
  readonly db: number
  readonly durationMicros: number
  /** Its commandstats name (`config|get`). */
  readonly name: string | undefined
  readonly reply: RespValue
  /** Run by a script's redis.call: counted in commandstats as it ran; MONITOR and SLOWLOG show the script's client. */
  readonly byScript?: boolean
  /** A script's EVAL or FCALL as MONITOR shows it, before the script's commands (eval.c feeds it first); nothing else sees it. */
  readonly monitorOnly?: boolean
}

export const makeClientTransaction = (): ClientTransaction => ({
  queued: undefined,
  aborted: false,
  touched: false,
  watched: [],
  registry: undefined,
  replies: "on",
  executing: false,
  ran: []
})

const watchId = (db: number, key: ByteString): string => `${db}:${key}`

/** The server's watched keys: who watches each (db, key). */
export class WatchRegistry {
  private readonly watchers = new Map<string, Set<ClientTransaction>>()

  /** Whether any client watches any key (the guard only then follows writes). */
  active(): boolean {
    return this.watchers.size > 0
  }

  add(transaction: ClientTransaction, watched: WatchedKey): void {
    const id = watchId(watched.db, watched.key)
    if (transaction.watched.some((known) => known.db === watched.db && known.key === watched.key)) return
    transaction.watched.push(watched)
    transaction.registry = this
    const set = this.watchers.get(id)
    if (set === undefined) this.watchers.set(id, new Set([transaction]))
    else set.add(transaction)
  }

  remove(transaction: ClientTransaction): void {
    for (const { db, key } of transaction.watched) {
      const id = watchId(db, key)
      const set = this.watchers.get(id)
      set?.delete(transaction)
      if (set !== undefined && set.size === 0) this.watchers.delete(id)
    }
  }

  /** touchWatchedKey: every client watching `key` in `db` sees its EXEC fail. */
  touch(db: number, key: ByteString): void {
    const set = this.watchers.get(watchId(db, key))
    if (set !== undefined) for (const transaction of set) transaction.touched = true
  }

  /** How many updates with events the registry heard (a command that raised none falls back to its keys). */
  heardUpdates = 0

  /** The Store's listener: each event but a miss or an expiry (the entry check sees those) touches its key. */
  readonly hear = (db: number, events: ReadonlyArray<KeyspaceEvent>): void => {
    this.heardUpdates++
    if (this.watchers.size === 0) return
    for (const event of events) {
      if (event.eventClass !== "keymiss" && event.eventClass !== "expired") this.touch(db, event.key)
    }
  }

  /**
   * touchAllWatchedKeysInDb(emptied, replacedWith) for SWAPDB: a key watched in
   * `db` is touched when it existed in either database, unless it was expired
   * at WATCH and is now missing or expired, or it appears only already expired.
   */
  touchSwapped(db: number, emptied: Keyspace, replacedWith: Keyspace, nowMs: number): void {
    for (const [id, set] of this.watchers) {
      if (!id.startsWith(`${db}:`)) continue
      const key = id.slice(`${db}:`.length)
      const before = Hamt.get(emptied, key)
      const after = Hamt.get(replacedWith, key)
      if (before === undefined && after === undefined) continue
      const afterExpired = after !== undefined && isExpired(after, nowMs)
      for (const transaction of set) {
        const watched = transaction.watched.find((known) => known.db === db && known.key === key)
        if (watched?.expiredAtWatch === true && (after === undefined || afterExpired)) continue
        if (before === undefined && afterExpired) continue
        transaction.touched = true
      }
    }
  }
}

/** Whether a blocking command of this connection may wait (not inside EXEC: Redis's CLIENT_DENY_BLOCKING). */
export const mayBlock = (transaction: ClientTransaction): boolean => !transaction.executing

/** unwatchAllKeys. */
export const unwatchAll = (transaction: ClientTransaction): void => {
  transaction.registry?.remove(transaction)
  transaction.watched = []
  transaction.touched = false
}

/** discardTransaction: leaves MULTI and unwatches every key. */
export const discardTransaction = (transaction: ClientTransaction): void => {
  transaction.queued = undefined
  transaction.aborted = false
  unwatchAll(transaction)
}

/**
 * Whether the connection gets the reply of the command that just ran, moving
 * CLIENT REPLY SKIP on (networking.c: CLIENT_REPLY_SKIP_NEXT becomes
 * CLIENT_REPLY_SKIP after the command that set it, then is cleared).
 */
export const takeReplyWanted = (transaction: ClientTransaction): boolean => {
  switch (transaction.replies) {
    case "on":
      return true
    case "off":
      return false
    case "skip-next":
      transaction.replies = "skip-this"
      return false
    case "skip-this":
      transaction.replies = "on"
      return false
  }
}

/** Whether processCommand queues (or refuses) this command rather than calls it: MULTI is open and it is not one of transactionControl. */
export const queues = (transaction: ClientTransaction, name: string): boolean =>
  transaction.queued !== undefined && !transactionControl.has(name)

/** The commands the last EXEC ran, handed over once. */
export const takeExecuted = (transaction: ClientTransaction): ReadonlyArray<ExecutedCommand> => {
  const ran = transaction.ran
  if (ran.length > 0) transaction.ran = []
  return ran
}

/** The commands processCommand never queues: they act on the transaction itself. */
export const transactionControl: ReadonlySet<string> = new Set(["exec", "discard", "multi", "watch", "quit", "reset"])

/** Whether a queued command has `flag` (Redis's `mstate.cmd_flags`). */
export const queuedWith = (transaction: ClientTransaction, flag: CommandFlag): boolean =>
  transaction.queued?.some((command) => command.flags.includes(flag)) ?? false

/**
 * processCommand's reject_cmd_on_oom: a denyoom command; EXEC when a queued
 * command is one; and, inside MULTI, anything but EXEC, DISCARD, QUIT and RESET.
 */
export const refusedWhenOutOfMemory = (
  name: string,
  flags: ReadonlyArray<CommandFlag>,
  transaction: ClientTransaction
): boolean =>
  flags.includes("denyoom") ||
  (name === "exec" ? queuedWith(transaction, "denyoom") :
    transaction.queued !== undefined && name !== "discard" && name !== "quit" && name !== "reset")

/** processCommand's is_write_command: a write command, or EXEC when a queued command writes. */
export const writesToDisk = (name: string, flags: ReadonlyArray<CommandFlag>, transaction: ClientTransaction): boolean =>
  flags.includes("write") || (name === "exec" && queuedWith(transaction, "write"))

/**
 * A command refused before it ran (unknown, wrong arity, OOM, MISCONF) while
 * MULTI is open: flagTransaction, so EXEC answers EXECABORT; EXEC itself
 * refused discards the transaction with the reason (execCommandAbort).
 * Errors of MULTI, WATCH and DISCARD themselves flag nothing.
 */
export const refusedInTransaction = (transaction: ClientTransaction, name: string, message: string): string => {
  if (transaction.queued === undefined) return message
  if (name === "exec") {
    discardTransaction(transaction)
    return Errors.execAbortBecause(message)
  }
  if (!transactionControl.has(name)) transaction.aborted = true
  return message
}

/** `reply` (a rejection's error) as refusedInTransaction leaves it. */
export const rejectionReply = (transaction: ClientTransaction, name: string, reply: RespValue): RespValue =>
  reply._tag === "Error" && transaction.queued !== undefined
    ? error(refusedInTransaction(transaction, name, reply.message))
    : reply

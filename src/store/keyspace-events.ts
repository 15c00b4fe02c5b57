/**
 * Keyspace events (Redis's notify.c): what a command did to a key, as the
 * transition that did it reports it. A transition lists its events in the
 * order Redis's notifyKeyspaceEvent calls happen; the Store publishes them
 * after the update commits (keyspace notifications, client tracking, WATCH).
 *
 * Commands report only their own events. The Store adds the ones Redis raises
 * below the commands: `new` (dbAdd), `expired` (lazy and active expiry),
 * `keymiss` (lookupKeyRead), and the eviction guard adds `evicted`.
 */
import type { ByteString } from "../resp/values.js"

/** The classes of notify-keyspace-events (server.h NOTIFY_*), one per flag character. */
export type KeyspaceEventClass =
  | "generic" // g
  | "string" // $
  | "list" // l
  | "set" // s
  | "hash" // h
  | "zset" // z
  | "expired" // x
  | "evicted" // e
  | "stream" // t
  | "keymiss" // m
  | "module" // d
  | "new" // n

/** One notifyKeyspaceEvent(type, event, key, dbid) call; the database is the transition's. */
export interface KeyspaceEvent {
  readonly eventClass: KeyspaceEventClass
  /** The event name as it appears on the channel or in the message: "set", "del", "lpush", "expire" ... */
  readonly event: string
  readonly key: ByteString
}

export const keyspaceEvent = (eventClass: KeyspaceEventClass, event: string, key: ByteString): KeyspaceEvent => ({
  eventClass,
  event,
  key
})

export const noEvents: ReadonlyArray<KeyspaceEvent> = []

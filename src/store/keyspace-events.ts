/**
 * Keyspace events (Redis's notify.c): what a command did to a key, as the
 * transition that did it reports it. A transition lists its events in the
 * order Redis's notifyKeyspaceEvent calls happen; the Store publishes them
 * after the update commits (keyspace notifications, client tracking, WATCH).
 *
 * Commands report only their own events. The Store adds the ones Redis raises
 * below the commands: `new` (dbAdd), `expired` (lazy and active expiry),
 * `keymiss` (lookupKeyRead), and the eviction guard adds `evicted`.
 *
 * `new`: `Database.put` notes each key it adds while a step runs; the Store
 * puts the key's `new` right before the step's first event naming it (dbAdd
 * comes before the command's notifyKeyspaceEvent: SET, MSET's pairs, SMOVE's
 * destination after the source's srem). A command whose dbAdd replaces a key
 * it deleted first, or comes before events on other keys (RENAME, COPY and
 * RESTORE with REPLACE), reports its `new` itself; the Store adds none for a
 * key the step already reported one for.
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

export const newKeyEvent = (key: ByteString): KeyspaceEvent => keyspaceEvent("new", "new", key)

/**
 * A step's events with a `new` for each key it added (`added`, in order),
 * right before the first event naming that key (at the end when none does),
 * except for keys the step reported a `new` for itself.
 */
export const withAddedKeys = (
  events: ReadonlyArray<KeyspaceEvent>,
  added: ReadonlyArray<ByteString>
): ReadonlyArray<KeyspaceEvent> => {
  if (added.length === 0) return events
  const result = [...events]
  for (const key of added) {
    if (result.some((event) => event.eventClass === "new" && event.key === key)) continue
    const first = result.findIndex((event) => event.key === key)
    result.splice(first < 0 ? result.length : first, 0, newKeyEvent(key))
  }
  return result
}

/** The same removals told as evictions (evict.c performEvictions raises `evicted`, not the DEL's `del`). */
export const asEvictions = (events: ReadonlyArray<KeyspaceEvent>): ReadonlyArray<KeyspaceEvent> =>
  events.filter((event) => event.event === "del").map((event) => keyspaceEvent("evicted", "evicted", event.key))

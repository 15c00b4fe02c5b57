/** The keyspace events of the SET family (t_string.c), shared by its commands. */
import type { ByteString } from "../resp/values.js"
import { keyspaceEvent, type KeyspaceEvent } from "../store/keyspace-events.js"

/** setGenericCommand's events: `set`, then `expire` when it set a TTL. */
export const setEvents = (key: ByteString, expires: boolean): ReadonlyArray<KeyspaceEvent> =>
  expires ? [keyspaceEvent("string", "set", key), keyspaceEvent("generic", "expire", key)] : [keyspaceEvent("string", "set", key)]

/** msetGenericCommand: a `set` per pair, in order. */
export const pairEvents = (pairs: ReadonlyArray<readonly [ByteString, ByteString]>): ReadonlyArray<KeyspaceEvent> =>
  pairs.map(([key]) => keyspaceEvent("string", "set", key))

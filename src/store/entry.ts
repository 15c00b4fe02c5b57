/**
 * What the keyspace holds: a key's value and its optional expiry.
 *
 * Memory per key matters (a million keys is an ordinary dataset), so an entry
 * has two shapes: a persistent key's entry is its value itself, with no
 * wrapper object; only a key with a TTL carries a `VolatileEntry`, which also
 * names its key so that the database's `expires` map can hold the entry itself.
 * Read entries through `valueOf` / `expiresAtOf`.
 */
import type { ByteString } from "../resp/values.js"
import type { HamtMap } from "../structures/hamt.js"
import type { StoredValue } from "../values/types.js"

export type { StoredValue }

/** A key with a TTL: its name, its value and its absolute expiry (unix milliseconds). */
export class VolatileEntry {
  constructor(
    readonly key: ByteString,
    readonly value: StoredValue,
    readonly expiresAt: number
  ) {}
}

/** A persistent key's value, or a volatile key's `VolatileEntry`. */
export type Entry = StoredValue | VolatileEntry

/** One database: key -> entry, a persistent hash trie (a snapshot is the map value itself). */
export type Keyspace = HamtMap<Entry>

/** Number of databases, as Redis's default `databases 16`. */
export const databaseCount = 16

/** The entry for `key` holding `value`, expiring at `expiresAt` (unix ms) or never when undefined. */
export const entry = (key: ByteString, value: StoredValue, expiresAt: number | undefined): Entry =>
  expiresAt === undefined ? value : new VolatileEntry(key, value, expiresAt)

export const isVolatile = (entry: Entry): entry is VolatileEntry => entry instanceof VolatileEntry

export const valueOf = (entry: Entry): StoredValue => isVolatile(entry) ? entry.value : entry

/** Absolute expiry in unix milliseconds, or undefined for a persistent (or missing) key. */
export const expiresAtOf = (entry: Entry | undefined): number | undefined =>
  entry !== undefined && isVolatile(entry) ? entry.expiresAt : undefined

/** Redis's keyIsExpired: a key is expired once the clock is past its expiry time. */
export const isExpired = (entry: Entry, nowMs: number): boolean => isVolatile(entry) && nowMs > entry.expiresAt

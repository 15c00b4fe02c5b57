/**
 * What the keyspace holds: a key's value and its optional expiry.
 */
import type { HashMap } from "effect"
import type { ByteString } from "../resp/values.js"

/** A stored value. Only Redis strings exist so far (as byte strings). */
export type StoredValue = ByteString

export interface Entry {
  readonly value: StoredValue
  /** Absolute expiry in unix milliseconds, or undefined for a persistent key. */
  readonly expiresAt: number | undefined
}

/** One database: key -> entry, an immutable HashMap. */
export type Keyspace = HashMap.HashMap<ByteString, Entry>

/** Number of databases, as Redis's default `databases 16`. */
export const databaseCount = 16

export const entry = (value: StoredValue, expiresAt: number | undefined): Entry => ({ value, expiresAt })

/** Redis's keyIsExpired: a key is expired once the clock is past its expiry time. */
export const isExpired = (entry: Entry, nowMs: number): boolean =>
  entry.expiresAt !== undefined && nowMs > entry.expiresAt

/**
 * One database as pure data: the keyspace plus an index of its volatile keys
 * ordered by expiry time (Redis keeps a second `expires` dict; an ordered index
 * lets the active expiry find expired keys without sampling misses).
 *
 * Every change to a key goes through `put` / `remove` so both stay in step.
 */
import { HashMap, Option, Order, RedBlackTree } from "effect"
import type { ByteString } from "../resp/values.js"
import { type Entry, entry, isExpired, isVolatile, type Keyspace, type StoredValue, type VolatileEntry } from "./entry.js"

/**
 * The expiry index orders volatile entries by expiry time, then key. Each
 * entry is its own index key (it names its key), so the index holds no copy.
 */
const expiryOrder: Order.Order<VolatileEntry> = Order.combine(
  Order.mapInput(Order.number, (entry: VolatileEntry) => entry.expiresAt),
  Order.mapInput(Order.string, (entry: VolatileEntry) => entry.key)
)

export interface Database {
  readonly keyspace: Keyspace
  readonly expiries: RedBlackTree.RedBlackTree<VolatileEntry, true>
}

export const emptyDatabase: Database = {
  keyspace: HashMap.empty(),
  expiries: RedBlackTree.empty(expiryOrder)
}

/** Builds a database from a keyspace (RDB load), indexing its volatile keys. */
export const fromKeyspace = (keyspace: Keyspace): Database => {
  let expiries = emptyDatabase.expiries
  for (const stored of HashMap.values(keyspace)) {
    if (isVolatile(stored)) expiries = RedBlackTree.insert(expiries, stored, true)
  }
  return { keyspace, expiries }
}

export const get = (db: Database, key: ByteString): Entry | undefined =>
  Option.getOrUndefined(HashMap.get(db.keyspace, key))

export const size = (db: Database): number => HashMap.size(db.keyspace)

const unindex = (expiries: Database["expiries"], previous: Entry | undefined) =>
  previous !== undefined && isVolatile(previous) ? RedBlackTree.removeFirst(expiries, previous) : expiries

/** Sets `key` to `value`, expiring at `expiresAt` (unix ms; undefined: never), replacing any previous entry. */
export const put = (db: Database, key: ByteString, value: StoredValue, expiresAt: number | undefined): Database => {
  const stored = entry(key, value, expiresAt)
  const expiries = unindex(db.expiries, get(db, key))
  return {
    keyspace: HashMap.set(db.keyspace, key, stored),
    expiries: isVolatile(stored) ? RedBlackTree.insert(expiries, stored, true) : expiries
  }
}

export const remove = (db: Database, key: ByteString): Database => {
  const previous = get(db, key)
  return previous === undefined ? db : {
    keyspace: HashMap.remove(db.keyspace, key),
    expiries: unindex(db.expiries, previous)
  }
}

/** Redis's expireIfNeeded for a set of keys: removes those whose time is past. */
export const expireKeys = (db: Database, keys: Iterable<ByteString>, nowMs: number): Database => {
  let result = db
  for (const key of keys) {
    const stored = get(result, key)
    if (stored !== undefined && isExpired(stored, nowMs)) result = remove(result, key)
  }
  return result
}

/**
 * Removes up to `limit` expired keys, earliest expiry first; returns the new
 * database and how many keys it removed. Cost: O(removed · log volatile).
 */
export const reclaimExpired = (db: Database, nowMs: number, limit: number): readonly [Database, number] => {
  const expired: Array<ByteString> = []
  for (const volatile of RedBlackTree.keys(db.expiries)) {
    if (expired.length >= limit || volatile.expiresAt >= nowMs) break
    expired.push(volatile.key)
  }
  let result = db
  for (const key of expired) result = remove(result, key)
  return [result, expired.length]
}

/**
 * One database as pure data: the keyspace plus an index of its volatile keys
 * ordered by expiry time (Redis keeps a second `expires` dict; an ordered index
 * lets the active expiry find expired keys without sampling misses).
 *
 * Every change to a key goes through `put` / `remove` so both stay in step.
 */
import { HashMap, Option, Order, RedBlackTree } from "effect"
import type { ByteString } from "../resp/values.js"
import { type Entry, isExpired, type Keyspace } from "./entry.js"

/**
 * A volatile key's place in the expiry index: its expiry time (unix ms,
 * zero-padded to a fixed width so string order is time order) then the key.
 * A primitive string keeps the tree's comparisons and equality cheap.
 */
export type ExpiryKey = string

const timeWidth = 20

const expiryKey = (expiresAt: number, key: ByteString): ExpiryKey => String(expiresAt).padStart(timeWidth, "0") + key

const expiryTime = (expiry: ExpiryKey): number => Number(expiry.slice(0, timeWidth))

const expiryKeyName = (expiry: ExpiryKey): ByteString => expiry.slice(timeWidth)

export interface Database {
  readonly keyspace: Keyspace
  readonly expiries: RedBlackTree.RedBlackTree<ExpiryKey, true>
}

export const emptyDatabase: Database = {
  keyspace: HashMap.empty(),
  expiries: RedBlackTree.empty(Order.string)
}

/** Builds a database from a keyspace (RDB load), indexing its volatile keys. */
export const fromKeyspace = (keyspace: Keyspace): Database => {
  let expiries = emptyDatabase.expiries
  for (const [key, stored] of keyspace) {
    if (stored.expiresAt !== undefined) expiries = RedBlackTree.insert(expiries, expiryKey(stored.expiresAt, key), true)
  }
  return { keyspace, expiries }
}

export const get = (db: Database, key: ByteString): Entry | undefined =>
  Option.getOrUndefined(HashMap.get(db.keyspace, key))

export const size = (db: Database): number => HashMap.size(db.keyspace)

const unindex = (expiries: Database["expiries"], key: ByteString, previous: Entry | undefined) =>
  previous?.expiresAt === undefined ? expiries : RedBlackTree.removeFirst(expiries, expiryKey(previous.expiresAt, key))

/** Sets `key` to `stored`, replacing any previous entry and its expiry. */
export const put = (db: Database, key: ByteString, stored: Entry): Database => {
  const expiries = unindex(db.expiries, key, get(db, key))
  return {
    keyspace: HashMap.set(db.keyspace, key, stored),
    expiries: stored.expiresAt === undefined ? expiries : RedBlackTree.insert(expiries, expiryKey(stored.expiresAt, key), true)
  }
}

export const remove = (db: Database, key: ByteString): Database => {
  const previous = get(db, key)
  return previous === undefined ? db : {
    keyspace: HashMap.remove(db.keyspace, key),
    expiries: unindex(db.expiries, key, previous)
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
  const expired: Array<ExpiryKey> = []
  for (const expiryKey of RedBlackTree.keys(db.expiries)) {
    if (expired.length >= limit || expiryTime(expiryKey) >= nowMs) break
    expired.push(expiryKeyName(expiryKey))
  }
  let result = db
  for (const key of expired) result = remove(result, key)
  return [result, expired.length]
}

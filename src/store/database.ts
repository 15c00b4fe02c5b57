/**
 * One database as pure data, as Redis's redisDb: the keyspace (key -> entry)
 * and `expires`, the volatile keys alone (key -> its `VolatileEntry`, no copy),
 * both persistent hash tries (structures/hamt.ts). `expires` lets the active
 * expiry cycle sample volatile keys at random (expire.c) and the volatile-*
 * eviction policies sample among them (evict.c).
 *
 * Every change to a key goes through `put` / `remove` so both stay in step.
 *
 * Batches: `openBatch` gives a database whose changes are made under one
 * edit token, in place on the nodes the batch itself created, and
 * `closeBatch` closes the token and gives the database to publish. A
 * database made before `openBatch` (a snapshot being saved) never changes.
 * Inside a batch only the database last derived may be used: every function
 * here checks that, and a batch that used an older one is reported by
 * `closeBatch` so that its caller runs it again without an edit.
 */
import type { ByteString } from "../resp/values.js"
import * as Hamt from "../structures/hamt.js"
import { type Entry, entry, isExpired, isVolatile, type Keyspace, type StoredValue, type VolatileEntry } from "./entry.js"

export interface Database {
  readonly keyspace: Keyspace
  /** Redis's db->expires: each volatile key mapped to its own entry. */
  readonly expires: Hamt.HamtMap<VolatileEntry>
  /** The open batch this database belongs to; undefined for a published database. */
  readonly batch: Batch | undefined
  /**
   * Where `put` notes each key it adds (Redis's dbAdd, which raises the `new`
   * keyspace event), while the Store runs one step; undefined otherwise.
   */
  readonly added?: Array<ByteString>
}

/** One batch of changes under one edit token. */
class Batch {
  readonly edit = Hamt.beginEdit()
  /** Set when a database other than `latest` was read or changed: the batch's results are not to be trusted. */
  misused = false
  constructor(
    /** The database last derived in this batch: the only one that may be used. */
    public latest: Database
  ) {}
}

export const emptyDatabase: Database = { keyspace: Hamt.empty(), expires: Hamt.empty(), batch: undefined }

/** Builds a database from a keyspace (RDB load), indexing its volatile keys. */
export const fromKeyspace = (keyspace: Keyspace): Database => {
  const keys: Array<ByteString> = []
  const volatile: Array<VolatileEntry> = []
  Hamt.forEach(keyspace, (stored, key) => {
    if (isVolatile(stored)) {
      keys.push(key)
      volatile.push(stored)
    }
  })
  return { keyspace, expires: Hamt.fromArrays(keys, volatile), batch: undefined }
}

/** `db` for changes in place under a new edit token, until `closeBatch`. */
export const openBatch = (db: Database): Database => {
  const batch = new Batch(db)
  const opened: Database = { keyspace: db.keyspace, expires: db.expires, batch }
  batch.latest = opened
  return opened
}

/**
 * Closes the batch `db` belongs to; the database to publish (it never changes
 * again), or undefined when the batch used a database other than its latest
 * (its changes may then have reached that one: run the batch again without one).
 */
export const closeBatch = (db: Database): Database | undefined => {
  const batch = db.batch
  if (batch === undefined) return db
  Hamt.endEdit(batch.edit)
  if (batch.misused || db !== batch.latest) return undefined
  return { keyspace: db.keyspace, expires: db.expires, batch: undefined }
}

/** The edit token to change `db` with (none outside a batch); flags a batch used through an older database. */
const editOf = (db: Database): Hamt.Edit | undefined => {
  const batch = db.batch
  if (batch === undefined) return undefined
  if (db !== batch.latest) batch.misused = true
  return batch.edit
}

/**
 * `db` noting the keys `put` adds in `added` (a step's dbAdd calls), until
 * `unjournaled`: the journal travels with every database derived from it.
 */
export const journaled = (db: Database, added: Array<ByteString>): Database => {
  const next: Database = { keyspace: db.keyspace, expires: db.expires, batch: db.batch, added }
  if (db.batch !== undefined) {
    editOf(db)
    db.batch.latest = next
  }
  return next
}

/** `db` without its journal. */
export const unjournaled = (db: Database): Database => {
  if (db.added === undefined) return db
  const next: Database = { keyspace: db.keyspace, expires: db.expires, batch: db.batch }
  if (db.batch !== undefined) {
    editOf(db)
    db.batch.latest = next
  }
  return next
}

/** The database after a change: the batch's latest from now on. */
const derived = (db: Database, keyspace: Keyspace, expires: Hamt.HamtMap<VolatileEntry>): Database => {
  const next: Database = db.added === undefined ? { keyspace, expires, batch: db.batch } : { keyspace, expires, batch: db.batch, added: db.added }
  if (db.batch !== undefined) db.batch.latest = next
  return next
}

export const get = (db: Database, key: ByteString): Entry | undefined => {
  if (db.batch !== undefined) editOf(db)
  return Hamt.get(db.keyspace, key)
}

/** Keys held, including expired ones not reclaimed yet (Redis's dbSize). */
export const size = (db: Database): number => {
  if (db.batch !== undefined) editOf(db)
  return Hamt.size(db.keyspace)
}

/** Keys with a TTL held, including expired ones not reclaimed yet. */
export const volatileSize = (db: Database): number => {
  if (db.batch !== undefined) editOf(db)
  return Hamt.size(db.expires)
}

/** Sets `key` to `value`, expiring at `expiresAt` (unix ms; undefined: never), replacing any previous entry. */
export const put = (db: Database, key: ByteString, value: StoredValue, expiresAt: number | undefined): Database => {
  const edit = editOf(db)
  const stored = entry(key, value, expiresAt)
  const expires = isVolatile(stored)
    ? Hamt.set(db.expires, key, stored, edit)
    : Hamt.size(db.expires) === 0 ? db.expires : Hamt.remove(db.expires, key, edit)
  // Read before the set: under an edit token the trie grows in place.
  const sizeBefore = Hamt.size(db.keyspace)
  const keyspace = Hamt.set(db.keyspace, key, stored, edit)
  if (db.added !== undefined && Hamt.size(keyspace) > sizeBefore) db.added.push(key)
  return derived(db, keyspace, expires)
}

export const remove = (db: Database, key: ByteString): Database => {
  const edit = editOf(db)
  const before = Hamt.size(db.keyspace)
  const keyspace = Hamt.remove(db.keyspace, key, edit)
  if (Hamt.size(keyspace) === before) return db
  const expires = Hamt.size(db.expires) === 0 ? db.expires : Hamt.remove(db.expires, key, edit)
  return derived(db, keyspace, expires)
}

/** Redis's expireIfNeeded for a set of keys: removes those whose time is past, telling `onExpired` each one. */
export const expireKeys = (
  db: Database,
  keys: Iterable<ByteString>,
  nowMs: number,
  onExpired?: (key: ByteString) => void
): Database => {
  if (Hamt.size(db.expires) === 0) return db
  let result = db
  for (const key of keys) {
    const stored = get(result, key)
    if (stored !== undefined && isExpired(stored, nowMs)) {
      result = remove(result, key)
      onExpired?.(key)
    }
  }
  return result
}

/** The entry at `index` (0 <= index < size) in a fixed order: with a uniform random index, a uniform random key (RANDOMKEY). */
export const entryAt = (db: Database, index: number): readonly [ByteString, Entry] | undefined => {
  if (db.batch !== undefined) editOf(db)
  return Hamt.entryAt(db.keyspace, index)
}

/** The volatile entry at `index` (0 <= index < volatileSize): active expiry's and volatile eviction's samples. */
export const volatileAt = (db: Database, index: number): VolatileEntry | undefined => {
  if (db.batch !== undefined) editOf(db)
  return Hamt.entryAt(db.expires, index)?.[1]
}

/** Calls `f` on every entry, expired or not (KEYS). */
export const forEach = (db: Database, f: (entry: Entry, key: ByteString) => void): void => {
  if (db.batch !== undefined) editOf(db)
  Hamt.forEach(db.keyspace, f)
}

/**
 * One SCAN call: visits the entries from `cursor` on in hash order until `count` were visited;
 * the next cursor (0: done). See structures/hamt-walk.ts scanWith for the guarantee.
 */
export const scan = (db: Database, cursor: number, count: number, visit: (key: ByteString, entry: Entry) => void): number => {
  if (db.batch !== undefined) editOf(db)
  return Hamt.scanWith(db.keyspace, cursor, count, visit)
}

/** Active expiry (expire.c activeExpireCycle): how much one cycle does. */
export const activeExpiry = {
  /** Redis's default hz 10. */
  intervalMs: 100,
  /** Volatile keys sampled per loop (ACTIVE_EXPIRE_CYCLE_KEYS_PER_LOOP). */
  keysPerLoop: 20,
  /** A cycle's time budget: 25% of the period (ACTIVE_EXPIRE_CYCLE_SLOW_TIME_PERC at hz 10). */
  budgetMs: 25,
  /**
   * Most loops per cycle over all databases: a backstop for a clock that does not move (TestClock);
   * with a real clock the time budget ends a cycle long before (a loop costs tens of µs).
   */
  maxLoopsPerCycle: 256
} as const

/** What is left of a cycle's budget, shared by the databases it visits. */
export interface CycleBudget {
  loopsLeft: number
  readonly outOfTime: () => boolean
}

/**
 * One database's share of an active expiry cycle (expire.c activeExpireCycle):
 * samples `keysPerLoop` volatile keys at random (`randomIndex(n)` in [0, n)),
 * removes the expired ones, and loops again while more than a quarter of a
 * sample had expired and the budget lasts. Returns the new database and how many keys it removed.
 */
export const reclaimExpired = (
  db: Database,
  nowMs: number,
  randomIndex: (n: number) => number,
  budget: CycleBudget,
  onExpired?: (key: ByteString) => void
): readonly [Database, number] => {
  let current = db
  let removed = 0
  while (Hamt.size(current.expires) > 0 && budget.loopsLeft > 0 && !budget.outOfTime()) {
    budget.loopsLeft--
    const sampled = Math.min(activeExpiry.keysPerLoop, Hamt.size(current.expires))
    let expired = 0
    for (let i = 0; i < sampled && Hamt.size(current.expires) > 0; i++) {
      const candidate = volatileAt(current, randomIndex(Hamt.size(current.expires)))
      if (candidate !== undefined && isExpired(candidate, nowMs)) {
        current = remove(current, candidate.key)
        onExpired?.(candidate.key)
        expired++
      }
    }
    removed += expired
    if (expired * 4 <= sampled) break
  }
  return [current, removed]
}

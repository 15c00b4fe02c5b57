/**
 * `maxmemory` around the command table (server.c processCommand and evict.c
 * performEvictions): before every command, while the used memory is over the
 * limit, keys are evicted under `maxmemory-policy`; when that cannot bring it
 * under (`noeviction`, or nothing left to evict), commands flagged `denyoom`
 * answer Redis's OOM error.
 *
 * "Used memory" here is an estimate of the dataset, in MEMORY USAGE's terms
 * (key, value and entry overhead per key), not the process heap: it is exact
 * for what the commands store, deterministic, and cheap. It is kept by
 * measuring, around each write command, the keys that command names (two
 * lookups per write, only while maxmemory is set); the whole dataset is
 * counted again when that is not enough (at the first use, after a command
 * without key arguments such as FLUSHALL) and, to catch keys the active
 * expiry removed, at most once a second while over the limit. The V8 heap
 * is not used because freed memory shows there only after a collection, which
 * would make every eviction look useless and evict far too much.
 *
 * Evictions run as `DEL` through the table, so the AOF records them.
 * The LRU policies read access ticks kept here (a counter, not the clock, so
 * that accesses within one millisecond stay ordered; a Map in access order,
 * bounded), updated for the keys of every command while such a policy is on.
 */
import { Clock, Effect, Random } from "effect"
import { PCGRandom } from "effect/Utils"
import { memoryUsageOf } from "../object.js"
import type { CommandTable } from "../dispatch.js"
import type { CommandSpec } from "../types.js"
import type { Session } from "../../state/Session.js"
import { refusedWhenOutOfMemory } from "../../state/Transaction.js"
import * as Errors from "../../errors.js"
import { commandError } from "../../errors.js"
import type { ByteString, Command } from "../../resp/values.js"
import * as Database from "../../store/database.js"
import { databaseCount, type Keyspace } from "../../store/entry.js"
import * as Hamt from "../../structures/hamt.js"
import { chooseVictim } from "../../store/eviction.js"
import { evictingKeys, Store } from "../../store/Store.js"
import type { ServerConfig } from "../../config/config.js"
import { LiveConfig } from "../../config/LiveConfig.js"

/** Most keys one command's turn may evict (Redis bounds an eviction cycle by time). */
export const maxEvictionsPerCommand = 1024
/** Most access times kept for the LRU policies; the least recent are dropped first. */
export const maxTrackedAccesses = 1_000_000
/** How often, at most, the dataset is counted again while over the limit. */
export const recountIntervalMs = 1000

/** Whether maxmemory is off: commands then answer exactly as without the guard. */
export const memoryGuardIdle = (config: ServerConfig): boolean => config.maxmemory === 0

/** The key arguments of a command, by its key positions (first, last (negative: from the end), step). */
export const commandKeys = (spec: CommandSpec<unknown>, args: Command): ReadonlyArray<ByteString> => {
  if (spec.firstKey <= 0 || spec.keyStep <= 0) return []
  const last = spec.lastKey < 0 ? args.length + spec.lastKey : spec.lastKey
  const keys: Array<ByteString> = []
  for (let i = spec.firstKey; i <= last && i < args.length; i += spec.keyStep) keys.push(args[i])
  return keys
}

/** The estimated bytes of a keyspace. */
export const keyspaceBytes = (keyspace: Keyspace): number => {
  let total = 0
  Hamt.forEach(keyspace, (entry, key) => {
    total += memoryUsageOf(key, entry)
  })
  return total
}

const isLru = (config: ServerConfig): boolean =>
  config.maxmemoryPolicy.endsWith("-lru") || config.maxmemoryPolicy.endsWith("-lfu")

const accessKey = (db: number, key: ByteString): string => `${db}:${key}`

/** The table with maxmemory enforced; `del` (the inner table's) performs the evictions. */
export const withMemoryLimit = <R>(table: CommandTable<R>): CommandTable<R | Store | LiveConfig> => {
  const evict = table.get("del")
  let datasetBytes: number | undefined = undefined
  let lastRecountAt = 0
  let rotation = 0
  let accessTick = 0
  const accessedAt = new Map<string, number>()

  const recount = Effect.gen(function*() {
    const keyspaces = yield* Effect.flatMap(Store, (store) => store.snapshot)
    datasetBytes = keyspaces.reduce((total, keyspace) => total + keyspaceBytes(keyspace), 0)
    lastRecountAt = yield* Clock.currentTimeMillis
    return datasetBytes
  })

  const keysBytes = (db: number, keys: ReadonlyArray<ByteString>) =>
    Effect.flatMap(Store, (store) =>
      store.modify(db, keys, (database) => {
        let total = 0
        for (const key of keys) {
          const entry = Database.get(database, key)
          if (entry !== undefined) total += memoryUsageOf(key, entry)
        }
        return [total, database, 0] as const
      }))

  const touch = (db: number, keys: ReadonlyArray<ByteString>): void => {
    for (const key of keys) {
      const id = accessKey(db, key)
      accessedAt.delete(id)
      accessedAt.set(id, ++accessTick)
    }
    while (accessedAt.size > maxTrackedAccesses) {
      const oldest = accessedAt.keys().next()
      if (oldest.done === true) break
      accessedAt.delete(oldest.value)
    }
  }

  /** One victim from the databases, rotating the starting one; with its database and size. */
  const pickVictim = (config: ServerConfig) =>
    Effect.gen(function*() {
      const store = yield* Store
      for (let step = 0; step < databaseCount; step++) {
        const db = (rotation + step) % databaseCount
        const seed = yield* Random.nextInt
        const victim = yield* store.modify(db, [], (database) => {
          const random = new PCGRandom(seed)
          const key = chooseVictim(config.maxmemoryPolicy, database, (n) => random.integer(n),
            (candidate) => accessedAt.get(accessKey(db, candidate)) ?? 0)
          const entry = key === undefined ? undefined : Database.get(database, key)
          const found = key === undefined || entry === undefined
            ? undefined
            : { db, key, bytes: memoryUsageOf(key, entry) }
          return [found, database, 0] as const
        })
        if (victim !== undefined) {
          rotation = db + 1
          return victim
        }
      }
      return undefined
    })

  /** Evicts until the dataset fits; whether it does. */
  const makeRoom = (config: ServerConfig, session: Session) =>
    Effect.gen(function*() {
      const now = yield* Clock.currentTimeMillis
      let used = datasetBytes ?? (yield* recount)
      if (used > config.maxmemory && now - lastRecountAt >= recountIntervalMs) used = yield* recount
      for (let evicted = 0; used > config.maxmemory; evicted++) {
        if (evict === undefined || evicted >= maxEvictionsPerCommand) return false
        const victim = yield* pickVictim(config)
        if (victim === undefined) return false
        yield* Effect.either(evict.handler(["DEL", victim.key], { ...session, db: victim.db })).pipe(
          Effect.locally(evictingKeys, true)
        )
        const store = yield* Store
        store.stats.evicted++
        accessedAt.delete(accessKey(victim.db, victim.key))
        used -= victim.bytes
        datasetBytes = used
      }
      return true
    })

  const guarded = (spec: CommandSpec<R>): CommandSpec<R | Store | LiveConfig> => ({
    ...spec,
    subcommands: spec.subcommands?.map(guarded),
    handler: (args, session) => Effect.ensuring(limited(spec, args, session), forgetWhenOff)
  })

  /**
   * While maxmemory is 0 the connection runs commands without this guard
   * (`memoryGuardIdle`), so the estimate is dropped whenever a command leaves
   * the limit off (CONFIG SET maxmemory 0): it is counted afresh when set again.
   */
  const forgetWhenOff = Effect.map(Effect.flatMap(LiveConfig, (live) => live.get), (config) => {
    if (memoryGuardIdle(config)) datasetBytes = undefined
  })

  const limited = (spec: CommandSpec<R>, args: Command, session: Session) =>
    Effect.gen(function*() {
      const config = yield* Effect.flatMap(LiveConfig, (live) => live.get)
      if (memoryGuardIdle(config)) return yield* spec.handler(args, session)
      const keys = commandKeys(spec, args)
      if (isLru(config)) touch(session.db, keys)
      const fits = yield* makeRoom(config, session)
      if (!fits && refusedWhenOutOfMemory(spec.name, spec.flags, session.transaction)) return yield* commandError(Errors.outOfMemory)
      if (!spec.flags.includes("write")) return yield* spec.handler(args, session)
      if (keys.length === 0) {
        datasetBytes = undefined
        return yield* spec.handler(args, session)
      }
      const db = session.db
      const before = yield* keysBytes(db, keys)
      const reply = yield* spec.handler(args, session)
      const after = yield* keysBytes(db, keys)
      if (datasetBytes !== undefined) datasetBytes += after - before
      return reply
    })

  return new Map(Array.from(table, ([name, spec]) => [name, guarded(spec)]))
}

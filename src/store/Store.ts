/**
 * The Store service: 16 databases, each a `MutableRef` holding an immutable
 * `Database` (keyspace and expires, persistent hash tries). A command is a pure
 * transition over one database, run atomically with the Clock's current time;
 * a batch of them changes the tries in place under one edit token
 * (`batched`), so publishing a batch costs one update and no snapshot
 * taken before it ever changes. The cells are read and written only inside
 * synchronous code (an `Effect.sync`, or `modifyNow`), so one transition never
 * sees another half done; `modifyNow` lets a script's redis.call apply a step
 * without running a fiber (a fiber per call cost most of a script's time).
 */
import { Clock, Context, Effect, FiberRef, Layer, MutableRef, Random, Schedule } from "effect"
import { PCGRandom } from "effect/Utils"
import type { ByteString } from "../resp/values.js"
import * as Database from "./database.js"
import { databaseCount, type Entry, type Keyspace } from "./entry.js"
import { asEvictions, type KeyspaceEvent, keyspaceEvent, withAddedKeys } from "./keyspace-events.js"
import { defaultEncodingLimits, type EncodingLimits } from "../values/encoding-limits.js"

/**
 * What a transition returns: the reply, the new database, how many key
 * changes it made (added to Redis's `dirty` counter), and the keyspace events
 * it raised, in order (none when omitted).
 */
export type Transition<A> = readonly [
  reply: A,
  database: Database.Database,
  changes: number,
  events?: ReadonlyArray<KeyspaceEvent>
]

/**
 * Which of a step's keys it reads with lookupKeyRead (counted as hits or
 * misses, a miss raising `keymiss`): all of them, or those at these indices
 * (a write that reads some keys: BITOP's sources, SET ... GET).
 */
/**
 * Which of a step's keys it reads with lookupKeyRead (hits, misses, `keymiss`): all, none, these
 * indices; or those of a command that checks each key's type as it looks it up and fails at the first
 * of another type (SINTER, BITOP ...): the keys after that one are not looked up at all.
 */
export type KeyReads = boolean | ReadonlyArray<number> | ReadsUntilWrongType

export interface ReadsUntilWrongType {
  readonly reads: boolean | ReadonlyArray<number>
  readonly isWrongType: (entry: Entry) => boolean
}

export const isReadsUntilWrongType = (reads: KeyReads | undefined): reads is ReadsUntilWrongType =>
  typeof reads === "object" && "isWrongType" in reads

const readsKeyAt = (reads: KeyReads | undefined, index: number): boolean => {
  const which = isReadsUntilWrongType(reads) ? reads.reads : reads
  return which === true || (Array.isArray(which) && which.includes(index))
}

/** One transition of `modifyEach`, with the keys lazily expired before it runs. */
export interface Step<A> {
  readonly keys: ReadonlyArray<ByteString>
  /** Counts each of `keys` as a keyspace hit or miss (Redis's lookupKeyRead): set for read commands. */
  readonly readsKeys?: KeyReads
  readonly run: (database: Database.Database, nowMs: number, limits: EncodingLimits) => Transition<A>
}

/** INFO's keyspace counters (server.stat_keyspace_hits/misses, stat_expiredkeys, stat_evictedkeys). */
export interface KeyspaceStats {
  hits: number
  misses: number
  /** Keys removed by lazy or active expiry. */
  expired: number
  /** Keys removed by maxmemory eviction. */
  evicted: number
}

/** What a transition over two databases returns: the reply, both new databases, the key changes, and each database's events. */
export type PairTransition<A> = readonly [
  reply: A,
  first: Database.Database,
  second: Database.Database,
  changes: number,
  firstEvents?: ReadonlyArray<KeyspaceEvent>,
  secondEvents?: ReadonlyArray<KeyspaceEvent>
]

/**
 * Told, synchronously and in commit order, the events of every update that
 * raised any, right after it is published (before the next command runs):
 * what keyspace notifications, client tracking, WATCH and blocked clients
 * follow (Redis calls them from inside the command; here they see the result).
 */
export type KeyspaceEventListener = (db: number, events: ReadonlyArray<KeyspaceEvent>) => void

export interface StoreService {
  /**
   * Runs `f` atomically on database `db`. The `keys` the command touches are
   * lazily expired first (Redis's expireIfNeeded), so `f` sees them as missing.
   */
  readonly modify: <A>(
    db: number,
    keys: ReadonlyArray<ByteString>,
    f: (database: Database.Database, nowMs: number, limits: EncodingLimits) => Transition<A>,
    readsKeys?: KeyReads
  ) => Effect.Effect<A>
  /**
   * Runs `steps` in order on database `db` as one atomic update, all at the
   * same clock reading (a pipelined batch's transitions); their results in order.
   */
  readonly modifyEach: <A>(db: number, steps: ReadonlyArray<Step<A>>) => Effect.Effect<ReadonlyArray<A>>
  /**
   * As `modify`, synchronously, at the clock reading `nowMs`: its result and
   * the key changes it made. For code already inside the VM of a running
   * script (scripting/run.ts), where starting a fiber per command would cost
   * more than the command. Never inside the maxmemory guard's eviction.
   */
  readonly modifyNow: <A>(
    db: number,
    keys: ReadonlyArray<ByteString>,
    f: (database: Database.Database, nowMs: number, limits: EncodingLimits) => Transition<A>,
    readsKeys: KeyReads | undefined,
    nowMs: number
  ) => readonly [A, number]
  /**
   * Runs `f` atomically on two different databases (COPY ... DB, MOVE,
   * SWAPDB), after lazily expiring `firstKeys` in `first` and `secondKeys` in `second`.
   */
  readonly modifyPair: <A>(
    first: number,
    second: number,
    firstKeys: ReadonlyArray<ByteString>,
    secondKeys: ReadonlyArray<ByteString>,
    f: (first: Database.Database, second: Database.Database, nowMs: number) => PairTransition<A>,
    /** Which of `firstKeys` are read with lookupKeyRead (COPY's source). */
    readsFirstKeys?: KeyReads
  ) => Effect.Effect<A>
  /** Empties every database (FLUSHALL); returns how many keys it removed (added to dirty). */
  readonly flushAll: Effect.Effect<number>
  /** The current keyspaces, one per database (the stored maps themselves, not copies). */
  readonly snapshot: Effect.Effect<ReadonlyArray<Keyspace>>
  /** The current databases (keyspace and expires index), one per database, as published. */
  readonly databases: Effect.Effect<ReadonlyArray<Database.Database>>
  /** Replaces every database (RDB load); does not count as a change. */
  readonly replaceAll: (keyspaces: ReadonlyArray<Keyspace>) => Effect.Effect<void>
  /** Key changes since the last save (Redis's server.dirty). */
  readonly dirty: Effect.Effect<number>
  /** Key changes since the store was made, never reset: a command's changes are the difference around it (AOF). */
  readonly changeCount: Effect.Effect<number>
  /** Subtracts `changes` from the dirty counter (SAVE passes the count it read before saving). */
  readonly markSaved: (changes: number) => Effect.Effect<void>
  /** One active-expiry cycle over every database; returns how many keys it removed. */
  readonly reclaimExpired: Effect.Effect<number>
  /** DEBUG SET-ACTIVE-EXPIRE: turns the background expiry cycle off or on (lazy expiry stays). */
  readonly setActiveExpiry: (enabled: boolean) => Effect.Effect<void>
  /** The keyspace counters, live (read by INFO; `evicted` is added to by the maxmemory guard; CONFIG RESETSTAT zeroes them). */
  readonly stats: KeyspaceStats
  /** Adds a listener for keyspace events; returns the function that removes it. */
  readonly addEventListener: (listener: KeyspaceEventListener) => () => void
  /** Tells the listeners of events raised outside a transition (eviction, FLUSHALL ...). */
  readonly publishEvents: (db: number, events: ReadonlyArray<KeyspaceEvent>) => void
  /** The encoding limits every later transition is given (CONFIG SET of hash-max-listpack-* / set-max-intset-entries). */
  readonly setEncodingLimits: (limits: EncodingLimits) => Effect.Effect<void>
}

export class Store extends Context.Tag("effect-kv/Store")<Store, StoreService>() {
  static readonly layer: Layer.Layer<Store> = Layer.scoped(this, makeStore([]))
  static readonly layerFrom = (keyspaces: ReadonlyArray<Keyspace>, limits?: EncodingLimits): Layer.Layer<Store> =>
    Layer.scoped(this, makeStore(keyspaces, limits))
}

export const activeExpiry = Database.activeExpiry

/**
 * Set while the maxmemory guard runs its DEL of a victim: the removals that
 * DEL reports are published as `evicted` (evict.c), not `del`. The DEL still
 * goes through the command table, so the AOF logs it as Redis propagates it.
 */
export const evictingKeys: FiberRef.FiberRef<boolean> = FiberRef.unsafeMake(false)

const expiredEvent = (key: ByteString): KeyspaceEvent => keyspaceEvent("expired", "expired", key)
const keymissEvent = (key: ByteString): KeyspaceEvent => keyspaceEvent("keymiss", "keymiss", key)

const fillDatabases = (keyspaces: ReadonlyArray<Keyspace>): ReadonlyArray<Database.Database> =>
  Array.from({ length: databaseCount }, (_, i) =>
    keyspaces[i] === undefined ? Database.emptyDatabase : Database.fromKeyspace(keyspaces[i]))

/**
 * Runs `run` on `database` as one batch (its changes made in place under one
 * edit token, closed before the result is published), or, when it used a
 * database other than the latest one (`Database.closeBatch`), again on
 * `database` without a batch: `run` must be pure.
 */
const batched = <A>(
  database: Database.Database,
  run: (database: Database.Database) => readonly [A, Database.Database]
): readonly [A, Database.Database] => {
  const [result, last] = run(Database.openBatch(database))
  const published = Database.closeBatch(last)
  return published === undefined ? run(database) : [result, published]
}

function makeStore(keyspaces: ReadonlyArray<Keyspace>, initialLimits: EncodingLimits = defaultEncodingLimits) {
  return Effect.gen(function*() {
    const databases = fillDatabases(keyspaces).map((database) => MutableRef.make(database))
    /** `f` on the database's current value: its result, and the value it leaves (one synchronous update). */
    const updateNow = <A>(cell: MutableRef.MutableRef<Database.Database>, f: (database: Database.Database) => readonly [A, Database.Database]): A => {
      const [result, next] = f(MutableRef.get(cell))
      MutableRef.set(cell, next)
      return result
    }
    const update = <A>(cell: MutableRef.MutableRef<Database.Database>, f: (database: Database.Database) => readonly [A, Database.Database]) =>
      Effect.sync(() => updateNow(cell, f))
    const read = (cell: MutableRef.MutableRef<Database.Database>) => Effect.sync(() => MutableRef.get(cell))
    /** Redis's dirty counter, and every change since the store was made. */
    const changes = { dirty: 0, total: 0 }
    const countChangesNow = (count: number): void => {
      changes.dirty += count
      changes.total += count
    }
    const countChanges = (count: number) => count === 0 ? Effect.void : Effect.sync(() => countChangesNow(count))
    /** `reply` after its changes are counted. */
    const counted = <A>([reply, count]: readonly [A, number]): Effect.Effect<A> =>
      count === 0 ? Effect.succeed(reply) : Effect.as(countChanges(count), reply)

    const stats: KeyspaceStats = { hits: 0, misses: 0, expired: 0, evicted: 0 }
    let limits = initialLimits

    const listeners = new Set<KeyspaceEventListener>()
    const publishEvents = (db: number, events: ReadonlyArray<KeyspaceEvent>): void => {
      if (events.length === 0) return
      for (const listener of listeners) listener(db, events)
    }
    const addEventListener = (listener: KeyspaceEventListener) => {
      listeners.add(listener)
      return () => {
        listeners.delete(listener)
      }
    }
    /**
     * expireIfNeeded on each of `keys`, then the lookup of a read (lookupKeyRead:
     * a hit, or a miss and its `keymiss`), in the keys' order; `events` gets
     * each `expired` and `keymiss` as Redis raises them.
     */
    const lookUp = (
      database: Database.Database,
      keys: ReadonlyArray<ByteString>,
      readsKeys: KeyReads | undefined,
      nowMs: number,
      events: Array<KeyspaceEvent>
    ) => {
      let current = database
      for (let i = 0; i < keys.length; i++) {
        const key = keys[i]
        current = Database.expireKeys(current, [key], nowMs, (expired) => {
          stats.expired++
          events.push(expiredEvent(expired))
        })
        if (readsKeyAt(readsKeys, i)) {
          const stored = Database.get(current, key)
          if (stored === undefined) {
            stats.misses++
            events.push(keymissEvent(key))
          } else {
            stats.hits++
            if (isReadsUntilWrongType(readsKeys) && readsKeys.isWrongType(stored)) break
          }
        }
      }
      return current
    }

    /**
     * Runs one step on `database` (looked up as above), noting the keys it
     * adds; its reply, database, changes, and every event it raised in order.
     */
    const runStep = <A>(
      database: Database.Database,
      keys: ReadonlyArray<ByteString>,
      readsKeys: KeyReads | undefined,
      nowMs: number,
      run: (database: Database.Database, nowMs: number, limits: EncodingLimits) => Transition<A>,
      events: Array<KeyspaceEvent>
    ) => {
      const added: Array<ByteString> = []
      const looked = Database.journaled(lookUp(database, keys, readsKeys, nowMs, events), added)
      const [reply, next, count, stepEvents] = run(looked, nowMs, limits)
      if (stepEvents !== undefined) {
        // A command that deletes expired keys it meets (RANDOMKEY, SCAN) raises their `expired` (stat_expiredkeys).
        for (const event of stepEvents) if (event.eventClass === "expired") stats.expired++
        events.push(...withAddedKeys(stepEvents, added))
      }
      return [reply, Database.unjournaled(next), count] as const
    }

    /** Publishes `events` of `db`, as evictions inside the maxmemory guard's DEL. */
    const published = (db: number, events: ReadonlyArray<KeyspaceEvent>): Effect.Effect<void> =>
      events.length === 0 || listeners.size === 0
        ? Effect.void
        : Effect.map(FiberRef.get(evictingKeys), (evicting) => publishEvents(db, evicting ? asEvictions(events) : events))

    const modify = <A>(
      db: number,
      keys: ReadonlyArray<ByteString>,
      f: (database: Database.Database, nowMs: number, limits: EncodingLimits) => Transition<A>,
      readsKeys?: KeyReads
    ): Effect.Effect<A> =>
      Effect.flatMap(Clock.currentTimeMillis, (nowMs) =>
        update(databases[db], (database) =>
          batched(database, (opened) => {
            const events: Array<KeyspaceEvent> = []
            const [reply, next, count] = runStep(opened, keys, readsKeys, nowMs, f, events)
            return [[reply, count, events] as const, next]
          }))).pipe(Effect.flatMap(([reply, count, events]) =>
            events.length === 0 ? counted([reply, count]) : Effect.zipRight(published(db, events), counted([reply, count]))
          ))

    const modifyEach = <A>(db: number, steps: ReadonlyArray<Step<A>>): Effect.Effect<ReadonlyArray<A>> =>
      Effect.flatMap(Clock.currentTimeMillis, (nowMs) =>
        update(databases[db], (database) =>
          batched(database, (opened) => {
            const replies: Array<A> = []
            const events: Array<KeyspaceEvent> = []
            let current = opened
            let count = 0
            for (const step of steps) {
              const [reply, next, stepChanges] = runStep(current, step.keys, step.readsKeys, nowMs, step.run, events)
              replies.push(reply)
              current = next
              count += stepChanges
            }
            return [[replies, count, events] as const, current]
          }))).pipe(Effect.flatMap(([replies, count, events]) =>
            events.length === 0 ? counted([replies, count]) : Effect.zipRight(published(db, events), counted([replies, count]))
          ))

    const modifyNow = <A>(
      db: number,
      keys: ReadonlyArray<ByteString>,
      f: (database: Database.Database, nowMs: number, limits: EncodingLimits) => Transition<A>,
      readsKeys: KeyReads | undefined,
      nowMs: number
    ): readonly [A, number] => {
      const events: Array<KeyspaceEvent> = []
      const [reply, count] = updateNow(databases[db], (database) =>
        batched(database, (opened) => {
          events.length = 0
          const [stepReply, next, stepChanges] = runStep(opened, keys, readsKeys, nowMs, f, events)
          return [[stepReply, stepChanges] as const, next]
        }))
      publishEvents(db, events)
      countChangesNow(count)
      return [reply, count]
    }

    /**
     * Two databases read and written with no yield between (the fiber may not hand
     * over before an unbounded op count): no other command sees one written
     * and not the other. Events: each database's expiries, then the keys the
     * transition added (dbAdd comes before the notifications: MOVE's `new`
     * precedes its move_from), then each database's own events.
     */
    const modifyPair = <A>(
      first: number,
      second: number,
      firstKeys: ReadonlyArray<ByteString>,
      secondKeys: ReadonlyArray<ByteString>,
      f: (first: Database.Database, second: Database.Database, nowMs: number) => PairTransition<A>,
      readsFirstKeys?: KeyReads
    ): Effect.Effect<A> =>
      Effect.gen(function*() {
        const nowMs = yield* Clock.currentTimeMillis
        const before = [yield* read(databases[first]), yield* read(databases[second])] as const
        const firstExpired: Array<KeyspaceEvent> = []
        const secondExpired: Array<KeyspaceEvent> = []
        const firstAdded: Array<ByteString> = []
        const secondAdded: Array<ByteString> = []
        const [reply, nextFirst, nextSecond, count, firstEvents, secondEvents] = f(
          Database.journaled(lookUp(before[0], firstKeys, readsFirstKeys, nowMs, firstExpired), firstAdded),
          Database.journaled(lookUp(before[1], secondKeys, false, nowMs, secondExpired), secondAdded),
          nowMs
        )
        yield* Effect.sync(() => {
          MutableRef.set(databases[first], Database.unjournaled(nextFirst))
          MutableRef.set(databases[second], Database.unjournaled(nextSecond))
        })
        const explicit = [...firstEvents ?? [], ...secondEvents ?? []]
        const added = (keys: ReadonlyArray<ByteString>, own: ReadonlyArray<KeyspaceEvent>) =>
          withAddedKeys([], keys.filter((key) => !own.some((event) => event.eventClass === "new" && event.key === key)))
        yield* published(first, firstExpired)
        yield* published(second, secondExpired)
        yield* published(first, added(firstAdded, explicit))
        yield* published(second, added(secondAdded, explicit))
        yield* published(first, firstEvents ?? [])
        yield* published(second, secondEvents ?? [])
        return yield* counted([reply, count])
      }).pipe(Effect.withMaxOpsBeforeYield(Number.MAX_SAFE_INTEGER))

    const flushAll = Effect.reduce(databases, 0, (total, cell) =>
      update(cell, (database) => [total + Database.size(database), Database.emptyDatabase] as const)).pipe(
        Effect.tap(countChanges)
      )

    /** The database the next cycle starts with (expire.c's current_db): a cycle out of time resumes there. */
    let nextDatabase = 0
    const reclaimExpired = Effect.gen(function*() {
      const nowMs = yield* Clock.currentTimeMillis
      const clock = yield* Effect.clock
      const random = new PCGRandom(yield* Random.nextInt)
      const randomIndex = (n: number) => random.integer(n)
      const deadline = clock.unsafeCurrentTimeNanos() + BigInt(activeExpiry.budgetMs * 1_000_000)
      const budget: Database.CycleBudget = {
        loopsLeft: activeExpiry.maxLoopsPerCycle,
        outOfTime: () => clock.unsafeCurrentTimeNanos() >= deadline
      }
      let total = 0
      for (let visited = 0; visited < databaseCount && budget.loopsLeft > 0 && !budget.outOfTime(); visited++) {
        const db = nextDatabase
        nextDatabase = (nextDatabase + 1) % databaseCount
        const expired: Array<KeyspaceEvent> = []
        total += yield* update(databases[db], (database) =>
          batched(database, (opened) => {
            expired.length = 0
            const [next, removed] = Database.reclaimExpired(opened, nowMs, randomIndex, budget, (key) => {
              expired.push(expiredEvent(key))
            })
            return [removed, next] as const
          }))
        publishEvents(db, expired)
      }
      stats.expired += total
      return total
    })

    let activeExpiryEnabled = true
    const activeExpiryCycle = Effect.suspend(() => activeExpiryEnabled ? reclaimExpired : Effect.succeed(0))
    yield* Effect.forkScoped(Effect.repeat(activeExpiryCycle, Schedule.spaced(activeExpiry.intervalMs)))

    const service: StoreService = {
      modify,
      modifyEach,
      modifyNow,
      modifyPair,
      flushAll,
      snapshot: Effect.sync(() => databases.map((cell) => MutableRef.get(cell).keyspace)),
      databases: Effect.sync(() => databases.map(MutableRef.get)),
      replaceAll: (next) =>
        Effect.sync(() => fillDatabases(next).forEach((database, i) => MutableRef.set(databases[i], database))),
      dirty: Effect.sync(() => changes.dirty),
      changeCount: Effect.sync(() => changes.total),
      markSaved: (saved) =>
        Effect.sync(() => {
          changes.dirty = Math.max(0, changes.dirty - saved)
        }),
      reclaimExpired,
      stats,
      addEventListener,
      publishEvents,
      setActiveExpiry: (enabled) =>
        Effect.sync(() => {
          activeExpiryEnabled = enabled
        }),
      setEncodingLimits: (next) =>
        Effect.sync(() => {
          limits = next
        })
    }
    return service
  })
}

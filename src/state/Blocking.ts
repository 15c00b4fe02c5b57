/**
 * Blocked clients (Redis's blocked.c), generic over the value type: BLPOP and
 * the other list commands block here, and sorted sets' BZPOPMIN / BZPOPMAX /
 * BZMPOP can too, each giving its own `serve` function.
 *
 * A client blocks on keys of one database with a `serve` function. A key is
 * ready when a Store keyspace event names it (the Store publishes them right
 * after an update commits): then the clients blocked on it are served in the
 * order they blocked (blocked.c serveClientsBlockedOnListKey), each by one
 * Store update of its own (the pop is a write with its own events, which may
 * make further keys ready: BLMOVE's destination), until one cannot be served.
 * A push of several elements so serves several clients, before any other
 * command runs. The served pop is logged to the AOF as the non-blocking
 * command Redis propagates (through the blocked client's `propagate`), after
 * the command that made the key ready.
 *
 * The timeout runs on Effect's Clock (TestClock drives it in tests); 0 waits
 * forever. A client that disconnects while blocked is interrupted, and its
 * waiter removed. CLIENT UNBLOCK settles a waiter with its timeout reply or an
 * error.
 *
 * One registry per Store (`blockingOf`): it lives exactly as long as the
 * Store it listens to, so the server, the embedded Kv and tests need no
 * extra layer.
 */
import { type Clock, Deferred, Effect, Either, Exit, FiberId } from "effect"
import { type CommandError, commandError, unblockedByClientUnblock } from "../errors.js"
import type { ByteString, Command, RespValue } from "../resp/values.js"
import type { Database } from "../store/database.js"
import type { KeyspaceEvent } from "../store/keyspace-events.js"
import { Store, type StoreService } from "../store/Store.js"

/** A command's result: its reply or its error reply. */
export type BlockingOutcome = Either.Either<RespValue, CommandError>

/** What serving a blocked client did: its reply, the database after, and what the write counts, raises and logs. */
export interface Served {
  readonly outcome: BlockingOutcome
  readonly database: Database
  readonly changes: number
  readonly events: ReadonlyArray<KeyspaceEvent>
  /** The commands the AOF logs for it (the non-blocking form Redis propagates: LPOP key, LMOVE ...). */
  readonly propagate: ReadonlyArray<Command>
}

/** Serves a blocked client from `key`, which just became ready; undefined when it cannot be served from it (missing, another type). */
export type ServeFromKey = (database: Database, key: ByteString, nowMs: number) => Served | undefined

export interface BlockRequest {
  /** The blocked client's id (CLIENT UNBLOCK names it). */
  readonly clientId: number
  readonly db: number
  /** The keys it waits on, in the command's order. */
  readonly keys: ReadonlyArray<ByteString>
  readonly serve: ServeFromKey
  /** How long to wait, in milliseconds; 0 waits forever. */
  readonly timeoutMs: number
  /** The reply on timeout (and on CLIENT UNBLOCK ... TIMEOUT). */
  readonly timeoutReply: RespValue
  /** Logs a served pop (the AOF's `propagate`; nothing without an AOF). */
  readonly propagate: (db: number, args: Command) => void
}

export type UnblockMode = "timeout" | "error"

export interface BlockingService {
  /** Waits until the request is served, times out, or is unblocked; interruptible (the waiter is then removed). */
  readonly block: (request: BlockRequest) => Effect.Effect<RespValue, CommandError>
  /** INFO's blocked_clients. */
  readonly blockedClients: () => number
  /** CLIENT UNBLOCK: settles the client's wait; false when it is not blocked. */
  readonly unblock: (clientId: number, mode: UnblockMode) => boolean
  /**
   * Runs `run` (EXEC, a script) serving the keys it makes ready only when it
   * ends: Redis calls handleClientsBlockedOnKeys after the whole command, so
   * a blocked client never pops between a transaction's or a script's writes.
   */
  readonly servingAfter: <A, E, R>(run: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
}



class Waiter {
  settled = false
  constructor(
    readonly request: BlockRequest,
    readonly deferred: Deferred.Deferred<RespValue, CommandError>,
    readonly clock: Clock.Clock
  ) {}
}

const queueId = (db: number, key: ByteString): string => `${db}\u0000${key}`

const makeBlocking = (store: StoreService): BlockingService => {
  /** Per database and key, the waiters in the order they blocked. */
  const queues = new Map<string, Set<Waiter>>()
  const waiters = new Set<Waiter>()
  /** Keys made ready and not yet served, in the order they became ready (blocked.c server.ready_keys). */
  const ready: Array<readonly [number, ByteString]> = []
  const readyIds = new Set<string>()
  let serving = false
  /** How many EXECs or scripts are running (servingAfter): keys made ready wait until the last ends. */
  let holds = 0

  const remove = (waiter: Waiter): void => {
    waiters.delete(waiter)
    for (const key of waiter.request.keys) {
      const id = queueId(waiter.request.db, key)
      const queue = queues.get(id)
      queue?.delete(waiter)
      if (queue?.size === 0) queues.delete(id)
    }
  }

  /** Ends a wait with `outcome` unless it has ended; false when it had. */
  const settle = (waiter: Waiter, outcome: BlockingOutcome): boolean => {
    if (waiter.settled) return false
    waiter.settled = true
    remove(waiter)
    Deferred.unsafeDone(waiter.deferred, Either.match(outcome, { onLeft: Exit.fail, onRight: Exit.succeed }))
    return true
  }

  /** One Store update serving `waiter` from `key`, at its clock's time; undefined when it could not be served. */
  const serveOne = (waiter: Waiter, db: number, key: ByteString): Served | undefined =>
    Effect.runSync(Effect.withClock(
      store.modify(db, [key], (database, nowMs) => {
        const served = waiter.request.serve(database, key, nowMs)
        return served === undefined
          ? [undefined, database, 0] as const
          : [served, served.database, served.changes, served.events] as const
      }),
      waiter.clock
    ))

  /** handleClientsBlockedOnKeys: each ready key in turn, its waiters in blocking order. */
  const serveReady = (): void => {
    serving = true
    try {
      for (let next = ready.shift(); next !== undefined; next = ready.shift()) {
        const [db, key] = next
        const id = queueId(db, key)
        readyIds.delete(id)
        const queue = queues.get(id)
        if (queue === undefined) continue
        for (const waiter of Array.from(queue)) {
          if (waiter.settled) continue
          const served = serveOne(waiter, db, key)
          if (served === undefined) continue
          if (!settle(waiter, served.outcome)) continue
          for (const args of served.propagate) waiter.request.propagate(db, args)
        }
      }
    } finally {
      serving = false
    }
  }

  store.addEventListener((db, events) => {
    // Most writes happen with nobody blocked: no key names to build then.
    if (queues.size === 0 && ready.length === 0) return
    for (const { key } of events) {
      const id = queueId(db, key)
      if (queues.has(id) && !readyIds.has(id)) {
        readyIds.add(id)
        ready.push([db, key])
      }
    }
    if (!serving && holds === 0 && ready.length > 0) serveReady()
  })

  const servingAfter = <A, E, R>(run: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
    Effect.suspend(() => {
      holds++
      return Effect.ensuring(run, Effect.sync(() => {
        holds--
        if (!serving && holds === 0 && ready.length > 0) serveReady()
      }))
    })

  const block = (request: BlockRequest): Effect.Effect<RespValue, CommandError> =>
    Effect.flatMap(Effect.clock, (clock) =>
      Effect.suspend(() => {
        const waiter = new Waiter(request, Deferred.unsafeMake<RespValue, CommandError>(FiberId.none), clock)
        waiters.add(waiter)
        for (const key of request.keys) {
          const id = queueId(request.db, key)
          const queue = queues.get(id) ?? new Set<Waiter>()
          queue.add(waiter)
          queues.set(id, queue)
        }
        const served = Deferred.await(waiter.deferred)
        const timedOut = Effect.sleep(request.timeoutMs).pipe(
          Effect.zipRight(Effect.suspend(() => {
            settle(waiter, Either.right(request.timeoutReply))
            return served
          }))
        )
        return (request.timeoutMs === 0 ? served : Effect.raceFirst(served, timedOut)).pipe(
          Effect.onInterrupt(() =>
            Effect.sync(() => {
              if (!waiter.settled) {
                waiter.settled = true
                remove(waiter)
              }
            })
          )
        )
      }))

  const unblock = (clientId: number, mode: UnblockMode): boolean => {
    for (const waiter of waiters) {
      if (waiter.request.clientId !== clientId) continue
      return settle(waiter, mode === "error" ? Either.left(commandError(unblockedByClientUnblock)) : Either.right(waiter.request.timeoutReply))
    }
    return false
  }

  return { block, blockedClients: () => waiters.size, unblock, servingAfter }
}

const registries = new WeakMap<StoreService, BlockingService>()

/** The blocked clients of `store` (made, and listening to it, on first use). */
export const blockingOf = (store: StoreService): BlockingService => {
  const existing = registries.get(store)
  if (existing !== undefined) return existing
  const made = makeBlocking(store)
  registries.set(store, made)
  return made
}

/** The blocked clients of the Store in context. */
export const Blocking: Effect.Effect<BlockingService, never, Store> = Effect.map(Store, blockingOf)

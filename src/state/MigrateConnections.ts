/**
 * MIGRATE's connections to its targets (cluster.c migrateGetSocket,
 * migrateCloseSocket, migrateCloseTimedoutSockets): one connection per
 * host:port, kept for the next MIGRATE, remembering the database its last
 * SELECT chose, and closed once idle for more than 10 seconds (checked once a
 * second on Effect's clock, as serverCron does) or when the cache already holds 64.
 */
import * as Socket from "@effect/platform/Socket"
import * as NodeSocket from "@effect/platform-node/NodeSocket"
import { Cause, Clock, Context, Data, Deferred, Effect, Exit, Layer, Option, Queue, Schedule, Scope } from "effect"

/** MIGRATE_SOCKET_CACHE_TTL: seconds a cached connection may stay idle. */
export const idleSeconds = 10
/** MIGRATE_SOCKET_CACHE_ITEMS. */
const maxConnections = 64

/** A failed read or write: `timedOut` when the time ran out (Redis's ETIMEDOUT, which is not retried). */
export class MigrateIoError extends Data.TaggedError("MigrateIoError")<{ readonly timedOut: boolean }> {}

/**
 * The connection could not be made: within the timeout, or at all (an address
 * that does not resolve). `refused`: the target was reached and refused it,
 * which Redis's non-blocking connect only learns when it first writes.
 */
export class MigrateConnectError extends Data.TaggedError("MigrateConnectError")<{ readonly refused: boolean }> {}

/** Whether a failed open reached the target (not a name that does not resolve). */
const reachedTarget = (error: unknown): boolean => {
  const cause = error instanceof Socket.SocketGenericError ? error.cause : undefined
  const code = cause instanceof Error && "code" in cause ? cause.code : undefined
  return code !== "ENOTFOUND" && code !== "EAI_AGAIN" && code !== "EAI_FAIL"
}

export interface MigrateConnection {
  /** The database the last successful MIGRATE selected on it; undefined forces a SELECT (last_dbid -1). */
  lastDb: number | undefined
  /** Writes `bytes`, waiting at most `timeoutMs`. */
  readonly write: (bytes: Uint8Array, timeoutMs: number) => Effect.Effect<void, MigrateIoError>
  /** The next reply line, without its CRLF, waiting at most `timeoutMs` (connSyncReadLine). */
  readonly readLine: (timeoutMs: number) => Effect.Effect<string, MigrateIoError>
}

export interface MigrateConnectionsService {
  /** The cached connection to host:port, or a new one made within `timeoutMs`; marks it used now. */
  readonly get: (host: string, port: number, timeoutMs: number) => Effect.Effect<MigrateConnection, MigrateConnectError>
  /** Closes and forgets the connection to host:port (after a socket error). */
  readonly close: (host: string, port: number) => Effect.Effect<void>
  /** Closes the connections idle for more than `idleSeconds` (migrateCloseTimedoutSockets). */
  readonly closeIdle: Effect.Effect<void>
  /** How many connections are cached. */
  readonly size: Effect.Effect<number>
}

interface Cached {
  readonly connection: MigrateConnection
  readonly scope: Scope.CloseableScope
  /** server.unixtime (seconds) when it was last used. */
  lastUse: number
}

/** The end of a connection, in its queue of received chunks. */
const closedMark = "closed"

const unixSeconds = Effect.map(Clock.currentTimeMillis, (ms) => Math.floor(ms / 1000))

/** Connects to host:port within `timeoutMs`; the connection lives until `scope` closes. */
const connect = (host: string, port: number, timeoutMs: number, scope: Scope.Scope) =>
  Effect.gen(function*() {
    const socket = yield* NodeSocket.makeNet({ host, port, noDelay: true }).pipe(
      Effect.mapError(() => new MigrateConnectError({ refused: false }))
    )
    const opened = yield* Deferred.make<void, MigrateConnectError>()
    const received = yield* Queue.unbounded<Uint8Array | typeof closedMark>()
    yield* socket.run((chunk) => Queue.offer(received, chunk), { onOpen: Deferred.succeed(opened, undefined) }).pipe(
      Effect.onExit((exit) =>
        Effect.zipRight(
          Deferred.fail(opened, new MigrateConnectError({ refused: Exit.isFailure(exit) && Cause.failureOption(exit.cause).pipe(Option.exists(reachedTarget)) })),
          Queue.offer(received, closedMark)
        )
      ),
      Effect.ignore,
      Effect.forkIn(scope)
    )
    yield* Deferred.await(opened).pipe(
      Effect.timeoutFail({ duration: timeoutMs, onTimeout: () => new MigrateConnectError({ refused: false }) })
    )
    const send = yield* Scope.extend(socket.writer, scope)
    let pending = Buffer.alloc(0)
    const nextLine = Effect.suspend(function loop(): Effect.Effect<string, MigrateIoError> {
      const end = pending.indexOf(10)
      if (end >= 0) {
        const line = pending.subarray(0, end > 0 && pending[end - 1] === 13 ? end - 1 : end).toString("latin1")
        pending = pending.subarray(end + 1)
        return Effect.succeed(line)
      }
      return Effect.flatMap(Queue.take(received), (chunk) => {
        if (chunk === closedMark) return Effect.zipRight(Queue.offer(received, closedMark), new MigrateIoError({ timedOut: false }))
        pending = Buffer.concat([pending, chunk])
        return loop()
      })
    })
    const connection: MigrateConnection = {
      lastDb: undefined,
      write: (bytes, writeTimeoutMs) =>
        send(bytes).pipe(
          Effect.mapError(() => new MigrateIoError({ timedOut: false })),
          Effect.timeoutFail({ duration: writeTimeoutMs, onTimeout: () => new MigrateIoError({ timedOut: true }) })
        ),
      readLine: (readTimeoutMs) =>
        nextLine.pipe(
          Effect.timeoutFail({ duration: readTimeoutMs, onTimeout: () => new MigrateIoError({ timedOut: true }) })
        )
    }
    return connection
  })

export class MigrateConnections extends Context.Tag("effect-kv/MigrateConnections")<
  MigrateConnections,
  MigrateConnectionsService
>() {
  /** The cache, its idle check running once a second; every connection is closed with the layer. */
  static readonly layer: Layer.Layer<MigrateConnections> = Layer.scoped(this, Effect.suspend(() => make))
}

const make = Effect.gen(function*() {
  const cache = new Map<string, Cached>()
  const lock = yield* Effect.makeSemaphore(1)

  const drop = (name: string) =>
    Effect.suspend(() => {
      const cached = cache.get(name)
      if (cached === undefined) return Effect.void
      cache.delete(name)
      return Scope.close(cached.scope, Exit.void)
    })

  const get = (host: string, port: number, timeoutMs: number) =>
    lock.withPermits(1)(Effect.gen(function*() {
      const name = `${host}:${port}`
      const now = yield* unixSeconds
      const cached = cache.get(name)
      if (cached !== undefined) {
        cached.lastUse = now
        return cached.connection
      }
      if (cache.size >= maxConnections) {
        // Too many: drop one at random, as migrateGetSocket does.
        const names = Array.from(cache.keys())
        yield* drop(names[Math.floor(Math.random() * names.length)])
      }
      const scope = yield* Scope.make()
      const connection = yield* connect(host, port, timeoutMs, scope).pipe(
        Effect.onError(() => Scope.close(scope, Exit.void))
      )
      cache.set(name, { connection, scope, lastUse: now })
      return connection
    }))

  const closeIdle = lock.withPermits(1)(Effect.gen(function*() {
    const now = yield* unixSeconds
    for (const [name, cached] of Array.from(cache)) {
      if (now - cached.lastUse > idleSeconds) yield* drop(name)
    }
  }))

  yield* Effect.addFinalizer(() => Effect.forEach(Array.from(cache.keys()), drop, { discard: true }))
  yield* Effect.forkScoped(Effect.repeat(closeIdle, Schedule.spaced("1 second")))

  const service: MigrateConnectionsService = {
    get,
    close: (host, port) => lock.withPermits(1)(drop(`${host}:${port}`)),
    closeIdle,
    size: Effect.sync(() => cache.size)
  }
  return service
})

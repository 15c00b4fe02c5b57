/**
 * Client side caching (Redis's tracking.c): which clients cached which keys,
 * and the invalidation messages sent when those keys change.
 *
 * Default mode: the keys of every read-only command a tracking client runs
 * are remembered (trackingRememberKeys; OPTIN only after CLIENT CACHING YES,
 * OPTOUT not after CLIENT CACHING NO). A key's change (any keyspace event the
 * Store publishes but `keymiss`: signalModifiedKey) sends each client that
 * remembered it one invalidation and forgets it (trackingInvalidateKey).
 * BCAST mode: every changed key matching one of the client's prefixes is sent
 * (trackingRememberKeyToBroadcast; Redis batches them until beforeSleep, here
 * one message per committed update). Keys are tracked across databases, as
 * Redis's TrackingTable is. A flush invalidates everything with a null
 * (trackingInvalidateKeysOnFlush).
 *
 * A message goes to the client itself as a RESP3 push `invalidate`, or to its
 * REDIRECT client: a push for a RESP3 one, a `message` on
 * `__redis__:invalidate` for a RESP2 one in Pub/Sub mode (sendTrackingMessage).
 *
 * The table holds at most `tracking-table-max-keys` keys (0: no limit): past
 * it, keys are invalidated until it fits again (trackingLimitUsedSlots; Redis
 * picks them by a random walk with a bounded effort per event-loop turn, here
 * the oldest first, all at once, after the command that grew the table).
 */
import { Context, Effect, Layer } from "effect"
import { LiveConfig } from "../config/LiveConfig.js"
import * as Resp from "../resp/values.js"
import type { ByteString, RespValue } from "../resp/values.js"
import type { KeyspaceEvent } from "../store/keyspace-events.js"
import { Store } from "../store/Store.js"
import { PubSub } from "./PubSub.js"
import type { Session } from "./Session.js"

/** CLIENT TRACKING ON's options (clientCommand's parsing). */
export interface TrackingOptions {
  readonly redirect: number
  readonly bcast: boolean
  readonly optin: boolean
  readonly optout: boolean
  readonly noloop: boolean
  readonly prefixes: ReadonlyArray<ByteString>
}

/** INFO's tracking fields (tracking_clients, tracking_total_keys / _items / _prefixes). */
export interface TrackingCounts {
  /** Clients with tracking on (server.tracking_clients). */
  readonly clients: number
  /** Keys in the tracking table. */
  readonly keys: number
  /** (key, client) pairs in the tracking table (TrackingTableTotalItems). */
  readonly items: number
  /** Distinct BCAST prefixes (PrefixTable). */
  readonly prefixes: number
}

/** One tracking client's state (the CLIENT_TRACKING_* flags and its redirection). */
export interface ClientTracking {
  readonly options: TrackingOptions
  readonly prefixes: Set<ByteString>
  /** CLIENT CACHING YES (OPTIN) or NO (OPTOUT) given for the next command (CLIENT_TRACKING_CACHING). */
  caching: boolean
  /** `caching` as it was for the command running now (beforeCommand clears `caching` as that command starts). */
  cachingForCommand: boolean
  /** CLIENT_TRACKING_BROKEN_REDIR: the redirect client was gone when a message was due. */
  brokenRedirect: boolean
}

export const trackingChannel = "__redis__:invalidate"

export interface TrackingService {
  readonly attach: (session: Session) => void
  /** A connection closed: its tracking goes (freeClient -> disableTracking). */
  readonly detach: (id: number) => void
  readonly enable: (id: number, options: TrackingOptions) => void
  readonly disable: (id: number) => void
  readonly of: (id: number) => ClientTracking | undefined
  /** The client running commands now (server.current_client), for NOLOOP. */
  readonly setCurrentClient: (id: number) => void
  /** trackingRememberKeys: a read-only command's keys, when `id` caches them. */
  readonly remember: (id: number, keys: ReadonlyArray<ByteString>) => void
  /**
   * trackingRememberKeys(script_caller): a script of `id` ran a read-only
   * command; `keys` are the script's (EVAL's / FCALL's) keys, as Redis 7.0
   * reads them from the caller's own command.
   */
  readonly rememberForScript: (id: number, keys: ReadonlyArray<ByteString>) => void
  /** The keyspace events of one committed update. */
  readonly hear: (db: number, events: ReadonlyArray<KeyspaceEvent>) => void
  /** A command's reply is written: the invalidations it caused for its own client follow (trackingHandlePendingKeyInvalidations). */
  readonly afterReply: (id: number) => void
  /** FLUSHDB / FLUSHALL: every tracking client is told to drop everything. */
  readonly flushed: () => void
  readonly counts: () => TrackingCounts
}

/** Overlapping prefixes: one starts with the other (checkPrefixCollisionsOrReply's stringCheckPrefix). */
export const prefixesOverlap = (a: ByteString, b: ByteString): boolean => a.startsWith(b) || b.startsWith(a)

/** The message's "value": the keys, or a null for a flush. */
type Invalidated = ReadonlyArray<ByteString> | "all"

const invalidationValue = (keys: Invalidated): RespValue =>
  keys === "all" ? Resp.nullBulk : Resp.array(keys.map(Resp.bulk))

export class Tracking extends Context.Tag("effect-kv/Tracking")<Tracking, TrackingService>() {
  static readonly layer: Layer.Layer<Tracking, never, Store | PubSub | LiveConfig> = Layer.scoped(
    Tracking,
    Effect.gen(function*() {
      const store = yield* Store
      const pubsub = yield* PubSub
      const liveConfig = yield* LiveConfig
      // Plain maps owned by this service; every change is synchronous.
      const sessions = new Map<number, Session>()
      const clients = new Map<number, ClientTracking>()
      /** TrackingTable: key -> the ids of the clients that may have cached it. */
      const keyTable = new Map<ByteString, Set<number>>()
      let currentClient = 0
      /** Keys were added to the table since its size was last checked against tracking-table-max-keys. */
      let grew = false

      /** Messages for the client running a command, sent after its reply (server.tracking_pending_keys). */
      const pending: Array<readonly [number, Invalidated]> = []

      /** sendTrackingMessage. */
      const send = (id: number, tracking: ClientTracking, keys: Invalidated): void => {
        const own = sessions.get(id)
        if (own === undefined) return
        const redirect = tracking.options.redirect
        if (redirect === 0) {
          if (own.protocol === 3) pubsub.sendFirst(id, [Resp.push([Resp.bulk("invalidate"), invalidationValue(keys)])])
          return
        }
        const target = sessions.get(redirect)
        if (target === undefined) {
          tracking.brokenRedirect = true
          if (own.protocol === 3) pubsub.sendFirst(id, [Resp.push([Resp.bulk("tracking-redir-broken"), Resp.integer(redirect)])])
          return
        }
        if (target.protocol === 3) {
          pubsub.sendFirst(redirect, [Resp.push([Resp.bulk("invalidate"), invalidationValue(keys)])])
        } else if (pubsub.isSubscribed(redirect)) {
          pubsub.sendFirst(redirect, [
            Resp.push([Resp.bulk("message"), Resp.bulk(trackingChannel), invalidationValue(keys)])
          ])
        }
      }

      const forget = (id: number): void => {
        clients.delete(id)
        // Redis leaves the ids in the table and skips them lazily; dropping them here keeps the table small.
        for (const [key, ids] of keyTable) {
          if (ids.delete(id) && ids.size === 0) keyTable.delete(key)
        }
      }

      const remember = (id: number, keys: ReadonlyArray<ByteString>, byScript = false): void => {
        const tracking = clients.get(id)
        if (tracking === undefined || tracking.options.bcast) return
        const { optin, optout } = tracking.options
        const caching = byScript ? tracking.cachingForCommand : tracking.caching
        if ((optin && !caching) || (optout && caching)) return
        for (const key of keys) {
          const ids = keyTable.get(key)
          if (ids !== undefined) ids.add(id)
          else {
            keyTable.set(key, new Set([id]))
            grew = true
          }
        }
      }

      /** trackingInvalidateKey for a key the table drops: every client that cached it is told. */
      const evict = (key: ByteString, ids: ReadonlySet<number>): void => {
        keyTable.delete(key)
        for (const id of ids) {
          const tracking = clients.get(id)
          if (tracking !== undefined && !tracking.options.bcast) send(id, tracking, [key])
        }
      }

      /** trackingLimitUsedSlots: while the table holds more than tracking-table-max-keys keys, drop the oldest. */
      const limitTable = (): void => {
        grew = false
        const maxKeys = Number(liveConfig.current().remembered["tracking-table-max-keys"] ?? "1000000")
        if (maxKeys <= 0 || keyTable.size <= maxKeys) return
        for (const [key, ids] of keyTable) {
          evict(key, ids)
          if (keyTable.size <= maxKeys) return
        }
      }

      const hear = (_db: number, events: ReadonlyArray<KeyspaceEvent>): void => {
        if (clients.size === 0) return
        const broadcast = new Map<number, Array<ByteString>>()
        for (const event of events) {
          if (event.eventClass === "keymiss") continue
          const key = event.key
          for (const [id, tracking] of clients) {
            if (!tracking.options.bcast) continue
            if (tracking.options.noloop && id === currentClient) continue
            if (!Array.from(tracking.prefixes).some((prefix) => key.startsWith(prefix))) continue
            const keys = broadcast.get(id) ?? []
            if (!keys.includes(key)) keys.push(key)
            broadcast.set(id, keys)
          }
          const ids = keyTable.get(key)
          if (ids === undefined) continue
          keyTable.delete(key)
          for (const id of ids) {
            const tracking = clients.get(id)
            if (tracking === undefined || tracking.options.bcast) continue
            if (tracking.options.noloop && id === currentClient) continue
            if (id === currentClient) pending.push([id, [key]])
            else send(id, tracking, [key])
          }
        }
        for (const [id, keys] of broadcast) {
          const tracking = clients.get(id)
          if (tracking !== undefined) send(id, tracking, keys)
        }
      }

      const service: TrackingService = {
        attach: (session) => {
          sessions.set(session.id, session)
        },
        detach: (id) => {
          sessions.delete(id)
          forget(id)
        },
        enable: (id, options) => {
          const previous = clients.get(id)
          const prefixes = new Set(previous?.options.bcast === true ? previous.prefixes : [])
          if (options.bcast) {
            // enableTracking: BCAST without PREFIX tracks every key (the empty prefix).
            for (const prefix of options.prefixes.length === 0 ? [""] : options.prefixes) prefixes.add(prefix)
          }
          clients.set(id, { options, prefixes, caching: false, cachingForCommand: false, brokenRedirect: false })
        },
        disable: forget,
        of: (id) => clients.get(id),
        setCurrentClient: (id) => {
          currentClient = id
        },
        remember,
        rememberForScript: (id, keys) => remember(id, keys, true),
        hear,
        afterReply: (id) => {
          if (currentClient === id) currentClient = 0
          if (grew) limitTable()
          if (pending.length === 0) return
          for (const [target, keys] of pending.splice(0)) {
            const tracking = clients.get(target)
            if (tracking !== undefined) send(target, tracking, keys)
          }
        },
        counts: () => {
          let items = 0
          for (const ids of keyTable.values()) items += ids.size
          const prefixes = new Set<ByteString>()
          for (const tracking of clients.values()) for (const prefix of tracking.prefixes) prefixes.add(prefix)
          return { clients: clients.size, keys: keyTable.size, items, prefixes: prefixes.size }
        },
        flushed: () => {
          keyTable.clear()
          for (const [id, tracking] of clients) {
            if (id === currentClient) pending.push([id, "all"])
            else send(id, tracking, "all")
          }
        }
      }
      yield* Effect.acquireRelease(Effect.sync(() => store.addEventListener(hear)), (remove) => Effect.sync(remove))
      return service
    })
  )
}

/** The Tracking service, when the server runs one (an embedded Store has no connections to invalidate). */
export const currentTracking: Effect.Effect<TrackingService | undefined> = Effect.map(
  Effect.serviceOption(Tracking),
  (tracking) => tracking._tag === "Some" ? tracking.value : undefined
)

/**
 * Before a connection runs `args` (call() in server.c): it is the current
 * client (NOLOOP), and a tracking client's read-only command has its keys
 * remembered. `readKeys` gives them, or undefined for a command that is not
 * read-only. (Inside MULTI the keys are remembered when queued: at worst one
 * invalidation more than Redis sends.)
 */
export const beforeCommand = (
  tracking: TrackingService | undefined,
  session: Session,
  args: ReadonlyArray<ByteString>,
  readKeys: () => ReadonlyArray<ByteString> | undefined
): void => {
  if (tracking === undefined) return
  tracking.setCurrentClient(session.id)
  const state = tracking.of(session.id)
  if (state === undefined) return
  const keys = readKeys()
  if (keys !== undefined) tracking.remember(session.id, keys)
  // CLIENT CACHING's answer holds for the next command only (resetClient), all of a MULTI block.
  const cachingCommand = args[0].toLowerCase() === "client" && args[1]?.toLowerCase() === "caching"
  state.cachingForCommand = state.caching
  if (!cachingCommand && session.transaction.queued === undefined) state.caching = false
}

/** After a connection ran `name`: flushes invalidate everything, RESET turns tracking off (clearClientConnectionState). */
export const afterCommand = (
  tracking: TrackingService | undefined,
  session: Session,
  name: string | undefined,
  reply: RespValue
): void => {
  if (tracking === undefined) return
  if (reply._tag !== "Error" && (name === "flushdb" || name === "flushall")) tracking.flushed()
  if (name === "reset") tracking.disable(session.id)
}

/**
 * Keyspace events for an embedding program, no socket involved: what every
 * command did to a key (`set`, `del`, `hset`, `expire` ...) and what happened
 * below the commands (`expired`, `evicted`, `new`, `keymiss`), as a typed
 * Effect `Stream`, in the order Redis raises them (store/keyspace-events.ts).
 * Every event is delivered, whatever `notify-keyspace-events` says (that
 * setting filters the pub/sub channels only).
 *
 * @example
 * Effect.gen(function*() {
 *   const events = yield* KeyspaceEvents
 *   const expired = yield* events.subscribe({ events: ["expired"] })
 *   yield* Stream.runForEach(expired, (event) => Effect.log(`${event.key} expired`))
 * })
 */
import { Context, Effect, Layer, Queue, type Scope, Stream } from "effect"
import type { KeyspaceEventClass } from "../store/keyspace-events.js"
import { Store } from "../store/Store.js"
import { toText } from "./bytes.js"

/** One keyspace event, as `__keyspace@<db>__:<key>` would tell it. */
export interface KeyspaceNotification {
  readonly db: number
  /** The notify-keyspace-events class it belongs to. */
  readonly eventClass: KeyspaceEventClass
  /** The event's name: "set", "del", "expired", "hset", "rename_from" ... */
  readonly event: string
  /** The key, as UTF-8 text. */
  readonly key: string
  /** The key's bytes (a key need not be UTF-8). */
  readonly keyBytes: Uint8Array
}

export interface SubscribeOptions {
  /** Only these event names ("expired", "set" ...); all when omitted. */
  readonly events?: ReadonlyArray<string>
  /** Only these databases; all when omitted. */
  readonly dbs?: ReadonlyArray<number>
  /**
   * Events held for a consumer that has not taken them yet (default 10,000);
   * past that newer ones are dropped, so a slow consumer never slows the store.
   */
  readonly capacity?: number
}

export interface KeyspaceEventsService {
  /**
   * Starts listening now (events from this moment on are kept, even before
   * the stream is run) and returns them as a stream; listening ends with the scope.
   */
  readonly subscribe: (options?: SubscribeOptions) => Effect.Effect<Stream.Stream<KeyspaceNotification>, never, Scope.Scope>
  /** The same, listening from when the stream starts running until it ends. */
  readonly stream: (options?: SubscribeOptions) => Stream.Stream<KeyspaceNotification>
}

const notification = (db: number, eventClass: KeyspaceEventClass, event: string, key: string): KeyspaceNotification => ({
  db,
  eventClass,
  event,
  key: toText(key),
  keyBytes: new Uint8Array(Buffer.from(key, "latin1"))
})

const makeService = (store: Store["Type"]): KeyspaceEventsService => {
  const subscribe = (options: SubscribeOptions = {}) =>
    Effect.gen(function*() {
      const queue = yield* Effect.acquireRelease(
        Queue.dropping<KeyspaceNotification>(options.capacity ?? 10_000),
        Queue.shutdown
      )
      const names = options.events === undefined ? undefined : new Set(options.events)
      const dbs = options.dbs === undefined ? undefined : new Set(options.dbs)
      yield* Effect.acquireRelease(
        Effect.sync(() =>
          store.addEventListener((db, events) => {
            if (dbs !== undefined && !dbs.has(db)) return
            for (const { event, eventClass, key } of events) {
              if (names === undefined || names.has(event)) queue.unsafeOffer(notification(db, eventClass, event, key))
            }
          })
        ),
        (remove) => Effect.sync(remove)
      )
      return Stream.fromQueue(queue)
    })
  return { subscribe, stream: (options) => Stream.unwrapScoped(subscribe(options)) }
}

export class KeyspaceEvents extends Context.Tag("effect-kv/KeyspaceEvents")<KeyspaceEvents, KeyspaceEventsService>() {
  /** Needs the Store: `KeyspaceEvents.layer.pipe(Layer.provide(Store.layer))`. */
  static readonly layer: Layer.Layer<KeyspaceEvents, never, Store> = Layer.effect(KeyspaceEvents, Effect.map(Store, makeService))
}

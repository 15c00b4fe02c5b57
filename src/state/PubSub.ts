/**
 * The one registry of subscribers (Redis's pubsub.c): channels, patterns and
 * shard channels, each mapped to its subscribers in subscription order, and
 * each subscriber's own subscriptions. A subscriber is a client connection
 * (messages become RESP replies, RESP3 pushes) or an Effect program's Stream.
 *
 * A message is handed to a connection as soon as it is published: into the
 * replies of the batch the connection is running (so a client publishing to
 * itself sees the message before PUBLISH's reply, as Redis does), else
 * written to its socket at once. After each delivery the socket's unsent
 * bytes are held against `client-output-buffer-limit pubsub`
 * (networking.c checkClientOutputBufferLimits): over the hard limit, or over
 * the soft limit for longer than its seconds, the connection is closed at
 * once, its unsent output dropped, so a subscriber that does not read never
 * slows the publisher nor grows the server's memory past the limit.
 * A Stream subscriber has a bounded queue instead: when it is full the
 * subscription ends and the Stream fails with `SubscriberOverflow`.
 */
import { Context, Data, Deferred, Effect, Exit, Layer, Queue, type Scope, Stream } from "effect"
import { LiveConfig } from "../config/LiveConfig.js"
import type { OutputBufferLimit } from "../config/config.js"
import * as Resp from "../resp/values.js"
import type { ByteString, RespValue } from "../resp/values.js"
import { globMatch } from "../store/glob.js"
import type { Session } from "./Session.js"

/** The three name spaces a client subscribes in. */
export type SubscriptionKind = "channel" | "pattern" | "shard"

/** One delivered message: `message`, `pmessage` (with the pattern matched) or `smessage`. */
export interface PubSubMessage {
  readonly kind: "message" | "pmessage" | "smessage"
  /** The pattern that matched, for `pmessage` only. */
  readonly pattern: ByteString | undefined
  readonly channel: ByteString
  readonly message: ByteString
}

/** What an Effect program subscribes to; each name is a byte string (see resp/values.ts). */
export interface Topics {
  readonly channels?: ReadonlyArray<ByteString>
  readonly patterns?: ReadonlyArray<ByteString>
  readonly shardChannels?: ReadonlyArray<ByteString>
}

/** A Stream subscriber did not keep up: more messages than its queue holds were waiting. */
export class SubscriberOverflow extends Data.TaggedError("SubscriberOverflow")<{ readonly capacity: number }> {}

/** How a connection takes what the registry sends it. */
export interface ConnectionOutput {
  /** Adds replies to the batch the connection is running, or writes them now; returns the bytes not yet sent. */
  readonly deliver: (replies: ReadonlyArray<RespValue>) => number
  /** Closes the connection now, dropping its unsent output (freeClientAsync over the output buffer limit). */
  readonly cutOff: (reason: string) => void
}

/** A client's subscription counts, as CLIENT LIST's sub / psub / ssub. */
export interface SubscriptionCounts {
  readonly channels: number
  readonly patterns: number
  readonly shardChannels: number
}

interface Subscriber {
  readonly id: number
  readonly receive: (message: PubSubMessage) => void
  readonly subscriptions: Record<SubscriptionKind, Set<ByteString>>
}

export interface PubSubService {
  /** PUBLISH: the number of subscribers that got the message (channel subscribers, then pattern matches). */
  readonly publish: (channel: ByteString, message: ByteString) => Effect.Effect<number>
  /** SPUBLISH. */
  readonly publishShard: (channel: ByteString, message: ByteString) => Effect.Effect<number>
  /**
   * Subscribes now, for the life of the scope: every message published from
   * then on is in the Stream, in order. Fails with `SubscriberOverflow` once
   * more than `capacity` messages wait unread (then it is unsubscribed).
   */
  readonly subscribe: (
    topics: Topics,
    options?: { readonly capacity?: number }
  ) => Effect.Effect<Stream.Stream<PubSubMessage, SubscriberOverflow>, never, Scope.Scope>

  /** A connection opens: it may subscribe from now on. */
  readonly attach: (session: Session, output: ConnectionOutput) => Effect.Effect<void>
  /** A connection closes: all its subscriptions go. */
  readonly detach: (id: number) => Effect.Effect<void>
  /** Drops every subscription of client `id`, which stays attached (RESET: pubsubUnsubscribeAll... in clearClientConnectionState). */
  readonly unsubscribeAll: (id: number) => Effect.Effect<void>
  /** Subscribes client `id` to `name`; its subscription count afterwards (pubsubSubscribeChannel and friends). */
  readonly add: (id: number, kind: SubscriptionKind, name: ByteString) => number
  /** Unsubscribes client `id` from `name`; its subscription count afterwards. */
  readonly remove: (id: number, kind: SubscriptionKind, name: ByteString) => number
  /** What client `id` is subscribed to, of one kind, in subscription order. */
  readonly subscriptionsOf: (id: number, kind: SubscriptionKind) => ReadonlyArray<ByteString>
  /** The count a (un)subscribe confirmation reports: channels and patterns, or shard channels. */
  readonly countFor: (id: number, kind: SubscriptionKind) => number
  readonly counts: (id: number) => SubscriptionCounts
  /** Redis's CLIENT_PUBSUB flag: subscribed to anything at all. */
  readonly isSubscribed: (id: number) => boolean
  /** Replies a command sends before its own (SUBSCRIBE a b: the confirmation for a). */
  readonly sendFirst: (id: number, replies: ReadonlyArray<RespValue>) => void
  /** Channels (or shard channels, or patterns) with at least one subscriber. */
  readonly active: (kind: SubscriptionKind) => ReadonlyArray<ByteString>
  /** The number of subscribers of `name`. */
  readonly subscriberCount: (kind: SubscriptionKind, name: ByteString) => number
}

/** The RESP form of a message: `message` / `smessage` (3 items) or `pmessage` (4), a push in RESP3. */
export const messageReply = (message: PubSubMessage): RespValue =>
  Resp.push(
    message.pattern === undefined
      ? [Resp.bulk(message.kind), Resp.bulk(message.channel), Resp.bulk(message.message)]
      : [Resp.bulk(message.kind), Resp.bulk(message.pattern), Resp.bulk(message.channel), Resp.bulk(message.message)]
  )

/** When a subscriber over `limit` is closed: the hard limit, or the soft one for longer than its seconds. */
export const overLimit = (
  limit: OutputBufferLimit,
  pendingBytes: number,
  softSinceMs: number | undefined,
  nowMs: number
): { readonly close: boolean; readonly softSinceMs: number | undefined } => {
  if (limit.hardBytes > 0 && pendingBytes >= limit.hardBytes) return { close: true, softSinceMs }
  if (limit.softBytes === 0 || pendingBytes < limit.softBytes) return { close: false, softSinceMs: undefined }
  if (softSinceMs === undefined) return { close: false, softSinceMs: nowMs }
  return { close: nowMs - softSinceMs > limit.softSeconds * 1000, softSinceMs }
}

export const noSubscriptions: SubscriptionCounts = { channels: 0, patterns: 0, shardChannels: 0 }

/** INFO's pubsub_channels, pubsub_patterns and pubsubshard_channels: names with subscribers. */
export const activeCounts = (pubsub: PubSubService): SubscriptionCounts => ({
  channels: pubsub.active("channel").length,
  patterns: pubsub.active("pattern").length,
  shardChannels: pubsub.active("shard").length
})

const subscriptionKinds: ReadonlyArray<SubscriptionKind> = ["channel", "pattern", "shard"]

const emptySubscriptions = (): Record<SubscriptionKind, Set<ByteString>> => ({
  channel: new Set(),
  pattern: new Set(),
  shard: new Set()
})

export class PubSub extends Context.Tag("effect-kv/PubSub")<PubSub, PubSubService>() {
  static readonly layer: Layer.Layer<PubSub, never, LiveConfig> = Layer.effect(
    PubSub,
    Effect.gen(function*() {
      const live = yield* LiveConfig
      const clock = yield* Effect.clock
      // Plain maps, owned by this service: every change is synchronous, so no fiber sees one half done.
      const subscribers = new Map<number, Subscriber>()
      const outputs = new Map<number, ConnectionOutput>()
      const index: Record<SubscriptionKind, Map<ByteString, Map<number, Subscriber>>> = {
        channel: new Map(),
        pattern: new Map(),
        shard: new Map()
      }
      let nextStreamId = -1

      const countFor = (id: number, kind: SubscriptionKind): number => {
        const subscriptions = subscribers.get(id)?.subscriptions
        if (subscriptions === undefined) return 0
        return kind === "shard" ? subscriptions.shard.size : subscriptions.channel.size + subscriptions.pattern.size
      }

      const add = (id: number, kind: SubscriptionKind, name: ByteString): number => {
        const subscriber = subscribers.get(id)
        if (subscriber !== undefined && !subscriber.subscriptions[kind].has(name)) {
          subscriber.subscriptions[kind].add(name)
          const listeners = index[kind].get(name) ?? new Map<number, Subscriber>()
          listeners.set(id, subscriber)
          index[kind].set(name, listeners)
        }
        return countFor(id, kind)
      }

      const remove = (id: number, kind: SubscriptionKind, name: ByteString): number => {
        const subscriber = subscribers.get(id)
        if (subscriber !== undefined && subscriber.subscriptions[kind].delete(name)) {
          const listeners = index[kind].get(name)
          listeners?.delete(id)
          // The name goes once its last subscriber does (PUBSUB CHANNELS lists active channels only).
          if (listeners !== undefined && listeners.size === 0) index[kind].delete(name)
        }
        return countFor(id, kind)
      }

      const unsubscribeAll = (id: number): void => {
        const subscriber = subscribers.get(id)
        if (subscriber === undefined) return
        for (const kind of subscriptionKinds) {
          for (const name of Array.from(subscriber.subscriptions[kind])) remove(id, kind, name)
        }
      }

      const removeAll = (id: number): void => {
        unsubscribeAll(id)
        subscribers.delete(id)
        outputs.delete(id)
      }

      /** pubsubPublishMessage: the channel's subscribers, then every client's matching patterns. */
      const publishNow = (channel: ByteString, message: ByteString): number => {
        let receivers = 0
        const direct = index.channel.get(channel)
        if (direct !== undefined) {
          for (const subscriber of Array.from(direct.values())) {
            subscriber.receive({ kind: "message", pattern: undefined, channel, message })
            receivers++
          }
        }
        for (const [pattern, listeners] of Array.from(index.pattern)) {
          if (!globMatch(pattern, channel)) continue
          for (const subscriber of Array.from(listeners.values())) {
            subscriber.receive({ kind: "pmessage", pattern, channel, message })
            receivers++
          }
        }
        return receivers
      }

      const publishShardNow = (channel: ByteString, message: ByteString): number => {
        const listeners = index.shard.get(channel)
        if (listeners === undefined) return 0
        const all = Array.from(listeners.values())
        for (const subscriber of all) subscriber.receive({ kind: "smessage", pattern: undefined, channel, message })
        return all.length
      }

      /** A connection's subscriber: RESP replies, held against the pubsub output buffer limit. */
      const connectionSubscriber = (session: Session, output: ConnectionOutput): Subscriber => {
        let softSinceMs: number | undefined = undefined
        let closed = false
        return {
          id: session.id,
          subscriptions: emptySubscriptions(),
          receive: (message) => {
            if (closed) return
            const pendingBytes = output.deliver([messageReply(message)])
            const verdict = overLimit(live.current().clientOutputBufferLimit.pubsub, pendingBytes, softSinceMs,
              clock.unsafeCurrentTimeMillis())
            softSinceMs = verdict.softSinceMs
            if (!verdict.close) return
            closed = true
            removeAll(session.id)
            output.cutOff(
              `Client id=${session.id} addr=${session.remoteAddress} scheduled to be closed ASAP for overcoming of output buffer limits.`
            )
          }
        }
      }

      const subscribe: PubSubService["subscribe"] = (topics, options) =>
        Effect.gen(function*() {
          const capacity = options?.capacity ?? 10_000
          const queue = yield* Effect.acquireRelease(Queue.bounded<PubSubMessage>(capacity), Queue.shutdown)
          const overflow = yield* Deferred.make<never, SubscriberOverflow>()
          const id = nextStreamId--
          const subscriber: Subscriber = {
            id,
            subscriptions: emptySubscriptions(),
            receive: (message) => {
              if (queue.unsafeOffer(message)) return
              removeAll(id)
              Deferred.unsafeDone(overflow, Exit.fail(new SubscriberOverflow({ capacity })))
            }
          }
          yield* Effect.acquireRelease(
            Effect.sync(() => {
              subscribers.set(id, subscriber)
              for (const name of topics.channels ?? []) add(id, "channel", name)
              for (const name of topics.patterns ?? []) add(id, "pattern", name)
              for (const name of topics.shardChannels ?? []) add(id, "shard", name)
            }),
            () => Effect.sync(() => removeAll(id))
          )
          return Stream.fromQueue(queue).pipe(Stream.interruptWhen(Deferred.await(overflow)))
        })

      const service: PubSubService = {
        publish: (channel, message) => Effect.sync(() => publishNow(channel, message)),
        publishShard: (channel, message) => Effect.sync(() => publishShardNow(channel, message)),
        subscribe,
        attach: (session, output) =>
          Effect.sync(() => {
            subscribers.set(session.id, connectionSubscriber(session, output))
            outputs.set(session.id, output)
          }),
        detach: (id) => Effect.sync(() => removeAll(id)),
        unsubscribeAll: (id) => Effect.sync(() => unsubscribeAll(id)),
        add,
        remove,
        subscriptionsOf: (id, kind) => Array.from(subscribers.get(id)?.subscriptions[kind] ?? []),
        countFor,
        counts: (id) => {
          const subscriptions = subscribers.get(id)?.subscriptions
          return {
            channels: subscriptions?.channel.size ?? 0,
            patterns: subscriptions?.pattern.size ?? 0,
            shardChannels: subscriptions?.shard.size ?? 0
          }
        },
        isSubscribed: (id) => {
          const subscriptions = subscribers.get(id)?.subscriptions
          return subscriptions !== undefined &&
            subscriptions.channel.size + subscriptions.pattern.size + subscriptions.shard.size > 0
        },
        sendFirst: (id, replies) => {
          outputs.get(id)?.deliver(replies)
        },
        active: (kind) => Array.from(index[kind].keys()),
        subscriberCount: (kind, name) => index[kind].get(name)?.size ?? 0
      }
      return service
    })
  )
}

/**
 * The PubSub service without a socket: an Effect program publishes and
 * receives messages as a Stream; and the output buffer limit's rule.
 */
import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Either, Fiber, Layer, Option, Stream } from "effect"
import * as fc from "fast-check"
import { defaultServerConfig } from "../../src/config/config.js"
import { LiveConfig } from "../../src/config/LiveConfig.js"
import { overLimit, PubSub, type PubSubMessage, SubscriberOverflow } from "../../src/state/PubSub.js"
import { PersistenceMemory, ServerAddress, serverLayer } from "../../src/index.js"
import { encodeCommand } from "../../src/resp/encoder.js"
import { connectRaw } from "../wire/raw-client.js"

const pubsubLayer = PubSub.layer.pipe(Layer.provide(LiveConfig.layer(defaultServerConfig)))

const message = (channel: string, text: string): PubSubMessage =>
  ({ kind: "message", pattern: undefined, channel, message: text })

describe("PubSub as Streams", () => {
  it.scoped("delivers channel, pattern and shard messages to a subscribed Stream, in order", () =>
    Effect.gen(function*() {
      const pubsub = yield* PubSub
      const messages = yield* pubsub.subscribe({ channels: ["orders"], patterns: ["user:*"], shardChannels: ["s"] })
      expect(yield* pubsub.publish("orders", "1")).toBe(1)
      expect(yield* pubsub.publish("user:7", "login")).toBe(1)
      expect(yield* pubsub.publish("other", "ignored")).toBe(0)
      expect(yield* pubsub.publishShard("s", "sharded")).toBe(1)
      const received = yield* Stream.runCollect(Stream.take(messages, 3))
      expect(Chunk.toReadonlyArray(received)).toEqual([
        message("orders", "1"),
        { kind: "pmessage", pattern: "user:*", channel: "user:7", message: "login" },
        { kind: "smessage", pattern: undefined, channel: "s", message: "sharded" }
      ])
    }).pipe(Effect.provide(pubsubLayer)))

  it.effect("unsubscribes when the subscription's scope closes: nothing is left behind", () =>
    Effect.gen(function*() {
      const pubsub = yield* PubSub
      yield* Effect.scoped(Effect.gen(function*() {
        yield* pubsub.subscribe({ channels: ["a", "b"], patterns: ["p*"] })
        expect(pubsub.active("channel")).toEqual(["a", "b"])
        expect(pubsub.active("pattern")).toEqual(["p*"])
      }))
      expect(pubsub.active("channel")).toEqual([])
      expect(pubsub.active("pattern")).toEqual([])
      expect(yield* pubsub.publish("a", "late")).toBe(0)
    }).pipe(Effect.provide(pubsubLayer)))

  it.scoped("a consumer waiting on the Stream gets a message published afterwards", () =>
    Effect.gen(function*() {
      const pubsub = yield* PubSub
      const messages = yield* pubsub.subscribe({ channels: ["events"] })
      const first = yield* Effect.fork(Stream.runHead(messages))
      yield* Effect.yieldNow()
      yield* pubsub.publish("events", "ready")
      expect(yield* Fiber.join(first)).toEqual(Option.some(message("events", "ready")))
    }).pipe(Effect.provide(pubsubLayer)))

  it.scoped("a Stream that falls behind its capacity fails with SubscriberOverflow and is unsubscribed", () =>
    Effect.gen(function*() {
      const pubsub = yield* PubSub
      const messages = yield* pubsub.subscribe({ channels: ["fast"] }, { capacity: 2 })
      for (let i = 0; i < 3; i++) yield* pubsub.publish("fast", String(i))
      expect(pubsub.subscriberCount("channel", "fast")).toBe(0)
      const outcome = yield* Effect.either(Stream.runDrain(messages))
      expect(Either.isLeft(outcome) && outcome.left instanceof SubscriberOverflow).toBe(true)
    }).pipe(Effect.provide(pubsubLayer)))
})

describe("PubSub in a running server", () => {
  const server = serverLayer({ ...defaultServerConfig, port: 0, save: [], loglevel: "warning" },
    { persistence: PersistenceMemory.layer })

  it.scoped("an Effect program and a socket client publish to each other", () =>
    Effect.gen(function*() {
      const pubsub = yield* PubSub
      const { port } = yield* ServerAddress
      const messages = yield* pubsub.subscribe({ channels: ["from-socket"] })
      const client = yield* Effect.acquireRelease(Effect.promise(() => connectRaw(port)), (c) => Effect.sync(c.close))
      const confirmation = "*3\r\n$9\r\nsubscribe\r\n$9\r\nfrom-code\r\n:1\r\n"
      client.send(encodeCommand(["SUBSCRIBE", "from-code"]))
      expect(yield* Effect.promise(() => client.read(confirmation.length))).toBe(confirmation)
      expect(yield* pubsub.publish("from-code", "hello socket")).toBe(1)
      const delivered = "*3\r\n$7\r\nmessage\r\n$9\r\nfrom-code\r\n$12\r\nhello socket\r\n"
      expect(yield* Effect.promise(() => client.read(delivered.length))).toBe(delivered)

      const publisher = yield* Effect.acquireRelease(Effect.promise(() => connectRaw(port)), (c) => Effect.sync(c.close))
      publisher.send(encodeCommand(["PUBLISH", "from-socket", "hello code"]))
      expect(yield* Effect.promise(() => publisher.read(4))).toBe(":1\r\n")
      const received = yield* Stream.runCollect(Stream.take(messages, 1))
      expect(Chunk.toReadonlyArray(received)).toEqual([message("from-socket", "hello code")])
    }).pipe(Effect.provide(server)), { timeout: 20_000 })
})

describe("overLimit (checkClientOutputBufferLimits)", () => {
  const limit = { hardBytes: 1000, softBytes: 100, softSeconds: 60 }

  it("closes at the hard limit, and over the soft limit only after its seconds", () => {
    expect(overLimit(limit, 1000, undefined, 0).close).toBe(true)
    expect(overLimit(limit, 99, 5, 100_000)).toEqual({ close: false, softSinceMs: undefined })
    expect(overLimit(limit, 100, undefined, 7)).toEqual({ close: false, softSinceMs: 7 })
    expect(overLimit(limit, 100, 7, 60_007)).toEqual({ close: false, softSinceMs: 7 })
    expect(overLimit(limit, 100, 7, 60_008)).toEqual({ close: true, softSinceMs: 7 })
  })

  it("never closes under both limits, and 0 turns a limit off", () => {
    fc.assert(fc.property(fc.nat(), fc.nat(), fc.option(fc.nat(), { nil: undefined }), fc.nat(), (hard, soft, since, now) => {
      const verdict = overLimit({ hardBytes: hard, softBytes: soft, softSeconds: 0 }, Math.max(0, Math.min(hard, soft) - 1),
        since, now)
      expect(verdict.close).toBe(false)
      expect(overLimit({ hardBytes: 0, softBytes: 0, softSeconds: 0 }, hard + soft, since, now).close).toBe(false)
    }))
  })
})

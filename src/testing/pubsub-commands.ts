/**
 * fast-check arbitraries for pub/sub sessions: steps for two subscriber
 * connections and one publisher, over a few channels and patterns that
 * overlap, so that messages reach several subscriptions at once.
 */
import fc from "fast-check"
import type { ByteString, Command } from "../resp/values.js"

/** Which connection a step runs on. */
export type PubSubRole = "subscriber1" | "subscriber2" | "publisher"

export interface PubSubStep {
  readonly role: PubSubRole
  readonly args: Command
}

/** Channel names, among them one with a glob character and a binary one. */
export const pubsubChannels: ReadonlyArray<ByteString> = ["news", "news.uk", "sport", "n*", "\x00\xff"]
/** Patterns matching some of those channels, one of them none. */
export const pubsubPatterns: ReadonlyArray<ByteString> = ["*", "news*", "n?ws", "[ns]*", "n\\*", "none*"]

const channel = fc.constantFrom(...pubsubChannels)
const pattern = fc.constantFrom(...pubsubPatterns)
const text = fc.constantFrom("hi", "", "a longer message", "\r\n\x00")
const some = <A>(item: fc.Arbitrary<A>) => fc.array(item, { minLength: 1, maxLength: 3 })
const any = <A>(item: fc.Arbitrary<A>) => fc.array(item, { maxLength: 3 })

/** A command a subscriber connection sends: (un)subscriptions, PING, and commands refused in RESP2 subscribed mode. */
export const subscriberCommand: fc.Arbitrary<Command> = fc.oneof(
  some(channel).map((names) => ["SUBSCRIBE", ...names]),
  any(channel).map((names) => ["UNSUBSCRIBE", ...names]),
  some(pattern).map((names) => ["PSUBSCRIBE", ...names]),
  any(pattern).map((names) => ["PUNSUBSCRIBE", ...names]),
  some(channel).map((names) => ["SSUBSCRIBE", ...names]),
  any(channel).map((names) => ["SUNSUBSCRIBE", ...names]),
  fc.constantFrom<Command>(["PING"], ["PING", "hello"], ["GET", "k"], ["CLIENT", "GETNAME"]),
  fc.tuple(channel, text).map(([name, message]) => ["PUBLISH", name, message])
)

/** A command the publisher sends: PUBLISH, SPUBLISH and PUBSUB's introspection. */
export const publisherCommand: fc.Arbitrary<Command> = fc.oneof(
  { weight: 4, arbitrary: fc.tuple(channel, text).map(([name, message]): Command => ["PUBLISH", name, message]) },
  { weight: 2, arbitrary: fc.tuple(channel, text).map(([name, message]): Command => ["SPUBLISH", name, message]) },
  { weight: 1, arbitrary: any(channel).map((names): Command => ["PUBSUB", "NUMSUB", ...names]) },
  { weight: 1, arbitrary: any(channel).map((names): Command => ["PUBSUB", "SHARDNUMSUB", ...names]) },
  { weight: 1, arbitrary: fc.constantFrom<Command>(["PUBSUB", "NUMPAT"], ["PUBSUB", "CHANNELS"], ["PUBSUB", "SHARDCHANNELS"]) },
  { weight: 1, arbitrary: pattern.map((name): Command => ["PUBSUB", "CHANNELS", name]) }
)

/** One step of a pub/sub session. */
export const pubsubStep: fc.Arbitrary<PubSubStep> = fc.oneof(
  subscriberCommand.map((args): PubSubStep => ({ role: "subscriber1", args })),
  subscriberCommand.map((args): PubSubStep => ({ role: "subscriber2", args })),
  publisherCommand.map((args): PubSubStep => ({ role: "publisher", args }))
)

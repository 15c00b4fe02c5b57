/**
 * The pub/sub family (pubsub.c): SUBSCRIBE, UNSUBSCRIBE, PSUBSCRIBE,
 * PUNSUBSCRIBE, SSUBSCRIBE, SUNSUBSCRIBE, PUBLISH, SPUBLISH and PUBSUB's
 * introspection. The registry is the PubSub service (state/PubSub.ts).
 *
 * Redis answers (UN)SUBSCRIBE with one confirmation per channel; a handler has
 * one reply, so the confirmations before the last go first through the
 * connection's output (`sendFirst`), among the batch's replies, in order.
 */
import { Effect } from "effect"
import * as Errors from "../errors.js"
import * as Resp from "../resp/values.js"
import type { ByteString, RespValue } from "../resp/values.js"
import { globMatch } from "../store/glob.js"
import { PubSub, type PubSubService, type SubscriptionKind } from "../state/PubSub.js"
import { command, noKeys } from "./row.js"
import type { CommandFlag, CommandSpec, Handler } from "./types.js"

/** addReplyPubsubSubscribed / addReplyPubsubUnsubscribed: `[action, channel or nil, count]`, a push in RESP3. */
const confirmation = (action: string, name: ByteString | undefined, count: number): RespValue =>
  Resp.push([Resp.bulk(action), name === undefined ? Resp.nullBulk : Resp.bulk(name), Resp.integer(count)])

/** Sends every reply but the last ahead of the command's own, which is the last. */
const answerAll = (pubsub: PubSubService, id: number, replies: ReadonlyArray<RespValue>): RespValue => {
  pubsub.sendFirst(id, replies.slice(0, -1))
  return replies[replies.length - 1]
}

/** subscribeCommand, psubscribeCommand, ssubscribeCommand. */
const subscribeTo = (kind: SubscriptionKind, action: string): Handler<PubSub> => (args, session) =>
  Effect.map(PubSub, (pubsub) =>
    answerAll(pubsub, session.id, args.slice(1).map((name) =>
      confirmation(action, name, pubsub.add(session.id, kind, name)))))

/**
 * unsubscribeCommand and friends: the names given, or every subscription of
 * the kind; subscribed to none of them, still one confirmation with a nil name.
 */
const unsubscribeFrom = (kind: SubscriptionKind, action: string): Handler<PubSub> => (args, session) =>
  Effect.map(PubSub, (pubsub) => {
    const names = args.length > 1 ? args.slice(1) : pubsub.subscriptionsOf(session.id, kind)
    if (names.length === 0) return confirmation(action, undefined, pubsub.countFor(session.id, kind))
    return answerAll(pubsub, session.id, names.map((name) =>
      confirmation(action, name, pubsub.remove(session.id, kind, name))))
  })

export const subscribe = subscribeTo("channel", "subscribe")
export const psubscribe = subscribeTo("pattern", "psubscribe")
export const ssubscribe = subscribeTo("shard", "ssubscribe")
export const unsubscribe = unsubscribeFrom("channel", "unsubscribe")
export const punsubscribe = unsubscribeFrom("pattern", "punsubscribe")
export const sunsubscribe = unsubscribeFrom("shard", "sunsubscribe")

export const publish: Handler<PubSub> = (args) =>
  Effect.flatMap(PubSub, (pubsub) => Effect.map(pubsub.publish(args[1], args[2]), Resp.integer))

export const spublish: Handler<PubSub> = (args) =>
  Effect.flatMap(PubSub, (pubsub) => Effect.map(pubsub.publishShard(args[1], args[2]), Resp.integer))

/** PUBSUB CHANNELS / SHARDCHANNELS [pattern]: the active names matching the pattern (all without one). */
const activeChannels = (kind: SubscriptionKind): Handler<PubSub> => (args) =>
  args.length > 3
    ? Effect.fail(Errors.commandError(Errors.subcommandSyntax(args[1], "PUBSUB")))
    : Effect.map(PubSub, (pubsub) =>
      Resp.array(pubsub.active(kind)
        .filter((name) => args.length < 3 || globMatch(args[2], name))
        .map(Resp.bulk)))

/** PUBSUB NUMSUB / SHARDNUMSUB: each name and its subscriber count, flat. */
const subscriberCounts = (kind: SubscriptionKind): Handler<PubSub> => (args) =>
  Effect.map(PubSub, (pubsub) =>
    Resp.array(args.slice(2).flatMap((name) => [Resp.bulk(name), Resp.integer(pubsub.subscriberCount(kind, name))])))

/** PUBSUB NUMPAT: the number of distinct patterns subscribed to. */
const numpat: Handler<PubSub> = () => Effect.map(PubSub, (pubsub) => Resp.integer(pubsub.active("pattern").length))

const pubsubHelpLines = [
  "PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
  "CHANNELS [<pattern>]",
  "    Return the currently active channels matching a <pattern> (default: '*').",
  "NUMPAT",
  "    Return number of subscriptions to patterns.",
  "NUMSUB [<channel> ...]",
  "    Return the number of subscribers for the specified channels, excluding",
  "    pattern subscriptions(default: no channels).",
  "SHARDCHANNELS [<pattern>]",
  "    Return the currently active shard level channels matching a <pattern> (default: '*').",
  "SHARDNUMSUB [<shardchannel> ...]",
  "    Return the number of subscribers for the specified shard level channel(s)",
  "HELP",
  "    Prints this help."
]

const pubsubHelp: Handler<never> = () => Effect.succeed(Resp.array(pubsubHelpLines.map(Resp.simple)))

const subscribeFlags: ReadonlyArray<CommandFlag> = ["pubsub", "noscript", "loading", "stale"]
const publishFlags: ReadonlyArray<CommandFlag> = ["pubsub", "loading", "stale", "fast"]
const introspectionFlags: ReadonlyArray<CommandFlag> = ["pubsub", "loading", "stale"]
const since2 = { since: "2.0.0", group: "pubsub" }
const since7 = { since: "7.0.0", group: "pubsub" }

/** The family's rows, as redis-server 7.0.15's COMMAND INFO and COMMAND DOCS describe them. */
export const pubsubCommands: ReadonlyArray<CommandSpec<PubSub>> = [
  command({ name: "subscribe", arity: -2, flags: subscribeFlags, keys: noKeys, ...since2,
    summary: "Listen for messages published to the given channels", handler: subscribe }),
  command({ name: "unsubscribe", arity: -1, flags: subscribeFlags, keys: noKeys, ...since2,
    summary: "Stop listening for messages posted to the given channels", handler: unsubscribe }),
  command({ name: "psubscribe", arity: -2, flags: subscribeFlags, keys: noKeys, ...since2,
    summary: "Listen for messages published to channels matching the given patterns", handler: psubscribe }),
  command({ name: "punsubscribe", arity: -1, flags: subscribeFlags, keys: noKeys, ...since2,
    summary: "Stop listening for messages posted to channels matching the given patterns", handler: punsubscribe }),
  command({ name: "publish", arity: 3, flags: publishFlags, keys: noKeys, ...since2,
    summary: "Post a message to a channel", handler: publish }),
  command({ name: "ssubscribe", arity: -2, flags: subscribeFlags, keys: [1, -1, 1], ...since7,
    summary: "Listen for messages published to the given shard channels", handler: ssubscribe }),
  command({ name: "sunsubscribe", arity: -1, flags: subscribeFlags, keys: [1, -1, 1], ...since7,
    summary: "Stop listening for messages posted to the given shard channels", handler: sunsubscribe }),
  command({ name: "spublish", arity: 3, flags: publishFlags, keys: [1, 1, 1], ...since7,
    summary: "Post a message to a shard channel", handler: spublish }),
  command({ name: "pubsub", arity: -2, flags: [], keys: noKeys, since: "2.8.0", group: "pubsub",
    summary: "A container for Pub/Sub commands", handler: pubsubHelp,
    subcommands: [
      command({ name: "channels", arity: -2, flags: introspectionFlags, keys: noKeys, since: "2.8.0", group: "pubsub",
        summary: "List active channels", handler: activeChannels("channel") }),
      command({ name: "help", arity: 2, flags: ["loading", "stale"], keys: noKeys, since: "6.2.0", group: "pubsub",
        summary: "Show helpful text about the different subcommands", handler: pubsubHelp }),
      command({ name: "numpat", arity: 2, flags: introspectionFlags, keys: noKeys, since: "2.8.0", group: "pubsub",
        summary: "Get the count of unique patterns pattern subscriptions", handler: numpat }),
      command({ name: "numsub", arity: -2, flags: introspectionFlags, keys: noKeys, since: "2.8.0", group: "pubsub",
        summary: "Get the count of subscribers for channels", handler: subscriberCounts("channel") }),
      command({ name: "shardchannels", arity: -2, flags: introspectionFlags, keys: noKeys, since: "7.0.0",
        group: "pubsub", summary: "List active shard channels", handler: activeChannels("shard") }),
      command({ name: "shardnumsub", arity: -2, flags: introspectionFlags, keys: noKeys, since: "7.0.0",
        group: "pubsub", summary: "Get the count of subscribers for shard channels", handler: subscriberCounts("shard") })
    ] })
]

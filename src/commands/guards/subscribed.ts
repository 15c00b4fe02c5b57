/**
 * Subscribed mode (server.c processCommand, pingCommand): a RESP2 client
 * subscribed to anything may only run (P|S)SUBSCRIBE, (P|S)UNSUBSCRIBE, PING,
 * QUIT and RESET; every other command answers Redis's error. PING then
 * answers `["pong", message]` (an empty message without argument). A RESP3
 * client, whose messages are pushes, may run any command.
 */
import { Effect } from "effect"
import type { CommandTable } from "../dispatch.js"
import type { CommandSpec } from "../types.js"
import * as Errors from "../../errors.js"
import { commandError } from "../../errors.js"
import * as Resp from "../../resp/values.js"
import type { PubSubService } from "../../state/PubSub.js"

const allowedWhileSubscribed: ReadonlySet<string> = new Set([
  "subscribe", "ssubscribe", "psubscribe", "unsubscribe", "sunsubscribe", "punsubscribe", "ping", "quit", "reset"
])

/** The table with subscribed mode enforced; a client not in it runs each handler's effect untouched. */
export const withSubscribedMode = (pubsub: PubSubService) => <R>(table: CommandTable<R>): CommandTable<R> => {
  const guarded = (spec: CommandSpec<R>, fullName: string): CommandSpec<R> => ({
    ...spec,
    subcommands: spec.subcommands?.map((sub) => guarded(sub, `${fullName}|${sub.name}`)),
    handler: (args, session) => {
      if (session.protocol !== 2 || !pubsub.isSubscribed(session.id)) return spec.handler(args, session)
      if (!allowedWhileSubscribed.has(fullName)) return Effect.fail(commandError(Errors.onlyPubSubAllowed(fullName)))
      if (fullName === "ping" && args.length <= 2) {
        return Effect.succeed(Resp.array([Resp.bulk("pong"), Resp.bulk(args.length === 2 ? args[1] : "")]))
      }
      return spec.handler(args, session)
    }
  })
  return new Map(Array.from(table, ([name, spec]) => [name, guarded(spec, spec.name)]))
}

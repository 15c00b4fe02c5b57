/**
 * Server introspection: TIME, SLOWLOG, LATENCY, MONITOR. Shapes follow Redis 7.0.15
 * (server.c, slowlog.c, latency.c). INFO, CONFIG, OBJECT/MEMORY/DEBUG and CLIENT have files of their own.
 */
import { Clock, Effect } from "effect"
import * as Errors from "../errors.js"
import { fail } from "../errors.js"
import type { RespValue } from "../resp/values.js"
import * as Resp from "../resp/values.js"
import { Activity, type SlowlogEntry } from "../state/Activity.js"
import { parseSafeInteger } from "../int64.js"
import type { Handler } from "./types.js"
import { mayBlock } from "../state/Transaction.js"
import { adminFlags, command, helpFlags, noKeys } from "./row.js"


const helpReply = (lines: ReadonlyArray<string>) => Effect.succeed(Resp.array(lines.map(Resp.simple)))

// ---------------------------------------------------------------- TIME

export const time: Handler<never> = () =>
  Effect.map(Clock.currentTimeNanos, (nanos) => {
    const micros = nanos / 1000n
    return Resp.array([Resp.bulk(String(micros / 1_000_000n)), Resp.bulk(String(micros % 1_000_000n))])
  })

// ---------------------------------------------------------------- SLOWLOG, LATENCY

const slowlogEntryReply = (entry: SlowlogEntry): RespValue =>
  Resp.array([
    Resp.integer(entry.id),
    Resp.integer(entry.timestamp),
    Resp.integer(entry.durationMicros),
    Resp.array(entry.args.map(Resp.bulk)),
    Resp.bulk(entry.clientAddress),
    Resp.bulk(entry.clientName)
  ])

export const slowlogGet: Handler<Activity> = (args) =>
  Effect.gen(function*() {
    let count = 10
    if (args.length === 3) {
      const requested = parseSafeInteger(args[2])
      if (requested === undefined || requested < -1) return yield* fail(Errors.slowlogCountRange)
      count = requested === -1 ? Number.MAX_SAFE_INTEGER : requested
    }
    const entries = yield* (yield* Activity).slowlog
    return Resp.array(entries.slice(0, count).map(slowlogEntryReply))
  })

export const slowlogLen: Handler<Activity> = () =>
  Effect.map(Effect.flatMap(Activity, (activity) => activity.slowlog), (entries) => Resp.integer(entries.length))

export const slowlogReset: Handler<Activity> = () =>
  Effect.flatMap(Activity, (activity) => Effect.as(activity.resetSlowlog, Resp.ok))

export const slowlogHelp: Handler<never> = () =>
  helpReply([
    "SLOWLOG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "GET [<count>]",
    "    Return top <count> entries from the slowlog (default: 10, -1 mean all).",
    "    Entries are made of:",
    "    id, timestamp, time in microseconds, arguments array, client IP and port,",
    "    client name",
    "LEN",
    "    Return the length of the slowlog.",
    "RESET",
    "    Reset the slowlog.",
    "HELP",
    "    Prints this help."
  ])

/** effect-kv records no latency events: LATEST is empty and RESET resets none. */
export const latencyLatest: Handler<never> = () => Effect.succeed(Resp.array([]))

export const latencyReset: Handler<never> = () => Effect.succeed(Resp.integer(0))

export const latencyHelp: Handler<never> = () =>
  helpReply([
    "LATENCY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "LATEST",
    "    Return the latest latency samples for all events.",
    "RESET [<event> ...]",
    "    Reset latency data of one or more <event> classes.",
    "    (default: reset all data for all event classes)",
    "HELP",
    "    Prints this help."
  ])

// ---------------------------------------------------------------- MONITOR, DEBUG

/** MONITOR; inside EXEC refused, as a client that expects one reply per command cannot monitor (monitorCommand). */
export const monitor: Handler<Activity> = (_args, session) =>
  !mayBlock(session.transaction)
    ? fail(Errors.monitorDenyBlocking)
    : Effect.flatMap(Activity, (activity) => Effect.as(activity.startMonitor(session.id), Resp.ok))

/** The rows of this family (Redis 7.0's COMMAND INFO and COMMAND DOCS facts). */
export const serverCommands = [
  command({ name: "time", arity: 1, flags: ["loading", "stale", "fast"], keys: noKeys,
    summary: "Return the current server time", since: "2.6.0", group: "server", handler: time }),
  command({ name: "slowlog", arity: -2, flags: [], keys: noKeys,
    summary: "A container for slow log commands", since: "2.2.12", group: "server", handler: slowlogHelp,
    subcommands: [
      command({ name: "get", arity: -2, flags: ["admin", "loading", "stale"], keys: noKeys,
        summary: "Get the slow log's entries", since: "2.2.12", group: "server", handler: slowlogGet }),
      command({ name: "help", arity: 2, flags: helpFlags, keys: noKeys,
        summary: "Show helpful text about the different subcommands", since: "6.2.0", group: "server",
        handler: slowlogHelp }),
      command({ name: "len", arity: 2, flags: ["admin", "loading", "stale"], keys: noKeys,
        summary: "Get the slow log's length", since: "2.2.12", group: "server", handler: slowlogLen }),
      command({ name: "reset", arity: 2, flags: ["admin", "loading", "stale"], keys: noKeys,
        summary: "Clear all entries from the slow log", since: "2.2.12", group: "server", handler: slowlogReset })
    ] }),
  command({ name: "latency", arity: -2, flags: [], keys: noKeys,
    summary: "A container for latency diagnostics commands", since: "2.8.13", group: "server", handler: latencyHelp,
    subcommands: [
      command({ name: "help", arity: 2, flags: helpFlags, keys: noKeys,
        summary: "Show helpful text about the different subcommands", since: "2.8.13", group: "server",
        handler: latencyHelp }),
      command({ name: "latest", arity: 2, flags: adminFlags, keys: noKeys,
        summary: "Return the latest latency samples for all events", since: "2.8.13", group: "server",
        handler: latencyLatest }),
      command({ name: "reset", arity: -2, flags: adminFlags, keys: noKeys,
        summary: "Reset latency data for one or more events", since: "2.8.13", group: "server", handler: latencyReset })
    ] }),
  command({ name: "monitor", arity: 1, flags: adminFlags, keys: noKeys,
    summary: "Listen for all requests received by the server in real time", since: "1.0.0", group: "server",
    handler: monitor })
]

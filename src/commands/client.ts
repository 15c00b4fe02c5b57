/**
 * CLIENT and its subcommands (networking.c clientCommand): the connection's own
 * name and id, the list of clients, KILL, NO-EVICT, PAUSE and UNPAUSE.
 */
import { Clock, Effect, Either } from "effect"
import * as Errors from "../errors.js"
import { fail } from "../errors.js"
import * as Resp from "../resp/values.js"
import { Activity } from "../state/Activity.js"
import { Clients } from "../state/Clients.js"
import { ClientPause, type PauseMode } from "../state/ClientPause.js"
import { parseInt64, parseSafeInteger } from "../int64.js"
import type { Handler } from "./types.js"
import { isValidClientAttribute } from "./connection.js"
import type { Session } from "../state/Session.js"
import type { CommandSpec } from "./types.js"
import { command, noKeys } from "./row.js"
import { noSubscriptions, PubSub, type SubscriptionCounts } from "../state/PubSub.js"
import { clientReplyCommand } from "./transactions.js"
import { Blocking } from "../state/Blocking.js"
import type { Store } from "../store/Store.js"
import { trackingSubcommands } from "./tracking.js"
import { type ClientTracking, currentTracking } from "../state/Tracking.js"



/**
 * getClientInfoString's flags: P subscribed, x in MULTI, t tracking, R its redirect gone, B broadcast
 * tracking, d a watched key touched; N for none.
 */
const clientFlags = (session: Session, subscriptions: SubscriptionCounts, tracking: ClientTracking | undefined): string => {
  const flags = (subscriptions.channels + subscriptions.patterns + subscriptions.shardChannels > 0 ? "P" : "") +
    (session.transaction.queued !== undefined ? "x" : "") + (tracking !== undefined ? "t" : "") +
    (tracking?.brokenRedirect === true ? "R" : "") + (tracking?.options.bcast === true ? "B" : "") +
    (session.transaction.touched ? "d" : "")
  return flags === "" ? "N" : flags
}

/** One CLIENT LIST / CLIENT INFO line, with Redis's fields (the buffer figures are nominal). */
export const describeClient = (
  session: Session,
  nowMs: number,
  subscriptions: SubscriptionCounts = noSubscriptions,
  tracking: ClientTracking | undefined = undefined
): string =>
  [
    `id=${session.id}`,
    `addr=${session.remoteAddress}`,
    `laddr=${session.localAddress}`,
    `fd=${session.id + 7}`,
    `name=${session.name ?? ""}`,
    `age=${Math.floor((nowMs - session.createdAt) / 1000)}`,
    `idle=${Math.floor((nowMs - session.lastCommandAt) / 1000)}`,
    `flags=${clientFlags(session, subscriptions, tracking)}`,
    `db=${session.db}`,
    `sub=${subscriptions.channels} psub=${subscriptions.patterns} ssub=${subscriptions.shardChannels}`,
    `multi=${session.transaction.queued?.length ?? -1} qbuf=0 qbuf-free=0 argv-mem=0 multi-mem=0 rbs=16384 rbp=0`,
    "obl=0 oll=0 omem=0 tot-mem=0 events=r",
    `cmd=${session.lastCommand}`,
    `user=default redir=${tracking?.options.redirect ?? -1}`,
    `resp=${session.protocol}`
  ].join(" ")

const clientHelp = [
  "CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
  "GETNAME",
  "    Return the name of the current connection.",
  "ID",
  "    Return the ID of the current connection.",
  "INFO",
  "    Return information about the current client connection.",
  "KILL <ip:port>",
  "    Kill connection made from <ip:port>.",
  "KILL <option> <value> [<option> <value> [...]]",
  "    Kill connections. Options are: ID <client-id>, ADDR <ip:port>, LADDR <ip:port>, SKIPME (YES|NO).",
  "LIST [TYPE (NORMAL|MASTER|REPLICA|PUBSUB)]",
  "    Return information about client connections.",
  "NO-EVICT (ON|OFF)",
  "    Protect current client connection from eviction.",
  "PAUSE <timeout> [WRITE|ALL]",
  "    Suspend all, or just write, clients for <timeout> milliseconds.",
  "UNPAUSE",
  "    Stop the current client pause, resuming traffic.",
  "SETNAME <name>",
  "    Assign the name <name> to the current connection.",
  "SETINFO <LIB-NAME|LIB-VER> <value>",
  "    Set client meta attr. Options are:",
  "    * LIB-NAME: the client lib name.",
  "    * LIB-VER: the client lib version.",
  "HELP",
  "    Print this help."
]

export const clientHelpCommand: Handler<never> = () =>
  Effect.succeed(Resp.array(clientHelp.map(Resp.simple)))

export const clientId: Handler<never> = (_args, session) => Effect.succeed(Resp.integer(session.id))

export const clientGetName: Handler<never> = (_args, session) =>
  Effect.succeed(session.name === undefined ? Resp.nullBulk : Resp.bulk(session.name))

export const clientSetName: Handler<never> = (args, session) => {
  const name = args[2]
  if (!isValidClientAttribute(name)) return fail(Errors.invalidClientName)
  return Effect.sync(() => {
    session.name = name.length === 0 ? undefined : name
    return Resp.ok
  })
}

export const clientSetInfo: Handler<never> = (args, session) => {
  const attribute = args[2].toLowerCase()
  const value = args[3]
  if (attribute !== "lib-name" && attribute !== "lib-ver") {
    return fail(Errors.unrecognizedOption(args[2]))
  }
  if (!isValidClientAttribute(value)) return fail(Errors.invalidClientAttribute(attribute))
  return Effect.sync(() => {
    if (attribute === "lib-name") session.libName = value
    else session.libVersion = value
    return Resp.ok
  })
}

export const clientInfo: Handler<PubSub> = (_args, session) =>
  Effect.map(Effect.all([Clock.currentTimeMillis, PubSub, currentTracking]), ([now, pubsub, tracking]) =>
    Resp.verbatim("txt", describeClient(session, now, pubsub.counts(session.id), tracking?.of(session.id)) + "\n"))

export const clientList: Handler<Clients | PubSub> = () =>
  Effect.gen(function*() {
    const clients = yield* Clients
    const pubsub = yield* PubSub
    const sessions = yield* clients.all
    const now = yield* Clock.currentTimeMillis
    const tracking = yield* currentTracking
    return Resp.verbatim("txt",
      sessions.map((session) => describeClient(session, now, pubsub.counts(session.id), tracking?.of(session.id)) + "\n").join(""))
  })


// ---------------------------------------------------------------- CLIENT KILL, NO-EVICT

/** Which clients a CLIENT KILL filter selects. */
interface KillFilter {
  readonly id?: number
  readonly addr?: string
  readonly laddr?: string
  readonly skipMe: boolean
}

/** Parses CLIENT KILL's filters (`ID n`, `ADDR ip:port`, `LADDR ip:port`, `SKIPME yes|no`). */
const parseKillFilters = (args: ReadonlyArray<string>): Either.Either<KillFilter, string> => {
  let filter: KillFilter = { skipMe: true }
  for (let i = 2; i < args.length; i += 2) {
    const option = args[i].toLowerCase()
    const value = args[i + 1]
    if (value === undefined) return Either.left(Errors.syntaxError)
    if (option === "id") {
      const id = parseSafeInteger(value)
      if (id === undefined || id <= 0) return Either.left(Errors.clientIdOutOfRange)
      filter = { ...filter, id }
    } else if (option === "addr") filter = { ...filter, addr: value }
    else if (option === "laddr") filter = { ...filter, laddr: value }
    else if (option === "skipme") {
      const skip = value.toLowerCase()
      if (skip !== "yes" && skip !== "no") return Either.left(Errors.syntaxError)
      filter = { ...filter, skipMe: skip === "yes" }
    } else return Either.left(Errors.syntaxError)
  }
  return Either.right(filter)
}

const selects = (filter: KillFilter, target: Session, self: Session): boolean =>
  (filter.id === undefined || target.id === filter.id) &&
  (filter.addr === undefined || target.remoteAddress === filter.addr) &&
  (filter.laddr === undefined || target.localAddress === filter.laddr) &&
  !(filter.skipMe && target.id === self.id)

/** Closes `targets`; the calling client itself closes after this reply. */
const killSessions = (targets: ReadonlyArray<Session>, self: Session) =>
  Effect.gen(function*() {
    const activity = yield* Activity
    for (const target of targets) {
      if (target.id === self.id) {
        self.closeAfterReply = true
      } else {
        const control = yield* activity.control(target.id)
        if (control !== undefined) yield* control.kill
      }
    }
  })

/** CLIENT KILL ip:port (old form: OK or "No such client") or CLIENT KILL <filter> <value> ... (a count). */
export const clientKill: Handler<Clients | Activity> = (args, session) =>
  Effect.gen(function*() {
    const sessions = yield* (yield* Clients).all
    if (args.length === 3) {
      const targets = sessions.filter((target) => target.remoteAddress === args[2])
      if (targets.length === 0) return yield* fail(Errors.noSuchClient)
      yield* killSessions(targets, session)
      return Resp.ok
    }
    const filter = parseKillFilters(args)
    if (Either.isLeft(filter)) return yield* fail(filter.left)
    const targets = sessions.filter((target) => selects(filter.right, target, session))
    yield* killSessions(targets, session)
    return Resp.integer(targets.length)
  })

/** CLIENT NO-EVICT on|off: effect-kv never evicts clients, so the flag changes nothing. */
export const clientNoEvict: Handler<never> = (args) => {
  const mode = args[2].toLowerCase()
  return mode === "on" || mode === "off" ? Effect.succeed(Resp.ok) : fail(Errors.syntaxError)
}

// ---------------------------------------------------------------- CLIENT PAUSE, UNPAUSE

/** CLIENT PAUSE's mode argument (WRITE or ALL, any case; ALL when absent). */
const parsePauseMode = (arg: string | undefined): PauseMode | undefined => {
  if (arg === undefined) return "all"
  const mode = arg.toLowerCase()
  return mode === "write" || mode === "all" ? mode : undefined
}

/** CLIENT PAUSE timeout [WRITE|ALL]: timeout in milliseconds from now. */
export const clientPause: Handler<ClientPause> = (args) =>
  Effect.gen(function*() {
    if (args.length > 4) return yield* fail(Errors.subcommandSyntax(args[1], "CLIENT"))
    const timeout = parseInt64(args[2])
    if (timeout === undefined) return yield* fail(Errors.timeoutNotInteger)
    if (timeout < 0n) return yield* fail(Errors.timeoutNegative)
    const mode = parsePauseMode(args[3])
    if (mode === undefined) return yield* fail(Errors.clientPauseMode)
    const nowMs = yield* Clock.currentTimeMillis
    const endsAtMs = BigInt(nowMs) + timeout
    if (endsAtMs > BigInt(Number.MAX_SAFE_INTEGER)) return yield* fail(Errors.timeoutOutOfRange)
    yield* (yield* ClientPause).pause(mode, Number(endsAtMs))
    return Resp.ok
  })

/** CLIENT UNPAUSE: ends the pause; the commands it held run. */
export const clientUnpause: Handler<ClientPause> = () =>
  Effect.flatMap(ClientPause, (pauses) => Effect.as(pauses.unpause, Resp.ok))

/** CLIENT PAUSE and UNPAUSE: the subcommands the pause guard wraps. */
export const clientPauseCommands: ReadonlyArray<CommandSpec<ClientPause>> = [
  command({ name: "pause", arity: -3, flags: ["admin", "noscript", "loading", "stale"], keys: noKeys,
    summary: "Stop processing commands from clients for some time", since: "2.9.50", group: "connection",
    handler: clientPause }),
  command({ name: "unpause", arity: 2, flags: ["admin", "noscript", "loading", "stale"], keys: noKeys,
    summary: "Resume processing of clients that were paused", since: "6.2.0", group: "connection",
    handler: clientUnpause })
]

/**
 * CLIENT UNBLOCK client-id [TIMEOUT|ERROR] (networking.c): the reason is
 * checked before the id; a client blocked in BLPOP & co. gets its timeout
 * reply or the UNBLOCKED error (state/Blocking.ts). 1 when it was blocked.
 */
export const clientUnblock: Handler<Store> = (args) =>
  Effect.gen(function*() {
    if (args.length > 4) return yield* fail(Errors.subcommandSyntax(args[1], "CLIENT"))
    const reason = args[3]?.toLowerCase() ?? "timeout"
    if (reason !== "timeout" && reason !== "error") return yield* fail(Errors.clientUnblockReason)
    const id = parseInt64(args[2])
    if (id === undefined) return yield* fail(Errors.notInteger)
    const blocking = yield* Blocking
    return Resp.integer(id > 0n && id <= BigInt(Number.MAX_SAFE_INTEGER) && blocking.unblock(Number(id), reason) ? 1 : 0)
  })

/** The rows of this family (Redis 7.0's COMMAND INFO and COMMAND DOCS facts). */
export const clientCommands = [
  command({
    name: "client", arity: -2, flags: [], keys: noKeys,
    summary: "A container for client connection commands", since: "2.4.0", group: "connection",
    handler: clientHelpCommand,
    subcommands: [
      command({ name: "getname", arity: 2, flags: ["noscript", "loading", "stale"], keys: noKeys,
        summary: "Get the current connection name", since: "2.6.9", group: "connection", handler: clientGetName }),
      command({ name: "help", arity: 2, flags: ["loading", "stale"], keys: noKeys,
        summary: "Show helpful text about the different subcommands", since: "5.0.0", group: "connection",
        handler: clientHelpCommand }),
      command({ name: "id", arity: 2, flags: ["noscript", "loading", "stale"], keys: noKeys,
        summary: "Returns the client ID for the current connection", since: "5.0.0", group: "connection",
        handler: clientId }),
      command({ name: "info", arity: 2, flags: ["noscript", "loading", "stale"], keys: noKeys,
        summary: "Returns information about the current client connection.", since: "6.2.0", group: "connection",
        handler: clientInfo }),
      command({ name: "kill", arity: -3, flags: ["admin", "noscript", "loading", "stale"], keys: noKeys,
        summary: "Kill open connections", since: "2.4.0", group: "connection", handler: clientKill }),
      command({ name: "list", arity: -2, flags: ["admin", "noscript", "loading", "stale"], keys: noKeys,
        summary: "Get the list of client connections", since: "2.4.0", group: "connection", handler: clientList }),
      command({ name: "no-evict", arity: 3, flags: ["admin", "noscript", "loading", "stale"], keys: noKeys,
        summary: "Set client eviction mode for the current connection", since: "7.0.0", group: "connection",
        handler: clientNoEvict }),
      ...clientPauseCommands,
      clientReplyCommand,
      ...trackingSubcommands,
      command({ name: "unblock", arity: -3, flags: ["admin", "noscript", "loading", "stale"], keys: noKeys,
        summary: "Unblock a client blocked in a blocking command from a different connection", since: "5.0.0",
        group: "connection", handler: clientUnblock }),
      command({ name: "setinfo", arity: 4, flags: ["noscript", "loading", "stale"], keys: noKeys,
        summary: "Set client or connection specific info", since: "7.2.0", group: "connection",
        handler: clientSetInfo }),
      command({ name: "setname", arity: 3, flags: ["noscript", "loading", "stale"], keys: noKeys,
        summary: "Set the current connection name", since: "2.6.9", group: "connection", handler: clientSetName })
    ]
  })
]

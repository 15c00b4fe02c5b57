/**
 * Connection commands: PING, ECHO, QUIT, SELECT, HELLO, CLIENT and COMMAND.
 * Replies follow Redis 7.0 (networking.c, server.c); CLIENT SETINFO follows 7.2.
 */
import { Effect } from "effect"
import * as Errors from "../errors.js"
import { fail } from "../errors.js"
import type { RespValue } from "../resp/values.js"
import * as Resp from "../resp/values.js"
import { databaseCount } from "../store/entry.js"
import type { LiveConfig } from "../config/LiveConfig.js"
import { redisCompatibleVersion } from "../version.js"
import { parseInt64 } from "../int64.js"
import { authenticate } from "./auth.js"
import { CommandCatalog } from "./CommandCatalog.js"
import type { CommandDescription, Handler } from "./types.js"
import type { Session } from "../state/Session.js"
import { command as commandRow, noKeys } from "./row.js"


export const ping: Handler<never> = (args) => {
  if (args.length > 2) return fail(Errors.wrongArity("ping"))
  return Effect.succeed(args.length === 2 ? Resp.bulk(args[1]) : Resp.pong)
}

export const echo: Handler<never> = (args) => Effect.succeed(Resp.bulk(args[1]))

export const quit: Handler<never> = (_args, session) =>
  Effect.sync(() => {
    session.closeAfterReply = true
    return Resp.ok
  })

const int32Min = -(2n ** 31n)
const int32Max = 2n ** 31n - 1n

/** SELECT index: getIntFromObjectOrReply (not an integer, then outside a C int), then the database range. */
export const select: Handler<never> = (args, session) => {
  const index = parseInt64(args[1])
  if (index === undefined) return fail(Errors.notInteger, "NotInteger")
  if (index < int32Min || index > int32Max) return fail(Errors.valueOutOfRange(int32Min, int32Max))
  if (index < 0n || index >= BigInt(databaseCount)) return fail(Errors.dbIndexOutOfRange)
  return Effect.sync(() => {
    session.db = Number(index)
    return Resp.ok
  })
}

/** Redis's validateClientAttr: printable ASCII without spaces (for names, lib-name, lib-ver). */
export const isValidClientAttribute = (value: string): boolean => /^[!-~]*$/.test(value)

const helloReply = (session: Session): RespValue =>
  Resp.map([
    [Resp.bulk("server"), Resp.bulk("redis")],
    [Resp.bulk("version"), Resp.bulk(redisCompatibleVersion)],
    [Resp.bulk("proto"), Resp.integer(session.protocol)],
    [Resp.bulk("id"), Resp.integer(session.id)],
    [Resp.bulk("mode"), Resp.bulk("standalone")],
    [Resp.bulk("role"), Resp.bulk("master")],
    [Resp.bulk("modules"), Resp.array([])]
  ])

/** HELLO [protover [AUTH username password] [SETNAME clientname]] (networking.c helloCommand). */
export const hello: Handler<LiveConfig> = (args, session) =>
  Effect.gen(function*() {
    let protocol = session.protocol
    let options = 1
    if (args.length >= 2) {
      const requested = parseInt64(args[1])
      if (requested === undefined) return yield* fail(Errors.helloProtocolNotInteger)
      if (requested !== 2n && requested !== 3n) return yield* fail(Errors.noProto)
      protocol = requested === 3n ? 3 : 2
      options = 2
    }
    let name: string | undefined = undefined
    let credentials: readonly [string, string] | undefined = undefined
    for (let i = options; i < args.length; i++) {
      const option = args[i].toLowerCase()
      const remaining = args.length - 1 - i
      if (option === "auth" && remaining >= 2) {
        credentials = [args[i + 1], args[i + 2]]
        i += 2
      } else if (option === "setname" && remaining >= 1) {
        name = args[i + 1]
        if (!isValidClientAttribute(name)) return yield* fail(Errors.invalidClientName)
        i += 1
      } else {
        return yield* fail(Errors.helloSyntax(args[i]))
      }
    }
    if (credentials !== undefined) yield* authenticate(session, credentials[0], credentials[1])
    if (!session.authenticated) return yield* fail(Errors.helloNoAuth)
    if (name !== undefined) session.name = name.length === 0 ? undefined : name
    session.protocol = protocol
    return helloReply(session)
  })

/** ACL categories, derived from a command's flags and group (Redis lists them per command). */
const aclCategories = (description: CommandDescription): ReadonlyArray<string> => {
  const categories: Array<string> = []
  if (description.flags.includes("write")) categories.push("@write")
  if (description.flags.includes("readonly")) categories.push("@read")
  if (description.group !== undefined) categories.push(`@${description.group === "generic" ? "keyspace" : description.group}`)
  if (description.flags.includes("fast")) categories.push("@fast")
  else categories.push("@slow")
  if (description.flags.includes("admin")) categories.push("@admin", "@dangerous")
  return categories
}

/** A key spec as COMMAND INFO shows it, derived from the legacy key positions. */
const keySpecs = (description: CommandDescription): ReadonlyArray<RespValue> => {
  if (description.firstKey === 0) return []
  const access = description.flags.includes("write") ? ["RW", "UPDATE"] : ["RO", "ACCESS"]
  const lastKey = description.lastKey < 0 ? description.lastKey : description.lastKey - description.firstKey
  return [
    Resp.map([
      [Resp.bulk("flags"), Resp.set(access.map(Resp.simple))],
      [Resp.bulk("begin_search"), Resp.map([
        [Resp.bulk("type"), Resp.bulk("index")],
        [Resp.bulk("spec"), Resp.map([[Resp.bulk("index"), Resp.integer(description.firstKey)]])]
      ])],
      [Resp.bulk("find_keys"), Resp.map([
        [Resp.bulk("type"), Resp.bulk("range")],
        [Resp.bulk("spec"), Resp.map([
          [Resp.bulk("lastkey"), Resp.integer(lastKey)],
          [Resp.bulk("keystep"), Resp.integer(description.keyStep)],
          [Resp.bulk("limit"), Resp.integer(0)]
        ])]
      ])]
    ])
  ]
}

/** One COMMAND INFO entry: the ten fields Redis 7.0 reports. */
export const commandInfoEntry = (description: CommandDescription, fullName: string = description.name): RespValue =>
  Resp.array([
    Resp.bulk(fullName),
    Resp.integer(description.arity),
    Resp.set(description.flags.map(Resp.simple)),
    Resp.integer(description.firstKey),
    Resp.integer(description.lastKey),
    Resp.integer(description.keyStep),
    Resp.set(aclCategories(description).map(Resp.simple)),
    Resp.set([]),
    Resp.array(keySpecs(description)),
    Resp.array((description.subcommands ?? []).map((sub) => commandInfoEntry(sub, `${description.name}|${sub.name}`)))
  ])

const commandDocsEntry = (description: CommandDescription): RespValue => {
  const fields: Array<readonly [RespValue, RespValue]> = []
  if (description.summary !== undefined) fields.push([Resp.bulk("summary"), Resp.bulk(description.summary)])
  if (description.since !== undefined) fields.push([Resp.bulk("since"), Resp.bulk(description.since)])
  if (description.group !== undefined) fields.push([Resp.bulk("group"), Resp.bulk(description.group)])
  if (description.subcommands !== undefined && description.subcommands.length > 0) {
    fields.push([
      Resp.bulk("subcommands"),
      Resp.map(description.subcommands.map((sub) => [Resp.bulk(`${description.name}|${sub.name}`), commandDocsEntry(sub)]))
    ])
  }
  return Resp.map(fields)
}

const allCommandInfo = (catalog: ReadonlyMap<string, CommandDescription>): RespValue =>
  Resp.array(Array.from(catalog.values(), (description) => commandInfoEntry(description)))

export const command: Handler<CommandCatalog> = () => Effect.map(CommandCatalog, allCommandInfo)

export const commandCount: Handler<CommandCatalog> = () =>
  Effect.map(CommandCatalog, (catalog) => Resp.integer(catalog.size))

export const commandList: Handler<CommandCatalog> = () =>
  Effect.map(CommandCatalog, (catalog) => Resp.array(Array.from(catalog.keys(), Resp.bulk)))

export const commandInfo: Handler<CommandCatalog> = (args) =>
  Effect.map(CommandCatalog, (catalog) => {
    if (args.length === 2) return allCommandInfo(catalog)
    return Resp.array(args.slice(2).map((name) => {
      const description = catalog.get(name.toLowerCase())
      return description === undefined ? Resp.nullBulk : commandInfoEntry(description)
    }))
  })

export const commandDocs: Handler<CommandCatalog> = (args) =>
  Effect.map(CommandCatalog, (catalog) => {
    const names = args.length === 2 ? Array.from(catalog.keys()) : args.slice(2).map((name) => name.toLowerCase())
    const entries: Array<readonly [RespValue, RespValue]> = []
    for (const name of names) {
      const description = catalog.get(name)
      if (description !== undefined) entries.push([Resp.bulk(name), commandDocsEntry(description)])
    }
    return Resp.map(entries)
  })

/** COMMAND GETKEYS: the keys a command would touch, from its key positions. */
export const commandGetKeys: Handler<CommandCatalog> = (args) =>
  Effect.gen(function*() {
    const catalog = yield* CommandCatalog
    const target = args.slice(2)
    const description = catalog.get(target[0].toLowerCase())
    if (description === undefined) return yield* fail(Errors.invalidCommandSpecified)
    const arityOk = description.arity > 0 ? target.length === description.arity : target.length >= -description.arity
    if (!arityOk) return yield* fail(Errors.invalidArgumentsForCommand)
    if (description.firstKey === 0) return yield* fail(Errors.commandHasNoKeyArguments)
    const last = description.lastKey < 0 ? target.length + description.lastKey : description.lastKey
    const keys: Array<RespValue> = []
    for (let i = description.firstKey; i <= last && i < target.length; i += description.keyStep) {
      keys.push(Resp.bulk(target[i]))
    }
    return Resp.array(keys)
  })

/** SELECT, also replayed from the append-only file. */
export const selectCommand = commandRow({
  name: "select", arity: 2, flags: ["loading", "stale", "fast"], keys: noKeys,
  summary: "Change the selected database for the current connection", since: "2.0.0", group: "connection",
  handler: select
})

/** The rows of this family (Redis 7.0's COMMAND INFO and COMMAND DOCS facts). */
export const connectionCommands = [
  commandRow({
    name: "ping", arity: -1, flags: ["fast"], keys: noKeys,
    summary: "Ping the server", since: "1.0.0", group: "connection", handler: ping
  }),
  commandRow({
    name: "echo", arity: 2, flags: ["loading", "stale", "fast"], keys: noKeys,
    summary: "Echo the given string", since: "1.0.0", group: "connection", handler: echo
  }),
  commandRow({
    name: "quit", arity: -1, flags: ["noscript", "loading", "stale", "fast", "no_auth", "allow_busy"],
    keys: noKeys,
    summary: "Close the connection", since: "1.0.0", group: "connection", handler: quit
  }),
  commandRow({
    name: "hello", arity: -1, flags: ["noscript", "loading", "stale", "fast", "no_auth", "allow_busy"],
    keys: noKeys,
    summary: "Handshake with Redis", since: "6.0.0", group: "connection", handler: hello
  }),
  commandRow({
    name: "command", arity: -1, flags: ["loading", "stale"], keys: noKeys,
    summary: "Get array of Redis command details", since: "2.8.13", group: "server", handler: command,
    subcommands: [
      commandRow({ name: "count", arity: 2, flags: ["loading", "stale"], keys: noKeys,
        summary: "Get total number of Redis commands", since: "2.8.13", group: "server", handler: commandCount }),
      commandRow({ name: "docs", arity: -2, flags: ["loading", "stale"], keys: noKeys,
        summary: "Get array of specific Redis command documentation", since: "7.0.0", group: "server",
        handler: commandDocs }),
      commandRow({ name: "getkeys", arity: -4, flags: ["loading", "stale"], keys: noKeys,
        summary: "Extract keys given a full Redis command", since: "2.8.13", group: "server",
        handler: commandGetKeys }),
      commandRow({ name: "info", arity: -2, flags: ["loading", "stale"], keys: noKeys,
        summary: "Get array of specific Redis command details, or all when no argument is given", since: "2.8.13",
        group: "server", handler: commandInfo }),
      commandRow({ name: "list", arity: -2, flags: ["loading", "stale"], keys: noKeys,
        summary: "Get an array of Redis command names", since: "7.0.0", group: "server", handler: commandList })
    ]
  }),
  selectCommand
]

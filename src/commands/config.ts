/**
 * CONFIG GET / SET / RESETSTAT / REWRITE / HELP (config.c), over the settings in config/settings.ts.
 */
import { Effect, Either } from "effect"
import * as Errors from "../errors.js"
import { fail } from "../errors.js"
import * as Resp from "../resp/values.js"
import { Activity } from "../state/Activity.js"
import type { ServerConfig } from "../config/config.js"
import { LiveConfig } from "../config/LiveConfig.js"
import { allParameters, findParameter } from "../config/settings.js"
import { globMatch } from "../store/glob.js"
import { Store } from "../store/Store.js"
import { encodingLimitsOf } from "../values/encoding-limits.js"
import type { Handler } from "./types.js"
import { adminFlags, command, helpFlags, noKeys } from "./row.js"


const helpReply = (lines: ReadonlyArray<string>) => Effect.succeed(Resp.array(lines.map(Resp.simple)))

// ---------------------------------------------------------------- CONFIG

/** CONFIG GET's matches: every parameter some pattern matches (any case), each once. */
export const matchingParameters = (config: ServerConfig, patterns: ReadonlyArray<string>): ReadonlyArray<readonly [string, string]> =>
  allParameters
    .filter((parameter) => patterns.some((pattern) => globMatch(pattern.toLowerCase(), parameter.name)))
    .map((parameter) => [parameter.name, parameter.format(config)] as const)

export const configGet: Handler<LiveConfig> = (args) =>
  Effect.map(Effect.flatMap(LiveConfig, (live) => live.get), (config) =>
    Resp.map(matchingParameters(config, args.slice(2)).map(([name, value]) => [Resp.bulk(name), Resp.bulk(value)])))

/**
 * CONFIG SET name value [name value ...]: all or nothing. Returns the new
 * settings, or Redis's error text for the first bad pair.
 */
export const applyConfigSet = (config: ServerConfig, pairs: ReadonlyArray<readonly [string, string]>): Either.Either<ServerConfig, string> => {
  const seen = new Set<string>()
  let next = config
  for (const [name, value] of pairs) {
    const parameter = findParameter(name)
    if (parameter === undefined) return Either.left(Errors.configSetUnknown(name))
    if (seen.has(parameter.name)) return Either.left(Errors.configSetFailed(name, Errors.duplicateParameter))
    seen.add(parameter.name)
    if (parameter.mutability === "immutable") return Either.left(Errors.configSetFailed(name, Errors.cantSetImmutableConfig))
    if (parameter.mutability === "protected") return Either.left(Errors.configSetFailed(name, Errors.cantSetProtectedConfig))
    const applied = parameter.apply(next, [value])
    if (Either.isLeft(applied)) return Either.left(Errors.configSetFailed(name, applied.left))
    next = applied.right
  }
  return Either.right(next)
}

/** CONFIG SET: the settings, and the store's encoding limits (read by every later write, as server.* in Redis). */
export const configSet: Handler<LiveConfig | Store> = (args) =>
  Effect.gen(function*() {
    if (args.length % 2 !== 0) return yield* fail(Errors.syntaxError)
    const pairs: Array<readonly [string, string]> = []
    for (let i = 2; i < args.length; i += 2) pairs.push([args[i], args[i + 1]])
    const live = yield* LiveConfig
    const next = applyConfigSet(yield* live.get, pairs)
    if (Either.isLeft(next)) return yield* fail(next.left)
    yield* live.set(next.right)
    yield* Effect.flatMap(Store, (store) => store.setEncodingLimits(encodingLimitsOf(next.right)))
    return Resp.ok
  })

/** CONFIG RESETSTAT (server.c resetServerStats): the connection and command counters, and the keyspace's. */
export const configResetStat: Handler<Activity | Store> = () =>
  Effect.gen(function*() {
    yield* (yield* Activity).resetCounters
    const stats = (yield* Store).stats
    stats.hits = 0
    stats.misses = 0
    stats.expired = 0
    stats.evicted = 0
    return Resp.ok
  })

/** CONFIG REWRITE: effect-kv does not rewrite files; with no config file Redis's error applies. */
export const configRewrite: Handler<LiveConfig> = () =>
  Effect.flatMap(Effect.flatMap(LiveConfig, (live) => live.get), (config) =>
    config.configFile === undefined ? fail(Errors.noConfigFile) : fail(Errors.unknownSubcommand("REWRITE", "CONFIG")))

export const configHelp: Handler<never> = () =>
  helpReply([
    "CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "GET <pattern>",
    "    Return parameters matching the glob-like <pattern> and their values.",
    "SET <directive> <value>",
    "    Set the configuration <directive> to <value>.",
    "RESETSTAT",
    "    Reset statistics reported by the INFO command.",
    "REWRITE",
    "    Rewrite the configuration file.",
    "HELP",
    "    Prints this help."
  ])

/** The rows of this family (Redis 7.0's COMMAND INFO and COMMAND DOCS facts). */
export const configCommands = [
  command({ name: "config", arity: -2, flags: [], keys: noKeys,
    summary: "A container for server configuration commands", since: "2.0.0", group: "server", handler: configHelp,
    subcommands: [
      command({ name: "get", arity: -3, flags: adminFlags, keys: noKeys,
        summary: "Get the values of configuration parameters", since: "2.0.0", group: "server", handler: configGet }),
      command({ name: "help", arity: 2, flags: helpFlags, keys: noKeys,
        summary: "Show helpful text about the different subcommands", since: "5.0.0", group: "server", handler: configHelp }),
      command({ name: "resetstat", arity: 2, flags: adminFlags, keys: noKeys,
        summary: "Reset the stats returned by INFO", since: "2.0.0", group: "server", handler: configResetStat }),
      command({ name: "rewrite", arity: 2, flags: adminFlags, keys: noKeys,
        summary: "Rewrite the configuration file with the in memory configuration", since: "2.8.0", group: "server",
        handler: configRewrite }),
      command({ name: "set", arity: -4, flags: adminFlags, keys: noKeys,
        summary: "Set configuration parameters to the given values", since: "2.0.0", group: "server", handler: configSet })
    ] })
]

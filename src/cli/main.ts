#!/usr/bin/env node
/**
 * `effect-kv [config-file] [--port N] [--save "3600 1"] ...`: starts the server.
 * Flags are named as redis-server's and override the config file's lines.
 */
import { Args, Command, Options } from "@effect/cli"
import { FileSystem } from "@effect/platform"
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { Data, Effect, Either, Option } from "effect"
import { defaultServerConfig, type ServerConfig } from "../config/config.js"
import { loggerLayer } from "../server/logger.js"
import { runServer } from "../server/program.js"
import { parameters } from "../config/settings.js"
import { effectKvVersion, redisCompatibleVersion } from "../version.js"
import { combineConfigText, flagsToConfigText, formatConfigError, parseConfig } from "../config/config-file.js"

/** A start that cannot go on; `message` is printed on stderr as redis-server prints it. */
class StartupError extends Data.TaggedError("StartupError")<{ readonly message: string }> {}

const descriptions: Readonly<Record<string, string>> = {
  port: "TCP port to listen on (0 picks a free port)",
  bind: "Address to listen on",
  dir: "Directory for the dump file and the append-only log",
  dbfilename: "Name of the RDB dump file in --dir",
  loglevel: "Log verbosity: debug, verbose, notice or warning",
  save: "Snapshot rules \"<seconds> <changes> ...\"; \"\" turns snapshots off",
  appendonly: "yes or no: log every write to the append-only file",
  appendfilename: "Name of the append-only file",
  appendfsync: "always, everysec or no",
  requirepass: "Password clients must give with AUTH",
  "protected-mode": "yes or no",
  maxclients: "Most clients connected at once",
  timeout: "Close clients idle this many seconds (0: never)",
  maxmemory: "Memory limit (bytes, or with a unit: 100mb, 1gb)",
  "maxmemory-policy": "What to do at the memory limit (noeviction, allkeys-lru, ...)",
  "stop-writes-on-bgsave-error": "yes or no",
  "proto-max-bulk-len": "Largest bulk string a client may send (with a unit: 512mb)",
  "client-query-buffer-limit": "Largest query buffer per client (with a unit: 1gb)",
  "slowlog-log-slower-than": "SLOWLOG: microseconds (-1 off, 0 every command)",
  "slowlog-max-len": "SLOWLOG: entries kept"
}

/** One optional text flag per configuration parameter, named as redis-server's. */
const flags = Options.all(Object.fromEntries(parameters.map((parameter) => [
  parameter.name,
  Options.text(parameter.name).pipe(Options.withDescription(descriptions[parameter.name] ?? parameter.name), Options.optional)
])))

const configFile = Args.text({ name: "config-file" }).pipe(
  Args.withDescription("A redis.conf-style file; flags override its lines"),
  Args.optional
)

const readConfigFile = (path: Option.Option<string>) =>
  Option.match(path, {
    onNone: () => Effect.succeed(""),
    onSome: (file) =>
      Effect.flatMap(FileSystem.FileSystem, (fs) => fs.readFileString(file)).pipe(
        Effect.mapError((failure) =>
          new StartupError({ message: `Fatal error, can't open config file '${file}': ${failure.message}\n` }))
      )
  })

/** The settings from the file (if any) and the flags, as redis-server reads them. */
const loadConfig = (file: Option.Option<string>, given: Readonly<Record<string, Option.Option<string>>>) =>
  Effect.gen(function*() {
    const fileText = yield* readConfigFile(file)
    const flagLines = parameters.flatMap((parameter): ReadonlyArray<readonly [string, string]> =>
      Option.match(given[parameter.name] ?? Option.none(), { onNone: () => [], onSome: (value) => [[parameter.name, value]] }))
    const parsed = parseConfig(combineConfigText(fileText, flagsToConfigText(flagLines)), defaultServerConfig)
    if (Either.isLeft(parsed)) return yield* new StartupError({ message: formatConfigError(parsed.left) })
    return { ...parsed.right, configFile: Option.getOrUndefined(file) }
  })

/** redis-server's start lines, at notice level. */
const banner = (config: ServerConfig) =>
  Effect.logInfo(
    `effect-kv ${effectKvVersion} (follows Redis ${redisCompatibleVersion}), bits=64, pid=${process.pid}, ` +
      `port=${config.port}, dir=${config.dir}, just started`
  ).pipe(Effect.provide(loggerLayer(config.loglevel)))

const effectKv = Command.make("effect-kv", { configFile, flags }, (input) =>
  Effect.gen(function*() {
    const config = yield* loadConfig(input.configFile, input.flags)
    const fs = yield* FileSystem.FileSystem
    yield* fs.makeDirectory(config.dir, { recursive: true }).pipe(
      Effect.mapError((failure) => new StartupError({ message: `Can't create the directory '${config.dir}': ${failure.message}\n` }))
    )
    yield* banner(config)
    yield* runServer(config)
  }))

const cli = Command.run(effectKv, { name: "effect-kv", version: effectKvVersion })

cli(process.argv).pipe(
  Effect.tapErrorTag("StartupError", (failure) => Effect.sync(() => process.stderr.write(failure.message))),
  Effect.provide(NodeContext.layer),
  NodeRuntime.runMain({ disablePrettyLogger: true, disableErrorReporting: true })
)

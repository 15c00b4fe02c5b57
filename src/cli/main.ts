#!/usr/bin/env node
/**
 * `effect-kv [config-file] [--port N] [--save "3600 1"] ...`: starts the server.
 * Flags are named as redis-server's and override the config file's lines.
 */
import * as FileSystem from "@effect/platform/FileSystem"
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { Data, Effect, Either } from "effect"
import { defaultServerConfig, type ServerConfig } from "../config/config.js"
import { loggerLayer } from "../server/logger.js"
import { runServer } from "../server/program.js"
import { effectKvVersion, redisCompatibleVersion } from "../version.js"
import { infoRequest, parseCommandLine } from "./arguments.js"
import { combineConfigText, formatConfigError, parseConfig } from "../config/config-file.js"
import { helpText, versionText } from "./help.js"

/** A start that cannot go on; `message` is printed on stderr as redis-server prints it. */
class StartupError extends Data.TaggedError("StartupError")<{ readonly message: string }> {}

const readConfigFile = (file: string | undefined) =>
  file === undefined
    ? Effect.succeed("")
    : Effect.flatMap(FileSystem.FileSystem, (fs) => fs.readFileString(file)).pipe(
      Effect.mapError((failure) =>
        new StartupError({ message: `Fatal error, can't open config file '${file}': ${failure.message}\n` }))
    )

/** The settings from the file (if any) and the flags, as redis-server reads them. */
const loadConfig = (args: ReadonlyArray<string>) =>
  Effect.gen(function*() {
    const commandLine = parseCommandLine(args)
    const fileText = yield* readConfigFile(commandLine.configFile)
    const parsed = parseConfig(combineConfigText(fileText, commandLine.flagsText), defaultServerConfig)
    if (Either.isLeft(parsed)) return yield* new StartupError({ message: formatConfigError(parsed.left) })
    return { ...parsed.right, configFile: commandLine.configFile }
  })

/** redis-server's start lines, at notice level. */
const banner = (config: ServerConfig) =>
  Effect.logInfo(
    `effect-kv ${effectKvVersion} (follows Redis ${redisCompatibleVersion}), bits=64, pid=${process.pid}, ` +
      `dir=${config.dir}, just started`
  ).pipe(Effect.provide(loggerLayer(config.loglevel)))

const start = (args: ReadonlyArray<string>) =>
  Effect.gen(function*() {
    const config = yield* loadConfig(args)
    const fs = yield* FileSystem.FileSystem
    yield* fs.makeDirectory(config.dir, { recursive: true }).pipe(
      Effect.mapError((failure) => new StartupError({ message: `Can't create the directory '${config.dir}': ${failure.message}\n` }))
    )
    yield* banner(config)
    yield* runServer(config)
  })

const write = (text: string) => Effect.sync(() => process.stdout.write(text))

const args = process.argv.slice(2)
const request = infoRequest(args)
const main = request === "help" ? write(helpText()) : request === "version" ? write(versionText()) : start(args)

main.pipe(
  Effect.tapErrorTag("StartupError", (failure) => Effect.sync(() => process.stderr.write(failure.message))),
  Effect.provide(NodeFileSystem.layer),
  NodeRuntime.runMain({ disablePrettyLogger: true, disableErrorReporting: true })
)

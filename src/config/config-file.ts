/**
 * redis.conf syntax (config.c loadServerConfigFromString): one directive per
 * line, `name arg...`, # comments, arguments split as sdssplitargs. The
 * command line's `--name value` flags become lines appended after the file
 * (cli/arguments.ts), as redis-server does, so they override it and share its error messages.
 */
import { Either } from "effect"
import type { ServerConfig } from "./config.js"
import { splitArgs } from "./quoting.js"
import { findParameter } from "./settings.js"
import { redisCompatibleVersion } from "../version.js"

/** A directive that stops the start: its 1-based line, the line's text, and Redis's reason. */
export interface ConfigLineError {
  readonly line: number
  readonly text: string
  readonly reason: string
}

const badDirective = "Bad directive or wrong number of arguments"
const wrongArgCount = "wrong number of arguments"

/**
 * Applies every directive of `text` to `base`. The first `save` line replaces
 * the default rules and later ones add to them; `save ""` clears them.
 */
export const parseConfig = (text: string, base: ServerConfig): Either.Either<ServerConfig, ConfigLineError> => {
  let config = base
  let saveSeen = false
  const lines = text.split("\n")
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index].replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, "")
    if (line.length === 0 || line.startsWith("#")) continue
    const failAt = (reason: string) => Either.left({ line: index + 1, text: line, reason })
    const words = splitArgs(line)
    if (words === undefined) return failAt("Unbalanced quotes in configuration line")
    if (words.length === 0) continue
    const parameter = findParameter(words[0])
    const args = words.slice(1)
    if (parameter === undefined) return failAt(badDirective)
    // config.c loadServerConfigFromString: a known parameter with the wrong count has its own reason.
    if (!parameter.acceptsArgCount(args.length)) return failAt(wrongArgCount)
    const applied = parameter.apply(config, args)
    if (Either.isLeft(applied)) return failAt(applied.left)
    const addsSaveRules = parameter.name === "save" && saveSeen && applied.right.save.length > 0
    config = addsSaveRules ? { ...applied.right, save: [...config.save, ...applied.right.save] } : applied.right
    if (parameter.name === "save") saveSeen = true
  }
  return Either.right(config)
}

/** The config text redis-server reads: the file, then a line break, then the flags. */
export const combineConfigText = (fileText: string, flagsText: string): string => `${fileText}\n${flagsText}`

/** redis-server's message for a bad directive (printed on stderr before exiting with 1). */
export const formatConfigError = (error: ConfigLineError): string =>
  `\n*** FATAL CONFIG FILE ERROR (Redis ${redisCompatibleVersion}) ***\n` +
  `Reading the configuration file, at line ${error.line}\n` +
  `>>> '${error.text}'\n` +
  `${error.reason}\n`

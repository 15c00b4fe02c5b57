/**
 * redis-server's command line (server.c main): an optional config file first
 * (any first argument not starting with `-`), then every `--name` starts a
 * config line and the arguments after it are appended to that line, quoted.
 * The lines are read after the file by the config parser, so an unknown flag
 * (`--nosuchflag`), a misspelt one (`--prot 1234`) or one without its value
 * (`--port`) is named in the parser's error, as redis-server names it.
 * (@effect/cli is not used for this: it reads an unknown `--flag` as the
 * config file argument and refuses values of several words, `--save 3600 1 300 10`.)
 */
import { representString, splitArgs } from "../config/quoting.js"

export interface CommandLine {
  readonly configFile: string | undefined
  /** The flags as config lines, e.g. `port "7000"\nsave "3600" "1"`. */
  readonly flagsText: string
}

/** The first argument when it asks for the usage text or the version instead of a start. */
export type InfoRequest = "help" | "version"

/** As server.c main: `-h`/`--help` and `-v`/`--version` count only as the first argument. */
export const infoRequest = (args: ReadonlyArray<string>): InfoRequest | undefined =>
  args[0] === "-h" || args[0] === "--help" ? "help" : args[0] === "-v" || args[0] === "--version" ? "version" : undefined

/** Turns the arguments (without node and the script) into a config file and config lines. */
export const parseCommandLine = (args: ReadonlyArray<string>): CommandLine => {
  const hasConfigFile = args.length > 0 && !args[0].startsWith("-")
  const lines: Array<string> = []
  let line: string | undefined = undefined
  // Whether the last `--name` has had an argument: until it has, the next word is its value even if it starts with `--`.
  let lastNameHandled = true
  for (let index = hasConfigFile ? 1 : 0; index < args.length; index++) {
    const arg = args[index]
    if (lastNameHandled && arg.startsWith("--")) {
      if (line !== undefined) lines.push(line)
      line = `${arg.slice(2)} `
      // "--port 6380" as one argument carries its value already.
      const givesValue = (splitArgs(arg)?.length ?? 0) !== 1
      lastNameHandled = givesValue
      const next = args[index + 1]
      // `--save` with nothing after it (or another flag) means `save ""`, as Redis 7.0.1 and later read it.
      if (!givesValue && arg.toLowerCase() === "--save" && (next === undefined || next.startsWith("--"))) {
        line += "\"\""
        lastNameHandled = true
      }
    } else {
      line = `${line ?? ""}${representString(arg)} `
      lastNameHandled = true
    }
  }
  if (line !== undefined) lines.push(line)
  return { configFile: hasConfigFile ? args[0] : undefined, flagsText: lines.join("\n") }
}

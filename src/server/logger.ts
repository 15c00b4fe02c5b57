/**
 * Log lines in redis-server's shape: `pid:M 25 Nov 2026 11:05:31.123 * message`.
 */
import { Cause, Layer, Logger, LogLevel } from "effect"
import type { LogLevelName } from "../config/config.js"

const months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
const pad = (value: number, width = 2): string => String(value).padStart(width, "0")

/** Redis's timestamp: `25 Nov 2026 11:05:31.123` (local time). */
export const formatTimestamp = (date: Date): string =>
  `${date.getDate()} ${months[date.getMonth()]} ${date.getFullYear()} ` +
  `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${pad(date.getMilliseconds(), 3)}`

/**
 * Redis's level marks: `.` debug, `-` verbose, `*` notice, `#` warning. Redis's
 * levels map to Effect's as debug = Trace, verbose = Debug (Effect.logDebug),
 * notice = Info, warning = Warning.
 */
const levelMark = (level: LogLevel.LogLevel): string =>
  LogLevel.lessThan(level, LogLevel.Debug)
    ? "."
    : LogLevel.lessThan(level, LogLevel.Info)
    ? "-"
    : LogLevel.lessThan(level, LogLevel.Warning)
    ? "*"
    : "#"

const messageText = (message: unknown): string =>
  Array.isArray(message) ? message.map(String).join(" ") : String(message)

export const redisLogger = Logger.make(({ logLevel, message, date, cause }) => {
  const causeText = Cause.isEmpty(cause) ? "" : ` ${Cause.pretty(cause)}`
  process.stdout.write(`${process.pid}:M ${formatTimestamp(date)} ${levelMark(logLevel)} ${messageText(message)}${causeText}\n`)
})

export const toLogLevel = (name: LogLevelName): LogLevel.LogLevel => {
  switch (name) {
    case "debug":
      return LogLevel.Trace
    case "verbose":
      return LogLevel.Debug
    case "notice":
      return LogLevel.Info
    case "warning":
      return LogLevel.Warning
  }
}

/**
 * The redis-style logger at the given level, in place of Effect's console logger: the default one,
 * or the pretty one `NodeRuntime.runMain` swaps in for it (else each line would print twice).
 * Other loggers the program added (a tracer's, say) stay.
 */
export const loggerLayer = (level: LogLevelName): Layer.Layer<never> =>
  Layer.mergeAll(
    Logger.replace(Logger.defaultLogger, redisLogger),
    Logger.remove(Logger.prettyLoggerDefault),
    Logger.minimumLogLevel(toLogLevel(level))
  )

/**
 * INFO's commandstats and errorstats sections, total_error_replies and the
 * network byte counts (server.c call(), rejectCommand, afterErrorReply,
 * genRedisInfoString). Plain mutable counters: the connection loop updates
 * them synchronously as each command of a batch completes (a Map update, no
 * Effect), CONFIG RESETSTAT empties them.
 */
import type { RespValue } from "../resp/values.js"

export interface CommandStat {
  calls: number
  usec: number
  rejectedCalls: number
  failedCalls: number
}

export interface CommandStatistics {
  /** By the command's full name as Redis reports it: `get`, `config|get`. */
  readonly commands: Map<string, CommandStat>
  /** By the error code: the error's first word (`ERR`, `WRONGTYPE`). */
  readonly errors: Map<string, number>
  totalErrorReplies: number
  netInputBytes: number
  netOutputBytes: number
  /**
   * Error replies already counted in errorstats (a script's error raised by a
   * redis.call: Redis's ERR_REPLY_FLAG_NO_STATS_UPDATE): only the command's
   * failed_calls counts them (networking.c afterErrorReply).
   */
  readonly countedErrors: WeakSet<RespValue>
}

export const makeCommandStatistics = (): CommandStatistics => ({
  commands: new Map(),
  errors: new Map(),
  totalErrorReplies: 0,
  netInputBytes: 0,
  netOutputBytes: 0,
  countedErrors: new WeakSet()
})

export const resetCommandStatistics = (stats: CommandStatistics): void => {
  stats.commands.clear()
  stats.errors.clear()
  stats.totalErrorReplies = 0
  stats.netInputBytes = 0
  stats.netOutputBytes = 0
}

/**
 * The error code afterErrorReply counts: the text up to the first space
 * within its first 32 bytes, else `ERR`.
 */
export const errorCode = (message: string): string => {
  const space = message.slice(0, 32).indexOf(" ")
  return space < 0 ? "ERR" : message.slice(0, space)
}

/**
 * The codes only processCommand's checks answer before a command runs
 * (authentication, maxmemory, MISCONF): Redis counts those as the command's
 * rejected_calls, not as calls.
 */
const rejectionCodes: ReadonlySet<string> = new Set(["NOAUTH", "OOM", "MISCONF"])

const statOf = (stats: CommandStatistics, name: string): CommandStat => {
  let stat = stats.commands.get(name)
  if (stat === undefined) {
    stat = { calls: 0, usec: 0, rejectedCalls: 0, failedCalls: 0 }
    stats.commands.set(name, stat)
  }
  return stat
}

/**
 * One command's reply. `name` is the command's full name, undefined for an
 * unknown command or subcommand (counted in errorstats only, as Redis does);
 * `rejected` when dispatch refused it (wrong arity).
 */
export const recordCall = (
  stats: CommandStatistics,
  name: string | undefined,
  rejected: boolean,
  usec: number,
  reply: RespValue
): void => {
  let failed = false
  if (reply._tag === "Error" && stats.countedErrors.has(reply)) failed = true
  else if (reply._tag === "Error") {
    const code = errorCode(reply.message)
    stats.errors.set(code, (stats.errors.get(code) ?? 0) + 1)
    stats.totalErrorReplies++
    rejected ||= rejectionCodes.has(code)
    failed = true
  }
  if (name === undefined) return
  const stat = statOf(stats, name)
  if (rejected) {
    stat.rejectedCalls++
    return
  }
  stat.calls++
  stat.usec += usec
  if (failed) stat.failedCalls++
}

/** `cmdstat_get:calls=2,usec=15,usec_per_call=7.50,rejected_calls=0,failed_calls=0`, in Redis's field order. */
export const commandStatFields = (stats: CommandStatistics): ReadonlyArray<readonly [string, string]> =>
  [...stats.commands].map(([name, stat]) => [
    `cmdstat_${name}`,
    `calls=${stat.calls},usec=${stat.usec},usec_per_call=${(stat.calls === 0 ? 0 : stat.usec / stat.calls).toFixed(2)},` +
    `rejected_calls=${stat.rejectedCalls},failed_calls=${stat.failedCalls}`
  ])

/** `errorstat_ERR:count=3`. */
export const errorStatFields = (stats: CommandStatistics): ReadonlyArray<readonly [string, string]> =>
  [...stats.errors].map(([code, count]) => [`errorstat_${code}`, `count=${count}`])

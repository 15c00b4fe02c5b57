/**
 * How a write command is logged: relative expiries become absolute unix
 * milliseconds, as Redis rewrites its argv before propagating (t_string.c
 * setGenericCommand / getexCommand, expire.c expireGenericCommand), so a
 * replay never extends a TTL. The command has already run successfully, so
 * its arguments are well formed.
 */
import type { ByteString, Command } from "../../resp/values.js"

const expireUnits = new Map<string, number>([["EX", 1000], ["PX", 1], ["EXAT", 1000], ["PXAT", 1]])
const isRelative = (unit: string): boolean => unit === "EX" || unit === "PX"

/** The absolute unix ms an expire option `unit time` means at `nowMs`. */
const absoluteMs = (unit: string, time: ByteString, nowMs: number): string => {
  const milliseconds = BigInt(time) * BigInt(expireUnits.get(unit) ?? 1)
  return String(isRelative(unit) ? milliseconds + BigInt(nowMs) : milliseconds)
}

/** Options from `from` on with any EX/PX/EXAT/PXAT pair replaced by PXAT <absolute ms>. */
const absoluteOptions = (args: Command, from: number, nowMs: number): Array<ByteString> => {
  const options: Array<ByteString> = []
  for (let i = from; i < args.length; i++) {
    const unit = args[i].toUpperCase()
    if (expireUnits.has(unit) && i + 1 < args.length) {
      options.push("PXAT", absoluteMs(unit, args[i + 1], nowMs))
      i++
    } else options.push(args[i])
  }
  return options
}

/** The command as the AOF records it, run at `nowMs`. */
export const withAbsoluteExpiry = (args: Command, nowMs: number): Command => {
  const name = args[0].toLowerCase()
  switch (name) {
    case "set":
      return [args[0], args[1], args[2], ...absoluteOptions(args, 3, nowMs)]
    case "setex":
    case "psetex":
      return ["SET", args[1], args[3], "PXAT", absoluteMs(name === "setex" ? "EX" : "PX", args[2], nowMs)]
    case "expire":
    case "pexpire":
    case "expireat":
      return [
        "PEXPIREAT",
        args[1],
        absoluteMs(name === "expire" ? "EX" : name === "pexpire" ? "PX" : "EXAT", args[2], nowMs),
        ...args.slice(3)
      ]
    case "getex": {
      const options = absoluteOptions(args, 2, nowMs)
      if (options.some((option) => option.toUpperCase() === "PERSIST")) return ["PERSIST", args[1]]
      const at = options.findIndex((option) => option === "PXAT")
      return at < 0 ? args : ["PEXPIREAT", args[1], options[at + 1]]
    }
    case "restore": {
      // cluster.c restoreCommand: a relative TTL is propagated as an absolute one with ABSTTL.
      const absolute = args.slice(4).some((option) => option.toUpperCase() === "ABSTTL")
      return absolute || args[2] === "0" ? args : [args[0], args[1], absoluteMs("PX", args[2], nowMs), ...args.slice(3), "ABSTTL"]
    }
    default:
      return args
  }
}

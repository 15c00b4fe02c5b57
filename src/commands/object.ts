/**
 * OBJECT, MEMORY and DEBUG (object.c, debug.c): what is known of a key's stored value.
 */
import { Persistence } from "../persistence/Persistence.js"
import { functionCodesReader } from "../persistence/FunctionCodes.js"
import { Clock, Duration, Effect } from "effect"
import * as Errors from "../errors.js"
import { CommandError, fail } from "../errors.js"
import type { RespValue } from "../resp/values.js"
import * as Resp from "../resp/values.js"
import type { ServerConfig } from "../config/config.js"
import { LiveConfig } from "../config/LiveConfig.js"
import * as Database from "../store/database.js"
import { type Entry, expiresAtOf, valueOf } from "../store/entry.js"
import { Store } from "../store/Store.js"
import { parseInt64 } from "../int64.js"
import type { Handler } from "./types.js"
import { typeOf } from "../values/registry.js"
import type { Session } from "../state/Session.js"
import { adminFlags, command, helpFlags, noKeys } from "./row.js"


const helpReply = (lines: ReadonlyArray<string>) => Effect.succeed(Resp.array(lines.map(Resp.simple)))

// ---------------------------------------------------------------- OBJECT, MEMORY, DEBUG OBJECT

/** Reads one key (expiring it first if due), changing nothing. */
const readEntry = (session: Session, key: string) =>
  Effect.flatMap(Store, (store) =>
    store.modify(session.db, [key], (database) => [Database.get(database, key), database, 0]))

/** The registered type of the key's value. */
const valueType = (entry: Entry) => typeOf(valueOf(entry))

/** Runs `f` on the key's entry; a missing key answers a null bulk. */
const withEntry = <R>(
  session: Session,
  key: string,
  f: (entry: Entry) => Effect.Effect<RespValue, CommandError, R>
): Effect.Effect<RespValue, CommandError, Store | R> =>
  Effect.flatMap(readEntry(session, key), (entry): Effect.Effect<RespValue, CommandError, R> =>
    entry === undefined ? Effect.succeed(Resp.nullBulk) : f(entry))

export const objectEncoding: Handler<Store> = (args, session) =>
  withEntry(session, args[2], (entry) => Effect.succeed(Resp.bulk(valueType(entry).encoding(valueOf(entry)))))

export const objectRefcount: Handler<Store> = (args, session) =>
  withEntry(session, args[2], (entry) => Effect.succeed(Resp.integer(valueType(entry).refcount(valueOf(entry)))))

const isLfu = (config: ServerConfig) => config.maxmemoryPolicy.endsWith("-lfu")

/** effect-kv does not track access times: a key reads as just used. */
export const objectIdletime: Handler<Store | LiveConfig> = (args, session) =>
  withEntry(session, args[2], () =>
    Effect.flatMap(Effect.flatMap(LiveConfig, (live) => live.get), (config) =>
      isLfu(config) ? fail(Errors.lfuSelected) : Effect.succeed(Resp.integer(0))))

export const objectFreq: Handler<Store | LiveConfig> = (args, session) =>
  withEntry(session, args[2], () =>
    Effect.flatMap(Effect.flatMap(LiveConfig, (live) => live.get), (config) =>
      isLfu(config) ? Effect.succeed(Resp.integer(0)) : fail(Errors.lfuNotSelected)))

export const objectHelp: Handler<never> = () =>
  helpReply([
    "OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "ENCODING <key>",
    "    Return the kind of internal representation used in order to store the value",
    "    associated with a <key>.",
    "FREQ <key>",
    "    Return the access frequency index of the <key>. The returned integer is",
    "    proportional to the logarithm of the recent access frequency of the key.",
    "IDLETIME <key>",
    "    Return the idle time of the <key>, that is the approximated number of",
    "    seconds elapsed since the last access to the key.",
    "REFCOUNT <key>",
    "    Return the number of references of the value associated with the specified",
    "    <key>.",
    "HELP",
    "    Prints this help."
  ])

/**
 * MEMORY USAGE's estimate in Redis's terms: the dict entry and key sds, plus
 * the value object as its type estimates it, plus the expires entry.
 */
export const memoryUsageOf = (key: string, entry: Entry): number => {
  const dictEntry = 24
  const keySds = key.length + 4
  const value = valueType(entry).memoryUsage(valueOf(entry))
  return dictEntry + keySds + value + (expiresAtOf(entry) === undefined ? 0 : 8)
}

export const memoryUsage: Handler<Store> = (args, session) => {
  if (args.length !== 3 && !(args.length === 5 && args[3].toLowerCase() === "samples")) return fail(Errors.syntaxError)
  if (args.length === 5 && parseInt64(args[4]) === undefined) return fail(Errors.notInteger, "NotInteger")
  return withEntry(session, args[2], (entry) => Effect.succeed(Resp.integer(memoryUsageOf(args[2], entry))))
}

export const memoryHelp: Handler<never> = () =>
  helpReply([
    "MEMORY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "USAGE <key> [SAMPLES <count>]",
    "    Return memory in bytes used by <key> and its value. Nested values are",
    "    sampled up to <count> times (default: 5, 0 means sample all).",
    "HELP",
    "    Prints this help."
  ])



/** C's atoi: the leading decimal integer after optional blanks and sign, 0 when there is none. */
const cAtoi = (text: string): number => {
  const parsed = Number.parseInt(text, 10)
  return Number.isNaN(parsed) ? 0 : parsed
}

/**
 * DEBUG RELOAD (rdbSave, then emptyData and rdbLoad): the snapshot saved now, read back into the store.
 * A failed save or load is logged and answers Redis's bare "ERR", as SAVE does.
 */
const reload = Effect.gen(function*() {
  const store = yield* Store
  const persistence = yield* Persistence
  const nowMs = yield* Clock.currentTimeMillis
  // The function libraries go into the file too (Redis reloads them; the ones loaded here are the same).
  const functionCodes = yield* functionCodesReader
  yield* persistence.save(yield* store.snapshot, nowMs, "foreground", functionCodes())
  const loaded = yield* persistence.load(nowMs)
  yield* store.replaceAll(loaded ?? [])
}).pipe(
  Effect.catchTag("PersistenceError", (failure) =>
    Effect.zipRight(Effect.logWarning(failure.message), fail(Errors.saveFailed)))
)

/** DEBUG OBJECT's line: `Value at:0x... refcount:1 encoding:embstr serializedlength:6 lru:... lru_seconds_idle:0`. */
const debugObjectLine = (entry: Entry, nowMs: number): string => {
  const type = valueType(entry)
  const value = valueOf(entry)
  return `Value at:0x0 refcount:${type.refcount(value)} encoding:${type.encoding(value)} ` +
    `serializedlength:${type.serializedLength(value)} lru:${Math.floor(nowMs / 1000) % (1 << 24)} lru_seconds_idle:0`
}

/**
 * DEBUG SLEEP <seconds> | SET-ACTIVE-EXPIRE <0|1> | OBJECT <key> | HELP.
 * SET-ACTIVE-EXPIRE turns the store's background expiry off (0) or on (any other number, read as C's atoi).
 * RELOAD saves the dataset through Persistence and loads it back (its MERGE, NOFLUSH and NOSAVE options are
 * not supported). The rest answer as unknown subcommands.
 */
export const debug: Handler<Store | Persistence> = (args, session) =>
  Effect.gen(function*() {
    const subcommand = args[1].toLowerCase()
    if (subcommand === "sleep" && args.length === 3) {
      const seconds = Number(args[2])
      if (!Number.isFinite(seconds)) return yield* fail(Errors.notFloat)
      yield* Effect.sleep(Duration.millis(Math.max(0, seconds * 1000)))
      return Resp.ok
    }
    if (subcommand === "set-active-expire" && args.length === 3) {
      yield* (yield* Store).setActiveExpiry(cAtoi(args[2]) !== 0)
      return Resp.ok
    }
    if (subcommand === "reload") {
      if (args.length > 2) return yield* fail(Errors.debugReloadOptions)
      yield* reload
      return Resp.ok
    }
    if (subcommand === "object" && args.length === 3) {
      const entry = yield* readEntry(session, args[2])
      if (entry === undefined) return yield* fail(Errors.noSuchKey)
      return Resp.simple(debugObjectLine(entry, yield* Clock.currentTimeMillis))
    }
    if (subcommand === "help") {
      return Resp.array([
        "DEBUG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "OBJECT <key>",
        "    Show low level info about `key` and associated value.",
        "SET-ACTIVE-EXPIRE <0|1>",
        "    Setting it to 0 disables expiring keys in background when they are not",
        "    accessed (otherwise the Redis behavior). Setting it to 1 reenables back the",
        "    default.",
        "SLEEP <seconds>",
        "    Stop the server for <seconds>. Decimals allowed.",
        "HELP",
        "    Prints this help."
      ].map(Resp.simple))
    }
    return yield* fail(Errors.unknownSubcommand(args[1], "DEBUG"))
  })

/** The rows of this family (Redis 7.0's COMMAND INFO and COMMAND DOCS facts). */
export const objectCommands = [
  command({ name: "object", arity: -2, flags: [], keys: noKeys,
    summary: "A container for object introspection commands", since: "2.2.3", group: "generic", handler: objectHelp,
    subcommands: [
      command({ name: "encoding", arity: 3, flags: ["readonly"], keys: [2, 2, 1],
        summary: "Inspect the internal encoding of a Redis object", since: "2.2.3", group: "generic",
        handler: objectEncoding }),
      command({ name: "freq", arity: 3, flags: ["readonly"], keys: [2, 2, 1],
        summary: "Get the logarithmic access frequency counter of a Redis object", since: "4.0.0", group: "generic",
        handler: objectFreq }),
      command({ name: "help", arity: 2, flags: helpFlags, keys: noKeys,
        summary: "Show helpful text about the different subcommands", since: "6.2.0", group: "generic",
        handler: objectHelp }),
      command({ name: "idletime", arity: 3, flags: ["readonly"], keys: [2, 2, 1],
        summary: "Get the time since a Redis object was last accessed", since: "2.2.3", group: "generic",
        handler: objectIdletime }),
      command({ name: "refcount", arity: 3, flags: ["readonly"], keys: [2, 2, 1],
        summary: "Get the number of references to the value of the key", since: "2.2.3", group: "generic",
        handler: objectRefcount })
    ] }),
  command({ name: "memory", arity: -2, flags: [], keys: noKeys,
    summary: "A container for memory diagnostics commands", since: "4.0.0", group: "server", handler: memoryHelp,
    subcommands: [
      command({ name: "help", arity: 2, flags: helpFlags, keys: noKeys,
        summary: "Show helpful text about the different subcommands", since: "4.0.0", group: "server",
        handler: memoryHelp }),
      command({ name: "usage", arity: -3, flags: ["readonly"], keys: [2, 2, 1],
        summary: "Estimate the memory usage of a key", since: "4.0.0", group: "server", handler: memoryUsage })
    ] }),
  command({ name: "debug", arity: -2, flags: adminFlags, keys: noKeys,
    summary: "A container for debugging commands", since: "1.0.0", group: "server", handler: debug })
]

/**
 * Server introspection: INFO, CONFIG, TIME, OBJECT, MEMORY, SLOWLOG, LATENCY,
 * MONITOR, DEBUG, CLIENT KILL / NO-EVICT. Shapes follow Redis 7.0.15
 * (server.c genRedisInfoString, config.c, object.c, slowlog.c, debug.c).
 */
import { AppendOnly } from "../persistence/aof/AppendOnly.js"
import { persistenceInfo } from "../persistence/info.js"
import { Persistence } from "../persistence/Persistence.js"
import { Snapshots } from "../persistence/Snapshots.js"
import * as os from "node:os"
import { Clock, Duration, Effect, Either, HashMap } from "effect"
import * as Errors from "../errors.js"
import { CommandError } from "../errors.js"
import type { RespValue } from "../resp/values.js"
import * as Resp from "../resp/values.js"
import { Activity, type SlowlogEntry } from "../state/Activity.js"
import { Clients } from "../state/Clients.js"
import { ClientPause, type PauseMode } from "../state/ClientPause.js"
import type { ServerConfig } from "../config/config.js"
import { LiveConfig } from "../config/LiveConfig.js"
import { findParameter, parameters } from "../config/settings.js"
import { globMatch } from "../store/glob.js"
import * as Database from "../store/database.js"
import { type Entry, expiresAtOf, isVolatile, type Keyspace, valueOf } from "../store/entry.js"
import { Store } from "../store/Store.js"
import { effectKvVersion, redisCompatibleVersion } from "../version.js"
import { parseInt64, parseSafeInteger } from "../int64.js"
import type { Handler } from "./types.js"
import type { Session } from "../state/Session.js"

const fail = (message: string) => Effect.fail(new CommandError({ message }))

const helpReply = (lines: ReadonlyArray<string>) => Effect.succeed(Resp.array(lines.map(Resp.simple)))

// ---------------------------------------------------------------- INFO

/** One `field:value` line of an INFO section. */
export type InfoField = readonly [name: string, value: string | number]

/** Everything the INFO sections read, gathered once per INFO call. */
export interface InfoContext {
  readonly config: ServerConfig
  readonly session: Session
  readonly nowMs: number
  readonly startedAtMs: number
  readonly connectedClients: number
  readonly connectionsReceived: number
  readonly commandsProcessed: number
  readonly opsPerSecond: number
  readonly keyspaces: ReadonlyArray<Keyspace>
  readonly dirty: number
  /** The persistence section's fields, as the persistence services report them. */
  readonly persistence: ReadonlyArray<InfoField>
}

/** A section: its name as `INFO <name>` takes it, its title, and its fields. */
export interface InfoSection {
  readonly name: string
  readonly title: string
  /** Part of `INFO` / `INFO default` (all sections are part of `all` and `everything`). */
  readonly inDefault: boolean
  readonly fields: (context: InfoContext) => ReadonlyArray<InfoField>
}

/** Redis's bytesToHuman: `894.79K`, `6.31M`, `0B`. */
export const bytesToHuman = (bytes: number): string => {
  const units = ["K", "M", "G", "T", "P"]
  if (bytes < 1024) return `${bytes}B`
  let value = bytes / 1024
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit++
  }
  return `${value.toFixed(2)}${units[unit]}`
}

/** The port the client reached: the end of `127.0.0.1:6379` or `[::1]:6379`. */
const portOf = (address: string, fallback: number): number => {
  const port = Number(address.slice(address.lastIndexOf(":") + 1))
  return Number.isInteger(port) && port > 0 ? port : fallback
}

/** A process-wide identity for run_id and master_replid: 40 hex digits. */
const randomHex40 = (): string =>
  Array.from({ length: 40 }, () => Math.floor(Math.random() * 16).toString(16)).join("")
const runId = randomHex40()
const replicationId = randomHex40()

const serverSection = (c: InfoContext): ReadonlyArray<InfoField> => {
  const uptimeSeconds = Math.floor((c.nowMs - c.startedAtMs) / 1000)
  return [
    ["redis_version", redisCompatibleVersion],
    ["redis_git_sha1", "00000000"],
    ["redis_git_dirty", 0],
    ["redis_build_id", "0"],
    ["redis_mode", "standalone"],
    ["os", `${os.type()} ${os.release()} ${os.machine()}`],
    ["arch_bits", 64],
    ["monotonic_clock", "POSIX clock_gettime"],
    ["multiplexing_api", "epoll"],
    ["atomicvar_api", "c11-builtin"],
    ["gcc_version", "0.0.0"],
    ["process_id", process.pid],
    ["process_supervised", "no"],
    ["run_id", runId],
    ["tcp_port", portOf(c.session.localAddress, c.config.port)],
    ["server_time_usec", c.nowMs * 1000],
    ["uptime_in_seconds", uptimeSeconds],
    ["uptime_in_days", Math.floor(uptimeSeconds / 86400)],
    ["hz", 10],
    ["configured_hz", 10],
    ["lru_clock", Math.floor(c.nowMs / 1000) % (1 << 24)],
    ["executable", process.argv[1] ?? process.execPath],
    ["config_file", c.config.configFile ?? ""],
    ["io_threads_active", 0],
    ["effect_kv_version", effectKvVersion]
  ]
}

const clientsSection = (c: InfoContext): ReadonlyArray<InfoField> => [
  ["connected_clients", c.connectedClients],
  ["cluster_connections", 0],
  ["maxclients", c.config.maxclients],
  ["client_recent_max_input_buffer", 0],
  ["client_recent_max_output_buffer", 0],
  ["blocked_clients", 0],
  ["tracking_clients", 0],
  ["clients_in_timeout_table", 0]
]

const memorySection = (c: InfoContext): ReadonlyArray<InfoField> => {
  const usage = process.memoryUsage()
  const used = usage.heapUsed + usage.external
  return [
    ["used_memory", used],
    ["used_memory_human", bytesToHuman(used)],
    ["used_memory_rss", usage.rss],
    ["used_memory_rss_human", bytesToHuman(usage.rss)],
    ["used_memory_peak", used],
    ["used_memory_peak_human", bytesToHuman(used)],
    ["total_system_memory", os.totalmem()],
    ["total_system_memory_human", bytesToHuman(os.totalmem())],
    ["maxmemory", c.config.maxmemory],
    ["maxmemory_human", bytesToHuman(c.config.maxmemory)],
    ["maxmemory_policy", c.config.maxmemoryPolicy],
    ["mem_fragmentation_ratio", (usage.rss / used).toFixed(2)],
    ["mem_allocator", "v8"],
    ["lazyfree_pending_objects", 0]
  ]
}

const persistenceSection = (c: InfoContext): ReadonlyArray<InfoField> => c.persistence

const statsSection = (c: InfoContext): ReadonlyArray<InfoField> => [
  ["total_connections_received", c.connectionsReceived],
  ["total_commands_processed", c.commandsProcessed],
  ["instantaneous_ops_per_sec", c.opsPerSecond],
  ["total_net_input_bytes", 0],
  ["total_net_output_bytes", 0],
  ["instantaneous_input_kbps", "0.00"],
  ["instantaneous_output_kbps", "0.00"],
  ["rejected_connections", 0],
  ["sync_full", 0],
  ["sync_partial_ok", 0],
  ["sync_partial_err", 0],
  ["expired_keys", 0],
  ["expired_stale_perc", "0.00"],
  ["expired_time_cap_reached_count", 0],
  ["evicted_keys", 0],
  ["evicted_clients", 0],
  ["keyspace_hits", 0],
  ["keyspace_misses", 0],
  ["pubsub_channels", 0],
  ["pubsub_patterns", 0],
  ["latest_fork_usec", 0],
  ["total_forks", 0],
  ["total_error_replies", 0]
]

const replicationSection = (): ReadonlyArray<InfoField> => [
  ["role", "master"],
  ["connected_slaves", 0],
  ["master_failover_state", "no-failover"],
  ["master_replid", replicationId],
  ["master_replid2", "0".repeat(40)],
  ["master_repl_offset", 0],
  ["second_repl_offset", -1],
  ["repl_backlog_active", 0],
  ["repl_backlog_size", 1048576],
  ["repl_backlog_first_byte_offset", 0],
  ["repl_backlog_histlen", 0]
]

const cpuSection = (): ReadonlyArray<InfoField> => {
  const usage = process.cpuUsage()
  const seconds = (micros: number) => (micros / 1e6).toFixed(6)
  return [
    ["used_cpu_sys", seconds(usage.system)],
    ["used_cpu_user", seconds(usage.user)],
    ["used_cpu_sys_children", "0.000000"],
    ["used_cpu_user_children", "0.000000"],
    ["used_cpu_sys_main_thread", seconds(usage.system)],
    ["used_cpu_user_main_thread", seconds(usage.user)]
  ]
}

/** `db0:keys=N,expires=M,avg_ttl=0` for each non-empty database. */
const keyspaceSection = (c: InfoContext): ReadonlyArray<InfoField> =>
  c.keyspaces.flatMap((keyspace, db): ReadonlyArray<InfoField> => {
    const keys = HashMap.size(keyspace)
    if (keys === 0) return []
    let expires = 0
    for (const stored of HashMap.values(keyspace)) if (isVolatile(stored)) expires++
    return [[`db${db}`, `keys=${keys},expires=${expires},avg_ttl=0`]]
  })

const noFields = (): ReadonlyArray<InfoField> => []

/** INFO's sections in Redis's order. */
export const infoSections: ReadonlyArray<InfoSection> = [
  { name: "server", title: "Server", inDefault: true, fields: serverSection },
  { name: "clients", title: "Clients", inDefault: true, fields: clientsSection },
  { name: "memory", title: "Memory", inDefault: true, fields: memorySection },
  { name: "persistence", title: "Persistence", inDefault: true, fields: persistenceSection },
  { name: "stats", title: "Stats", inDefault: true, fields: statsSection },
  { name: "replication", title: "Replication", inDefault: true, fields: replicationSection },
  { name: "cpu", title: "CPU", inDefault: true, fields: cpuSection },
  { name: "modules", title: "Modules", inDefault: true, fields: noFields },
  { name: "commandstats", title: "Commandstats", inDefault: false, fields: noFields },
  { name: "errorstats", title: "Errorstats", inDefault: true, fields: noFields },
  { name: "latencystats", title: "Latencystats", inDefault: false, fields: noFields },
  { name: "cluster", title: "Cluster", inDefault: true, fields: () => [["cluster_enabled", 0]] },
  { name: "keyspace", title: "Keyspace", inDefault: true, fields: keyspaceSection }
]

/** Which sections `INFO <names...>` asks for; no names means `default`. */
export const selectSections = (names: ReadonlyArray<string>): ReadonlyArray<InfoSection> => {
  const wanted = new Set(names.map((name) => name.toLowerCase()))
  if (wanted.size === 0) wanted.add("default")
  const everything = wanted.has("all") || wanted.has("everything")
  return infoSections.filter((section) =>
    everything || wanted.has(section.name) || (wanted.has("default") && section.inDefault))
}

/** The INFO text: `# Title` then `name:value` lines, sections separated by an empty line, CRLF endings. */
export const renderInfo = (sections: ReadonlyArray<InfoSection>, context: InfoContext): string =>
  sections.map((section) =>
    `# ${section.title}\r\n` + section.fields(context).map(([name, value]) => `${name}:${value}\r\n`).join("")
  ).join("\r\n")

export const info: Handler<Store | Clients | Activity | LiveConfig | Snapshots | AppendOnly> = (args, session) =>
  Effect.gen(function*() {
    const activity = yield* Activity
    const store = yield* Store
    const counters = yield* activity.counters
    const context: InfoContext = {
      config: yield* (yield* LiveConfig).get,
      session,
      nowMs: yield* Clock.currentTimeMillis,
      startedAtMs: activity.startedAtMs,
      connectedClients: (yield* (yield* Clients).all).length,
      connectionsReceived: counters.connectionsReceived,
      commandsProcessed: counters.commandsProcessed,
      opsPerSecond: yield* activity.opsPerSecond,
      keyspaces: yield* store.snapshot,
      dirty: yield* store.dirty,
      persistence: yield* persistenceInfo
    }
    return Resp.verbatim("txt", renderInfo(selectSections(args.slice(1)), context))
  })

// ---------------------------------------------------------------- CONFIG

/** CONFIG GET's matches: every parameter some pattern matches (any case), each once. */
export const matchingParameters = (config: ServerConfig, patterns: ReadonlyArray<string>): ReadonlyArray<readonly [string, string]> =>
  parameters
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

export const configSet: Handler<LiveConfig> = (args) =>
  Effect.gen(function*() {
    if (args.length % 2 !== 0) return yield* fail(Errors.syntaxError)
    const pairs: Array<readonly [string, string]> = []
    for (let i = 2; i < args.length; i += 2) pairs.push([args[i], args[i + 1]])
    const live = yield* LiveConfig
    const next = applyConfigSet(yield* live.get, pairs)
    if (Either.isLeft(next)) return yield* fail(next.left)
    yield* live.set(next.right)
    return Resp.ok
  })

export const configResetStat: Handler<Activity> = () =>
  Effect.flatMap(Activity, (activity) => Effect.as(activity.resetCounters, Resp.ok))

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

// ---------------------------------------------------------------- TIME

export const time: Handler<never> = () =>
  Effect.map(Clock.currentTimeNanos, (nanos) => {
    const micros = nanos / 1000n
    return Resp.array([Resp.bulk(String(micros / 1_000_000n)), Resp.bulk(String(micros % 1_000_000n))])
  })

// ---------------------------------------------------------------- OBJECT, MEMORY, DEBUG OBJECT

/** Reads one key (expiring it first if due), changing nothing. */
const readEntry = (session: Session, key: string) =>
  Effect.flatMap(Store, (store) =>
    store.modify(session.db, [key], (database) => [Database.get(database, key), database, 0]))

/** tryObjectEncoding for strings: a long-range integer is `int`, up to 44 bytes `embstr`, longer `raw`. */
export const stringEncoding = (value: string): "int" | "embstr" | "raw" =>
  value.length <= 20 && parseInt64(value) !== undefined ? "int" : value.length <= 44 ? "embstr" : "raw"

/** Shared integers 0..9999 report refcount INT_MAX (OBJ_SHARED_REFCOUNT). */
const refcount = (entry: Entry): number => {
  const asInteger = parseInt64(valueOf(entry))
  return asInteger !== undefined && asInteger >= 0n && asInteger < 10000n ? 2147483647 : 1
}

/** Runs `f` on the key's entry; a missing key answers a null bulk. */
const withEntry = <R>(
  session: Session,
  key: string,
  f: (entry: Entry) => Effect.Effect<RespValue, CommandError, R>
): Effect.Effect<RespValue, CommandError, Store | R> =>
  Effect.flatMap(readEntry(session, key), (entry): Effect.Effect<RespValue, CommandError, R> =>
    entry === undefined ? Effect.succeed(Resp.nullBulk) : f(entry))

export const objectEncoding: Handler<Store> = (args, session) =>
  withEntry(session, args[2], (entry) => Effect.succeed(Resp.bulk(stringEncoding(valueOf(entry)))))

export const objectRefcount: Handler<Store> = (args, session) =>
  withEntry(session, args[2], (entry) => Effect.succeed(Resp.integer(refcount(entry))))

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
 * the value object (int: none, embstr: in the object, raw: a separate sds).
 */
export const memoryUsageOf = (key: string, entry: Entry): number => {
  const dictEntry = 24
  const keySds = key.length + 4
  const object = 16
  const stored = valueOf(entry)
  const encoding = stringEncoding(stored)
  const value = encoding === "int" ? 0 : encoding === "embstr" ? stored.length + 4 : stored.length + 9
  return dictEntry + keySds + object + value + (expiresAtOf(entry) === undefined ? 0 : 8)
}

export const memoryUsage: Handler<Store> = (args, session) => {
  if (args.length !== 3 && !(args.length === 5 && args[3].toLowerCase() === "samples")) return fail(Errors.syntaxError)
  if (args.length === 5 && parseInt64(args[4]) === undefined) return fail(Errors.notInteger)
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

// ---------------------------------------------------------------- SLOWLOG, LATENCY

const slowlogEntryReply = (entry: SlowlogEntry): RespValue =>
  Resp.array([
    Resp.integer(entry.id),
    Resp.integer(entry.timestamp),
    Resp.integer(entry.durationMicros),
    Resp.array(entry.args.map(Resp.bulk)),
    Resp.bulk(entry.clientAddress),
    Resp.bulk(entry.clientName)
  ])

export const slowlogGet: Handler<Activity> = (args) =>
  Effect.gen(function*() {
    let count = 10
    if (args.length === 3) {
      const requested = parseSafeInteger(args[2])
      if (requested === undefined || requested < -1) return yield* fail(Errors.slowlogCountRange)
      count = requested === -1 ? Number.MAX_SAFE_INTEGER : requested
    }
    const entries = yield* (yield* Activity).slowlog
    return Resp.array(entries.slice(0, count).map(slowlogEntryReply))
  })

export const slowlogLen: Handler<Activity> = () =>
  Effect.map(Effect.flatMap(Activity, (activity) => activity.slowlog), (entries) => Resp.integer(entries.length))

export const slowlogReset: Handler<Activity> = () =>
  Effect.flatMap(Activity, (activity) => Effect.as(activity.resetSlowlog, Resp.ok))

export const slowlogHelp: Handler<never> = () =>
  helpReply([
    "SLOWLOG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "GET [<count>]",
    "    Return top <count> entries from the slowlog (default: 10, -1 mean all).",
    "    Entries are made of:",
    "    id, timestamp, time in microseconds, arguments array, client IP and port,",
    "    client name",
    "LEN",
    "    Return the length of the slowlog.",
    "RESET",
    "    Reset the slowlog.",
    "HELP",
    "    Prints this help."
  ])

/** effect-kv records no latency events: LATEST is empty and RESET resets none. */
export const latencyLatest: Handler<never> = () => Effect.succeed(Resp.array([]))

export const latencyReset: Handler<never> = () => Effect.succeed(Resp.integer(0))

export const latencyHelp: Handler<never> = () =>
  helpReply([
    "LATENCY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "LATEST",
    "    Return the latest latency samples for all events.",
    "RESET [<event> ...]",
    "    Reset latency data of one or more <event> classes.",
    "    (default: reset all data for all event classes)",
    "HELP",
    "    Prints this help."
  ])

// ---------------------------------------------------------------- MONITOR, DEBUG

export const monitor: Handler<Activity> = (_args, session) =>
  Effect.flatMap(Activity, (activity) => Effect.as(activity.startMonitor(session.id), Resp.ok))

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
  yield* persistence.save(yield* store.snapshot, nowMs)
  const loaded = yield* persistence.load(nowMs)
  yield* store.replaceAll(loaded ?? [])
}).pipe(
  Effect.catchTag("PersistenceError", (failure) =>
    Effect.zipRight(Effect.logWarning(failure.message), fail(Errors.saveFailed)))
)

/** DEBUG OBJECT's line: `Value at:0x... refcount:1 encoding:embstr serializedlength:6 lru:... lru_seconds_idle:0`. */
const debugObjectLine = (entry: Entry, nowMs: number): string =>
  `Value at:0x0 refcount:${refcount(entry)} encoding:${stringEncoding(valueOf(entry))} ` +
  `serializedlength:${valueOf(entry).length + 1} lru:${Math.floor(nowMs / 1000) % (1 << 24)} lru_seconds_idle:0`

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

// ---------------------------------------------------------------- CLIENT KILL, NO-EVICT

/** Which clients a CLIENT KILL filter selects. */
interface KillFilter {
  readonly id?: number
  readonly addr?: string
  readonly laddr?: string
  readonly skipMe: boolean
}

/** Parses CLIENT KILL's filters (`ID n`, `ADDR ip:port`, `LADDR ip:port`, `SKIPME yes|no`). */
const parseKillFilters = (args: ReadonlyArray<string>): Either.Either<KillFilter, string> => {
  let filter: KillFilter = { skipMe: true }
  for (let i = 2; i < args.length; i += 2) {
    const option = args[i].toLowerCase()
    const value = args[i + 1]
    if (value === undefined) return Either.left(Errors.syntaxError)
    if (option === "id") {
      const id = parseSafeInteger(value)
      if (id === undefined || id <= 0) return Either.left(Errors.clientIdOutOfRange)
      filter = { ...filter, id }
    } else if (option === "addr") filter = { ...filter, addr: value }
    else if (option === "laddr") filter = { ...filter, laddr: value }
    else if (option === "skipme") {
      const skip = value.toLowerCase()
      if (skip !== "yes" && skip !== "no") return Either.left(Errors.syntaxError)
      filter = { ...filter, skipMe: skip === "yes" }
    } else return Either.left(Errors.syntaxError)
  }
  return Either.right(filter)
}

const selects = (filter: KillFilter, target: Session, self: Session): boolean =>
  (filter.id === undefined || target.id === filter.id) &&
  (filter.addr === undefined || target.remoteAddress === filter.addr) &&
  (filter.laddr === undefined || target.localAddress === filter.laddr) &&
  !(filter.skipMe && target.id === self.id)

/** Closes `targets`; the calling client itself closes after this reply. */
const killSessions = (targets: ReadonlyArray<Session>, self: Session) =>
  Effect.gen(function*() {
    const activity = yield* Activity
    for (const target of targets) {
      if (target.id === self.id) {
        self.closeAfterReply = true
      } else {
        const control = yield* activity.control(target.id)
        if (control !== undefined) yield* control.kill
      }
    }
  })

/** CLIENT KILL ip:port (old form: OK or "No such client") or CLIENT KILL <filter> <value> ... (a count). */
export const clientKill: Handler<Clients | Activity> = (args, session) =>
  Effect.gen(function*() {
    const sessions = yield* (yield* Clients).all
    if (args.length === 3) {
      const targets = sessions.filter((target) => target.remoteAddress === args[2])
      if (targets.length === 0) return yield* fail(Errors.noSuchClient)
      yield* killSessions(targets, session)
      return Resp.ok
    }
    const filter = parseKillFilters(args)
    if (Either.isLeft(filter)) return yield* fail(filter.left)
    const targets = sessions.filter((target) => selects(filter.right, target, session))
    yield* killSessions(targets, session)
    return Resp.integer(targets.length)
  })

/** CLIENT NO-EVICT on|off: effect-kv never evicts clients, so the flag changes nothing. */
export const clientNoEvict: Handler<never> = (args) => {
  const mode = args[2].toLowerCase()
  return mode === "on" || mode === "off" ? Effect.succeed(Resp.ok) : fail(Errors.syntaxError)
}

// ---------------------------------------------------------------- CLIENT PAUSE, UNPAUSE

/** CLIENT PAUSE's mode argument (WRITE or ALL, any case; ALL when absent). */
const parsePauseMode = (arg: string | undefined): PauseMode | undefined => {
  if (arg === undefined) return "all"
  const mode = arg.toLowerCase()
  return mode === "write" || mode === "all" ? mode : undefined
}

/** CLIENT PAUSE timeout [WRITE|ALL]: timeout in milliseconds from now. */
export const clientPause: Handler<ClientPause> = (args) =>
  Effect.gen(function*() {
    if (args.length > 4) return yield* fail(Errors.subcommandSyntax(args[1], "CLIENT"))
    const timeout = parseInt64(args[2])
    if (timeout === undefined) return yield* fail(Errors.timeoutNotInteger)
    if (timeout < 0n) return yield* fail(Errors.timeoutNegative)
    const mode = parsePauseMode(args[3])
    if (mode === undefined) return yield* fail(Errors.clientPauseMode)
    const nowMs = yield* Clock.currentTimeMillis
    const endsAtMs = BigInt(nowMs) + timeout
    if (endsAtMs > BigInt(Number.MAX_SAFE_INTEGER)) return yield* fail(Errors.timeoutOutOfRange)
    yield* (yield* ClientPause).pause(mode, Number(endsAtMs))
    return Resp.ok
  })

/** CLIENT UNPAUSE: ends the pause; the commands it held run. */
export const clientUnpause: Handler<ClientPause> = () =>
  Effect.flatMap(ClientPause, (pauses) => Effect.as(pauses.unpause, Resp.ok))

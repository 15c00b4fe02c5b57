/**
 * INFO (server.c genRedisInfoString): sections in Redis 7.0.15's order and shapes.
 */
import { AppendOnly } from "../persistence/aof/AppendOnly.js"
import { persistenceInfo } from "../persistence/info.js"
import { Snapshots } from "../persistence/Snapshots.js"
import * as os from "node:os"
import { Clock, Effect, Option } from "effect"
import * as Resp from "../resp/values.js"
import { Activity } from "../state/Activity.js"
import { Clients } from "../state/Clients.js"
import type { ServerConfig } from "../config/config.js"
import { LiveConfig } from "../config/LiveConfig.js"
import * as Database from "../store/database.js"
import { type KeyspaceStats, Store } from "../store/Store.js"
import { type CommandStatistics, commandStatFields, errorStatFields } from "../state/command-stats.js"
import { effectKvVersion, redisCompatibleVersion } from "../version.js"
import type { Handler } from "./types.js"
import type { Session } from "../state/Session.js"
import { command, noKeys } from "./row.js"
import { activeCounts, PubSub, type SubscriptionCounts } from "../state/PubSub.js"
import { ClientPause } from "../state/ClientPause.js"
import { blockingOf } from "../state/Blocking.js"
import { currentTracking, type TrackingCounts } from "../state/Tracking.js"



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
  /** Clients waiting in a blocking command (state/Blocking.ts). */
  readonly blockedClients: number
  readonly connectionsReceived: number
  readonly rejectedConnections: number
  readonly commandsProcessed: number
  readonly opsPerSecond: number
  readonly databases: ReadonlyArray<Database.Database>
  readonly dirty: number
  readonly keyspaceStats: KeyspaceStats
  readonly statistics: CommandStatistics
  /** The persistence section's fields, as the persistence services report them. */
  readonly persistence: ReadonlyArray<InfoField>
  /** Channels, patterns and shard channels with subscribers (the PubSub registry). */
  readonly pubsub: SubscriptionCounts
  /** Client tracking's table and clients (none without a Tracking service). */
  readonly tracking: TrackingCounts
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
  ["blocked_clients", c.blockedClients],
  ["tracking_clients", c.tracking.clients],
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
  ["total_net_input_bytes", c.statistics.netInputBytes],
  ["total_net_output_bytes", c.statistics.netOutputBytes],
  ["instantaneous_input_kbps", "0.00"],
  ["instantaneous_output_kbps", "0.00"],
  ["rejected_connections", c.rejectedConnections],
  ["sync_full", 0],
  ["sync_partial_ok", 0],
  ["sync_partial_err", 0],
  ["expired_keys", c.keyspaceStats.expired],
  ["expired_stale_perc", "0.00"],
  ["expired_time_cap_reached_count", 0],
  ["evicted_keys", c.keyspaceStats.evicted],
  ["evicted_clients", 0],
  ["keyspace_hits", c.keyspaceStats.hits],
  ["keyspace_misses", c.keyspaceStats.misses],
  ["pubsub_channels", c.pubsub.channels],
  ["pubsub_patterns", c.pubsub.patterns],
  ["pubsubshard_channels", c.pubsub.shardChannels],
  ["latest_fork_usec", 0],
  ["total_forks", 0],
  ["tracking_total_keys", c.tracking.keys],
  ["tracking_total_items", c.tracking.items],
  ["tracking_total_prefixes", c.tracking.prefixes],
  ["total_error_replies", c.statistics.totalErrorReplies]
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

/**
 * `db0:keys=N,expires=M,avg_ttl=0` for each non-empty database; both counts are the sizes of the
 * keyspace and of its expires index, O(1) (as Redis's dictSize(db->dict), dictSize(db->expires)).
 */
const keyspaceSection = (c: InfoContext): ReadonlyArray<InfoField> =>
  c.databases.flatMap((database, db): ReadonlyArray<InfoField> => {
    const keys = Database.size(database)
    if (keys === 0) return []
    return [[`db${db}`, `keys=${keys},expires=${Database.volatileSize(database)},avg_ttl=0`]]
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
  { name: "commandstats", title: "Commandstats", inDefault: false, fields: (c) => commandStatFields(c.statistics) },
  { name: "errorstats", title: "Errorstats", inDefault: true, fields: (c) => errorStatFields(c.statistics) },
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

export const info: Handler<Store | Clients | Activity | LiveConfig | Snapshots | AppendOnly | PubSub> = (args, session) =>
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
      // Clients waiting in a blocking command, and those a CLIENT PAUSE holds back (Redis counts both).
      blockedClients: blockingOf(store).blockedClients() +
        Option.match(yield* Effect.serviceOption(ClientPause), { onNone: () => 0, onSome: (pauses) => pauses.held() }),
      connectionsReceived: counters.connectionsReceived,
      rejectedConnections: counters.rejectedConnections,
      commandsProcessed: counters.commandsProcessed,
      opsPerSecond: yield* activity.opsPerSecond,
      databases: yield* store.databases,
      dirty: yield* store.dirty,
      keyspaceStats: store.stats,
      statistics: activity.statistics,
      persistence: yield* persistenceInfo,
      pubsub: activeCounts(yield* PubSub),
      tracking: (yield* currentTracking)?.counts() ?? { clients: 0, keys: 0, items: 0, prefixes: 0 }
    }
    return Resp.verbatim("txt", renderInfo(selectSections(args.slice(1)), context))
  })

/** The rows of this family (Redis 7.0's COMMAND INFO and COMMAND DOCS facts). */
export const infoCommands = [
  command({ name: "info", arity: -1, flags: ["loading", "stale"], keys: noKeys,
    summary: "Get information and statistics about the server", since: "1.0.0", group: "server", handler: info })
]

/**
 * The server's settings, named as redis-server names them, with its defaults.
 * The CLI and the config file fill this; every other part only reads it.
 */
import { rememberedDefaults } from "./redis-parameters.js"

export type LogLevelName = "debug" | "verbose" | "notice" | "warning"
export type AppendFsync = "always" | "everysec" | "no"
export type MaxmemoryPolicy =
  | "volatile-lru"
  | "volatile-lfu"
  | "volatile-random"
  | "volatile-ttl"
  | "allkeys-lru"
  | "allkeys-lfu"
  | "allkeys-random"
  | "noeviction"

/** One `save <seconds> <changes>` rule: save when `changes` keys changed within `seconds`. */
export interface SaveRule {
  readonly seconds: number
  readonly changes: number
}

/** One class's `client-output-buffer-limit`: bytes (0: none) and the seconds over the soft limit allowed. */
export interface OutputBufferLimit {
  readonly hardBytes: number
  readonly softBytes: number
  readonly softSeconds: number
}

/** Redis's client classes for `client-output-buffer-limit` (`slave` is the replica class's name). */
export type OutputBufferClass = "normal" | "slave" | "pubsub"

export interface ServerConfig {
  readonly port: number
  readonly bind: string
  /** Working directory for the dump file and the append-only log. */
  readonly dir: string
  readonly dbfilename: string
  readonly loglevel: LogLevelName
  /** Snapshot policy; empty means never save automatically (`--save ""`). */
  readonly save: ReadonlyArray<SaveRule>
  readonly appendonly: boolean
  readonly appendfilename: string
  readonly appendfsync: AppendFsync
  /** Password for AUTH; undefined when none is set. */
  readonly requirepass: string | undefined
  readonly protectedMode: boolean
  readonly maxclients: number
  /** Close clients idle for this many seconds; 0 never. */
  readonly timeout: number
  /** Bytes; 0 means no limit. */
  readonly maxmemory: number
  readonly maxmemoryPolicy: MaxmemoryPolicy
  readonly stopWritesOnBgsaveError: boolean
  readonly protoMaxBulkLen: number
  readonly clientQueryBufferLimit: number
  /** SLOWLOG: log commands slower than this many microseconds (negative: never, 0: always). */
  readonly slowlogLogSlowerThan: number
  /** SLOWLOG: entries kept. */
  readonly slowlogMaxLen: number
  /** `client-output-buffer-limit`, per client class; effect-kv enforces the pubsub class (see state/PubSub.ts). */
  readonly clientOutputBufferLimit: Readonly<Record<OutputBufferClass, OutputBufferLimit>>
  /** How many databases SELECT reaches (immutable: effect-kv always has 16). */
  readonly databases: number
  /** Keyspace notification classes, as CONFIG GET shows them (`AKE`, `glE`; empty: none). */
  readonly notifyKeyspaceEvents: string
  /** The value encodings' thresholds (OBJECT ENCODING, RDB), read by the value modules. */
  readonly hashMaxListpackEntries: number
  readonly hashMaxListpackValue: number
  readonly setMaxIntsetEntries: number
  readonly zsetMaxListpackEntries: number
  readonly zsetMaxListpackValue: number
  /** Positive: entries per list node; -1 to -5: node size 4kb to 64kb. */
  readonly listMaxListpackSize: number
  readonly listCompressDepth: number
  /** Redis's parameters effect-kv accepts and remembers but does not act on, by name: see redis-parameters.ts. */
  readonly remembered: Readonly<Record<string, string>>
  /** The config file the settings were read from (INFO's config_file, CONFIG REWRITE); undefined when none. */
  readonly configFile: string | undefined
}

export const defaultServerConfig: ServerConfig = {
  port: 6379,
  bind: "127.0.0.1",
  dir: "./data",
  dbfilename: "dump.rdb",
  loglevel: "notice",
  save: [
    { seconds: 3600, changes: 1 },
    { seconds: 300, changes: 100 },
    { seconds: 60, changes: 10000 }
  ],
  appendonly: false,
  appendfilename: "appendonly.aof",
  appendfsync: "everysec",
  requirepass: undefined,
  protectedMode: true,
  maxclients: 10000,
  timeout: 0,
  maxmemory: 0,
  maxmemoryPolicy: "noeviction",
  stopWritesOnBgsaveError: true,
  protoMaxBulkLen: 512 * 1024 * 1024,
  clientQueryBufferLimit: 1024 * 1024 * 1024,
  slowlogLogSlowerThan: 10000,
  slowlogMaxLen: 128,
  clientOutputBufferLimit: {
    normal: { hardBytes: 0, softBytes: 0, softSeconds: 0 },
    slave: { hardBytes: 256 * 1024 * 1024, softBytes: 64 * 1024 * 1024, softSeconds: 60 },
    pubsub: { hardBytes: 32 * 1024 * 1024, softBytes: 8 * 1024 * 1024, softSeconds: 60 }
  },
  databases: 16,
  notifyKeyspaceEvents: "",
  hashMaxListpackEntries: 512,
  hashMaxListpackValue: 64,
  setMaxIntsetEntries: 512,
  zsetMaxListpackEntries: 128,
  zsetMaxListpackValue: 64,
  listMaxListpackSize: -2,
  listCompressDepth: 0,
  remembered: {
    ...rememberedDefaults,
    "oom-score-adj-values": "0 200 800",
    "latency-tracking-info-percentiles": "50 99 99.9",
    "maxmemory-clients": "0"
  },
  configFile: undefined
}

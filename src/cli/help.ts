/**
 * `effect-kv --help`: the usage lines of redis-server's usage() and one entry
 * per flag with its type, its default (the value CONFIG GET shows at start)
 * and its meaning. Plain text, so a pipe gets no terminal codes.
 */
import { defaultServerConfig } from "../config/config.js"
import { parameters } from "../config/settings.js"
import { effectKvVersion, redisCompatibleVersion } from "../version.js"

interface FlagDoc {
  readonly type: string
  readonly meaning: string
}

const flagDocs: Readonly<Record<string, FlagDoc>> = {
  port: { type: "integer", meaning: "TCP port to listen on (0 picks a free port)" },
  bind: { type: "address", meaning: "Address to listen on" },
  dir: { type: "path", meaning: "Directory for the dump file and the append-only file (created if missing)" },
  dbfilename: { type: "file name", meaning: "Name of the RDB dump file in --dir" },
  loglevel: { type: "debug|verbose|notice|warning", meaning: "Log verbosity" },
  save: { type: "seconds changes ...", meaning: "Snapshot rules; --save \"\" turns snapshots off" },
  appendonly: { type: "yes|no", meaning: "Log every write to the append-only file" },
  appendfilename: { type: "file name", meaning: "Name of the append-only file" },
  appendfsync: { type: "always|everysec|no", meaning: "When the append-only file is fsynced" },
  requirepass: { type: "text", meaning: "Password clients must give with AUTH (empty: none)" },
  "protected-mode": { type: "yes|no", meaning: "Without a password, refuse clients from other hosts" },
  maxclients: { type: "integer", meaning: "Most clients connected at once" },
  timeout: { type: "seconds", meaning: "Close clients idle this long (0: never)" },
  maxmemory: { type: "bytes", meaning: "Memory limit (a number, or with a unit: 100mb, 1gb; 0: none)" },
  "maxmemory-policy": { type: "policy", meaning: "What to do at the memory limit (noeviction, allkeys-lru, ...)" },
  "stop-writes-on-bgsave-error": { type: "yes|no", meaning: "Refuse writes while the last background save failed" },
  "proto-max-bulk-len": { type: "bytes", meaning: "Largest bulk string a client may send (with a unit: 512mb)" },
  "client-query-buffer-limit": { type: "bytes", meaning: "Largest query buffer per client (with a unit: 1gb)" },
  "slowlog-log-slower-than": { type: "microseconds", meaning: "SLOWLOG records commands this slow (-1: none, 0: all)" },
  "slowlog-max-len": { type: "integer", meaning: "SLOWLOG entries kept" }
}

const defaultText = (value: string): string => (value === "" ? "\"\"" : value)

/** One flag: `  --port <integer>` then its meaning and default on the next line. */
const flagEntry = (name: string, value: string): string => {
  const doc = flagDocs[name] ?? { type: "value", meaning: name }
  return `  --${name} <${doc.type}>\n      ${doc.meaning} (default: ${defaultText(value)})`
}

export const helpText = (): string =>
  [
    `effect-kv ${effectKvVersion}: a Redis ${redisCompatibleVersion} compatible server`,
    "",
    "Usage: effect-kv [/path/to/redis.conf] [--name value ...]",
    "       effect-kv -v or --version",
    "       effect-kv -h or --help",
    "",
    "Each --name value is a config file line (`name value`) read after the file, as redis-server",
    "reads them; a flag takes every argument up to the next --name (--save 3600 1 300 10).",
    "",
    "Flags:",
    ...parameters.map((parameter) => flagEntry(parameter.name, parameter.format(defaultServerConfig))),
    "",
    "Examples:",
    "       effect-kv --port 7777",
    "       effect-kv /etc/effect-kv.conf --loglevel verbose",
    "       effect-kv --port 0 --save \"\" --dir /tmp/kv",
    ""
  ].join("\n")

/** `effect-kv --version`: one line, as redis-server's (`Redis server v=7.0.15 ... bits=64`). */
export const versionText = (): string => `effect-kv v=${effectKvVersion} redis=${redisCompatibleVersion} bits=64\n`

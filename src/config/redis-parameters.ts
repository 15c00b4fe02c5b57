/**
 * Redis 7.0.15's configuration parameters that effect-kv accepts and
 * remembers but does not act on: CONFIG SET validates them as redis-server
 * does (type, range, allowed values), CONFIG GET and CONFIG GET * answer them,
 * a config file or a command-line flag may set them, and nothing else reads
 * them (replication, cluster, TLS, active defrag, lazy free, threads, ...).
 * Names, defaults, types and ranges are redis-server 7.0.15's, read from its
 * CONFIG GET * and from the errors its CONFIG SET gives (config.c's
 * standardConfig table). `fixed` ones are IMMUTABLE_CONFIG in Redis.
 *
 * The parameters effect-kv does act on are typed fields of ServerConfig
 * (settings.ts).
 */

/** How a remembered parameter's value is read. */
export type RememberedKind =
  | { readonly type: "fixed" }
  | { readonly type: "yesNo" }
  | { readonly type: "integer"; readonly min: bigint; readonly max: bigint }
  | { readonly type: "memory"; readonly min: bigint; readonly max: bigint }
  | { readonly type: "oneOf"; readonly values: ReadonlyArray<string> }
  | { readonly type: "anyText" }

const fixed: RememberedKind = { type: "fixed" }
const yesNo: RememberedKind = { type: "yesNo" }
const anyText: RememberedKind = { type: "anyText" }
const integer = (min: bigint, max: bigint): RememberedKind => ({ type: "integer", min, max })
const memory = (min: bigint, max: bigint): RememberedKind => ({ type: "memory", min, max })
const oneOf = (...values: ReadonlyArray<string>): RememberedKind => ({ type: "oneOf", values })

/** Name, default (CONFIG GET's text), kind. effect-kv has no log file, pid file or daemon mode: those stay empty / no. */
export const rememberedParameters: ReadonlyArray<readonly [name: string, defaultValue: string, kind: RememberedKind]> = [
  ["acl-pubsub-default", "resetchannels", oneOf("allchannels", "resetchannels")],
  ["aclfile", "", fixed],
  ["acllog-max-len", "128", integer(0n, 9223372036854775807n)],
  ["active-defrag-cycle-max", "25", integer(1n, 99n)],
  ["active-defrag-cycle-min", "1", integer(1n, 99n)],
  ["active-defrag-ignore-bytes", "104857600", memory(1n, 9223372036854775807n)],
  ["active-defrag-max-scan-fields", "1000", integer(1n, 9223372036854775807n)],
  ["active-defrag-threshold-lower", "10", integer(0n, 1000n)],
  ["active-defrag-threshold-upper", "100", integer(0n, 1000n)],
  ["active-expire-effort", "1", integer(1n, 10n)],
  ["activedefrag", "no", yesNo],
  ["activerehashing", "yes", yesNo],
  ["always-show-logo", "no", fixed],
  ["aof-disable-auto-gc", "no", yesNo],
  ["aof-load-truncated", "yes", yesNo],
  ["aof-rewrite-incremental-fsync", "yes", yesNo],
  ["aof-timestamp-enabled", "no", yesNo],
  ["aof-use-rdb-preamble", "yes", yesNo],
  ["aof_rewrite_cpulist", "", fixed],
  ["appenddirname", "appendonlydir", fixed],
  ["auto-aof-rewrite-min-size", "67108864", memory(0n, 9223372036854775807n)],
  ["auto-aof-rewrite-percentage", "100", integer(0n, 2147483647n)],
  ["bgsave_cpulist", "", fixed],
  ["bind-source-addr", "", anyText],
  ["bio_cpulist", "", fixed],
  ["busy-reply-threshold", "5000", integer(0n, 9223372036854775807n)],
  ["cluster-allow-pubsubshard-when-down", "yes", yesNo],
  ["cluster-allow-reads-when-down", "no", yesNo],
  ["cluster-allow-replica-migration", "yes", yesNo],
  ["cluster-announce-bus-port", "0", integer(0n, 65535n)],
  ["cluster-announce-hostname", "", anyText],
  ["cluster-announce-ip", "", anyText],
  ["cluster-announce-port", "0", integer(0n, 65535n)],
  ["cluster-announce-tls-port", "0", integer(0n, 65535n)],
  ["cluster-config-file", "nodes.conf", fixed],
  ["cluster-enabled", "no", fixed],
  ["cluster-link-sendbuf-limit", "0", memory(0n, 18446744073709551615n)],
  ["cluster-migration-barrier", "1", integer(0n, 2147483647n)],
  ["cluster-node-timeout", "15000", integer(0n, 9223372036854775807n)],
  ["cluster-port", "0", fixed],
  ["cluster-preferred-endpoint-type", "ip", oneOf("ip", "hostname", "unknown-endpoint")],
  ["cluster-replica-no-failover", "no", yesNo],
  ["cluster-replica-validity-factor", "10", integer(0n, 2147483647n)],
  ["cluster-require-full-coverage", "yes", yesNo],
  ["crash-log-enabled", "yes", yesNo],
  ["crash-memcheck-enabled", "yes", yesNo],
  ["daemonize", "no", fixed],
  ["disable-thp", "yes", fixed],
  ["dynamic-hz", "yes", yesNo],
  ["enable-debug-command", "no", fixed],
  ["enable-module-command", "no", fixed],
  ["enable-protected-configs", "no", fixed],
  ["hll-sparse-max-bytes", "3000", memory(0n, 9223372036854775807n)],
  ["hz", "10", integer(0n, 2147483647n)],
  ["ignore-warnings", "", anyText],
  ["io-threads", "1", fixed],
  ["io-threads-do-reads", "no", fixed],
  ["jemalloc-bg-thread", "yes", yesNo],
  ["latency-monitor-threshold", "0", integer(0n, 9223372036854775807n)],
  ["latency-tracking", "yes", yesNo],
  ["lazyfree-lazy-eviction", "no", yesNo],
  ["lazyfree-lazy-expire", "no", yesNo],
  ["lazyfree-lazy-server-del", "no", yesNo],
  ["lazyfree-lazy-user-del", "no", yesNo],
  ["lazyfree-lazy-user-flush", "no", yesNo],
  ["lfu-decay-time", "1", integer(0n, 2147483647n)],
  ["lfu-log-factor", "10", integer(0n, 2147483647n)],
  ["logfile", "", fixed],
  ["masterauth", "", anyText],
  ["masteruser", "", anyText],
  ["maxmemory-eviction-tenacity", "10", integer(0n, 100n)],
  ["maxmemory-samples", "5", integer(1n, 2147483647n)],
  ["min-replicas-max-lag", "10", integer(0n, 2147483647n)],
  ["min-replicas-to-write", "0", integer(0n, 2147483647n)],
  ["no-appendfsync-on-rewrite", "no", yesNo],
  ["oom-score-adj", "no", oneOf("no", "yes", "relative", "absolute")],
  ["pidfile", "", fixed],
  ["proc-title-template", "{title} {listen-addr} {server-mode}", anyText],
  ["propagation-error-behavior", "ignore", oneOf("ignore", "panic", "panic-on-replicas")],
  ["rdb-del-sync-files", "no", yesNo],
  ["rdb-save-incremental-fsync", "yes", yesNo],
  ["rdbchecksum", "yes", fixed],
  ["rdbcompression", "yes", yesNo],
  ["repl-backlog-size", "1048576", memory(1n, 9223372036854775807n)],
  ["repl-backlog-ttl", "3600", integer(0n, 9223372036854775807n)],
  ["repl-disable-tcp-nodelay", "no", yesNo],
  ["repl-diskless-load", "disabled", oneOf("disabled", "on-empty-db", "swapdb")],
  ["repl-diskless-sync", "yes", yesNo],
  ["repl-diskless-sync-delay", "5", integer(0n, 2147483647n)],
  ["repl-diskless-sync-max-replicas", "0", integer(0n, 2147483647n)],
  ["repl-ping-replica-period", "10", integer(1n, 2147483647n)],
  ["repl-timeout", "60", integer(1n, 2147483647n)],
  ["replica-announce-ip", "", anyText],
  ["replica-announce-port", "0", integer(0n, 65535n)],
  ["replica-announced", "yes", yesNo],
  ["replica-ignore-disk-write-errors", "no", yesNo],
  ["replica-ignore-maxmemory", "yes", yesNo],
  ["replica-lazy-flush", "no", yesNo],
  ["replica-priority", "100", integer(0n, 2147483647n)],
  ["replica-read-only", "yes", yesNo],
  ["replica-serve-stale-data", "yes", yesNo],
  ["replicaof", "", fixed],
  ["sanitize-dump-payload", "no", oneOf("no", "yes", "clients")],
  ["server_cpulist", "", fixed],
  ["set-proc-title", "yes", fixed],
  ["shutdown-on-sigint", "default", oneOf("default", "save", "nosave", "now", "force")],
  ["shutdown-on-sigterm", "default", oneOf("default", "save", "nosave", "now", "force")],
  ["shutdown-timeout", "10", integer(0n, 2147483647n)],
  ["socket-mark-id", "0", fixed],
  ["stream-node-max-bytes", "4096", memory(0n, 9223372036854775807n)],
  ["stream-node-max-entries", "100", integer(0n, 9223372036854775807n)],
  ["supervised", "no", fixed],
  ["syslog-enabled", "no", fixed],
  ["syslog-facility", "local0", fixed],
  ["syslog-ident", "redis", fixed],
  ["tcp-backlog", "511", fixed],
  ["tcp-keepalive", "300", integer(0n, 2147483647n)],
  ["tls-auth-clients", "yes", oneOf("no", "yes", "optional")],
  ["tls-ca-cert-dir", "", anyText],
  ["tls-ca-cert-file", "", anyText],
  ["tls-cert-file", "", anyText],
  ["tls-ciphers", "", anyText],
  ["tls-ciphersuites", "", anyText],
  ["tls-client-cert-file", "", anyText],
  ["tls-client-key-file", "", anyText],
  ["tls-client-key-file-pass", "", anyText],
  ["tls-cluster", "no", yesNo],
  ["tls-dh-params-file", "", anyText],
  ["tls-key-file", "", anyText],
  ["tls-key-file-pass", "", anyText],
  ["tls-port", "0", integer(0n, 65535n)],
  ["tls-prefer-server-ciphers", "no", yesNo],
  ["tls-protocols", "", anyText],
  ["tls-replication", "no", yesNo],
  ["tls-session-cache-size", "20480", integer(0n, 2147483647n)],
  ["tls-session-cache-timeout", "300", integer(0n, 2147483647n)],
  ["tls-session-caching", "yes", yesNo],
  ["tracking-table-max-keys", "1000000", integer(0n, 9223372036854775807n)],
  ["unixsocket", "", fixed],
  ["unixsocketperm", "0", fixed],
]

/** Redis's aliases (the old names): CONFIG GET * lists both, and either name reads and sets the one value. */
export const parameterAliases: ReadonlyArray<readonly [alias: string, name: string]> = [
  ["cluster-slave-no-failover", "cluster-replica-no-failover"],
  ["cluster-slave-validity-factor", "cluster-replica-validity-factor"],
  ["hash-max-ziplist-entries", "hash-max-listpack-entries"],
  ["hash-max-ziplist-value", "hash-max-listpack-value"],
  ["list-max-ziplist-size", "list-max-listpack-size"],
  ["lua-time-limit", "busy-reply-threshold"],
  ["min-slaves-max-lag", "min-replicas-max-lag"],
  ["min-slaves-to-write", "min-replicas-to-write"],
  ["repl-ping-slave-period", "repl-ping-replica-period"],
  ["slave-announce-ip", "replica-announce-ip"],
  ["slave-announce-port", "replica-announce-port"],
  ["slave-ignore-maxmemory", "replica-ignore-maxmemory"],
  ["slave-lazy-flush", "replica-lazy-flush"],
  ["slave-priority", "replica-priority"],
  ["slave-read-only", "replica-read-only"],
  ["slave-serve-stale-data", "replica-serve-stale-data"],
  ["slaveof", "replicaof"],
  ["zset-max-ziplist-entries", "zset-max-listpack-entries"],
  ["zset-max-ziplist-value", "zset-max-listpack-value"],
]

/** Every remembered parameter at its default. */
export const rememberedDefaults: Readonly<Record<string, string>> = Object.fromEntries(
  rememberedParameters.map(([name, defaultValue]) => [name, defaultValue])
)

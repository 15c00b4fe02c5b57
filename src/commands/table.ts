/**
 * The command table: the single place naming every command effect-kv knows.
 * Arity, flags and key positions are exactly what Redis 7.0's COMMAND INFO reports.
 * Rows are grouped by family, one comment per family.
 */
import type { Store } from "../store/Store.js"
import * as Auth from "./auth.js"
import * as Connection from "./connection.js"
import * as Persistence from "./persistence.js"
import type { AppendOnly } from "../persistence/aof/AppendOnly.js"
import type { Snapshots } from "../persistence/Snapshots.js"
import type { Persistence as PersistenceService } from "../persistence/Persistence.js"
import type { Shutdown } from "../state/Shutdown.js"
import type { CommandCatalog } from "./CommandCatalog.js"
import * as Keys from "./keys.js"
import * as Server from "./server.js"
import * as Info from "./info.js"
import * as Config from "./config.js"
import * as ObjectFamily from "./object.js"
import * as Client from "./client.js"
import * as Strings from "./strings.js"
import { aofTransactionCommands, clientReplyCommand, transactionCommands } from "./transactions.js"
import type { CommandFlag, CommandSpec, Handler } from "./types.js"
import type { Clients } from "../state/Clients.js"
import type { Activity } from "../state/Activity.js"
import type { LiveConfig } from "../config/LiveConfig.js"
import type { ClientPause } from "../state/ClientPause.js"

/**
 * Every service a handler may need. Add a service here (as a union member)
 * when a family of commands needs it; rows typed with fewer services still fit.
 */
export type CommandServices =
  | Store
  | Clients
  | CommandCatalog
  | Snapshots
  | PersistenceService
  | AppendOnly
  | Shutdown
  | Activity
  | LiveConfig
  | ClientPause

/** A row of a Store-only family, with Redis's key positions (first key, last key, step). */
const storeRow = (group: string) =>
(
  name: string,
  arity: number,
  flags: ReadonlyArray<CommandFlag>,
  [firstKey, lastKey, keyStep]: readonly [number, number, number],
  handler: Handler<Store>
): CommandSpec<Store> => ({ name, arity, flags, firstKey, lastKey, keyStep, group, handler })

const stringRow = storeRow("string")
const keyspaceRow = storeRow("generic")

/** Strings: see strings.ts. */
export const stringCommands: ReadonlyArray<CommandSpec<Store>> = [
  stringRow("append", 3, ["write", "denyoom", "fast"], [1, 1, 1], Strings.append),
  stringRow("decr", 2, ["write", "denyoom", "fast"], [1, 1, 1], Strings.decr),
  stringRow("decrby", 3, ["write", "denyoom", "fast"], [1, 1, 1], Strings.decrby),
  stringRow("get", 2, ["readonly", "fast"], [1, 1, 1], Strings.get),
  stringRow("getdel", 2, ["write", "fast"], [1, 1, 1], Strings.getdel),
  stringRow("getex", -2, ["write", "fast"], [1, 1, 1], Strings.getex),
  stringRow("getrange", 4, ["readonly"], [1, 1, 1], Strings.getrange),
  stringRow("incr", 2, ["write", "denyoom", "fast"], [1, 1, 1], Strings.incr),
  stringRow("incrby", 3, ["write", "denyoom", "fast"], [1, 1, 1], Strings.incrby),
  stringRow("incrbyfloat", 3, ["write", "denyoom", "fast"], [1, 1, 1], Strings.incrbyfloat),
  stringRow("mget", -2, ["readonly", "fast"], [1, -1, 1], Strings.mget),
  stringRow("mset", -3, ["write", "denyoom"], [1, -1, 2], Strings.mset),
  stringRow("msetnx", -3, ["write", "denyoom"], [1, -1, 2], Strings.msetnx),
  stringRow("psetex", 4, ["write", "denyoom"], [1, 1, 1], Strings.psetex),
  stringRow("set", -3, ["write", "denyoom"], [1, 1, 1], Strings.set),
  stringRow("setex", 4, ["write", "denyoom"], [1, 1, 1], Strings.setex),
  stringRow("setnx", 3, ["write", "denyoom", "fast"], [1, 1, 1], Strings.setnx),
  stringRow("setrange", 4, ["write", "denyoom"], [1, 1, 1], Strings.setrange),
  stringRow("strlen", 2, ["readonly", "fast"], [1, 1, 1], Strings.strlen)
]

/** Keyspace: see keys.ts. */
export const keyspaceCommands: ReadonlyArray<CommandSpec<Store>> = [
  keyspaceRow("dbsize", 1, ["readonly", "fast"], [0, 0, 0], Keys.dbsize),
  keyspaceRow("del", -2, ["write"], [1, -1, 1], Keys.del),
  keyspaceRow("exists", -2, ["readonly", "fast"], [1, -1, 1], Keys.exists),
  keyspaceRow("expire", -3, ["write", "fast"], [1, 1, 1], Keys.expire),
  keyspaceRow("expireat", -3, ["write", "fast"], [1, 1, 1], Keys.expireat),
  keyspaceRow("expiretime", 2, ["readonly", "fast"], [1, 1, 1], Keys.expiretime),
  keyspaceRow("flushall", -1, ["write"], [0, 0, 0], Keys.flushall),
  keyspaceRow("flushdb", -1, ["write"], [0, 0, 0], Keys.flushdb),
  keyspaceRow("keys", 2, ["readonly"], [0, 0, 0], Keys.keys),
  keyspaceRow("persist", 2, ["write", "fast"], [1, 1, 1], Keys.persist),
  keyspaceRow("pexpire", -3, ["write", "fast"], [1, 1, 1], Keys.pexpire),
  keyspaceRow("pexpireat", -3, ["write", "fast"], [1, 1, 1], Keys.pexpireat),
  keyspaceRow("pexpiretime", 2, ["readonly", "fast"], [1, 1, 1], Keys.pexpiretime),
  keyspaceRow("pttl", 2, ["readonly", "fast"], [1, 1, 1], Keys.pttl),
  keyspaceRow("randomkey", 1, ["readonly"], [0, 0, 0], Keys.randomkey),
  keyspaceRow("rename", 3, ["write"], [1, 2, 1], Keys.rename),
  keyspaceRow("renamenx", 3, ["write", "fast"], [1, 2, 1], Keys.renamenx),
  keyspaceRow("scan", -2, ["readonly"], [0, 0, 0], Keys.scan),
  keyspaceRow("ttl", 2, ["readonly", "fast"], [1, 1, 1], Keys.ttl),
  keyspaceRow("type", 2, ["readonly", "fast"], [1, 1, 1], Keys.type),
  keyspaceRow("unlink", -2, ["write", "fast"], [1, -1, 1], Keys.del)
]

const selectCommand: CommandSpec<never> = {
  name: "select", arity: 2, flags: ["loading", "stale", "fast"], firstKey: 0, lastKey: 0, keyStep: 0,
  summary: "Change the selected database for the current connection", since: "2.0.0", group: "connection",
  handler: Connection.select
}

/** Persistence: see persistence.ts. */
const persistenceCommands: ReadonlyArray<CommandSpec<CommandServices>> = [
  { name: "save", arity: 1, flags: ["admin", "noscript", "no_async_loading", "no_multi"], firstKey: 0, lastKey: 0,
    keyStep: 0, summary: "Synchronously save the dataset to disk", since: "1.0.0", group: "server",
    handler: Persistence.save },
  { name: "bgsave", arity: -1, flags: ["admin", "noscript", "no_async_loading"], firstKey: 0, lastKey: 0, keyStep: 0,
    summary: "Asynchronously save the dataset to disk", since: "1.0.0", group: "server", handler: Persistence.bgsave },
  { name: "lastsave", arity: 1, flags: ["loading", "stale", "fast"], firstKey: 0, lastKey: 0, keyStep: 0,
    summary: "Get the UNIX time stamp of the last successful save to disk", since: "1.0.0", group: "server",
    handler: Persistence.lastsave },
  { name: "bgrewriteaof", arity: 1, flags: ["admin", "noscript", "no_async_loading"], firstKey: 0, lastKey: 0,
    keyStep: 0, summary: "Asynchronously rewrite the append-only file", since: "1.0.0", group: "server",
    handler: Persistence.bgrewriteaof },
  { name: "shutdown", arity: -1, flags: ["admin", "noscript", "loading", "stale", "no_multi", "allow_busy"],
    firstKey: 0, lastKey: 0, keyStep: 0, summary: "Synchronously save the dataset to disk and then shut down the server",
    since: "1.0.0", group: "server", handler: Persistence.shutdown }
]

/** Server introspection: see server.ts. */
const adminFlags: ReadonlyArray<CommandFlag> = ["admin", "noscript", "loading", "stale"]
const helpFlags: ReadonlyArray<CommandFlag> = ["loading", "stale"]
const serverCommands: ReadonlyArray<CommandSpec<CommandServices>> = [
  { name: "info", arity: -1, flags: ["loading", "stale"], firstKey: 0, lastKey: 0, keyStep: 0,
    summary: "Get information and statistics about the server", since: "1.0.0", group: "server", handler: Info.info },
  { name: "config", arity: -2, flags: [], firstKey: 0, lastKey: 0, keyStep: 0,
    summary: "A container for server configuration commands", since: "2.0.0", group: "server", handler: Config.configHelp,
    subcommands: [
      { name: "get", arity: -3, flags: adminFlags, firstKey: 0, lastKey: 0, keyStep: 0,
        summary: "Get the values of configuration parameters", since: "2.0.0", group: "server", handler: Config.configGet },
      { name: "help", arity: 2, flags: helpFlags, firstKey: 0, lastKey: 0, keyStep: 0,
        summary: "Show helpful text about the different subcommands", since: "5.0.0", group: "server", handler: Config.configHelp },
      { name: "resetstat", arity: 2, flags: adminFlags, firstKey: 0, lastKey: 0, keyStep: 0,
        summary: "Reset the stats returned by INFO", since: "2.0.0", group: "server", handler: Config.configResetStat },
      { name: "rewrite", arity: 2, flags: adminFlags, firstKey: 0, lastKey: 0, keyStep: 0,
        summary: "Rewrite the configuration file with the in memory configuration", since: "2.8.0", group: "server",
        handler: Config.configRewrite },
      { name: "set", arity: -4, flags: adminFlags, firstKey: 0, lastKey: 0, keyStep: 0,
        summary: "Set configuration parameters to the given values", since: "2.0.0", group: "server", handler: Config.configSet }
    ] },
  { name: "time", arity: 1, flags: ["loading", "stale", "fast"], firstKey: 0, lastKey: 0, keyStep: 0,
    summary: "Return the current server time", since: "2.6.0", group: "server", handler: Server.time },
  { name: "object", arity: -2, flags: [], firstKey: 0, lastKey: 0, keyStep: 0,
    summary: "A container for object introspection commands", since: "2.2.3", group: "generic", handler: ObjectFamily.objectHelp,
    subcommands: [
      { name: "encoding", arity: 3, flags: ["readonly"], firstKey: 2, lastKey: 2, keyStep: 1,
        summary: "Inspect the internal encoding of a Redis object", since: "2.2.3", group: "generic",
        handler: ObjectFamily.objectEncoding },
      { name: "freq", arity: 3, flags: ["readonly"], firstKey: 2, lastKey: 2, keyStep: 1,
        summary: "Get the logarithmic access frequency counter of a Redis object", since: "4.0.0", group: "generic",
        handler: ObjectFamily.objectFreq },
      { name: "help", arity: 2, flags: helpFlags, firstKey: 0, lastKey: 0, keyStep: 0,
        summary: "Show helpful text about the different subcommands", since: "6.2.0", group: "generic",
        handler: ObjectFamily.objectHelp },
      { name: "idletime", arity: 3, flags: ["readonly"], firstKey: 2, lastKey: 2, keyStep: 1,
        summary: "Get the time since a Redis object was last accessed", since: "2.2.3", group: "generic",
        handler: ObjectFamily.objectIdletime },
      { name: "refcount", arity: 3, flags: ["readonly"], firstKey: 2, lastKey: 2, keyStep: 1,
        summary: "Get the number of references to the value of the key", since: "2.2.3", group: "generic",
        handler: ObjectFamily.objectRefcount }
    ] },
  { name: "memory", arity: -2, flags: [], firstKey: 0, lastKey: 0, keyStep: 0,
    summary: "A container for memory diagnostics commands", since: "4.0.0", group: "server", handler: ObjectFamily.memoryHelp,
    subcommands: [
      { name: "help", arity: 2, flags: helpFlags, firstKey: 0, lastKey: 0, keyStep: 0,
        summary: "Show helpful text about the different subcommands", since: "4.0.0", group: "server",
        handler: ObjectFamily.memoryHelp },
      { name: "usage", arity: -3, flags: ["readonly"], firstKey: 2, lastKey: 2, keyStep: 1,
        summary: "Estimate the memory usage of a key", since: "4.0.0", group: "server", handler: ObjectFamily.memoryUsage }
    ] },
  { name: "slowlog", arity: -2, flags: [], firstKey: 0, lastKey: 0, keyStep: 0,
    summary: "A container for slow log commands", since: "2.2.12", group: "server", handler: Server.slowlogHelp,
    subcommands: [
      { name: "get", arity: -2, flags: ["admin", "loading", "stale"], firstKey: 0, lastKey: 0, keyStep: 0,
        summary: "Get the slow log's entries", since: "2.2.12", group: "server", handler: Server.slowlogGet },
      { name: "help", arity: 2, flags: helpFlags, firstKey: 0, lastKey: 0, keyStep: 0,
        summary: "Show helpful text about the different subcommands", since: "6.2.0", group: "server",
        handler: Server.slowlogHelp },
      { name: "len", arity: 2, flags: ["admin", "loading", "stale"], firstKey: 0, lastKey: 0, keyStep: 0,
        summary: "Get the slow log's length", since: "2.2.12", group: "server", handler: Server.slowlogLen },
      { name: "reset", arity: 2, flags: ["admin", "loading", "stale"], firstKey: 0, lastKey: 0, keyStep: 0,
        summary: "Clear all entries from the slow log", since: "2.2.12", group: "server", handler: Server.slowlogReset }
    ] },
  { name: "latency", arity: -2, flags: [], firstKey: 0, lastKey: 0, keyStep: 0,
    summary: "A container for latency diagnostics commands", since: "2.8.13", group: "server", handler: Server.latencyHelp,
    subcommands: [
      { name: "help", arity: 2, flags: helpFlags, firstKey: 0, lastKey: 0, keyStep: 0,
        summary: "Show helpful text about the different subcommands", since: "2.8.13", group: "server",
        handler: Server.latencyHelp },
      { name: "latest", arity: 2, flags: adminFlags, firstKey: 0, lastKey: 0, keyStep: 0,
        summary: "Return the latest latency samples for all events", since: "2.8.13", group: "server",
        handler: Server.latencyLatest },
      { name: "reset", arity: -2, flags: adminFlags, firstKey: 0, lastKey: 0, keyStep: 0,
        summary: "Reset latency data for one or more events", since: "2.8.13", group: "server", handler: Server.latencyReset }
    ] },
  { name: "monitor", arity: 1, flags: adminFlags, firstKey: 0, lastKey: 0, keyStep: 0,
    summary: "Listen for all requests received by the server in real time", since: "1.0.0", group: "server",
    handler: Server.monitor },
  { name: "debug", arity: -2, flags: adminFlags, firstKey: 0, lastKey: 0, keyStep: 0,
    summary: "A container for debugging commands", since: "1.0.0", group: "server", handler: ObjectFamily.debug }
]

/** CLIENT PAUSE and UNPAUSE: see server.ts. */
export const clientPauseCommands: ReadonlyArray<CommandSpec<ClientPause>> = [
  { name: "pause", arity: -3, flags: ["admin", "noscript", "loading", "stale"], firstKey: 0, lastKey: 0, keyStep: 0,
    summary: "Stop processing commands from clients for some time", since: "2.9.50", group: "connection",
    handler: Client.clientPause },
  { name: "unpause", arity: 2, flags: ["admin", "noscript", "loading", "stale"], firstKey: 0, lastKey: 0, keyStep: 0,
    summary: "Resume processing of clients that were paused", since: "6.2.0", group: "connection",
    handler: Client.clientUnpause }
]

const rows: ReadonlyArray<CommandSpec<CommandServices>> = [
  ...stringCommands,
  ...keyspaceCommands,
  ...transactionCommands,

  // persistence: see persistence.ts
  ...persistenceCommands,

  // server: see server.ts
  ...serverCommands,

  // connection and server: see connection.ts
  {
    name: "ping", arity: -1, flags: ["fast"], firstKey: 0, lastKey: 0, keyStep: 0,
    summary: "Ping the server", since: "1.0.0", group: "connection", handler: Connection.ping
  },
  {
    name: "echo", arity: 2, flags: ["loading", "stale", "fast"], firstKey: 0, lastKey: 0, keyStep: 0,
    summary: "Echo the given string", since: "1.0.0", group: "connection", handler: Connection.echo
  },
  {
    name: "quit", arity: -1, flags: ["noscript", "loading", "stale", "fast", "no_auth", "allow_busy"],
    firstKey: 0, lastKey: 0, keyStep: 0,
    summary: "Close the connection", since: "1.0.0", group: "connection", handler: Connection.quit
  },
  selectCommand,
  {
    name: "auth", arity: -2, flags: ["noscript", "loading", "stale", "fast", "no_auth", "allow_busy"],
    firstKey: 0, lastKey: 0, keyStep: 0,
    summary: "Authenticate to the server", since: "1.0.0", group: "connection", handler: Auth.auth
  },
  {
    name: "hello", arity: -1, flags: ["noscript", "loading", "stale", "fast", "no_auth", "allow_busy"],
    firstKey: 0, lastKey: 0, keyStep: 0,
    summary: "Handshake with Redis", since: "6.0.0", group: "connection", handler: Connection.hello
  },
  {
    name: "client", arity: -2, flags: [], firstKey: 0, lastKey: 0, keyStep: 0,
    summary: "A container for client connection commands", since: "2.4.0", group: "connection",
    handler: Client.clientHelpCommand,
    subcommands: [
      { name: "getname", arity: 2, flags: ["noscript", "loading", "stale"], firstKey: 0, lastKey: 0, keyStep: 0,
        summary: "Get the current connection name", since: "2.6.9", group: "connection", handler: Client.clientGetName },
      { name: "help", arity: 2, flags: ["loading", "stale"], firstKey: 0, lastKey: 0, keyStep: 0,
        summary: "Show helpful text about the different subcommands", since: "5.0.0", group: "connection",
        handler: Client.clientHelpCommand },
      { name: "id", arity: 2, flags: ["noscript", "loading", "stale"], firstKey: 0, lastKey: 0, keyStep: 0,
        summary: "Returns the client ID for the current connection", since: "5.0.0", group: "connection",
        handler: Client.clientId },
      { name: "info", arity: 2, flags: ["noscript", "loading", "stale"], firstKey: 0, lastKey: 0, keyStep: 0,
        summary: "Returns information about the current client connection.", since: "6.2.0", group: "connection",
        handler: Client.clientInfo },
      { name: "kill", arity: -3, flags: ["admin", "noscript", "loading", "stale"], firstKey: 0, lastKey: 0, keyStep: 0,
        summary: "Kill open connections", since: "2.4.0", group: "connection", handler: Client.clientKill },
      { name: "list", arity: -2, flags: ["admin", "noscript", "loading", "stale"], firstKey: 0, lastKey: 0, keyStep: 0,
        summary: "Get the list of client connections", since: "2.4.0", group: "connection", handler: Client.clientList },
      { name: "no-evict", arity: 3, flags: ["admin", "noscript", "loading", "stale"], firstKey: 0, lastKey: 0, keyStep: 0,
        summary: "Set client eviction mode for the current connection", since: "7.0.0", group: "connection",
        handler: Client.clientNoEvict },
      ...clientPauseCommands,
      clientReplyCommand,
      { name: "setinfo", arity: 4, flags: ["noscript", "loading", "stale"], firstKey: 0, lastKey: 0, keyStep: 0,
        summary: "Set client or connection specific info", since: "7.2.0", group: "connection",
        handler: Client.clientSetInfo },
      { name: "setname", arity: 3, flags: ["noscript", "loading", "stale"], firstKey: 0, lastKey: 0, keyStep: 0,
        summary: "Set the current connection name", since: "2.6.9", group: "connection", handler: Client.clientSetName }
    ]
  },
  {
    name: "command", arity: -1, flags: ["loading", "stale"], firstKey: 0, lastKey: 0, keyStep: 0,
    summary: "Get array of Redis command details", since: "2.8.13", group: "server", handler: Connection.command,
    subcommands: [
      { name: "count", arity: 2, flags: ["loading", "stale"], firstKey: 0, lastKey: 0, keyStep: 0,
        summary: "Get total number of Redis commands", since: "2.8.13", group: "server", handler: Connection.commandCount },
      { name: "docs", arity: -2, flags: ["loading", "stale"], firstKey: 0, lastKey: 0, keyStep: 0,
        summary: "Get array of specific Redis command documentation", since: "7.0.0", group: "server",
        handler: Connection.commandDocs },
      { name: "getkeys", arity: -4, flags: ["loading", "stale"], firstKey: 0, lastKey: 0, keyStep: 0,
        summary: "Extract keys given a full Redis command", since: "2.8.13", group: "server",
        handler: Connection.commandGetKeys },
      { name: "info", arity: -2, flags: ["loading", "stale"], firstKey: 0, lastKey: 0, keyStep: 0,
        summary: "Get array of specific Redis command details, or all when no argument is given", since: "2.8.13",
        group: "server", handler: Connection.commandInfo },
      { name: "list", arity: -2, flags: ["loading", "stale"], firstKey: 0, lastKey: 0, keyStep: 0,
        summary: "Get an array of Redis command names", since: "7.0.0", group: "server", handler: Connection.commandList }
    ]
  }
]

/** Lower-case command name -> its spec. */
export const commandTable: ReadonlyMap<string, CommandSpec<CommandServices>> = new Map(
  rows.map((spec) => [spec.name, spec])
)

/** What an append-only file may hold (the data commands and SELECT): its replay at start runs these. */
export const aofReplayTable: ReadonlyMap<string, CommandSpec<Store>> = new Map(
  [...stringCommands, ...keyspaceCommands, selectCommand, ...aofTransactionCommands].map((spec) => [spec.name, spec])
)

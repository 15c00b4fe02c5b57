/**
 * The command table: the single place naming every command effect-kv knows.
 * Arity, flags and key positions are exactly what Redis 7.0's COMMAND INFO reports.
 * Rows are grouped by family, one comment per family.
 */
import type { Store } from "../store/Store.js"
import * as Connection from "./connection.js"
import type { CommandCatalog } from "./CommandCatalog.js"
import type { CommandSpec } from "./types.js"
import type { Clients } from "../server/Clients.js"

/**
 * Every service a handler may need. Add a service here (as a union member)
 * when a family of commands needs it; rows typed with fewer services still fit.
 */
export type CommandServices = Store | Clients | CommandCatalog

const rows: ReadonlyArray<CommandSpec<CommandServices>> = [
  // strings: see strings.ts

  // keyspace: see keys.ts

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
  {
    name: "select", arity: 2, flags: ["loading", "stale", "fast"], firstKey: 0, lastKey: 0, keyStep: 0,
    summary: "Change the selected database for the current connection", since: "2.0.0", group: "connection",
    handler: Connection.select
  },
  {
    name: "hello", arity: -1, flags: ["noscript", "loading", "stale", "fast", "no_auth", "allow_busy"],
    firstKey: 0, lastKey: 0, keyStep: 0,
    summary: "Handshake with Redis", since: "6.0.0", group: "connection", handler: Connection.hello
  },
  {
    name: "client", arity: -2, flags: [], firstKey: 0, lastKey: 0, keyStep: 0,
    summary: "A container for client connection commands", since: "2.4.0", group: "connection",
    handler: Connection.clientHelpCommand,
    subcommands: [
      { name: "getname", arity: 2, flags: ["noscript", "loading", "stale"], firstKey: 0, lastKey: 0, keyStep: 0,
        summary: "Get the current connection name", since: "2.6.9", group: "connection", handler: Connection.clientGetName },
      { name: "help", arity: 2, flags: ["loading", "stale"], firstKey: 0, lastKey: 0, keyStep: 0,
        summary: "Show helpful text about the different subcommands", since: "5.0.0", group: "connection",
        handler: Connection.clientHelpCommand },
      { name: "id", arity: 2, flags: ["noscript", "loading", "stale"], firstKey: 0, lastKey: 0, keyStep: 0,
        summary: "Returns the client ID for the current connection", since: "5.0.0", group: "connection",
        handler: Connection.clientId },
      { name: "info", arity: 2, flags: ["noscript", "loading", "stale"], firstKey: 0, lastKey: 0, keyStep: 0,
        summary: "Returns information about the current client connection.", since: "6.2.0", group: "connection",
        handler: Connection.clientInfo },
      { name: "list", arity: -2, flags: ["admin", "noscript", "loading", "stale"], firstKey: 0, lastKey: 0, keyStep: 0,
        summary: "Get the list of client connections", since: "2.4.0", group: "connection", handler: Connection.clientList },
      { name: "setinfo", arity: 4, flags: ["noscript", "loading", "stale"], firstKey: 0, lastKey: 0, keyStep: 0,
        summary: "Set client or connection specific info", since: "7.2.0", group: "connection",
        handler: Connection.clientSetInfo },
      { name: "setname", arity: 3, flags: ["noscript", "loading", "stale"], firstKey: 0, lastKey: 0, keyStep: 0,
        summary: "Set the current connection name", since: "2.6.9", group: "connection", handler: Connection.clientSetName }
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

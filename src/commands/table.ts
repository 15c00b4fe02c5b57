/**
 * The command table: it gathers the rows each family file exports (built
 * with `command` from row.ts) and names no command itself. Arity, flags and
 * key positions are exactly what Redis 7.0's COMMAND INFO reports.
 */
import type { LiveConfig } from "../config/LiveConfig.js"
import type { AppendOnly } from "../persistence/aof/AppendOnly.js"
import type { Persistence } from "../persistence/Persistence.js"
import type { Snapshots } from "../persistence/Snapshots.js"
import type { Activity } from "../state/Activity.js"
import type { ClientPause } from "../state/ClientPause.js"
import type { Clients } from "../state/Clients.js"
import type { PubSub } from "../state/PubSub.js"
import type { Shutdown } from "../state/Shutdown.js"
import type { Store } from "../store/Store.js"
import type { MigrateConnections } from "../state/MigrateConnections.js"
import { authCommands } from "./auth.js"
import { bitmapCommands } from "./bitmaps.js"
import { clientCommands } from "./client.js"
import type { CommandCatalog } from "./CommandCatalog.js"
import { configCommands } from "./config.js"
import { connectionCommands, selectCommand } from "./connection.js"
import { hashCommands } from "./hashes.js"
import { infoCommands } from "./info.js"
import { keyspaceCommands } from "./keys.js"
import { listCommands } from "./lists.js"
import { blockingListCommands, nonBlockingListRows } from "./lists-blocking.js"
import { sortCommands } from "./sort.js"
import { countingLookups } from "./lookups.js"
import { keyTransferCommands } from "./key-transfer.js"
import { dumpCommands } from "./dump.js"
import { migrateCommands } from "./migrate.js"
import { objectCommands } from "./object.js"
import { persistenceCommands } from "./persistence.js"
import { pubsubCommands } from "./pubsub.js"
import { serverCommands } from "./server.js"
import { setCommands } from "./sets.js"
import { sortedSetCommands } from "./sorted-sets.js"
import { stringCommands } from "./strings.js"
import { streamCommands } from "./streams.js"
import { aofTransactionCommands, transactionCommands } from "./transactions.js"
import { scriptingCommands } from "./scripting.js"
import { functionCommands } from "./functions.js"
import type { Scripting } from "../scripting/Scripting.js"
import type { CommandSpec } from "./types.js"

export { clientPauseCommands } from "./client.js"
export { keyspaceCommands } from "./keys.js"
export { stringCommands } from "./strings.js"

/**
 * Every service a handler may need. Add a service here (as a union member)
 * when a family of commands needs it; rows typed with fewer services still fit.
 */
export type CommandServices =
  | Store
  | Clients
  | CommandCatalog
  | Snapshots
  | Persistence
  | AppendOnly
  | Shutdown
  | Activity
  | LiveConfig
  | ClientPause
  | PubSub
  | MigrateConnections
  | Scripting

const rows: ReadonlyArray<CommandSpec<CommandServices>> = [
  ...stringCommands,
  ...keyspaceCommands,
  ...setCommands,
  ...hashCommands,
  ...listCommands,
  ...blockingListCommands,
  ...sortCommands,
  ...sortedSetCommands,
  ...bitmapCommands,
  ...keyTransferCommands,
  ...dumpCommands,
  ...migrateCommands,
  ...transactionCommands,
  ...persistenceCommands,
  ...infoCommands,
  ...configCommands,
  ...pubsubCommands,
  ...serverCommands,
  ...objectCommands,
  ...connectionCommands,
  ...authCommands,
  ...clientCommands,
  ...scriptingCommands,
  ...functionCommands,
  ...streamCommands
]

/** Lower-case command name -> its spec. */
export const commandTable: ReadonlyMap<string, CommandSpec<CommandServices>> = new Map(
  rows.map((spec) => [spec.name, countingLookups(spec)])
)

/** What an append-only file may hold (the data commands and SELECT): its replay at start runs these. */
export const aofReplayTable: ReadonlyMap<string, CommandSpec<Store>> = new Map(
  [...stringCommands, ...keyspaceCommands, ...setCommands, ...hashCommands, ...listCommands, ...nonBlockingListRows, ...sortCommands, ...sortedSetCommands, ...bitmapCommands, ...keyTransferCommands, ...dumpCommands, ...streamCommands, selectCommand, ...aofTransactionCommands]
    .map((spec) => [spec.name, spec])
)

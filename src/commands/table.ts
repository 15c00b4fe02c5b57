/**
 * The command table: the single place naming every command effect-kv knows.
 * Arity, flags and key positions are exactly what Redis 7.0's COMMAND INFO reports.
 * Rows are grouped by family, one comment per family.
 */
import type { Store } from "../store/Store.js"
import type { CommandSpec } from "./types.js"

/**
 * Every service a handler may need. Add a service here (as a union member)
 * when a family of commands needs it; rows typed with fewer services still fit.
 */
export type CommandServices = Store

const rows: ReadonlyArray<CommandSpec<CommandServices>> = [
  // strings: see strings.ts

  // keyspace: see keys.ts

  // connection and server: see connection.ts
]

/** Lower-case command name -> its spec. */
export const commandTable: ReadonlyMap<string, CommandSpec<CommandServices>> = new Map(
  rows.map((spec) => [spec.name, spec])
)

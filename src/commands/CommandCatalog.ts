/**
 * The command table as a service, for the handlers that describe commands
 * (COMMAND and its subcommands) without importing the table they are in.
 */
import { Context } from "effect"
import type { CommandDescription } from "./types.js"

export class CommandCatalog extends Context.Tag("effect-kv/CommandCatalog")<
  CommandCatalog,
  ReadonlyMap<string, CommandDescription>
>() {}

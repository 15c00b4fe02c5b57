/**
 * The shape of a command: what the command table holds for each name.
 */
import type { Effect } from "effect"
import type { CommandError } from "../errors.js"
import type { Command, RespValue } from "../resp/values.js"
import type { Session } from "../state/Session.js"

/** Redis's command flags (a subset), as COMMAND INFO reports them. */
export type CommandFlag =
  | "write"
  | "readonly"
  | "denyoom"
  | "admin"
  | "pubsub"
  | "noscript"
  | "blocking"
  | "loading"
  | "stale"
  | "skip_monitor"
  | "skip_slowlog"
  | "fast"
  | "no_auth"
  | "may_replicate"
  | "allow_busy"
  | "no_async_loading"
  | "no_multi"
  | "no_mandatory_keys"
  /** Keys found by a key count or keyword (SINTERCARD numkeys, MIGRATE KEYS), not by fixed positions alone. */
  | "movablekeys"

/**
 * A command handler. `args` is the whole request, name included, as Redis's
 * `c->argv` (so `args[1]` is the first argument). Arity is checked before the
 * handler runs. A Redis error reply is a `CommandError` failure.
 */
export type Handler<R> = (args: Command, session: Session) => Effect.Effect<RespValue, CommandError, R>

/** What COMMAND INFO / COMMAND DOCS say of a command: everything but its handler. */
export interface CommandDescription {
  /** Lower-case name, as COMMAND reports it. */
  readonly name: string
  /** Redis arity: N means exactly N words (name included), -N means at least N. */
  readonly arity: number
  readonly flags: ReadonlyArray<CommandFlag>
  /** Key positions, as COMMAND INFO: first key, last key (-1 = last arg), step; 0,0,0 for none. */
  readonly firstKey: number
  readonly lastKey: number
  readonly keyStep: number
  /** Subcommands for container commands (CLIENT, COMMAND, CONFIG ...), by lower-case name. */
  readonly subcommands?: ReadonlyArray<CommandDescription>
  /** COMMAND DOCS: one-line summary, the Redis version it appeared in, and its group. */
  readonly summary?: string
  readonly since?: string
  readonly group?: string
}

export interface CommandSpec<R> extends CommandDescription {
  readonly subcommands?: ReadonlyArray<CommandSpec<R>>
  readonly handler: Handler<R>
}

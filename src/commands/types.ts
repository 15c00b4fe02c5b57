/**
 * The shape of a command: what the command table holds for each name.
 */
import type { Effect } from "effect"
import type { CommandError } from "../errors.js"
import type { ByteString, Command, ProtocolVersion, RespValue } from "../resp/values.js"

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

/**
 * The per-connection state a handler may read and change (SELECT, HELLO,
 * CLIENT SETNAME). Owned by one connection's fiber, so plain fields suffice.
 */
export interface Session {
  readonly id: number
  db: number
  protocol: ProtocolVersion
  name: ByteString | undefined
  libName: string | undefined
  libVersion: string | undefined
  authenticated: boolean
  /** Set by QUIT: the connection closes after this reply is written. */
  closeAfterReply: boolean
  readonly createdAt: number
  /** When the last command started (unix ms) and its full name, for CLIENT LIST. */
  lastCommandAt: number
  lastCommand: string
  readonly remoteAddress: string
  readonly localAddress: string
}

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

/**
 * A session with no client behind it: the AOF replay, the in-process API and
 * tests run commands under one. Only `db` matters to the data commands.
 */
export const internalSession = (db: number, lastCommand = "NULL"): Session => ({
  id: 0,
  db,
  protocol: 2,
  name: undefined,
  libName: undefined,
  libVersion: undefined,
  authenticated: true,
  closeAfterReply: false,
  createdAt: 0,
  lastCommandAt: 0,
  lastCommand,
  remoteAddress: "",
  localAddress: ""
})

/**
 * The one way to write a command-table row. Each family file exports its rows
 * built with `command`; `table.ts` only gathers them. Arity, flags, key
 * positions, summary, since and group are what Redis 7.0's COMMAND INFO and
 * COMMAND DOCS report for the command (ask redis-server 7.0.15 when adding one).
 */
import type { CommandFlag, CommandSpec, Handler } from "./types.js"

export interface CommandRow<R> {
  /** Lower-case name, as COMMAND reports it. */
  readonly name: string
  /** Redis arity: N means exactly N words (name included), -N means at least N. */
  readonly arity: number
  readonly flags: ReadonlyArray<CommandFlag>
  /** First key, last key (-1: the last argument), step; [0, 0, 0] for a command without keys. */
  readonly keys: readonly [first: number, last: number, step: number]
  readonly summary: string
  readonly since: string
  readonly group: string
  readonly handler: Handler<R>
}

/** The services a row's handler needs. */
type ServicesOf<Spec> = Spec extends CommandSpec<infer R> ? R : never

/**
 * A command-table row from its COMMAND INFO / COMMAND DOCS facts and its
 * handler; a container command (CONFIG, CLIENT ...) also lists its subcommands,
 * which may need other services than its own handler.
 */
export function command<R, Subcommands extends ReadonlyArray<CommandSpec<unknown>> = []>(
  row: CommandRow<R> & { readonly subcommands?: Subcommands }
): CommandSpec<R | ServicesOf<Subcommands[number]>>
export function command(
  { arity, flags, group, handler, keys: [firstKey, lastKey, keyStep], name, since, subcommands, summary }:
    & CommandRow<unknown>
    & { readonly subcommands?: ReadonlyArray<CommandSpec<unknown>> }
): CommandSpec<unknown> {
  return subcommands === undefined
    ? { name, arity, flags, firstKey, lastKey, keyStep, summary, since, group, handler }
    : { name, arity, flags, firstKey, lastKey, keyStep, summary, since, group, handler, subcommands }
}

/** Keys of a command without keys. */
export const noKeys = [0, 0, 0] as const

/** The flags Redis gives most administrative subcommands (CONFIG GET, LATENCY LATEST ...). */
export const adminFlags: ReadonlyArray<CommandFlag> = ["admin", "noscript", "loading", "stale"]

/** The flags of every container's HELP subcommand. */
export const helpFlags: ReadonlyArray<CommandFlag> = ["loading", "stale"]

/**
 * The row builder of one command group (a data-type family's files each
 * write many rows of the same group): its facts in COMMAND INFO's order.
 */
export const groupRow = (group: string) =>
<R>(
  name: string,
  arity: number,
  flags: ReadonlyArray<CommandFlag>,
  keys: readonly [first: number, last: number, step: number],
  summary: string,
  since: string,
  handler: Handler<R>
): CommandSpec<R> => command({ name, arity, flags, keys, summary, since, group, handler })

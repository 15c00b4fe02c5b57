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
  readonly subcommands?: ReadonlyArray<CommandSpec<R>>
}

/** A command-table row from its COMMAND INFO / COMMAND DOCS facts and its handler. */
export const command = <R>(
  { arity, flags, group, handler, keys: [firstKey, lastKey, keyStep], name, since, subcommands, summary }: CommandRow<R>
): CommandSpec<R> =>
  subcommands === undefined
    ? { name, arity, flags, firstKey, lastKey, keyStep, summary, since, group, handler }
    : { name, arity, flags, firstKey, lastKey, keyStep, summary, since, group, handler, subcommands }

/** Keys of a command without keys. */
export const noKeys = [0, 0, 0] as const

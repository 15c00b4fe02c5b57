/**
 * From a request to a reply: table lookup, arity check, subcommand lookup,
 * and the handler; a CommandError becomes an error reply. Redis's
 * processCommand (server.c) is the model for the checks and their strings.
 */
import { Effect } from "effect"
import * as Errors from "../errors.js"
import type { CommandError } from "../errors.js"
import type { Command, RespValue } from "../resp/values.js"
import { error } from "../resp/values.js"
import type { CommandSpec } from "./types.js"
import type { Session } from "../state/Session.js"
import { rejectionReply } from "../state/Transaction.js"

export type CommandTable<R> = ReadonlyMap<string, CommandSpec<R>>

/** What a request resolved to: the command to run, or the error reply that rejects it. */
export type Resolution<R> =
  | { readonly _tag: "Run"; readonly spec: CommandSpec<R>; readonly fullName: string }
  | { readonly _tag: "Reject"; readonly reply: RespValue; readonly name?: string }

/**
 * An error reply on one line, as networking.c addReplyErrorFormatEx: newlines
 * at the end are trimmed, the others become spaces.
 */
const oneLine = (text: string): string => text.replace(/[\r\n]+$/, "").replace(/[\r\n]/g, " ")

/** `%.128s`: a C string cut at 128 bytes. */
const cString128 = (text: string): string => Errors.cString(text).slice(0, 128)

/** Redis's "with args beginning with:" list: `'arg' ` each, stopping once 128 chars are used. */
const argsPreview = (args: Command): string => {
  let preview = ""
  for (let i = 1; i < args.length && preview.length < 128; i++) {
    preview += `'${Errors.cString(args[i]).slice(0, 128 - preview.length)}' `
  }
  return preview
}

/** `name`: the known command refused (wrong arity), counted in its commandstats' rejected_calls. */
const reject = <R>(message: string, name?: string): Resolution<R> =>
  name === undefined ? { _tag: "Reject", reply: error(oneLine(message)) } : { _tag: "Reject", reply: error(oneLine(message)), name }

/** Redis's arity rule: N words exactly when positive, at least -N when negative. */
export const arityMatches = (arity: number, argc: number): boolean =>
  arity > 0 ? argc === arity : argc >= -arity

/** A request's command name as the table keys it (lower case). */
export const commandName = (args: Command): string => args[0].toLowerCase()

/** Find the command (and subcommand) a request names and check its arity. */
export const resolveCommand = <R>(table: CommandTable<R>, args: Command): Resolution<R> => {
  const name = commandName(args)
  const spec = table.get(name)
  if (spec === undefined) {
    return reject(Errors.unknownCommand(cString128(args[0]), argsPreview(args)))
  }
  if (spec.subcommands !== undefined && args.length >= 2) {
    const subName = args[1].toLowerCase()
    const sub = spec.subcommands.find((candidate) => candidate.name === subName)
    if (sub === undefined) {
      return reject(Errors.unknownSubcommand(cString128(args[1]), args[0].toUpperCase()))
    }
    const fullName = `${spec.name}|${sub.name}`
    return arityMatches(sub.arity, args.length)
      ? { _tag: "Run", spec: sub, fullName }
      : reject(Errors.wrongArity(fullName), fullName)
  }
  return arityMatches(spec.arity, args.length)
    ? { _tag: "Run", spec, fullName: spec.name }
    : reject(Errors.wrongArity(spec.name), spec.name)
}

/** The reply for a command's error. */
export const errorReply = (failure: CommandError): RespValue => error(oneLine(failure.message))

/**
 * A request's effect before its errors become replies: the rejection reply,
 * or the handler's effect (a connection may run a `KeyspaceStep` in a batch).
 */
export const commandEffect = <R>(
  table: CommandTable<R>,
  args: Command,
  session: Session
): Effect.Effect<RespValue, CommandError, R> => dispatchCommand(table, args, session).effect

/** A request's effect, with what INFO commandstats counts it under. */
export interface Dispatched<R> {
  readonly effect: Effect.Effect<RespValue, CommandError, R>
  /** The command's full name (`config|get`); undefined for an unknown command or subcommand. */
  readonly name: string | undefined
  /** Refused before running (wrong arity): a rejected call, not a call. */
  readonly rejected: boolean
}

export const dispatchCommand = <R>(table: CommandTable<R>, args: Command, session: Session): Dispatched<R> => {
  const resolution = resolveCommand(table, args)
  if (resolution._tag === "Reject") {
    const reply = rejectionReply(session.transaction, commandName(args), resolution.reply)
    return { effect: Effect.succeed(reply), name: resolution.name, rejected: true }
  }
  session.lastCommand = resolution.fullName
  return { effect: resolution.spec.handler(args, session), name: resolution.fullName, rejected: false }
}

/** Turns a command's failure into its error reply. */
export const answered = <R>(effect: Effect.Effect<RespValue, CommandError, R>): Effect.Effect<RespValue, never, R> =>
  Effect.catchTag(effect, "CommandError", (failure) => Effect.succeed(errorReply(failure)))

/** Run one request to its reply. Never fails: errors are replies. */
export const executeCommand = <R>(
  table: CommandTable<R>,
  args: Command,
  session: Session
): Effect.Effect<RespValue, never, R> => answered(commandEffect(table, args, session))

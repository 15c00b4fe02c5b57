/**
 * Authentication around the command table (server.c processCommand's
 * authRequired check): while a password is set, a connection that has not
 * authenticated may only run the commands flagged `no_auth` (AUTH, HELLO,
 * QUIT); every other one answers NOAUTH. Unknown commands and arity errors
 * are answered first, as Redis does, since the table lookup comes before.
 */
import { Effect } from "effect"
import type { CommandTable } from "../dispatch.js"
import type { CommandSpec } from "../types.js"
import type { Session } from "../../state/Session.js"
import * as Errors from "../../errors.js"
import { commandError } from "../../errors.js"
import type { ServerConfig } from "../../config/config.js"
import { LiveConfig } from "../../config/LiveConfig.js"

/** Redis's authRequired: a password is set and this connection has not given it. */
export const authRequired = (config: ServerConfig, session: Session): boolean =>
  config.requirepass !== undefined && !session.authenticated

/** A new connection starts authenticated when no password is set (Redis's nopass default user). */
export const startsAuthenticated: Effect.Effect<boolean, never, LiveConfig> = Effect.map(
  Effect.flatMap(LiveConfig, (live) => live.get),
  (config) => config.requirepass === undefined
)

const guarded = <R>(spec: CommandSpec<R>): CommandSpec<R | LiveConfig> => ({
  ...spec,
  subcommands: spec.subcommands?.map(guarded),
  handler: spec.flags.includes("no_auth")
    ? spec.handler
    : (args, session) =>
      session.authenticated
        ? spec.handler(args, session)
        : Effect.flatMap(Effect.flatMap(LiveConfig, (live) => live.get), (config) =>
          authRequired(config, session)
            ? Effect.fail(commandError(Errors.noAuth))
            : spec.handler(args, session))
})

/** The table with every command but the `no_auth` ones refused before authentication. */
export const withAuthentication = <R>(table: CommandTable<R>): CommandTable<R | LiveConfig> =>
  new Map(Array.from(table, ([name, spec]) => [name, guarded(spec)]))

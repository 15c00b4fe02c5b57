/**
 * AUTH and the password check HELLO's AUTH option shares (acl.c
 * authCommand, ACLAuthenticateUser). effect-kv has one user, Redis's
 * `default`: without `requirepass` it takes any password (Redis's nopass),
 * with one it takes exactly that password.
 */
import { createHash, timingSafeEqual } from "node:crypto"
import { Effect } from "effect"
import * as Errors from "../errors.js"
import { commandError } from "../errors.js"
import type { ByteString } from "../resp/values.js"
import * as Resp from "../resp/values.js"
import { LiveConfig } from "../config/LiveConfig.js"
import type { Handler } from "./types.js"
import type { Session } from "../state/Session.js"
import { command, noKeys } from "./row.js"

export const defaultUser = "default"

const digest = (text: ByteString): Buffer => createHash("sha256").update(text, "latin1").digest()

/** Compares in time independent of where the strings differ (Redis's time_independent_strcmp). */
const samePassword = (given: ByteString, expected: ByteString): boolean =>
  timingSafeEqual(digest(given), digest(expected))

/** Whether `username`/`password` log in as the default user under `requirepass`. */
export const credentialsValid = (requirepass: string | undefined, username: ByteString, password: ByteString): boolean =>
  username === defaultUser && (requirepass === undefined || samePassword(password, requirepass))

/** Checks the credentials; on success the session is authenticated, else WRONGPASS. */
export const authenticate = (session: Session, username: ByteString, password: ByteString) =>
  Effect.flatMap(LiveConfig, (live) => live.get).pipe(
    Effect.flatMap((config) => {
      if (!credentialsValid(config.requirepass, username, password)) {
        return Effect.fail(commandError(Errors.wrongPass))
      }
      session.authenticated = true
      return Effect.void
    })
  )

/** AUTH [username] password. */
export const auth: Handler<LiveConfig> = (args, session) =>
  Effect.gen(function*() {
    if (args.length > 3) return yield* commandError(Errors.syntaxError)
    if (args.length === 2) {
      const config = yield* Effect.flatMap(LiveConfig, (live) => live.get)
      if (config.requirepass === undefined) return yield* commandError(Errors.authWithoutPassword)
      yield* authenticate(session, defaultUser, args[1])
    } else {
      yield* authenticate(session, args[1], args[2])
    }
    return Resp.ok
  })

/** The rows of this family (Redis 7.0's COMMAND INFO and COMMAND DOCS facts). */
export const authCommands = [
  command({
    name: "auth", arity: -2, flags: ["noscript", "loading", "stale", "fast", "no_auth", "allow_busy"],
    keys: noKeys,
    summary: "Authenticate to the server", since: "1.0.0", group: "connection", handler: auth
  })
]

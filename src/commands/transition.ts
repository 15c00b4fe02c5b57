/**
 * Running a command as a pure transition over the selected database.
 * A transition answers an `Outcome`: the reply, or the Redis error to send.
 */
import { Effect, Either } from "effect"
import { CommandError } from "../errors.js"
import type { ByteString, RespValue } from "../resp/values.js"
import type { Database } from "../store/database.js"
import { Store, type Transition } from "../store/Store.js"
import type { Session } from "./types.js"

export type Outcome = Either.Either<RespValue, CommandError>

export const reply = (value: RespValue): Outcome => Either.right(value)
export const failure = (message: string): CommandError => new CommandError({ message })
export const fail = (message: string): Outcome => Either.left(failure(message))

/** A transition that changes nothing. */
export const unchanged = (database: Database, outcome: Outcome): Transition<Outcome> => [outcome, database, 0]

/** Runs `f` on the session's database, after lazily expiring `keys`. */
export const transact = (
  session: Session,
  keys: ReadonlyArray<ByteString>,
  f: (database: Database, nowMs: number) => Transition<Outcome>
): Effect.Effect<RespValue, CommandError, Store> =>
  Effect.flatMap(Store, (store) => store.modify(session.db, keys, f)).pipe(Effect.flatMap((outcome) => outcome))

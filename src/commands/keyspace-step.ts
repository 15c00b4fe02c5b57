/**
 * Running a command as a pure transition over the selected database: a
 * `KeyspaceStep` (named so as not to be taken for MULTI/EXEC's transactions).
 * A transition answers an `Outcome`: the reply, or the Redis error to send.
 */
import { Effect, Effectable, Either } from "effect"
import { CommandError, commandError, type CommandErrorReason } from "../errors.js"
import type { ByteString, RespValue } from "../resp/values.js"
import type { Database } from "../store/database.js"
import { type KeyReads, Store, type Transition } from "../store/Store.js"
import type { Session } from "../state/Session.js"
import type { EncodingLimits } from "../values/encoding-limits.js"

export type Outcome = Either.Either<RespValue, CommandError>

export const reply = (value: RespValue): Outcome => Either.right(value)
export const failure = (message: string, reason?: CommandErrorReason): CommandError => commandError(message, reason)

/** A transition that changes nothing. */
export const unchanged = (database: Database, outcome: Outcome): Transition<Outcome> => [outcome, database, 0]

/**
 * A command that is one pure transition on the session's database. As an
 * Effect it runs alone through `Store.modify`; a connection that sees one in
 * a batch may instead apply it together with its neighbouring steps
 * under a single `Store.modifyEach` (same result, one Ref update).
 */
export class KeyspaceStep extends Effectable.Class<RespValue, CommandError, Store> {
  constructor(
    readonly session: Session,
    /** The keys lazily expired before `run` sees the database. */
    readonly keys: ReadonlyArray<ByteString>,
    readonly run: (database: Database, nowMs: number, limits: EncodingLimits) => Transition<Outcome>,
    /** Counts `keys` as keyspace hits or misses (a read command's lookups: see commands/lookups.ts). */
    readonly readsKeys: KeyReads = false
  ) {
    super()
  }

  commit(): Effect.Effect<RespValue, CommandError, Store> {
    return Effect.flatMap(Store, (store) => store.modify(this.session.db, this.keys, this.run, this.readsKeys)).pipe(
      Effect.flatMap((outcome) => outcome)
    )
  }
}

/** Runs `f` on the session's database, after lazily expiring `keys`. */
export const transact = (
  session: Session,
  keys: ReadonlyArray<ByteString>,
  f: (database: Database, nowMs: number, limits: EncodingLimits) => Transition<Outcome>
): Effect.Effect<RespValue, CommandError, Store> => new KeyspaceStep(session, keys, f)

/**
 * As `transact`, with the keys it reads (lookups.ts): for a handler whose step
 * is built inside another effect (a random seed, a live setting), which the
 * command table cannot mark.
 */
export const transactReading = (
  session: Session,
  keys: ReadonlyArray<ByteString>,
  f: (database: Database, nowMs: number) => Transition<Outcome>,
  reads: KeyReads
): Effect.Effect<RespValue, CommandError, Store> => new KeyspaceStep(session, keys, f, reads)

/**
 * What every blocking command does (blocked.c, t_list.c
 * blockingPopGenericCommand, t_zset.c blockingGenericZpopCommand): serve now
 * from the first key that can serve; else, inside EXEC, answer at once as if
 * it timed out (CLIENT_DENY_BLOCKING); else block in state/Blocking.ts until a
 * write readies a key, the timeout passes or CLIENT UNBLOCK. A served pop is
 * logged to the AOF as the non-blocking command Redis propagates.
 */
import { Effect, Either, Option } from "effect"
import type { CommandError } from "../errors.js"
import { AppendOnly } from "../persistence/aof/AppendOnly.js"
import type { ByteString, RespValue } from "../resp/values.js"
import { Blocking, type Served, type ServeFromKey } from "../state/Blocking.js"
import type { Session } from "../state/Session.js"
import { mayBlock } from "../state/Transaction.js"
import type { Database } from "../store/database.js"
import { Store } from "../store/Store.js"

/** A blocking command once parsed: its keys, its timeout, and how it is served. */
export interface BlockingCommand {
  readonly keys: ReadonlyArray<ByteString>
  readonly timeoutMs: number
  /** The reply when the timeout passes (blocked.c replyToBlockedClientTimedOut). */
  readonly timeoutReply: RespValue
  /** The reply when it may not block and nothing can be served (inside EXEC). */
  readonly deniedReply: RespValue
  /** Served now from the database, an error, or undefined to block. */
  readonly now: (database: Database) => Either.Either<Served | undefined, CommandError>
  /** Served from a key that became ready; undefined when it cannot be. */
  readonly serve: ServeFromKey
}

/** Served now, or blocked until served, timed out or unblocked. */
export const serveOrBlock = (session: Session, command: BlockingCommand): Effect.Effect<RespValue, CommandError, Store> =>
  Effect.gen(function*() {
    const store = yield* Store
    const appendOnly = yield* Effect.serviceOption(AppendOnly)
    const propagate = Option.match(appendOnly, {
      onNone: () => () => undefined,
      onSome: (service) => service.propagate
    })
    const served = yield* store.modify(session.db, command.keys, (db) => {
      const result = command.now(db)
      if (Either.isLeft(result) || result.right === undefined) return [result, db, 0] as const
      return [result, result.right.database, result.right.changes, result.right.events] as const
    })
    if (Either.isLeft(served)) return yield* Effect.fail(served.left)
    if (served.right !== undefined) {
      for (const args of served.right.propagate) propagate(session.db, args)
      return yield* served.right.outcome
    }
    if (!mayBlock(session.transaction)) return command.deniedReply
    const blocked = yield* Blocking
    return yield* blocked.block({
      clientId: session.id,
      db: session.db,
      keys: command.keys,
      serve: command.serve,
      timeoutMs: command.timeoutMs,
      timeoutReply: command.timeoutReply,
      propagate
    })
  })

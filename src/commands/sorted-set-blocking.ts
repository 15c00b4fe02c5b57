/**
 * The blocking sorted-set pops (t_zset.c blockingGenericZpopCommand,
 * blocked.c serveClientBlockedOnSortedSet): BZPOPMIN, BZPOPMAX and BZMPOP.
 * Served now from the first key holding members (WRONGTYPE at the first key
 * of another type); else, outside EXEC, blocked through state/Blocking.ts
 * until a write readies a key, the timeout passes (a null array) or CLIENT
 * UNBLOCK. Inside EXEC the command answers a null array at once
 * (CLIENT_DENY_BLOCKING). A served pop is logged as Redis propagates it:
 * ZPOPMIN/ZPOPMAX key for BZPOPMIN/BZPOPMAX, ZPOPMIN/ZPOPMAX key count for
 * BZMPOP, so these commands are not logged as sent (guards/persistence.ts).
 */
import { Effect, Either } from "effect"
import type { CommandError } from "../errors.js"
import { type ByteString, type Command, nullArray } from "../resp/values.js"
import type { Served } from "../state/Blocking.js"
import type { Session } from "../state/Session.js"
import type * as Database from "../store/database.js"
import type { Store } from "../store/Store.js"
import { serveOrBlock } from "./blocking-command.js"
import { type BlockingPop, parseBzmpop, parseBzpop, popFirstNonEmpty } from "./sorted-set-pops.js"
import { zsetAt, zsetRow } from "./sorted-set-common.js"
import type { Handler } from "./types.js"

type Parse = (args: Command) => Either.Either<BlockingPop, CommandError>

/** The pop served from `key` (a sorted set with members), with the ZPOPMIN/ZPOPMAX Redis propagates for it. */
const servedFrom = (database: Database.Database, key: ByteString, pop: BlockingPop, propagatesCount: boolean): Served | undefined => {
  const popped = popFirstNonEmpty(database, [key], pop.end, pop.count, pop.shape)
  if (popped === undefined) return undefined
  const [outcome, after, changes, events] = popped
  const name = pop.end === "min" ? "ZPOPMIN" : "ZPOPMAX"
  return {
    outcome,
    database: after,
    changes,
    events: events ?? [],
    propagate: Either.isLeft(outcome) ? [] : [propagatesCount ? [name, key, String(pop.count)] : [name, key]]
  }
}

/** Served now from the first key holding a sorted set, an error for another type first, or undefined to block. */
const servedNow = (database: Database.Database, pop: BlockingPop, propagatesCount: boolean): Either.Either<Served | undefined, CommandError> => {
  for (const key of pop.keys) {
    const found = zsetAt(database, key)
    if (Either.isLeft(found)) return Either.left(found.left)
    if (found.right !== undefined) return Either.right(servedFrom(database, key, pop, propagatesCount))
  }
  return Either.right(undefined)
}

/** Served now, or blocked until served, timed out or unblocked (blocking-command.ts); a null array on timeout and inside EXEC. */
const blocking = (parse: Parse, propagatesCount: boolean): Handler<Store> => (args, session: Session) =>
  Either.match(parse(args), {
    onLeft: Effect.fail,
    onRight: (pop) =>
      serveOrBlock(session, {
        keys: pop.keys,
        timeoutMs: pop.timeoutMs,
        timeoutReply: nullArray,
        deniedReply: nullArray,
        now: (database) => servedNow(database, pop, propagatesCount),
        serve: (database, key) => {
          const found = zsetAt(database, key)
          return Either.isRight(found) && found.right !== undefined ? servedFrom(database, key, pop, propagatesCount) : undefined
        }
      })
  })

export const bzpopmin = blocking((args) => parseBzpop(args, "min"), false)
export const bzpopmax = blocking((args) => parseBzpop(args, "max"), false)
export const bzmpop = blocking(parseBzmpop, true)

export const blockingPopCommands = [
  zsetRow("bzmpop", -5, ["write", "blocking"], [0, 0, 0],
    "Remove and return members with scores in a sorted set or block until one is available", "7.0.0", bzmpop),
  zsetRow("bzpopmax", -3, ["write", "noscript", "blocking", "fast"], [1, -2, 1],
    "Remove and return the member with the highest score from one or more sorted sets, or block until one is available", "5.0.0",
    bzpopmax),
  zsetRow("bzpopmin", -3, ["write", "noscript", "blocking", "fast"], [1, -2, 1],
    "Remove and return the member with the lowest score from one or more sorted sets, or block until one is available", "5.0.0",
    bzpopmin)
]

/**
 * What the Blocking service's TestClock tests share: clients with their own
 * sessions sending commands of a family straight to its handlers, the count
 * of blocked clients, and a settle that lets forked commands reach their wait.
 */
import { Effect } from "effect"
import type { CommandSpec } from "../../src/commands/types.js"
import { type Command, error, type RespValue } from "../../src/resp/values.js"
import { blockingOf } from "../../src/state/Blocking.js"
import { makeSession, type Session } from "../../src/state/Session.js"
import { Store } from "../../src/store/Store.js"

export const client = (id: number): Session =>
  makeSession({ id, db: 0, authenticated: true, createdAt: 0, lastCommand: "", remoteAddress: "", localAddress: "" })

/** A sender over these commands: runs one as a client would; an error comes back as an error reply. */
export const sender = (specs: ReadonlyArray<CommandSpec<Store>>) => {
  const handlers = new Map(specs.map((spec) => [spec.name, spec.handler]))
  return (session: Session, ...args: Command): Effect.Effect<RespValue, never, Store> => {
    const handler = handlers.get(args[0].toLowerCase())
    if (handler === undefined) return Effect.die(`no handler for ${args[0]}`)
    return Effect.catchAll(handler(args, session), (failure) => Effect.succeed(error(failure.message)))
  }
}

export const blockedCount = Effect.map(Store, (store) => blockingOf(store).blockedClients())

/** Lets the forked fibers run up to their wait. */
export const settle = Effect.yieldNow().pipe(Effect.repeatN(5))

/**
 * Runs command vectors against the Store families of the command table, as the dispatcher would
 * (table lookup and arity check included), for handler tests.
 */
import { expect } from "@effect/vitest"
import { Effect, Either, TestClock } from "effect"
import { keyspaceCommands, stringCommands } from "../../src/commands/table.js"
import { hashCommands } from "../../src/commands/hashes.js"
import { internalSession, type Session } from "../../src/state/Session.js"
import { commandError, wrongArity } from "../../src/errors.js"
import { error, type RespValue } from "../../src/resp/values.js"
import { Store } from "../../src/store/Store.js"

export const testSession = (db = 0): Session => internalSession(db, "")

const storeCommands = new Map([...stringCommands, ...keyspaceCommands, ...hashCommands].map((spec) => [spec.name, spec]))

const arityAccepts = (arity: number, count: number): boolean => (arity >= 0 ? count === arity : count >= -arity)

/** Runs one command; a Redis error reply comes back as an `Error` value. */
export const run = (session: Session, ...args: ReadonlyArray<string>): Effect.Effect<RespValue, never, Store> => {
  const spec = storeCommands.get(args[0].toLowerCase())
  if (spec === undefined) return Effect.die(`no such command in the table: ${args[0]}`)
  const result = arityAccepts(spec.arity, args.length)
    ? spec.handler(args, session)
    : Effect.fail(commandError(wrongArity(spec.name)))
  return Effect.map(Effect.either(result), Either.match({ onLeft: (e) => error(e.message), onRight: (v) => v }))
}

/** A command runner bound to a fresh session on database 0. */
export const runner = (session: Session = testSession()) => (...args: ReadonlyArray<string>) => run(session, ...args)

/** A clock reading like a real server's (2023-11-14), for expiry overflow edges. */
export const realisticNow = 1_700_000_000_000

/**
 * Runs each [command, expected reply] step in order on a fresh store, the
 * clock set to a real date first (before the expiry fiber starts, which would
 * otherwise replay every 100 ms tick since 1970).
 */
export const script = (steps: ReadonlyArray<readonly [ReadonlyArray<string>, RespValue]>) =>
  Effect.zipRight(
    TestClock.setTime(realisticNow),
    Effect.gen(function*() {
      const redis = runner()
      for (const [command, expected] of steps) expect([command, yield* redis(...command)]).toEqual([command, expected])
    }).pipe(Effect.provide(Store.layer))
  )

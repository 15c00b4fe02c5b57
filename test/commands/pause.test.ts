import { expect, it } from "@effect/vitest"
import { Effect, Fiber, Layer, TestClock } from "effect"
import { executeCommand } from "../../src/commands/dispatch.js"
import { clientPauseCommands, keyspaceCommands, stringCommands } from "../../src/commands/table.js"
import type { CommandSpec } from "../../src/commands/types.js"
import type {  } from "../../src/state/Session.js"
import * as Resp from "../../src/resp/values.js"
import { ClientPause } from "../../src/state/ClientPause.js"
import { withClientPause } from "../../src/commands/guards/pause.js"
import { Store } from "../../src/store/Store.js"
import { realisticNow, testSession } from "./helpers.js"

const client: CommandSpec<ClientPause> = {
  name: "client", arity: -2, flags: [], firstKey: 0, lastKey: 0, keyStep: 0, subcommands: clientPauseCommands,
  handler: () => Effect.succeed(Resp.ok)
}

/** The table with the pause enforced, as the server runs it, and a runner over it. */
const pausedRunner = Effect.map(ClientPause, (pauses) => {
  const table = withClientPause(pauses)(new Map<string, CommandSpec<Store | ClientPause>>(
    [...stringCommands, ...keyspaceCommands, client].map((spec) => [spec.name, spec])))
  const session = testSession()
  return (...args: ReadonlyArray<string>) => executeCommand(table, args, session)
})

const services = Layer.merge(Store.layer, ClientPause.layer)

const pending = <A, E>(fiber: Fiber.RuntimeFiber<A, E>) => Effect.map(Fiber.poll(fiber), (exit) => exit._tag === "None")

it.effect("CLIENT PAUSE ALL holds every command, the pauser's own too, until the timeout", () =>
  Effect.zipRight(
    TestClock.setTime(realisticNow),
    Effect.gen(function*() {
      const redis = yield* pausedRunner
      expect(yield* redis("CLIENT", "PAUSE", "1000")).toEqual(Resp.ok)
      const read = yield* Effect.fork(redis("GET", "a"))
      const unpause = yield* Effect.fork(redis("CLIENT", "UNPAUSE"))
      yield* TestClock.adjust(999)
      expect(yield* pending(read)).toBe(true)
      expect(yield* pending(unpause)).toBe(true)
      yield* TestClock.adjust(1)
      expect(yield* Fiber.join(read)).toEqual(Resp.nullBulk)
      expect(yield* Fiber.join(unpause)).toEqual(Resp.ok)
      expect(yield* redis("SET", "a", "1")).toEqual(Resp.ok)
    }).pipe(Effect.provide(services))
  ))

it.effect("CLIENT PAUSE WRITE holds writes only; CLIENT UNPAUSE releases them at once", () =>
  Effect.zipRight(
    TestClock.setTime(realisticNow),
    Effect.gen(function*() {
      const redis = yield* pausedRunner
      expect(yield* redis("CLIENT", "PAUSE", "60000", "write")).toEqual(Resp.ok)
      const write = yield* Effect.fork(redis("SET", "a", "1"))
      expect(yield* redis("GET", "a")).toEqual(Resp.nullBulk)
      yield* TestClock.adjust(1000)
      expect(yield* pending(write)).toBe(true)
      // A held command counts among INFO's blocked_clients, as redis-server 7.0.15 reports it.
      const pauses = yield* ClientPause
      expect(pauses.held()).toBe(1)
      expect(yield* redis("CLIENT", "UNPAUSE")).toEqual(Resp.ok)
      expect(yield* Fiber.join(write)).toEqual(Resp.ok)
      expect(pauses.held()).toBe(0)
      expect(yield* redis("GET", "a")).toEqual(Resp.bulk("1"))
    }).pipe(Effect.provide(services))
  ))

it.effect("CLIENT PAUSE answers Redis's errors", () =>
  Effect.gen(function*() {
    const redis = yield* pausedRunner
    expect(yield* redis("CLIENT", "PAUSE", "x")).toEqual(Resp.error("ERR timeout is not an integer or out of range"))
    expect(yield* redis("CLIENT", "PAUSE", "-1")).toEqual(Resp.error("ERR timeout is negative"))
    expect(yield* redis("CLIENT", "PAUSE", "10", "foo")).toEqual(Resp.error("ERR CLIENT PAUSE mode must be WRITE or ALL"))
    expect(yield* redis("CLIENT", "PAUSE", "10", "all", "x")).toEqual(
      Resp.error("ERR unknown subcommand or wrong number of arguments for 'PAUSE'. Try CLIENT HELP."))
    expect(yield* redis("CLIENT", "UNPAUSE", "x")).toEqual(Resp.error("ERR wrong number of arguments for 'client|unpause' command"))
    expect(yield* redis("CLIENT", "PAUSE")).toEqual(Resp.error("ERR wrong number of arguments for 'client|pause' command"))
  }).pipe(Effect.provide(services)))

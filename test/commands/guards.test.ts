/**
 * The fast path runs the direct table while the guards are idle; it must
 * answer exactly as the guarded table does (the guard rule: commands/guards/tables.ts).
 */
import { Scripting } from "../../src/scripting/Scripting.js"
import { Effect, Layer, Logger, LogLevel, Random, TestClock, TestContext } from "effect"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { CommandCatalog } from "../../src/commands/CommandCatalog.js"
import { executeCommand } from "../../src/commands/dispatch.js"
import { memoryGuardIdle } from "../../src/commands/guards/memory.js"
import { persistenceGuardIdle } from "../../src/commands/guards/persistence.js"
import { directTable, guardedTable } from "../../src/commands/guards/tables.js"
import { type CommandServices, commandTable } from "../../src/commands/table.js"
import type { CommandTable } from "../../src/commands/dispatch.js"
import { defaultServerConfig } from "../../src/config/config.js"
import { LiveConfig } from "../../src/config/LiveConfig.js"
import { AppendOnly } from "../../src/persistence/aof/AppendOnly.js"
import * as PersistenceMemory from "../../src/persistence/PersistenceMemory.js"
import { Snapshots } from "../../src/persistence/Snapshots.js"
import type { Command, RespValue } from "../../src/resp/values.js"
import { serverStateLayer } from "../../src/state/Activity.js"
import { ClientPause } from "../../src/state/ClientPause.js"
import { Clients } from "../../src/state/Clients.js"
import { internalSession } from "../../src/state/Session.js"
import { Shutdown } from "../../src/state/Shutdown.js"
import { WatchRegistry } from "../../src/state/Transaction.js"
import { Store } from "../../src/store/Store.js"
import { MigrateConnections } from "../../src/state/MigrateConnections.js"
import { PubSub } from "../../src/state/PubSub.js"
import { commandVector } from "../../src/testing/commands.js"
import { realisticNow } from "./helpers.js"

/** A server's command services, fresh (an empty store) each time it is provided. */
const services = Layer.mergeAll(Shutdown.layer, Clients.layer, ClientPause.layer, PubSub.layer, MigrateConnections.layer, Layer.succeed(CommandCatalog, commandTable), Scripting.layer(commandTable)).pipe(
  Layer.provideMerge(Layer.merge(Snapshots.layer(Effect.succeed({ save: [], stopWritesOnBgsaveError: true })), AppendOnly.layerDisabled)),
  Layer.provideMerge(Store.layer),
  Layer.provideMerge(serverStateLayer(defaultServerConfig)),
  Layer.provideMerge(PersistenceMemory.layer),
  Layer.provide(Logger.minimumLogLevel(LogLevel.None))
)

type Tables = { readonly guarded: CommandTable<CommandServices | LiveConfig>; readonly direct: CommandTable<CommandServices | LiveConfig> }

/** The two tables as Server.ts builds them. */
const tables: Effect.Effect<Tables, never, ClientPause | PubSub> = Effect.map(Effect.all([ClientPause, PubSub]), ([pause, pubsub]) => ({
  guarded: guardedTable(pause, pubsub, new WatchRegistry())(commandTable),
  direct: directTable(pause, pubsub, new WatchRegistry())(commandTable)
}))

/** The replies `commands` get, in order, from one of the tables, on a fresh server. */
const replies = (pick: (tables: Tables) => CommandTable<CommandServices | LiveConfig>, commands: ReadonlyArray<Command>) =>
  Effect.gen(function*() {
    const idle = memoryGuardIdle(yield* Effect.flatMap(LiveConfig, (live) => live.get)) &&
      persistenceGuardIdle(yield* Snapshots, yield* AppendOnly)
    expect(idle).toBe(true)
    const table = pick(yield* tables)
    const session = internalSession(0)
    const answers: Array<RespValue> = []
    for (const args of commands) answers.push(yield* executeCommand(table, args, session))
    return answers
  }).pipe(Effect.provide(services), Effect.scoped, Effect.withRandom(Random.make("same seed for both tables")))

describe("guarded and direct tables", () => {
  it("answer alike for random command vectors while the guards are idle", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(commandVector(), { maxLength: 25 }), async (commands) => {
        const [guarded, direct] = await Effect.runPromise(
          Effect.zipRight(
            TestClock.setTime(realisticNow),
            Effect.all([replies((t) => t.guarded, commands), replies((t) => t.direct, commands)])
          ).pipe(Effect.provide(TestContext.TestContext))
        )
        expect(direct).toEqual(guarded)
      }),
      { numRuns: 100 }
    )
  })
})

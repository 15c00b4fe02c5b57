import { it } from "@effect/vitest"
import { Effect, Layer, Logger, LogLevel } from "effect"
import { describe, expect } from "vitest"
import { KvScripting, ScriptError } from "../../src/api/KvScripting.js"
import { CommandCatalog } from "../../src/commands/CommandCatalog.js"
import { commandTable } from "../../src/commands/table.js"
import { defaultServerConfig } from "../../src/config/config.js"
import { AppendOnly } from "../../src/persistence/aof/AppendOnly.js"
import * as PersistenceMemory from "../../src/persistence/PersistenceMemory.js"
import { Snapshots } from "../../src/persistence/Snapshots.js"
import { Scripting } from "../../src/scripting/Scripting.js"
import { serverStateLayer } from "../../src/state/Activity.js"
import { ClientPause } from "../../src/state/ClientPause.js"
import { Clients } from "../../src/state/Clients.js"
import { MigrateConnections } from "../../src/state/MigrateConnections.js"
import { PubSub } from "../../src/state/PubSub.js"
import { Shutdown } from "../../src/state/Shutdown.js"
import { Store } from "../../src/store/Store.js"

const config = { ...defaultServerConfig, save: [], port: 0 }
const services = Layer.mergeAll(
  Shutdown.layer, Clients.layer, ClientPause.layer, PubSub.layer, MigrateConnections.layer, Layer.succeed(CommandCatalog, commandTable),
  Scripting.layer(commandTable)
).pipe(
  Layer.provideMerge(Layer.merge(Snapshots.layer(Effect.succeed({ save: [], stopWritesOnBgsaveError: true })), AppendOnly.layerDisabled)),
  Layer.provideMerge(Store.layer),
  Layer.provideMerge(serverStateLayer(config)),
  Layer.provideMerge(PersistenceMemory.layer),
  Layer.provide(Logger.minimumLogLevel(LogLevel.None))
)
const layer = KvScripting.layer.pipe(Layer.provideMerge(services))

describe("KvScripting", () => {
  it.effect("eval runs a script with keys and args, with Redis's conversions", () =>
    Effect.gen(function*() {
      const kv = yield* KvScripting
      expect(yield* kv.eval("redis.call('SET', KEYS[1], ARGV[1]) return {redis.call('GET', KEYS[1]), 3.5, true, false}", ["k"], ["héllo"]))
        .toEqual(["héllo", 3, 1, null])
      expect(yield* kv.eval("return redis.status_reply('FINE')")).toEqual({ status: "FINE" })
      const failed = yield* Effect.flip(kv.eval("return redis.call('INCR', KEYS[1])", ["k"]))
      expect(failed).toBeInstanceOf(ScriptError)
      expect(failed.message).toMatch(/^ERR value is not an integer or out of range script: [0-9a-f]{40}, on @user_script:1\.$/)
    }).pipe(Effect.provide(layer)))

  it.effect("evalsha and fcall", () =>
    Effect.gen(function*() {
      const kv = yield* KvScripting
      yield* kv.eval("return 1")
      expect(yield* kv.evalsha("e0e1f9fabfc9d4800c877a703b823ac0578ff8db")).toBe(1)
      const scripting = yield* Scripting
      expect(scripting.functions.size).toBe(0)
      const loaded = yield* kv.eval("return 1")
      expect(loaded).toBe(1)
      expect((yield* Effect.flip(kv.fcall("nosuch"))).message).toBe("ERR Function not found")
    }).pipe(Effect.provide(layer)))
})

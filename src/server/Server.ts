/**
 * The TCP server as a Layer: listens, serves every connection with the
 * command table, and reports where it listens.
 */
import * as SocketServer from "@effect/platform/SocketServer"
import * as NodeSocketServer from "@effect/platform-node/NodeSocketServer"
import { Context, Effect, Layer } from "effect"
import { CommandCatalog } from "../commands/CommandCatalog.js"
import { type CommandServices, commandTable } from "../commands/table.js"
import { AppendOnly } from "../persistence/aof/AppendOnly.js"
import { flushLogged, persistenceGuardIdle } from "../commands/guards/persistence.js"
import { directTable, guardedTable } from "../commands/guards/tables.js"
import { Snapshots } from "../persistence/Snapshots.js"
import { Clients } from "../state/Clients.js"
import { type ServedCommands, serveConnection } from "./connection.js"
import { LiveConfig } from "../config/LiveConfig.js"
import { memoryGuardIdle } from "../commands/guards/memory.js"
import { ClientPause } from "../state/ClientPause.js"
import * as KeyspaceNotifications from "../state/KeyspaceNotifications.js"
import { Tracking } from "../state/Tracking.js"
import { PubSub } from "../state/PubSub.js"
import { MigrateConnections } from "../state/MigrateConnections.js"
import { Store } from "../store/Store.js"
import { encodingLimitsOf } from "../values/encoding-limits.js"
import { WatchRegistry } from "../state/Transaction.js"
import { Scripting } from "../scripting/Scripting.js"
import { withBusyScript } from "../commands/guards/busy.js"

export interface ServerOptions {
  /** Address to bind; Redis's default for a safe start is 127.0.0.1. */
  readonly host: string
  /** TCP port; 0 picks a free one. */
  readonly port: number
}

/** Where the running server listens (the real port when 0 was asked for). */
export class ServerAddress extends Context.Tag("effect-kv/ServerAddress")<
  ServerAddress,
  { readonly host: string; readonly port: number }
>() {}

const listen = (options: ServerOptions) =>
  Effect.gen(function*() {
    const server = yield* NodeSocketServer.make({ host: options.host, port: options.port })
    const pause = yield* ClientPause
    const live = yield* LiveConfig
    const snapshots = yield* Snapshots
    const appendOnly = yield* AppendOnly
    const pubsub = yield* PubSub
    const store = yield* Store
    // The config file's encoding limits, for every write from now on (CONFIG SET changes them later).
    yield* store.setEncodingLimits(encodingLimitsOf(live.current()))
    const watches = new WatchRegistry()
    yield* Effect.acquireRelease(Effect.sync(() => store.addEventListener(watches.hear)), (remove) => Effect.sync(remove))
    const busy = withBusyScript(yield* Scripting)
    const commands: ServedCommands<CommandServices | LiveConfig> = {
      guarded: guardedTable(pause, pubsub, watches)(busy(commandTable)),
      direct: directTable(pause, pubsub, watches)(busy(commandTable)),
      guardsIdle: () => memoryGuardIdle(live.current()) && persistenceGuardIdle(snapshots, appendOnly),
      afterGuardedBatch: flushLogged
    }
    yield* server.run(serveConnection(commands)).pipe(Effect.forkScoped)
    const address = server.address
    const port = address._tag === "TcpAddress" ? address.port : options.port
    // The port chosen when 0 was asked for, as server.c main logs it once listening.
    yield* Effect.logInfo(`Running mode=standalone, port=${port}.`)
    yield* Effect.logInfo(`Ready to accept connections tcp on ${options.host}:${port}`)
    return { host: options.host, port }
  })

/** The server Layer: needs the Store (and the other command services); gives its address and PubSub. */
export const layer = (options: ServerOptions) =>
  Layer.scoped(ServerAddress, listen(options)).pipe(
    Layer.provideMerge(KeyspaceNotifications.layer),
    Layer.provideMerge(Tracking.layer),
    Layer.provideMerge(PubSub.layer),
    Layer.provide(Layer.mergeAll(Clients.layer, ClientPause.layer, MigrateConnections.layer, Layer.succeed(CommandCatalog, commandTable), Scripting.layer(commandTable)))
  )

export type ServerError = SocketServer.SocketServerError

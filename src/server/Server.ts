/**
 * The TCP server as a Layer: listens, serves every connection with the
 * command table, and reports where it listens.
 */
import * as SocketServer from "@effect/platform/SocketServer"
import * as NodeSocketServer from "@effect/platform-node/NodeSocketServer"
import { Context, Effect, Layer } from "effect"
import { CommandCatalog } from "../commands/CommandCatalog.js"
import { commandTable } from "../commands/table.js"
import { withPersistence } from "../persistence/guard.js"
import { withAuthentication } from "./auth.js"
import { Clients } from "./Clients.js"
import { withMemoryLimit } from "./memory.js"
import { serveConnection } from "./connection.js"
import { ClientPause, withClientPause } from "./pause.js"

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
    // Innermost, as processCommand checks the pause after authentication, OOM and MISCONF.
    const table = withAuthentication(withMemoryLimit(withPersistence(withClientPause(yield* ClientPause)(commandTable))))
    yield* server.run(serveConnection(table)).pipe(Effect.forkScoped)
    const address = server.address
    const port = address._tag === "TcpAddress" ? address.port : options.port
    yield* Effect.logInfo(`Ready to accept connections tcp on ${options.host}:${port}`)
    return { host: options.host, port }
  })

/** The server Layer: needs the Store (and the other command services); gives its address. */
export const layer = (options: ServerOptions) =>
  Layer.scoped(ServerAddress, listen(options)).pipe(
    Layer.provide(Layer.mergeAll(Clients.layer, ClientPause.layer, Layer.succeed(CommandCatalog, commandTable)))
  )

export type ServerError = SocketServer.SocketServerError

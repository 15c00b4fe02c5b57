/**
 * MIGRATE's connection cache on the test clock: one connection per
 * host:port, reused, and closed once idle for more than 10 seconds
 * (cluster.c migrateCloseTimedoutSockets, run once a second).
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, TestClock } from "effect"
import { startServer } from "../../src/index.js"
import { encodeCommand } from "../../src/resp/encoder.js"
import { MigrateConnections } from "../../src/state/MigrateConnections.js"

const target = Effect.acquireRelease(Effect.promise(() => startServer({})), (server) => Effect.promise(() => server.close()))

describe("MigrateConnections", () => {
  it.scoped("reuses the connection to host:port and closes it after more than 10 idle seconds", () =>
    Effect.gen(function*() {
      const server = yield* target
      const connections = yield* MigrateConnections
      const connection = yield* connections.get("127.0.0.1", server.port, 1000)
      yield* connection.write(encodeCommand(["PING"]), 1000)
      expect(yield* connection.readLine(1000)).toBe("+PONG")
      yield* TestClock.adjust("5 seconds")
      expect(yield* connections.get("127.0.0.1", server.port, 1000)).toBe(connection)
      // Used again at 5 s: still cached 10 s later, gone once more than 10 s have passed.
      yield* TestClock.adjust("10 seconds")
      expect(yield* connections.size).toBe(1)
      yield* TestClock.adjust("2 seconds")
      expect(yield* connections.size).toBe(0)
      const fresh = yield* connections.get("127.0.0.1", server.port, 1000)
      expect(fresh).not.toBe(connection)
      yield* fresh.write(encodeCommand(["PING"]), 1000)
      expect(yield* fresh.readLine(1000)).toBe("+PONG")
    }).pipe(Effect.provide(MigrateConnections.layer)))

  it.scoped("reports a closed connection to its reader", () =>
    Effect.gen(function*() {
      const server = yield* target
      const connections = yield* MigrateConnections
      const connection = yield* connections.get("127.0.0.1", server.port, 1000)
      yield* connection.write(encodeCommand(["QUIT"]), 1000)
      expect(yield* connection.readLine(1000)).toBe("+OK")
      const error = yield* Effect.flip(connection.readLine(1000))
      expect(error.timedOut).toBe(false)
    }).pipe(Effect.provide(MigrateConnections.layer)))
})

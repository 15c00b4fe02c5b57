/**
 * Hostile input. Over TCP into a real server process: random byte streams
 * and mutated valid frames, each on its own connection, split at random
 * points; the server must stay up, log no defect, and a separate client
 * connected all along must keep getting right answers. In process: every
 * command and subcommand of the table called with random argument vectors
 * must give a reply or an error reply, never a defect.
 */
import { Scripting } from "../../src/scripting/Scripting.js"
import { Effect, Exit, Layer, Logger, LogLevel, ManagedRuntime } from "effect"
import fc from "fast-check"
import * as Net from "node:net"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { CommandCatalog } from "../../src/commands/CommandCatalog.js"
import { executeCommand } from "../../src/commands/dispatch.js"
import { commandTable } from "../../src/commands/table.js"
import type { CommandSpec } from "../../src/commands/types.js"
import type { Session } from "../../src/state/Session.js"
import { AppendOnly } from "../../src/persistence/aof/AppendOnly.js"
import { withPersistence } from "../../src/commands/guards/persistence.js"
import * as PersistenceMemory from "../../src/persistence/PersistenceMemory.js"
import { Snapshots } from "../../src/persistence/Snapshots.js"
import type { Command } from "../../src/resp/values.js"
import { serverStateLayer } from "../../src/state/Activity.js"
import { withAuthentication } from "../../src/commands/guards/auth.js"
import { Clients } from "../../src/state/Clients.js"
import { ClientPause } from "../../src/state/ClientPause.js"
import { defaultServerConfig } from "../../src/config/config.js"
import { LiveConfig } from "../../src/config/LiveConfig.js"
import { withMemoryLimit } from "../../src/commands/guards/memory.js"
import { Shutdown } from "../../src/state/Shutdown.js"
import { Store } from "../../src/store/Store.js"
import { MigrateConnections } from "../../src/state/MigrateConnections.js"
import { PubSub } from "../../src/state/PubSub.js"
import { commandFrame, malformedFrame } from "../../src/testing/arbitraries.js"
import { connectRaw, type RawClient } from "../wire/raw-client.js"
import { makeClientTransaction } from "../../src/state/Transaction.js"
import { type ServerProcess, startServerProcess } from "./server-process.js"

/** Case counts: together several thousand, within seconds on 2 cores; TCP cases go 20 connections at a time. */
const concurrentConnections = 20
const byteStreamRuns = 50
const malformedRuns = 50
/** A connection costs the server a few milliseconds; generous for a loaded CI machine. */
const tcpTimeoutMs = 120_000
const commandRuns = 4000

/** Sends `pieces` one write each, half-closes, and resolves once the server has closed the connection. */
const exchange = (port: number, pieces: ReadonlyArray<Uint8Array>): Promise<void> =>
  new Promise((resolve, reject) => {
    const socket = Net.connect({ port, host: "127.0.0.1" })
    socket.on("data", () => undefined)
    socket.once("error", (failure: NodeJS.ErrnoException) =>
      failure.code === "ECONNRESET" || failure.code === "EPIPE" ? resolve() : reject(failure))
    socket.once("close", () => resolve())
    socket.once("connect", () => {
      for (const piece of pieces) socket.write(piece)
      socket.end()
    })
  })

/** Cuts `bytes` at the given offsets (taken modulo its length). */
const split = (bytes: Uint8Array, cuts: ReadonlyArray<number>): ReadonlyArray<Uint8Array> => {
  const points = [...new Set(cuts.map((cut) => (bytes.length === 0 ? 0 : cut % bytes.length)))].sort((a, b) => a - b)
  const pieces: Array<Uint8Array> = []
  let start = 0
  for (const point of points) {
    if (point > start) pieces.push(bytes.subarray(start, point))
    start = Math.max(start, point)
  }
  pieces.push(bytes.subarray(start))
  return pieces
}

const cuts = fc.array(fc.nat(), { maxLength: 4 })

/** Protocol-looking noise: mostly RESP punctuation and digits, so the decoder gets past its first byte. */
const noisyByte = fc.oneof(
  fc.integer({ min: 0, max: 255 }),
  fc.constantFrom(42, 36, 13, 10, 48, 49, 50, 57, 45, 32, 34, 39, 92, 0)
)
const noise = fc.oneof(
  fc.uint8Array({ maxLength: 256 }),
  fc.array(noisyByte, { maxLength: 256 }).map((bytes) => Uint8Array.from(bytes))
)

/** A valid frame with a few bytes overwritten, inserted or deleted. */
const mutatedFrame = fc.tuple(commandFrame, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 }), fc.constantFrom("set", "insert", "delete")), { minLength: 1, maxLength: 4 }))
  .map(([{ bytes }, edits]) => {
    const out = Array.from(bytes)
    for (const [at, byte, kind] of edits) {
      const i = out.length === 0 ? 0 : at % out.length
      if (kind === "set") out[i] = byte
      else if (kind === "insert") out.splice(i, 0, byte)
      else out.splice(i, 1)
    }
    return Uint8Array.from(out)
  })

describe("hostile bytes over TCP", () => {
  let server: ServerProcess
  let witness: RawClient

  beforeAll(async () => {
    server = await startServerProcess(["--save", "", "--loglevel", "notice"])
    witness = await connectRaw(server.port)
    witness.send("*3\r\n$3\r\nSET\r\n$7\r\nwitness\r\n$4\r\nkept\r\n")
    expect(await witness.read(5)).toBe("+OK\r\n")
  })

  afterAll(async () => {
    witness.close()
    await server.stop()
  })

  const witnessUnharmed = async () => {
    witness.send("*2\r\n$3\r\nGET\r\n$7\r\nwitness\r\n")
    expect(await witness.read(10)).toBe("$4\r\nkept\r\n")
    expect(server.child.exitCode).toBeNull()
  }

  const batch = <A>(item: fc.Arbitrary<A>) =>
    fc.array(item, { minLength: concurrentConnections, maxLength: concurrentConnections })

  it(`survives ${byteStreamRuns * concurrentConnections} random byte streams, split at random points`, async () => {
    await fc.assert(
      fc.asyncProperty(batch(fc.tuple(noise, cuts)), async (cases) => {
        await Promise.all(cases.map(([bytes, at]) => exchange(server.port, split(bytes, at))))
      }),
      { numRuns: byteStreamRuns, seed: 7 }
    )
    await witnessUnharmed()
  }, tcpTimeoutMs)

  it(`survives ${malformedRuns * concurrentConnections} malformed and mutated frames, pipelined after valid ones`, async () => {
    const hostile = fc.oneof(malformedFrame.map((frame) => frame.bytes), mutatedFrame)
    const stream = fc.tuple(fc.array(commandFrame, { maxLength: 3 }), hostile)
      .map(([valid, bytes]) => Buffer.concat([...valid.map((frame) => frame.bytes), bytes]))
    await fc.assert(
      fc.asyncProperty(batch(fc.tuple(stream, cuts)), async (cases) => {
        await Promise.all(cases.map(([bytes, at]) => exchange(server.port, split(bytes, at))))
      }),
      { numRuns: malformedRuns, seed: 11 }
    )
    await witnessUnharmed()
    expect(server.log()).not.toMatch(/defect|Unhandled|TypeError|RangeError|at .*\.js:\d+/)
  }, tcpTimeoutMs)
})

/** Every row and subcommand of the table, as [name, subcommand?]. */
const commandNames = (): ReadonlyArray<ReadonlyArray<string>> =>
  Array.from(commandTable.values()).flatMap((spec: CommandSpec<unknown>) => [
    [spec.name],
    ...(spec.subcommands ?? []).map((sub) => [spec.name, sub.name])
  ])

/** SHUTDOWN never answers by design (the server stops); DEBUG SLEEP waits as long as it is told. */
// MIGRATE would connect to whatever random host and port it is given (tested in test/commands/migrate.test.ts).
// Blocking commands (BLPOP, BZPOPMIN ...) wait for a push by design: test/state/Blocking*.test.ts and the wire tests cover them.
const blockingCommands = new Set(
  Array.from(commandTable.values()).filter((spec) => spec.flags.includes("blocking")).map((spec) => spec.name)
)
const excluded = (args: Command): boolean =>
  args[0] === "shutdown" || args[0] === "migrate" || blockingCommands.has(args[0]) ||
  (args[0] === "debug" && args[1]?.toLowerCase() === "sleep")

/** Arguments that commands parse: keys, numbers at the edges, option words, and random bytes. */
const argument = fc.oneof(
  fc.constantFrom("k1", "k2", "", "0", "1", "-1", "100", "9223372036854775807", "-9223372036854775808",
    "9223372036854775808", "1.5", "inf", "-inf", "nan", "1e308", "EX", "PX", "EXAT", "PXAT", "NX", "XX", "GT", "LT",
    "KEEPTTL", "GET", "PERSIST", "MATCH", "COUNT", "TYPE", "string", "*", "[", "\\", "SKIPME", "ID", "ADDR", "yes", "no",
    "maxmemory", "timeout", "save", "loglevel", "ASYNC", "SYNC", "SCHEDULE", "NOSAVE", "ABORT", "SAMPLES", "AUTH",
    "SETNAME", "default", "3", "2", "4"),
  fc.string({ maxLength: 12 }),
  fc.uint8Array({ maxLength: 8 }).map((bytes) => Buffer.from(bytes).toString("latin1"))
)

const vector = fc.tuple(fc.constantFrom(...commandNames()), fc.array(argument, { maxLength: 6 }))
  .map(([name, rest]) => [...name, ...rest])
  .filter((args) => !excluded(args))

const session: Session = {
  id: 1, db: 0, protocol: 2, name: undefined, libName: undefined, libVersion: undefined, authenticated: true,
  closeAfterReply: false, createdAt: 0, lastCommandAt: 0, lastCommand: "", remoteAddress: "127.0.0.1:1",
  localAddress: "127.0.0.1:2", transaction: makeClientTransaction()
}

describe("every command with random arguments", () => {
  const config = { ...defaultServerConfig, save: [], port: 0 }
  const services = Layer.mergeAll(Shutdown.layer, Clients.layer, ClientPause.layer, PubSub.layer, MigrateConnections.layer, Layer.succeed(CommandCatalog, commandTable), Scripting.layer(commandTable)).pipe(
    Layer.provideMerge(Layer.merge(Snapshots.layer(Effect.succeed({ save: [], stopWritesOnBgsaveError: true })), AppendOnly.layerDisabled)),
    Layer.provideMerge(Store.layer),
    Layer.provideMerge(serverStateLayer(config)),
    Layer.provideMerge(PersistenceMemory.layer),
    Layer.provide(Logger.minimumLogLevel(LogLevel.None))
  )
  const runtime = ManagedRuntime.make(services)
  const table = withAuthentication(withMemoryLimit(withPersistence(commandTable)))
  afterAll(() => runtime.dispose())

  it(`${commandRuns} random vectors over ${commandNames().length} commands: replies or error replies, no defect`, async () => {
    const resetConfig = Effect.flatMap(LiveConfig, (live) => live.set(config))
    await fc.assert(
      fc.asyncProperty(vector, async (args) => {
        const exit = await runtime.runPromise(
          Effect.zipRight(resetConfig, Effect.exit(executeCommand(table, args, { ...session })))
        )
        if (Exit.isFailure(exit)) throw new Error(`${JSON.stringify(args)} failed: ${String(exit.cause)}`)
      }),
      { numRuns: commandRuns, seed: 13 }
    )
  })
})

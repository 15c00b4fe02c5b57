/**
 * One client connection: socket bytes -> request batches (the resp/ Stream
 * stage) -> commands run in order against the table -> one write of the
 * batch's replies. A protocol error is answered, then the connection closes;
 * no other client is affected. The Activity service hears of the connection
 * (a handle for CLIENT KILL and MONITOR) and of each batch (its command count,
 * and the commands it asked to see: every one while someone monitors, else
 * those slower than slowlog-log-slower-than); one read and one update per batch.
 */
import type * as Socket from "@effect/platform/Socket"
import { NetSocket } from "@effect/platform-node/NodeSocket"
import { Clock, Deferred, Effect, Mailbox, Option, Stream } from "effect"
import type { CommandTable } from "../commands/dispatch.js"
import { executeCommand } from "../commands/dispatch.js"
import type { Session } from "../commands/types.js"
import { encodeAll } from "../resp/encoder.js"
import type { Command, RespValue } from "../resp/values.js"
import { error } from "../resp/values.js"
import { Activity, type ActivityService, type CommandRun } from "./Activity.js"
import { admissionCheck } from "./admission.js"
import { startsAuthenticated } from "./auth.js"
import { Clients } from "./Clients.js"
import { makeConnectionInput } from "./input.js"

const formatAddress = (address: string | undefined, port: number | undefined): string =>
  address === undefined ? "?" : address.includes(":") ? `[${address}]:${port ?? 0}` : `${address}:${port ?? 0}`

/** The encoded replies of one batch, and whether the connection closes after writing them. */
interface BatchResult {
  readonly bytes: Uint8Array
  readonly close: boolean
}

/**
 * Runs a batch of requests in order. Replies are encoded with the protocol in
 * force after each command (HELLO 3 answers in RESP3). Stops at QUIT.
 */
const runBatch = <R>(table: CommandTable<R>, activity: ActivityService, session: Session, batch: ReadonlyArray<Command>) =>
  Effect.gen(function*() {
    const watch = yield* activity.watch
    const runs: Array<CommandRun> = []
    const chunks: Array<Uint8Array> = []
    let pending: Array<RespValue> = []
    let protocol = session.protocol
    for (const args of batch) {
      session.lastCommandAt = yield* Clock.currentTimeMillis
      const db = session.db
      const startedAt = performance.now()
      const reply = yield* executeCommand(table, args, session)
      const durationMicros = Math.round((performance.now() - startedAt) * 1000)
      if (watch.monitoring || (watch.slowerThanMicros >= 0 && durationMicros >= watch.slowerThanMicros)) {
        runs.push({ args, db, startedAtMicros: session.lastCommandAt * 1000, durationMicros })
      }
      if (session.protocol !== protocol) {
        if (pending.length > 0) chunks.push(encodeAll(pending, protocol))
        pending = []
        protocol = session.protocol
      }
      pending.push(reply)
      if (session.closeAfterReply) break
    }
    if (pending.length > 0) chunks.push(encodeAll(pending, protocol))
    yield* activity.batchDone(session, batch.length, runs)
    const result: BatchResult = {
      bytes: chunks.length === 1 ? chunks[0] : Buffer.concat(chunks),
      close: session.closeAfterReply
    }
    return result
  })

/** Serve one client until it disconnects, sends QUIT, or breaks the protocol. */
export const serveConnection = <R>(table: CommandTable<R>) =>
  (socket: Socket.Socket) =>
    Effect.gen(function*() {
      // The Node socket is in context when served by NodeSocketServer; addresses are "?" otherwise.
      const netSocket = Option.getOrUndefined(yield* Effect.serviceOption(NetSocket))
      const clients = yield* Clients
      const now = yield* Clock.currentTimeMillis
      const session: Session = {
        id: yield* clients.nextId,
        db: 0,
        protocol: 2,
        name: undefined,
        libName: undefined,
        libVersion: undefined,
        authenticated: yield* startsAuthenticated,
        closeAfterReply: false,
        createdAt: now,
        lastCommandAt: now,
        lastCommand: "NULL",
        remoteAddress: formatAddress(netSocket?.remoteAddress, netSocket?.remotePort),
        localAddress: formatAddress(netSocket?.localAddress, netSocket?.localPort)
      }
      yield* Effect.acquireRelease(clients.register(session), () => clients.unregister(session.id))
      const write = yield* socket.writer
      const killed = yield* Deferred.make<void>()
      const activity = yield* Activity
      yield* Effect.acquireRelease(
        activity.connectionOpened(session.id, {
          write: (bytes) => Effect.ignore(write(bytes)),
          kill: Deferred.succeed(killed, undefined)
        }),
        () => activity.connectionClosed(session.id)
      )
      const input = yield* makeConnectionInput(session, netSocket)
      const incoming = yield* Mailbox.make<Uint8Array, Socket.SocketError>()
      yield* socket.run((chunk) => {
        input.received(chunk)
        incoming.unsafeOffer(chunk)
      }).pipe(Mailbox.into(incoming), Effect.forkScoped)
      const refusal = yield* admissionCheck(session, netSocket?.remoteAddress)
      if (refusal !== undefined) return yield* write(encodeAll([error(refusal)], 2))

      yield* Mailbox.toStream(incoming).pipe(
        input.decode,
        Stream.mapEffect((batch) => runBatch(table, activity, session, batch)),
        Stream.catchTag("ProtocolError", (protocolError) =>
          Stream.succeed<BatchResult>({ bytes: encodeAll([error(protocolError.message)], session.protocol), close: true })),
        Stream.takeUntil((result) => result.close),
        Stream.interruptWhen(Deferred.await(killed)),
        Stream.interruptWhen(input.idle),
        Stream.runForEach((result) => write(result.bytes))
      )
    }).pipe(
      Effect.scoped,
      Effect.catchTag("SocketError", () => Effect.void)
    )

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
import { Clock, Deferred, Effect, Either, Mailbox, Option, Stream } from "effect"
import type { CommandTable } from "../commands/dispatch.js"
import { answered, commandEffect, errorReply } from "../commands/dispatch.js"
import { type Outcome, Transaction } from "../commands/transition.js"
import type { Session } from "../commands/types.js"
import { encodeAll } from "../resp/encoder.js"
import type { Command, RespValue } from "../resp/values.js"
import { error } from "../resp/values.js"
import { type Step, Store, type StoreService } from "../store/Store.js"
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

/** A transaction waiting in a batch for its neighbours, with the request it answers. */
interface Queued {
  readonly args: Command
  readonly transaction: Transaction
}

/**
 * Runs a batch of requests in order. Replies are encoded with the protocol in
 * force after each command (HELLO 3 answers in RESP3). Stops at QUIT.
 * Consecutive commands that are pure transactions on the session's database
 * run under one Store update; any other command runs as its own Effect, after
 * the transactions queued before it. The clock is read once per batch.
 */
const runBatch = <R>(
  table: CommandTable<R>,
  activity: ActivityService,
  store: StoreService,
  session: Session,
  batch: ReadonlyArray<Command>
) =>
  Effect.gen(function*() {
    const watch = yield* activity.watch
    const startedAtMs = yield* Clock.currentTimeMillis
    session.lastCommandAt = startedAtMs
    const runs: Array<CommandRun> = []
    const record = (args: Command, db: number, durationMicros: number): void => {
      if (watch.monitoring || (watch.slowerThanMicros >= 0 && durationMicros >= watch.slowerThanMicros)) {
        runs.push({ args, db, startedAtMicros: startedAtMs * 1000, durationMicros })
      }
    }
    const chunks: Array<Uint8Array> = []
    let pending: Array<RespValue> = []
    let protocol = session.protocol
    let queued: Array<Queued> = []

    const applyQueued = (): Effect.Effect<void> => {
      if (queued.length === 0) return Effect.void
      const run = queued
      queued = []
      const db = session.db
      const durations: Array<number> = []
      const steps = run.map(({ transaction }): Step<Outcome> => ({
        keys: transaction.keys,
        run: (database, nowMs) => {
          const startedAt = performance.now()
          const transition = transaction.run(database, nowMs)
          durations.push(Math.round((performance.now() - startedAt) * 1000))
          return transition
        }
      }))
      return Effect.map(store.modifyEach(db, steps), (outcomes) => {
        outcomes.forEach((outcome, i) => {
          pending.push(Either.isRight(outcome) ? outcome.right : errorReply(outcome.left))
          record(run[i].args, db, durations[i])
        })
      })
    }

    for (const args of batch) {
      const effect = commandEffect(table, args, session)
      if (effect instanceof Transaction && effect.session === session) {
        queued.push({ args, transaction: effect })
        continue
      }
      yield* applyQueued()
      const db = session.db
      const startedAt = performance.now()
      const reply = yield* answered<R | Store>(effect)
      record(args, db, Math.round((performance.now() - startedAt) * 1000))
      if (session.protocol !== protocol) {
        if (pending.length > 0) chunks.push(encodeAll(pending, protocol))
        pending = []
        protocol = session.protocol
      }
      pending.push(reply)
      if (session.closeAfterReply) break
    }
    yield* applyQueued()
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
      // Replies go out as soon as they are written (Redis sets TCP_NODELAY on clients too).
      netSocket?.setNoDelay(true)
      const store = yield* Store
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
        Stream.mapEffect((batch) => runBatch(table, activity, store, session, batch)),
        Stream.catchTag("ProtocolError", (protocolError) =>
          Stream.succeed<BatchResult>({ bytes: encodeAll([error(protocolError.message)], session.protocol), close: true })),
        Stream.takeUntil((result) => result.close),
        Stream.runForEach((result) => write(result.bytes)),
        // CLIENT KILL and the idle timeout end the whole loop; racing it once
        // (not Stream.interruptWhen, which races every pulled element) halves per-batch latency.
        Effect.raceFirst(Deferred.await(killed)),
        Effect.raceFirst(input.idle)
      )
    }).pipe(
      Effect.scoped,
      Effect.catchTag("SocketError", () => Effect.void)
    )

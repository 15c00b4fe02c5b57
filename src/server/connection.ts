/**
 * One client connection: socket chunks -> the pure request decoder -> each
 * chunk's commands run in order as one Effect (a batch) -> one write of the
 * batch's replies. A protocol error is answered, then the connection closes;
 * no other client is affected. The Activity service hears of the connection
 * (a handle for CLIENT KILL and MONITOR) and of each batch (its command count,
 * and the commands it asked to see: every one while someone monitors, else
 * those slower than slowlog-log-slower-than); one read and one update per batch.
 *
 * Speed: the socket's data callback decodes the chunk and starts the batch's
 * fiber on the spot; a batch of keyspace steps completes synchronously, its
 * replies are written at once and no fiber is left behind. Only a batch that
 * suspends (a save, DEBUG SLEEP, CLIENT PAUSE, an AOF fsync) is waited for,
 * with later chunks queued behind it. (An Effect Stream element per socket
 * chunk cost about 55 µs of CPU here, three times a whole request's budget.)
 * While the socket's write side is full, input waits for it to drain, so a
 * client that pipelines without reading cannot grow the server's memory.
 */
import type * as Socket from "@effect/platform/Socket"
import { NetSocket } from "@effect/platform-node/NodeSocket"
import type * as Net from "node:net"
import { Cause, Clock, Deferred, Effect, Either, Exit, Fiber, Option, Runtime } from "effect"
import type { CommandTable } from "../commands/dispatch.js"
import { answered, commandName, dispatchCommand, errorReply } from "../commands/dispatch.js"
import { KeyspaceStep, type Outcome } from "../commands/keyspace-step.js"
import { makeSession, type Session } from "../state/Session.js"
import type { ProtocolError } from "../errors.js"
import { encodeAll } from "../resp/encoder.js"
import type { Command, RespValue } from "../resp/values.js"
import { error } from "../resp/values.js"
import { type Step, Store, type StoreService } from "../store/Store.js"
import { Activity, type ActivityService, type CommandRun, skipsMonitor } from "../state/Activity.js"
import { recordCall } from "../state/command-stats.js"
import { admissionCheck } from "./admission.js"
import { startsAuthenticated } from "../commands/guards/auth.js"
import { Clients } from "../state/Clients.js"
import { makeConnectionInput, QueryBufferFull } from "./input.js"
import { PubSub } from "../state/PubSub.js"
import { afterCommand, beforeCommand, currentTracking } from "../state/Tracking.js"
import { commandKeys } from "../commands/guards/memory.js"
import { resolveCommand } from "../commands/dispatch.js"
import { discardTransaction, type ExecutedCommand, queues, takeExecuted, takeReplyWanted } from "../state/Transaction.js"
import { blockingOf } from "../state/Blocking.js"

/** The replies of the batch a connection is running: a message published meanwhile goes among them (PubSub). */
interface Outbox {
  replies: Array<RespValue> | undefined
}
import { describeClient } from "../commands/client.js"

/**
 * The commands a connection serves. `guarded` has every check of Redis's
 * processCommand (authentication, maxmemory, MISCONF and the AOF, client
 * pause); `direct` only those that pass a keyspace step through untouched when
 * they have nothing to do (authentication once given, client pause when none
 * is in force). While `guardsIdle` holds, `direct` answers exactly as
 * `guarded` would, and a batch's keyspace steps can share one Store update.
 */
export interface ServedCommands<R> {
  readonly guarded: CommandTable<R>
  readonly direct: CommandTable<R>
  readonly guardsIdle: () => boolean
  /** After a batch that ran guarded commands, before its replies are written (the AOF's write and fsync). */
  readonly afterGuardedBatch: Effect.Effect<void, never, R>
}

const formatAddress = (address: string | undefined, port: number | undefined): string =>
  address === undefined ? "?" : address.includes(":") ? `[${address}]:${port ?? 0}` : `${address}:${port ?? 0}`

/** The encoded replies of one batch, and whether the connection closes after writing them. */
interface BatchResult {
  readonly bytes: Uint8Array
  readonly close: boolean
}

/** A keyspace step waiting in a batch for its neighbours, with the request it answers. */
interface Queued {
  readonly args: Command
  readonly step: KeyspaceStep
  /** Its commandstats name. */
  readonly name: string | undefined
}

/**
 * Runs a batch of requests in order. Replies are encoded with the protocol in
 * force after each command (HELLO 3 answers in RESP3). Stops at QUIT.
 * Consecutive commands that are keyspace steps on the session's database
 * run under one Store update; any other command runs as its own Effect, after
 * the steps queued before it. The clock is read once per batch.
 */
const runBatch = <R>(
  commands: ServedCommands<R>,
  activity: ActivityService,
  store: StoreService,
  clock: Clock.Clock,
  session: Session,
  batch: ReadonlyArray<Command>,
  outbox: Outbox
) =>
  Effect.gen(function*() {
    const watch = activity.watching()
    const startedAtMs = clock.unsafeCurrentTimeMillis()
    session.lastCommandAt = startedAtMs
    const runs: Array<CommandRun> = []
    const record = (
      args: Command,
      db: number,
      durationMicros: number,
      name: string | undefined,
      rejected: boolean,
      reply: RespValue,
      ran?: ExecutedCommand
    ): void => {
      // A script's commands were counted as they ran; its EVAL line for MONITOR is no call at all.
      if (ran?.byScript !== true && ran?.monitorOnly !== true) recordCall(activity.statistics, name, rejected, durationMicros, reply)
      if (watch.monitoring || (watch.slowerThanMicros >= 0 && durationMicros >= watch.slowerThanMicros)) {
        // MONITOR shows microseconds (Redis's ustime()): the clock's nanoseconds, read only for a recorded run.
        const startedAtMicros = Number(clock.unsafeCurrentTimeNanos() / 1000n) - durationMicros
        // EXEC is flagged skip_slowlog (its commands are logged one by one).
        runs.push({
          args,
          db,
          startedAtMicros,
          durationMicros,
          skipSlowlog: name === "exec" || ran?.monitorOnly === true,
          skipMonitor: name !== undefined && skipsMonitor.has(name) && ran?.monitorOnly !== true,
          byScript: ran?.byScript
        })
      }
    }
    const chunks: Array<Uint8Array> = []
    let pending: Array<RespValue> = []
    outbox.replies = pending
    let protocol = session.protocol
    let queued: Array<Queued> = []
    let guardsIdle = commands.guardsIdle()
    let ranGuarded = !guardsIdle

    const tracking = yield* currentTracking
    const blocking = blockingOf(store)
    const applyQueued = (): Effect.Effect<void> => {
      if (queued.length === 0) return Effect.void
      const run = queued
      queued = []
      const db = session.db
      const durations: Array<number> = []
      const steps = run.map(({ step }): Step<Outcome> => ({
        keys: step.keys,
        readsKeys: step.readsKeys,
        run: (database, nowMs, limits) => {
          const startedAt = performance.now()
          const transition = step.run(database, nowMs, limits)
          durations.push(Math.round((performance.now() - startedAt) * 1000))
          return transition
        }
      }))
      tracking?.setCurrentClient(session.id)
      return Effect.map(store.modifyEach(db, steps), (outcomes) => {
        outcomes.forEach((outcome, i) => {
          const reply = Either.isRight(outcome) ? outcome.right : errorReply(outcome.left)
          if (takeReplyWanted(session.transaction)) pending.push(reply)
          tracking?.afterReply(session.id)
          record(run[i].args, db, durations[i], run[i].name, false, reply)
          afterCommand(tracking, session, run[i].name, reply)
        })
      })
    }

    for (const args of batch) {
      beforeCommand(tracking, session, args, () => {
        const resolved = resolveCommand(commands.direct, args)
        return resolved._tag === "Run" && resolved.spec.flags.includes("readonly") ? commandKeys(resolved.spec, args) : undefined
      })
      const { effect, name, rejected } = dispatchCommand(guardsIdle ? commands.direct : commands.guarded, args, session)
      if (effect instanceof KeyspaceStep && effect.session === session) {
        queued.push({ args, step: effect, name })
        // While a client is blocked, each command is its own update: a push serves the blocked clients before
        // this batch's next command runs, as Redis serves them after every command (handleClientsBlockedOnKeys).
        if (blocking.blockedClients() > 0) yield* applyQueued()
        continue
      }
      yield* applyQueued()
      const db = session.db
      // A command queued (or refused) inside MULTI is seen when EXEC runs it; EXEC's commands before EXEC.
      const queuedInMulti = queues(session.transaction, commandName(args))
      const startedAt = performance.now()
      const reply = yield* answered<R | Store>(effect)
      afterCommand(tracking, session, name, reply)
      for (const ran of takeExecuted(session.transaction)) record(ran.args, ran.db, ran.durationMicros, ran.name, false, ran.reply, ran)
      if (!queuedInMulti) record(args, db, Math.round((performance.now() - startedAt) * 1000), name, rejected, reply)
      // Refused while queueing (rejectCommand): a rejected call and an error, never seen by MONITOR.
      else if (reply._tag === "Error") recordCall(activity.statistics, name, true, 0, reply)
      // A command that is not a keyspace step may have changed what the guards see (CONFIG SET maxmemory).
      guardsIdle = commands.guardsIdle()
      ranGuarded ||= !guardsIdle
      if (session.protocol !== protocol) {
        if (pending.length > 0) chunks.push(encodeAll(pending, protocol))
        pending = []
        outbox.replies = pending
        protocol = session.protocol
      }
      if (takeReplyWanted(session.transaction)) pending.push(reply)
      tracking?.afterReply(session.id)
      if (session.closeAfterReply) break
    }
    yield* applyQueued()
    if (ranGuarded) yield* commands.afterGuardedBatch
    if (pending.length > 0) chunks.push(encodeAll(pending, protocol))
    activity.countCommands(batch.length)
    if (runs.length > 0) yield* activity.recordRuns(session, runs)
    // From here a message is written at once, after this batch's replies (written as the batch ends).
    outbox.replies = undefined
    const result: BatchResult = {
      bytes: chunks.length === 1 ? chunks[0] : Buffer.concat(chunks),
      close: session.closeAfterReply
    }
    return result
  })

/** Serve one client until it disconnects, sends QUIT, breaks the protocol, is killed or idles out. */
export const serveConnection = <R>(commands: ServedCommands<R>) =>
  (socket: Socket.Socket) =>
    Effect.gen(function*() {
      // NodeSocketServer provides the Node socket: replies are written to it directly, not awaited.
      const netSocket: Net.Socket | undefined = Option.getOrUndefined(yield* Effect.serviceOption(NetSocket))
      if (netSocket === undefined) return yield* Effect.dieMessage("effect-kv serves Node sockets (NodeSocketServer)")
      // Replies go out as soon as they are written (Redis sets TCP_NODELAY on clients too).
      netSocket.setNoDelay(true)
      const store = yield* Store
      const clock = yield* Effect.clock
      const clients = yield* Clients
      const now = yield* Clock.currentTimeMillis
      const session = makeSession({
        id: yield* clients.nextId,
        db: 0,
        authenticated: yield* startsAuthenticated,
        createdAt: now,
        lastCommand: "NULL",
        remoteAddress: formatAddress(netSocket.remoteAddress, netSocket.remotePort),
        localAddress: formatAddress(netSocket.localAddress, netSocket.localPort)
      })
      yield* Effect.acquireRelease(clients.register(session), () => clients.unregister(session.id))
      // networking.c acceptCommonHandler / readQueryFromClient log these at verbose.
      yield* Effect.logDebug(`Accepted ${session.remoteAddress}`)
      // A closed connection's watched keys are forgotten (freeClient -> unwatchAllKeys).
      yield* Effect.addFinalizer(() => Effect.sync(() => discardTransaction(session.transaction)))
      const activity = yield* Activity
      const refusal = yield* admissionCheck(session, netSocket.remoteAddress)
      if (refusal !== undefined) {
        // As acceptCommonHandler: write the error, count the refusal, close. destroySoon, not end: nothing reads
        // this socket, so the client's FIN would go unseen and the socket stay open (and keep the listener's
        // close, so the process's exit, waiting).
        netSocket.write(encodeAll([error(refusal)], 2))
        netSocket.destroySoon()
        return yield* activity.connectionRejected
      }
      const finished = yield* Deferred.make<void>()
      const runFork = Runtime.runFork(yield* Effect.runtime<R | Store>())

      /** Chunks received and not yet decoded, oldest first. */
      const received: Array<Uint8Array> = []
      /** The batch that suspended, while it runs: later chunks wait for it. */
      let running: Fiber.RuntimeFiber<BatchResult> | undefined = undefined
      let waitingForDrain = false
      let closing = false
      const outbox: Outbox = { replies: undefined }

      const close = (): void => {
        closing = true
        Deferred.unsafeDone(finished, Exit.void)
      }

      const send = (bytes: Uint8Array): void => {
        if (bytes.length === 0 || netSocket.destroyed) return
        activity.statistics.netOutputBytes += bytes.length
        if (!netSocket.write(bytes) && !waitingForDrain) {
          waitingForDrain = true
          netSocket.once("drain", () => {
            waitingForDrain = false
            serveReceived()
          })
        }
      }

      /** Redis answers the protocol error after the replies of the commands before it, then closes. */
      const answerProtocolError = (protocolError: ProtocolError): void => {
        const reason = protocolError.message.replace(/^ERR Protocol error: /, "")
        runFork(Effect.logDebug(`Protocol error (${reason}) from client: ${describeClient(session, clock.unsafeCurrentTimeMillis())}`))
        const reply = error(protocolError.message)
        recordCall(activity.statistics, undefined, false, 0, reply)
        send(encodeAll([reply], session.protocol))
        close()
      }

      const batchEnded = (exit: Exit.Exit<BatchResult>, protocolError: ProtocolError | undefined): void => {
        if (Exit.isFailure(exit)) {
          if (!Exit.isInterrupted(exit)) runFork(Effect.logError("Connection failed", Cause.pretty(exit.cause)))
          return close()
        }
        send(exit.value.bytes)
        if (exit.value.close) return close()
        if (protocolError !== undefined) answerProtocolError(protocolError)
      }

      /** Decodes and runs the queued chunks in order, while no batch is suspended and the socket can take replies. */
      const serveReceived = (): void => {
        while (running === undefined && !waitingForDrain && !closing) {
          const chunk = received.shift()
          if (chunk === undefined) return
          const decoded = input.take(chunk)
          if (decoded instanceof QueryBufferFull) {
            runFork(Effect.logWarning(decoded.warning(session)))
            return close()
          }
          const protocolError = decoded.error
          if (decoded.commands.length === 0) {
            if (protocolError !== undefined) answerProtocolError(protocolError)
            continue
          }
          const fiber = runFork(runBatch(commands, activity, store, clock, session, decoded.commands, outbox))
          const exit = fiber.unsafePoll()
          if (exit !== null) {
            batchEnded(exit, protocolError)
            continue
          }
          running = fiber
          fiber.addObserver((suspendedExit) => {
            running = undefined
            batchEnded(suspendedExit, protocolError)
            serveReceived()
          })
        }
      }

      yield* Effect.acquireRelease(
        activity.connectionOpened(session.id, {
          write: (bytes) => Effect.sync(() => send(bytes)),
          kill: Deferred.succeed(finished, undefined)
        }),
        () => activity.connectionClosed(session.id)
      )
      const pubsub = yield* PubSub
      yield* Effect.acquireRelease(
        pubsub.attach(session, {
          deliver: (replies) => {
            if (outbox.replies !== undefined) outbox.replies.push(...replies)
            else send(encodeAll(replies, session.protocol))
            return netSocket.writableLength
          },
          cutOff: (reason) => {
            runFork(Effect.logWarning(reason))
            netSocket.destroy()
            close()
          }
        }),
        () => pubsub.detach(session.id)
      )
      const tracking = yield* currentTracking
      yield* Effect.acquireRelease(Effect.sync(() => tracking?.attach(session)), () => Effect.sync(() => tracking?.detach(session.id)))
      yield* Effect.addFinalizer(() => Effect.suspend(() => running === undefined ? Effect.void : Fiber.interrupt(running)))
      const input = yield* makeConnectionInput(session, netSocket)

      // The socket closing ends `run`; QUIT, a protocol error, CLIENT KILL and the idle timeout complete `finished`.
      // Either way the scope's end closes the socket once the written replies are flushed.
      /** Whether the client closed its side (the socket's input ended), as against QUIT, a kill or the idle timeout. */
      let closedByClient = false
      yield* socket.run((chunk) => {
        input.received(chunk)
        activity.statistics.netInputBytes += chunk.length
        received.push(chunk)
        serveReceived()
      }).pipe(
        Effect.tap(() => {
          closedByClient = true
        }),
        Effect.raceFirst(Deferred.await(finished)),
        Effect.raceFirst(input.idle)
      )
      if (closedByClient && !closing) {
        yield* Effect.logDebug(`Client closed connection ${describeClient(session, clock.unsafeCurrentTimeMillis())}`)
      }
    }).pipe(
      Effect.scoped,
      Effect.catchTag("SocketError", () => Effect.void)
    )

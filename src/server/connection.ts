/**
 * One client connection: socket bytes -> request batches (the resp/ Stream
 * stage) -> commands run in order against the table -> one write of the
 * batch's replies. A protocol error is answered, then the connection closes;
 * no other client is affected.
 */
import type * as Socket from "@effect/platform/Socket"
import { NetSocket } from "@effect/platform-node/NodeSocket"
import { Clock, Effect, Mailbox, Option, Stream } from "effect"
import type { CommandTable } from "../commands/dispatch.js"
import { executeCommand } from "../commands/dispatch.js"
import type { Session } from "../commands/types.js"
import { defaultRequestLimits, type RequestLimits } from "../resp/decoder.js"
import { encodeAll } from "../resp/encoder.js"
import { decodeRequestStream } from "../resp/stream.js"
import type { Command, RespValue } from "../resp/values.js"
import { error } from "../resp/values.js"
import { Clients } from "./Clients.js"

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
const runBatch = <R>(table: CommandTable<R>, session: Session, batch: ReadonlyArray<Command>) =>
  Effect.gen(function*() {
    const chunks: Array<Uint8Array> = []
    let pending: Array<RespValue> = []
    let protocol = session.protocol
    for (const args of batch) {
      session.lastCommandAt = yield* Clock.currentTimeMillis
      const reply = yield* executeCommand(table, args, session)
      if (session.protocol !== protocol) {
        if (pending.length > 0) chunks.push(encodeAll(pending, protocol))
        pending = []
        protocol = session.protocol
      }
      pending.push(reply)
      if (session.closeAfterReply) break
    }
    if (pending.length > 0) chunks.push(encodeAll(pending, protocol))
    const result: BatchResult = {
      bytes: chunks.length === 1 ? chunks[0] : Buffer.concat(chunks),
      close: session.closeAfterReply
    }
    return result
  })

/** Serve one client until it disconnects, sends QUIT, or breaks the protocol. */
export const serveConnection = <R>(table: CommandTable<R>, limits: () => RequestLimits = () => defaultRequestLimits) =>
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
        authenticated: true,
        closeAfterReply: false,
        createdAt: now,
        lastCommandAt: now,
        lastCommand: "NULL",
        remoteAddress: formatAddress(netSocket?.remoteAddress, netSocket?.remotePort),
        localAddress: formatAddress(netSocket?.localAddress, netSocket?.localPort)
      }
      yield* Effect.acquireRelease(clients.register(session), () => clients.unregister(session.id))
      const write = yield* socket.writer
      const incoming = yield* Mailbox.make<Uint8Array, Socket.SocketError>()
      yield* socket.run((chunk) => {
        incoming.unsafeOffer(chunk)
      }).pipe(Mailbox.into(incoming), Effect.forkScoped)

      yield* Mailbox.toStream(incoming).pipe(
        decodeRequestStream(limits),
        Stream.mapEffect((batch) => runBatch(table, session, batch)),
        Stream.catchTag("ProtocolError", (protocolError) =>
          Stream.succeed<BatchResult>({ bytes: encodeAll([error(protocolError.message)], session.protocol), close: true })),
        Stream.takeUntil((result) => result.close),
        Stream.runForEach((result) => write(result.bytes))
      )
    }).pipe(
      Effect.scoped,
      Effect.catchTag("SocketError", () => Effect.void)
    )

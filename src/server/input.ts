/**
 * A connection's input side, around the request decoder:
 * - back-pressure: socket chunks not yet decoded are counted; past
 *   `highWaterBytes` the socket is paused (the kernel's buffer fills and TCP
 *   stops the client), below `lowWaterBytes` it resumes. A client that
 *   pipelines without reading its replies blocks the write of one batch's
 *   replies, so the loop stops pulling input and memory stays bounded by the
 *   high-water mark plus one batch (Redis never disconnects normal clients
 *   by default: client-output-buffer-limit normal 0 0 0);
 * - `client-query-buffer-limit`: the bytes received since the last chunk that
 *   completed a command (Redis's query buffer plus the arguments of the
 *   command being read) may not exceed it; past it the connection closes
 *   without a reply, as Redis's freeClientAsync;
 * - the request limits for the next chunk: `proto-max-bulk-len`, and the
 *   smaller unauthenticated ones while a password is set and not given;
 * - `timeout`: the connection closes once idle (no input) that many seconds.
 */
import { Clock, Duration, Effect, Stream } from "effect"
import type { Session } from "../commands/types.js"
import type { ProtocolError } from "../errors.js"
import { defaultRequestLimits, type RequestLimits } from "../resp/decoder.js"
import { decodeRequestStream } from "../resp/stream.js"
import type { Command } from "../resp/values.js"
import { authRequired } from "./auth.js"
import type { ServerConfig } from "./config.js"
import { LiveConfig } from "./LiveConfig.js"

export const highWaterBytes = 256 * 1024
export const lowWaterBytes = 64 * 1024
/** How often idle connections are looked for (Redis's clientsCron covers every client each second). */
export const idleCheckInterval = Duration.seconds(1)

/** The socket calls back-pressure needs (a Node socket has them). */
export interface Pausable {
  readonly pause: () => void
  readonly resume: () => void
}

/** The decoder limits for a connection now. */
export const requestLimits = (config: ServerConfig, session: Session): RequestLimits => ({
  ...defaultRequestLimits,
  maxBulkLength: config.protoMaxBulkLen,
  unauthenticated: authRequired(config, session)
})

/** Whether a connection whose last input came at `lastInputAt` is past `timeout` (seconds; 0 never). */
export const isIdle = (config: ServerConfig, lastInputAt: number, nowMs: number): boolean =>
  config.timeout > 0 && nowMs - lastInputAt > config.timeout * 1000

export interface ConnectionInput {
  /** Call for every socket chunk as it arrives (before queueing it). */
  readonly received: (chunk: Uint8Array) => void
  /** Socket chunks to batches of commands; ends quietly when the query buffer limit is passed. */
  readonly decode: <E, R>(chunks: Stream.Stream<Uint8Array, E, R>) => Stream.Stream<ReadonlyArray<Command>, E | ProtocolError, R>
  /** Completes when the connection has been idle longer than `timeout`. */
  readonly idle: Effect.Effect<void>
}

export const makeConnectionInput = (session: Session, socket: Pausable | undefined) =>
  Effect.gen(function*() {
    const live = yield* LiveConfig
    let config = yield* live.get
    let queued = 0
    let paused = false
    let sinceLastBatch = 0
    let lastInputAt = yield* Clock.currentTimeMillis

    const received = (chunk: Uint8Array): void => {
      queued += chunk.length
      if (!paused && queued >= highWaterBytes && socket !== undefined) {
        paused = true
        socket.pause()
      }
    }

    /** The chunk, or undefined once the query buffer limit is passed (the input ends there). */
    const taken = (chunk: Uint8Array): Effect.Effect<Uint8Array | undefined> =>
      Effect.gen(function*() {
        queued -= chunk.length
        if (paused && queued <= lowWaterBytes && socket !== undefined) {
          paused = false
          socket.resume()
        }
        lastInputAt = yield* Clock.currentTimeMillis
        config = yield* live.get
        sinceLastBatch += chunk.length
        if (sinceLastBatch > config.clientQueryBufferLimit) {
          yield* Effect.logWarning(`Closing client that reached max query buffer length: id=${session.id} addr=${session.remoteAddress} (qbuf initial bytes: ${sinceLastBatch})`)
          return undefined
        }
        return chunk
      })

    const decode = <E, R>(chunks: Stream.Stream<Uint8Array, E, R>) =>
      chunks.pipe(
        Stream.mapEffect(taken),
        Stream.takeWhile((chunk): chunk is Uint8Array => chunk !== undefined),
        decodeRequestStream(() => requestLimits(config, session)),
        Stream.tap(() => Effect.sync(() => { sinceLastBatch = 0 }))
      )

    const idle: Effect.Effect<void> = Effect.gen(function*() {
      while (true) {
        yield* Effect.sleep(idleCheckInterval)
        const now = yield* Clock.currentTimeMillis
        if (isIdle(yield* live.get, lastInputAt, now)) return
      }
    })

    const input: ConnectionInput = { received, decode, idle }
    return input
  })

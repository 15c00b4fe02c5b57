/**
 * A connection's input side, around the request decoder (all synchronous:
 * the connection calls it from the socket's data callback):
 * - back-pressure: socket chunks received but not yet decoded are counted;
 *   past `highWaterBytes` the socket is paused (the kernel's buffer fills and
 *   TCP stops the client), below `lowWaterBytes` it resumes. A client that
 *   pipelines without reading its replies fills the socket's write side, the
 *   connection stops taking input until it drains, and memory stays bounded
 *   by the high-water mark plus one batch (Redis never disconnects normal
 *   clients by default: client-output-buffer-limit normal 0 0 0);
 * - `client-query-buffer-limit`: the bytes received since the last chunk that
 *   completed a command (Redis's query buffer plus the arguments of the
 *   command being read) may not exceed it; past it the connection closes
 *   without a reply, as Redis's freeClientAsync;
 * - the pure request decoder, with the limits for each chunk read when the
 *   chunk is taken: `proto-max-bulk-len`, and the smaller unauthenticated
 *   ones while a password is set and not given (so a batch's AUTH or CONFIG
 *   SET applies from the next chunk on);
 * - `timeout`: the connection closes once idle (no input) that many seconds.
 */
import { Clock, Duration, Effect } from "effect"
import type { Session } from "../state/Session.js"
import {
  decodeRequests,
  type DecodedRequests,
  defaultRequestLimits,
  initialRequestDecoderState,
  type RequestLimits
} from "../resp/decoder.js"
import { authRequired } from "../commands/guards/auth.js"
import type { ServerConfig } from "../config/config.js"
import { LiveConfig } from "../config/LiveConfig.js"

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

/** The query buffer passed `client-query-buffer-limit`: the connection closes without a reply. */
export class QueryBufferFull {
  constructor(readonly bytes: number) {}

  /** Redis's log line for it. */
  warning(session: Session): string {
    return `Closing client that reached max query buffer length: id=${session.id} addr=${session.remoteAddress} (qbuf initial bytes: ${this.bytes})`
  }
}

export interface ConnectionInput {
  /** Call for every socket chunk as it arrives (before queueing it). */
  readonly received: (chunk: Uint8Array) => void
  /**
   * Decodes a queued chunk: the commands it completed (and the protocol error
   * that ends the input, if any), or QueryBufferFull.
   */
  readonly take: (chunk: Uint8Array) => DecodedRequests | QueryBufferFull
  /** Completes when the connection has been idle longer than `timeout`. */
  readonly idle: Effect.Effect<void>
}

export const makeConnectionInput = (session: Session, socket: Pausable | undefined) =>
  Effect.gen(function*() {
    const live = yield* LiveConfig
    const clock = yield* Effect.clock
    let queued = 0
    let paused = false
    let sinceLastBatch = 0
    let lastInputAt = clock.unsafeCurrentTimeMillis()
    let decoder = initialRequestDecoderState

    const received = (chunk: Uint8Array): void => {
      queued += chunk.length
      if (!paused && queued >= highWaterBytes && socket !== undefined) {
        paused = true
        socket.pause()
      }
    }

    const take = (chunk: Uint8Array): DecodedRequests | QueryBufferFull => {
      queued -= chunk.length
      if (paused && queued <= lowWaterBytes && socket !== undefined) {
        paused = false
        socket.resume()
      }
      lastInputAt = clock.unsafeCurrentTimeMillis()
      const config = live.current()
      sinceLastBatch += chunk.length
      if (sinceLastBatch > config.clientQueryBufferLimit) return new QueryBufferFull(sinceLastBatch)
      const decoded = decodeRequests(decoder, chunk, requestLimits(config, session))
      decoder = decoded.state
      if (decoded.commands.length > 0) sinceLastBatch = 0
      return decoded
    }

    const idle: Effect.Effect<void> = Effect.gen(function*() {
      while (true) {
        yield* Effect.sleep(idleCheckInterval)
        const now = yield* Clock.currentTimeMillis
        if (isIdle(live.current(), lastInputAt, now)) return
      }
    })

    const input: ConnectionInput = { received, take, idle }
    return input
  })

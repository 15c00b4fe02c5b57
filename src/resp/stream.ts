/**
 * RESP request decoding as an Effect Stream stage: bytes in, batches of
 * commands out, for Effect programs that read requests from any byte Stream
 * (a socket, a file of commands). It is `Stream.mapAccum` over the pure
 * `decodeRequests` step; the server's connection loop applies that same step
 * to each socket chunk directly, from the socket's data callback, because a
 * Stream element per chunk costs more CPU than a whole request may
 * (src/server/connection.ts).
 *
 * Design: the output stream has one element per socket chunk that completed
 * at least one command (a pipelined batch, never one element per command), in
 * order. When the input breaks the protocol, the commands decoded before the
 * error are emitted first (Redis executes them), then the stream fails with
 * the typed ProtocolError: the connection handler answers its `message` as an
 * error reply after the batch's replies, then closes.
 */
import { Effect, Stream } from "effect"
import { ProtocolError } from "../errors.js"
import { decodeRequests, initialRequestDecoderState, type DecodedRequests, type RequestLimits } from "./decoder.js"
import type { Command } from "./values.js"

/** A non-empty batch of commands, or the error that ends the stream. */
type Outcome = ReadonlyArray<Command> | ProtocolError

const outcomes = (decoded: DecodedRequests): ReadonlyArray<Outcome> => {
  const batch: ReadonlyArray<Outcome> = decoded.commands.length > 0 ? [decoded.commands] : []
  return decoded.error === undefined ? batch : [...batch, decoded.error]
}

/**
 * Decodes a connection's byte stream into batches of commands. `limits` is
 * read once per socket chunk, when that chunk is pulled, so that a batch's
 * effects (an `AUTH`, a `CONFIG SET proto-max-bulk-len`) apply from the next
 * chunk on: the input is rechunked to one socket chunk per pull for that.
 */
export const decodeRequestStream = (limits: () => RequestLimits) =>
<E, R>(bytes: Stream.Stream<Uint8Array, E, R>): Stream.Stream<ReadonlyArray<Command>, E | ProtocolError, R> =>
  bytes.pipe(
    Stream.rechunk(1),
    Stream.mapAccum(initialRequestDecoderState, (state, chunk: Uint8Array) => {
      const decoded = decodeRequests(state, chunk, limits())
      return [decoded.state, decoded] as const
    }),
    Stream.mapConcat(outcomes),
    Stream.mapEffect((outcome) => outcome instanceof ProtocolError ? Effect.fail(outcome) : Effect.succeed(outcome))
  )

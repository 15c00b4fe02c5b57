import { it } from "@effect/vitest"
import { Chunk, Effect, Either, Stream } from "effect"
import { expect } from "vitest"
import * as Errors from "../../src/errors.js"
import { defaultRequestLimits } from "../../src/resp/decoder.js"
import { decodeRequestStream } from "../../src/resp/stream.js"

const chunks = (...texts: ReadonlyArray<string>) => Stream.fromIterable(texts.map((text) => Buffer.from(text, "latin1")))

it.effect("emits one batch per chunk that completes commands", () =>
  Effect.gen(function*() {
    const batches = yield* chunks("*1\r\n$4\r\nPING\r\nPING\r\n*2\r\n$3\r\nGET", "", "\r\n$1\r\nk", "\r\n").pipe(
      decodeRequestStream(() => defaultRequestLimits),
      Stream.runCollect
    )
    expect(Chunk.toReadonlyArray(batches)).toEqual([[["PING"], ["PING"]], [["GET", "k"]]])
  }))

it.effect("emits the commands before a protocol error, then fails with it", () =>
  Effect.gen(function*() {
    const seen: Array<unknown> = []
    const result = yield* chunks("PING\r\n", "PING\r\n*x\r\nPING\r\n", "PING\r\n").pipe(
      decodeRequestStream(() => defaultRequestLimits),
      Stream.runForEach((batch) => Effect.sync(() => seen.push(batch))),
      Effect.either
    )
    expect(seen).toEqual([[["PING"]], [["PING"]]])
    expect(result).toEqual(Either.left(new Errors.ProtocolError({ message: Errors.protocolInvalidMultibulkLength })))
  }))

it.effect("reads the limits for every chunk", () =>
  Effect.gen(function*() {
    let unauthenticated = true
    const result = yield* chunks("AUTH pw\r\n", `*11\r\n${"$1\r\na\r\n".repeat(11)}`).pipe(
      decodeRequestStream(() => ({ ...defaultRequestLimits, unauthenticated })),
      Stream.tap(() => Effect.sync(() => { unauthenticated = false })),
      Stream.runCollect
    )
    expect(Chunk.size(result)).toBe(2)
  }))

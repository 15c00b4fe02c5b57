/**
 * The stream structure (values/stream.ts, stream-type.ts), property-based:
 * over random appends and trims, each node's computed listpack size is the
 * size of the listpack written for it, the RDB body reads back to the same
 * stream (nodes, flags, IDs, counters), and the AOF rewrite (XADD ... then
 * XSETID) replays through the command handlers to the same entries and IDs.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Either } from "effect"
import fc from "fast-check"
import { streamCommands } from "../../src/commands/streams.js"
import { readValue } from "../../src/persistence/rdb/reader.js"
import { writeValue } from "../../src/persistence/rdb/writer.js"
import * as Database from "../../src/store/database.js"
import { valueOf } from "../../src/store/entry.js"
import { Store } from "../../src/store/Store.js"
import {
  appendEntry,
  emptyStream,
  nodeBytes,
  type StreamId,
  StreamValue,
  type Trim,
  trimStream,
  withLastId
} from "../../src/values/stream.js"
import { nodeListpack, streamType } from "../../src/values/stream-type.js"
import { testSession } from "../commands/helpers.js"

type Operation =
  | { readonly _tag: "Add"; readonly gapMs: number; readonly pairs: ReadonlyArray<string> }
  | { readonly _tag: "Trim"; readonly trim: Trim }

const text = fc.oneof(
  fc.constantFrom("event", "waiting", "jobId", "1", "-300", "70000", ""),
  fc.integer({ min: 0, max: 700 }).map((length) => "v".repeat(length))
)

const operation: fc.Arbitrary<Operation> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.tuple(fc.constantFrom(0, 0, 1, 5000), fc.array(fc.tuple(text, text), { minLength: 1, maxLength: 3 }))
      .map(([gapMs, pairs]): Operation => ({ _tag: "Add", gapMs, pairs: pairs.flat() }))
  },
  {
    weight: 1,
    arbitrary: fc.tuple(fc.integer({ min: 0, max: 200 }), fc.boolean(), fc.constantFrom(0n, 0n, 50n))
      .map(([maxlen, approximate, limit]): Operation => ({
        _tag: "Trim",
        trim: { strategy: { _tag: "MaxLen", maxlen: BigInt(maxlen) }, approximate, limit: approximate ? limit : 0n }
      }))
  }
)

/** The stream the operations build, IDs moving on by `gapMs` (a 0 gap: the next sequence). */
const build = (operations: ReadonlyArray<Operation>): StreamValue => {
  let stream = emptyStream
  for (const step of operations) {
    if (step._tag === "Trim") {
      stream = trimStream(stream, step.trim)[0]
      continue
    }
    const last = stream.lastId
    const id: StreamId = step.gapMs === 0 ? { ms: last.ms, seq: last.seq + 1n } : { ms: last.ms + BigInt(step.gapMs), seq: 0n }
    const appended = appendEntry(stream, id, step.pairs)
    if (appended instanceof StreamValue) stream = appended
  }
  return stream
}

const operations = fc.array(operation, { minLength: 1, maxLength: 300 })

const liveEntries = (stream: StreamValue) =>
  stream.nodes.flatMap((node) => node.entries.filter((entry) => !entry.deleted).map((entry) => [entry.id, entry.pairs]))

describe("stream structure", () => {
  it("a node's computed size is the size of its listpack", () => {
    fc.assert(fc.property(operations, (steps) => {
      for (const node of build(steps).nodes) expect(nodeBytes(node)).toBe(nodeListpack(node).length)
    }), { numRuns: 60 })
  })

  it("the RDB body reads back to the same stream, with and without compression", () => {
    fc.assert(fc.property(operations, fc.boolean(), (steps, compression) => {
      const stream = withLastId(build(steps), { ms: 2n ** 64n - 1n, seq: 7n }, 123456789n, { ms: 3n, seq: 2n ** 63n })
      const read = readValue(writeValue(stream, compression))
      expect(Either.isRight(read)).toBe(true)
      if (Either.isRight(read)) expect(read.right).toEqual(stream)
    }), { numRuns: 60 })
  })

  it.effect("the AOF rewrite replays to the same entries, last ID and counters", () =>
    Effect.gen(function*() {
      const table = new Map(streamCommands.map((spec) => [spec.name, spec]))
      const session = testSession()
      const samples = fc.sample(operations, { numRuns: 30, seed: 17 })
      for (const steps of samples) {
        const stream = build(steps)
        const store = yield* Store
        yield* store.flushAll
        for (const command of streamType.rewrite("s", stream, undefined)) {
          const spec = table.get(command[0].toLowerCase())
          if (spec === undefined) throw new Error(`no ${command[0]}`)
          yield* spec.handler(command, session)
        }
        const replayed = yield* store.modify(0, [], (db) => [Database.get(db, "s"), db, 0] as const)
        const value = replayed === undefined ? undefined : valueOf(replayed)
        expect(value).toBeInstanceOf(StreamValue)
        if (!(value instanceof StreamValue)) continue
        expect(liveEntries(value)).toEqual(liveEntries(stream))
        expect([value.length, value.lastId, value.entriesAdded, value.maxDeletedId])
          .toEqual([stream.length, stream.lastId, stream.entriesAdded, stream.maxDeletedId])
      }
    }).pipe(Effect.provide(Store.layer)))
})

/**
 * Persistence in memory, for tests: the last snapshot is kept as RDB bytes in
 * a Ref, so saving and loading go through the same codec as the file layer.
 */
import { Effect, Layer, Ref } from "effect"
import { decodeSnapshot, Persistence } from "./Persistence.js"
import { writeRdb } from "./rdb/writer.js"

const location = "memory"

const make = (initial: Uint8Array | undefined) =>
  Effect.map(Ref.make(initial), (snapshot) => {
    const loadContents = (nowMs?: number) =>
      Effect.flatMap(Ref.get(snapshot), (bytes) =>
        bytes === undefined ? Effect.succeed(undefined) : decodeSnapshot(bytes, nowMs, location))
    return Persistence.of({
      location,
      save: (databases, nowMs, _mode, functions) =>
        Effect.sync(() => Buffer.concat([...writeRdb(databases, nowMs, { functions })])).pipe(
          Effect.flatMap((bytes) => Ref.set(snapshot, bytes))
        ),
      load: (nowMs) => Effect.map(loadContents(nowMs), (contents) => contents?.databases),
      loadContents
    })
  })

/** Starts with no snapshot. */
export const layer: Layer.Layer<Persistence> = Layer.effect(Persistence, make(undefined))

/** Starts with `rdb` (an RDB file's bytes) as the last snapshot, e.g. to test startup loading. */
export const layerWithSnapshot = (rdb: Uint8Array): Layer.Layer<Persistence> => Layer.effect(Persistence, make(rdb))

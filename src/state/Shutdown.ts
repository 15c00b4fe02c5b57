/**
 * Stopping the server as Redis's prepareForShutdown / finishShutdown: stop a
 * running background save, write and fsync the AOF, save the final snapshot
 * when a save policy is set (or SAVE is asked) unless NOSAVE, then let the
 * runner close the server. SHUTDOWN calls `prepare` then `request`; on
 * SIGTERM/SIGINT the runtime closes the server's scope and this layer's
 * finalizer prepares with the default options.
 */
import { Context, Data, Deferred, Effect, Layer, Ref } from "effect"
import { AppendOnly } from "../persistence/aof/AppendOnly.js"
import { Snapshots } from "../persistence/Snapshots.js"

export interface ShutdownOptions {
  /** SAVE, NOSAVE, or neither ("policy": save when a save policy is set). */
  readonly save: "policy" | "save" | "nosave"
  /** FORCE: exit even when the final save fails. */
  readonly force: boolean
}

export class ShutdownRefused extends Data.TaggedError("ShutdownRefused")<{}> {}

export interface ShutdownService {
  /** Saves as `options` say; fails (and the server goes on) when the save failed without FORCE. */
  readonly prepare: (options: ShutdownOptions) => Effect.Effect<void, ShutdownRefused>
  /** Asks the runner to close the server (after `prepare`). */
  readonly request: Effect.Effect<void>
  /** Resolves once a shutdown was requested. */
  readonly requested: Effect.Effect<void>
}

export class Shutdown extends Context.Tag("effect-kv/Shutdown")<Shutdown, ShutdownService>() {
  static readonly layer: Layer.Layer<Shutdown, never, Snapshots | AppendOnly> = Layer.scoped(
    this,
    Effect.suspend(() => make)
  )
}

const make = Effect.gen(function*() {
  const snapshots = yield* Snapshots
  const appendOnly = yield* AppendOnly
  const prepared = yield* Ref.make(false)
  const requested = yield* Deferred.make<void>()

  const prepare = (options: ShutdownOptions) =>
    Effect.gen(function*() {
      yield* snapshots.cancelBackgroundSave
      yield* appendOnly.flushAndSync
      const { save: rules } = yield* snapshots.settings
      if (options.save === "save" || (options.save === "policy" && rules.length > 0)) {
        yield* Effect.logInfo("Saving the final RDB snapshot before exiting.")
        const saved = yield* Effect.either(snapshots.save)
        if (saved._tag === "Left") {
          if (!options.force) {
            yield* Effect.logWarning(`Error trying to save the DB, can't exit. ${saved.left.message}`)
            return yield* new ShutdownRefused()
          }
          yield* Effect.logWarning(`Error trying to save the DB. Exit anyway. ${saved.left.message}`)
        }
      }
      yield* Ref.set(prepared, true)
      yield* Effect.logInfo("Redis is now ready to exit, bye bye...")
    })

  // A signal (or closing an embedded server) without SHUTDOWN: save as SHUTDOWN would; the process stops either way.
  yield* Effect.addFinalizer(() =>
    Effect.flatMap(Ref.get(prepared), (done) =>
      done ? Effect.void : Effect.ignore(prepare({ save: "policy", force: true }))))

  return Shutdown.of({
    prepare,
    request: Deferred.succeed(requested, undefined),
    requested: Deferred.await(requested)
  })
})


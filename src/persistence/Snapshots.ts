/**
 * The Snapshots service: SAVE, BGSAVE and the `save` policy (Redis's rdb.c
 * rdbSave / rdbSaveBackground and serverCron's save-point check), with the
 * state LASTSAVE, INFO persistence and stop-writes-on-bgsave-error read.
 *
 * A background save writes the keyspaces taken at the instant it starts (the
 * stored immutable maps: no fork, no copy) from a fiber in the layer's scope;
 * closing the scope interrupts it, and the file layer removes its temp file.
 */
import { Cause, Clock, Context, Effect, Exit, Layer, Option, Ref, Schedule } from "effect"
import type { SaveRule } from "../config/config.js"
import { Store } from "../store/Store.js"
import { type BackgroundRun, type BackgroundStart, makeBackgroundJob } from "./background.js"
import { functionCodesReader } from "./FunctionCodes.js"
import { Persistence, type PersistenceError } from "./Persistence.js"

/** What LASTSAVE and INFO persistence report; times are unix milliseconds. */
export interface SaveStatus {
  /** The last successful save (the start time before any). */
  readonly lastSaveAt: number
  /** Whether the last background save succeeded (Redis's lastbgsave_status). */
  readonly lastBackgroundSaveOk: boolean
  /** When the background save running now started; undefined when none runs. */
  readonly backgroundSaveStartedAt: number | undefined
  /** How long the last background save took, in ms; undefined before the first. */
  readonly lastBackgroundSaveDurationMs: number | undefined
  /** When a background save was last started (Redis's lastbgsave_try). */
  readonly lastBackgroundSaveTryAt: number
  /** Successful saves since start (rdb_saves). */
  readonly saves: number
}


export interface SnapshotsService {
  /** The settings in force (the `save` rules: empty when automatic saving is off). */
  readonly settings: Effect.Effect<SaveSettings>
  /** SAVE: writes the snapshot now; the dirty counter drops by the changes it covers. */
  readonly save: Effect.Effect<void, PersistenceError>
  /** BGSAVE: takes the keyspaces now and saves them from a background fiber. */
  readonly backgroundSave: Effect.Effect<BackgroundStart>
  /** Waits for the running background save, if any, to end. */
  readonly awaitBackgroundSave: Effect.Effect<void>
  /** BGSAVE SCHEDULE: a background save once `wait` ends, forked in this service's scope. */
  readonly backgroundSaveAfter: (wait: Effect.Effect<void>) => Effect.Effect<void>
  /** Stops the running background save, if any (shutdown: Redis kills the child). */
  readonly cancelBackgroundSave: Effect.Effect<void>
  readonly status: Effect.Effect<SaveStatus>
  /**
   * Redis's writeCommandsDeniedByDiskError for RDB: a save policy is set,
   * stop-writes-on-bgsave-error is on and the last background save failed.
   */
  readonly writesDenied: Effect.Effect<boolean>
  /** Whether the last background save failed, read synchronously (the connection loop checks it per batch). */
  readonly lastBackgroundSaveFailed: () => boolean
}

export class Snapshots extends Context.Tag("effect-kv/Snapshots")<Snapshots, SnapshotsService>() {
  /** Needs the Store and Persistence; forks the save-policy fiber, which reads `settings` at each check. */
  static readonly layer = (settings: Effect.Effect<SaveSettings>): Layer.Layer<Snapshots, never, Store | Persistence> =>
    Layer.scoped(this, make(settings))
}

/** The settings Snapshots reads, each time it needs them (CONFIG SET may change them). */
export interface SaveSettings {
  readonly save: ReadonlyArray<SaveRule>
  readonly stopWritesOnBgsaveError: boolean
}

/** serverCron runs 10 times a second (hz 10). */
export const policyCheckIntervalMs = 100
/** CONFIG_BGSAVE_RETRY_DELAY: after a failed background save, wait this long before the policy tries again. */
export const bgsaveRetryDelayMs = 5000

/**
 * serverCron's save-point check: the first rule with enough changes whose
 * seconds have passed since the last save (whole seconds, strictly more, as
 * Redis compares unix times), unless the last try failed less than 5 s ago.
 */
export const dueRule = (
  rules: ReadonlyArray<SaveRule>,
  status: SaveStatus,
  dirty: number,
  nowMs: number
): SaveRule | undefined => {
  const seconds = (ms: number) => Math.floor(ms / 1000)
  const canRetry = status.lastBackgroundSaveOk ||
    seconds(nowMs) - seconds(status.lastBackgroundSaveTryAt) > bgsaveRetryDelayMs / 1000
  return canRetry
    ? rules.find((rule) => dirty >= rule.changes && seconds(nowMs) - seconds(status.lastSaveAt) > rule.seconds)
    : undefined
}

const make = (settings: Effect.Effect<SaveSettings>) =>
  Effect.gen(function*() {
    const layerScope = yield* Effect.scope
    const store = yield* Store
    const persistence = yield* Persistence
    const functionCodes = yield* functionCodesReader
    const scope = yield* Effect.scope
    const startedAt = yield* Clock.currentTimeMillis
    const state = yield* Ref.make<SaveStatus>({
      lastSaveAt: startedAt,
      lastBackgroundSaveOk: true,
      backgroundSaveStartedAt: undefined,
      lastBackgroundSaveDurationMs: undefined,
      lastBackgroundSaveTryAt: startedAt,
      saves: 0
    })
    let backgroundSaveFailed = false
    const updateStatus = (f: (status: SaveStatus) => SaveStatus) =>
      Effect.map(Ref.updateAndGet(state, f), (status) => {
        backgroundSaveFailed = !status.lastBackgroundSaveOk
      })
    const backgroundSaves = yield* makeBackgroundJob<PersistenceError>(scope)
    const startLock = yield* Effect.makeSemaphore(1)

    const saved = (changes: number) =>
      Effect.flatMap(Clock.currentTimeMillis, (nowMs) =>
        Effect.zipRight(
          store.markSaved(changes),
          updateStatus((s) => ({ ...s, lastSaveAt: nowMs, lastBackgroundSaveOk: true, saves: s.saves + 1 }))
        ))

    const save = Effect.gen(function*() {
      const changes = yield* store.dirty
      const keyspaces = yield* store.snapshot
      yield* persistence.save(keyspaces, yield* Clock.currentTimeMillis, "foreground", functionCodes())
      yield* saved(changes)
      yield* Effect.logInfo("DB saved on disk")
    })

    const backgroundFinished = (exit: Exit.Exit<void, PersistenceError>, changes: number, started: number) =>
      Effect.gen(function*() {
        const nowMs = yield* Clock.currentTimeMillis
        yield* updateStatus((s) => ({
          ...s,
          backgroundSaveStartedAt: undefined,
          lastBackgroundSaveDurationMs: nowMs - started
        }))
        if (Exit.isSuccess(exit)) {
          yield* saved(changes)
          yield* Effect.logInfo("Background saving terminated with success")
        } else if (!Exit.isInterrupted(exit)) {
          yield* updateStatus((s) => ({ ...s, lastBackgroundSaveOk: false }))
          const reason = Cause.failureOption(exit.cause).pipe(Option.match({
            onNone: () => Cause.pretty(exit.cause),
            onSome: (failure) => failure.message
          }))
          yield* Effect.logWarning(`Background saving error: ${reason}`)
        }
      })

    const backgroundSave: Effect.Effect<BackgroundStart> = startLock.withPermits(1)(
      Effect.tap(
        backgroundSaves.start(Effect.gen(function*() {
          const changes = yield* store.dirty
          const keyspaces = yield* store.snapshot
          const nowMs = yield* Clock.currentTimeMillis
          yield* updateStatus((s) => ({ ...s, backgroundSaveStartedAt: nowMs, lastBackgroundSaveTryAt: nowMs }))
          const job: BackgroundRun<PersistenceError> = {
            run: persistence.save(keyspaces, nowMs, "background", functionCodes()),
            finished: (exit) => backgroundFinished(exit, changes, nowMs)
          }
          return job
        })),
        (start) => start === "started" ? Effect.logInfo("Background saving started") : Effect.void
      )
    ).pipe(Effect.uninterruptible)

    const status = Ref.get(state)

    const writesDenied = Effect.zipWith(settings, status, (current, s) =>
      current.stopWritesOnBgsaveError && current.save.length > 0 && !s.lastBackgroundSaveOk)

    const checkPolicy = Effect.gen(function*() {
      if (yield* backgroundSaves.running) return
      const { save: rules } = yield* settings
      const rule = dueRule(rules, yield* status, yield* store.dirty, yield* Clock.currentTimeMillis)
      if (rule === undefined) return
      yield* Effect.logInfo(`${rule.changes} changes in ${rule.seconds} seconds. Saving...`)
      yield* backgroundSave
    })

    yield* Effect.forkScoped(Effect.repeat(checkPolicy, Schedule.spaced(policyCheckIntervalMs)))

    return Snapshots.of({
      settings,
      save,
      backgroundSave,
      awaitBackgroundSave: backgroundSaves.await,
      backgroundSaveAfter: (wait) => Effect.asVoid(Effect.forkIn(Effect.zipRight(wait, backgroundSave), layerScope)),
      cancelBackgroundSave: backgroundSaves.interrupt,
      status,
      writesDenied,
      lastBackgroundSaveFailed: () => backgroundSaveFailed
    })
  })


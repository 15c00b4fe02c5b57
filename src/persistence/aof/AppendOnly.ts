/**
 * The AppendOnly service (`appendonly yes`): a single file, `dir/appendfilename`.
 *
 * Write commands run one at a time under `logged`, the clock standing still
 * at the time their log line records; one that changed the
 * dataset is appended (as RESP, absolute expiries, SELECT when the database
 * changes, a `#TS-MS` time annotation when the millisecond changes: see
 * format.ts) to an in-memory buffer. `flush`, called by the connection loop
 * before a batch's replies are written, writes the buffer to the file (and
 * fsyncs it under `appendfsync always`); under `everysec` a fiber fsyncs once
 * a second. BGREWRITEAOF writes a snapshot's log to a temp file from a fiber
 * while writes go on (they are also kept in a rewrite buffer), then appends
 * that buffer, fsyncs, renames over the log and fsyncs the directory.
 */
import * as FileSystem from "@effect/platform/FileSystem"
import { Clock, Context, Effect, Exit, Layer, Ref, Schedule, Scope } from "effect"
import { join } from "node:path"
import type { Command } from "../../resp/values.js"
import type { AppendFsync } from "../../config/config.js"
import type { Keyspace } from "../../store/entry.js"
import { Store } from "../../store/Store.js"
import { type BackgroundRun, type BackgroundStart, makeBackgroundJob } from "../background.js"
import { syncDirectory, writeAndSync } from "../PersistenceFile.js"
import { withAbsoluteExpiry } from "./absolute-expiry.js"
import { clockAt } from "./clock.js"
import { encodeCommand, encodeTimestamp } from "./format.js"
import { loggedCommands, withPropagation } from "./propagation.js"
import { rewriteLog } from "./rewrite.js"
import { functionCodesReader } from "../FunctionCodes.js"

/** What INFO persistence reports of the AOF. */
export interface AofStatus {
  readonly enabled: boolean
  readonly rewriteInProgress: boolean
  readonly lastRewriteOk: boolean
  /** How long the last rewrite took, in ms; undefined before the first. */
  readonly lastRewriteDurationMs: number | undefined
  readonly rewrites: number
  /** The last write or fsync error; undefined while writes succeed. */
  readonly lastWriteError: string | undefined
}

export interface AppendOnlyService {
  /**
   * Runs the write command `run` (for `args` on database `db`) with no other
   * write command in between, and logs it when it changed the dataset.
   */
  readonly logged: <A, E, R>(db: number, args: Command, run: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  /**
   * Runs an EXEC's commands: when more than one of them is logged, they are
   * logged between MULTI and EXEC (server.c propagatePendingCommands), so a
   * replay applies them all or none.
   */
  readonly transaction: <A, E, R>(run: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  /**
   * Logs `args` on database `db` as a command of its own (Redis's
   * alsoPropagate): the pop that serves a blocked client. During a logged
   * command it goes after that command's own line (the push that served it).
   */
  readonly propagate: (db: number, args: Command) => void
  /**
   * Logs a script's effects (the write commands it ran, each with its
   * database), wrapped in MULTI/EXEC when more than one, as Redis 7
   * propagates them (script.c, server.c propagatePendingCommands).
   */
  readonly logEffects: (effects: ReadonlyArray<{ readonly db: number; readonly args: Command }>, nowMs: number) => void
  /** Writes what is logged so far to the file; under `appendfsync always` also fsyncs it. */
  readonly flush: Effect.Effect<void>
  /** Writes and fsyncs everything logged (shutdown). */
  readonly flushAndSync: Effect.Effect<void>
  /** BGREWRITEAOF. */
  readonly rewrite: Effect.Effect<BackgroundStart>
  /** Waits for the running rewrite, if any, to end. */
  readonly awaitRewrite: Effect.Effect<void>
  /** A rewrite scheduled while a BGSAVE runs: started once `wait` ends, forked in this service's scope. */
  readonly rewriteAfter: (wait: Effect.Effect<void>) => Effect.Effect<void>
  readonly status: Effect.Effect<AofStatus>
  /** Whether this server logs at all (`appendonly yes`): fixed at start. */
  readonly enabled: boolean
}

const idleStatus: AofStatus = {
  enabled: false,
  rewriteInProgress: false,
  lastRewriteOk: true,
  lastRewriteDurationMs: undefined,
  rewrites: 0,
  lastWriteError: undefined
}

export class AppendOnly extends Context.Tag("effect-kv/AppendOnly")<AppendOnly, AppendOnlyService>() {
  /** `appendonly yes`: opens (creates) `dir/appendfilename` for appending. */
  static readonly layer = (options: AppendOnlyOptions): Layer.Layer<AppendOnly, never, Store | FileSystem.FileSystem> =>
    Layer.scoped(this, Effect.suspend(() => make(options)))

  /** `appendonly no`: commands run as they are; nothing is logged. */
  static readonly layerDisabled: Layer.Layer<AppendOnly> = Layer.succeed(
    this,
    this.of({
      logged: (_db, _args, run) => run,
      transaction: (run) => run,
      propagate: () => undefined,
      logEffects: () => {},
      flush: Effect.void,
      flushAndSync: Effect.void,
      rewrite: Effect.succeed("already-running"),
      awaitRewrite: Effect.void,
      rewriteAfter: () => Effect.void,
      status: Effect.succeed(idleStatus),
      enabled: false
    })
  )
}

export interface AppendOnlyOptions {
  readonly dir: string
  readonly appendfilename: string
  readonly appendfsync: AppendFsync
}



/** An open log file and the scope that closes it. */
interface OpenLog {
  readonly file: FileSystem.File
  readonly scope: Scope.CloseableScope
}

const make = (options: AppendOnlyOptions) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const store = yield* Store
    const functionCodes = yield* functionCodesReader
    const layerScope = yield* Effect.scope
    const path = join(options.dir, options.appendfilename)

    const openLog = Effect.gen(function*() {
      const scope = yield* Scope.make()
      const file = yield* Scope.extend(fs.open(path, { flag: "a" }), scope)
      const log: OpenLog = { file, scope }
      return log
    })
    const log = yield* Ref.make(yield* Effect.orDie(openLog))
    yield* Effect.addFinalizer(() => Effect.flatMap(Ref.get(log), (open) => Scope.close(open.scope, Exit.void)))

    const state = yield* Ref.make<AofStatus>({ ...idleStatus, enabled: true })
    /** Encoded commands not yet written to the file. */
    let pending: Array<Buffer> = []
    /** Commands logged since the running rewrite took its snapshot; undefined when none runs. */
    let rewriteBuffer: Array<Buffer> | undefined = undefined
    /** The database the log's last SELECT chose; undefined forces a SELECT. */
    let lastDb: number | undefined = undefined
    /** The time the log's last annotation gave; undefined forces one. */
    let lastTime: number | undefined = undefined
    let unsynced = false
    /** While an EXEC runs: the chunks and the number of commands it logged so far. */
    let inTransaction: { chunks: Array<Buffer>; commands: number } | undefined = undefined

    const writeLock = yield* Effect.makeSemaphore(1)
    const fileLock = yield* Effect.makeSemaphore(1)
    const rewrites = yield* makeBackgroundJob<{ readonly message: string }>(layerScope)

    const append = (db: number, args: Command, nowMs: number) => {
      const chunks = lastTime === nowMs ? [] : [encodeTimestamp(nowMs)]
      lastTime = nowMs
      if (lastDb !== db) chunks.push(encodeCommand(["SELECT", String(db)]))
      lastDb = db
      chunks.push(encodeCommand(args))
      if (inTransaction !== undefined) {
        inTransaction.chunks.push(...chunks)
        inTransaction.commands++
        return
      }
      pending.push(...chunks)
      rewriteBuffer?.push(...chunks)
    }

    const transaction = <A, E, R>(run: Effect.Effect<A, E, R>) =>
      Effect.suspend(() => {
        const opened: { chunks: Array<Buffer>; commands: number } = { chunks: [], commands: 0 }
        inTransaction = opened
        return Effect.ensuring(run, Effect.sync(() => {
          inTransaction = undefined
          const chunks = opened.commands > 1
            ? [encodeCommand(["MULTI"]), ...opened.chunks, encodeCommand(["EXEC"])]
            : opened.chunks
          pending.push(...chunks)
          rewriteBuffer?.push(...chunks)
        }))
      })

    /** What `propagate` was given during the running logged command, to log after it; undefined when none runs. */
    let propagatedDuring: Array<readonly [number, Command]> | undefined = undefined
    const layerClock = yield* Effect.clock

    const logged = <A, E, R>(db: number, args: Command, run: Effect.Effect<A, E, R>) =>
      writeLock.withPermits(1)(
        Effect.gen(function*() {
          const before = yield* store.changeCount
          const clock = yield* Effect.clock
          const nowMs = clock.unsafeCurrentTimeMillis()
          // A command that fails may still have written and propagated (MIGRATE's keys the target took).
          const propagated: Array<readonly [number, Command]> = []
          propagatedDuring = propagated
          const [result, replacement] = yield* withPropagation(
            Effect.exit(Effect.withClock(run, clockAt(nowMs, (duration) => clock.sleep(duration))))
          ).pipe(Effect.ensuring(Effect.sync(() => {
            propagatedDuring = undefined
          })))
          if ((yield* store.changeCount) !== before) {
            for (const command of loggedCommands(args, replacement)) append(db, withAbsoluteExpiry(command, nowMs), nowMs)
          }
          // What the command also propagated (the pop serving a blocked client) goes after its own line.
          for (const [propagatedDb, propagatedArgs] of propagated) append(propagatedDb, propagatedArgs, nowMs)
          return yield* result
        })
      )

    const logEffects = (effects: ReadonlyArray<{ readonly db: number; readonly args: Command }>, nowMs: number): void => {
      if (effects.length === 1) append(effects[0].db, effects[0].args, nowMs)
      if (effects.length <= 1) return
      append(effects[0].db, ["MULTI"], nowMs)
      for (const { args, db } of effects) append(db, args, nowMs)
      append(effects[effects.length - 1].db, ["EXEC"], nowMs)
    }

    const recordWrite = <E extends { readonly message: string }>(effect: Effect.Effect<void, E>) =>
      effect.pipe(
        Effect.zipRight(Ref.update(state, (s) => (s.lastWriteError === undefined ? s : { ...s, lastWriteError: undefined }))),
        Effect.catchAll((failure) =>
          Effect.zipRight(
            Ref.update(state, (s) => ({ ...s, lastWriteError: failure.message })),
            Effect.logWarning(`Error writing to the AOF file: ${failure.message}`)
          ))
      )

    /** Writes `pending` to the file; on failure keeps it for the next try. */
    const writePending = (sync: boolean) =>
      fileLock.withPermits(1)(
        Effect.gen(function*() {
          const chunks = pending
          pending = []
          const { file } = yield* Ref.get(log)
          if (chunks.length > 0) {
            yield* file.writeAll(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)).pipe(
              Effect.tapError(() => Effect.sync(() => { pending = [...chunks, ...pending] }))
            )
            unsynced = true
          }
          if (sync && unsynced) {
            yield* file.sync
            unsynced = false
          }
        })
      ).pipe(recordWrite)

    const flush = writePending(options.appendfsync === "always")
    const flushAndSync = writePending(true)

    if (options.appendfsync === "everysec") {
      yield* Effect.forkScoped(Effect.repeat(flushAndSync, Schedule.spaced(1000)))
    }

    const tempPath = join(options.dir, `temp-rewriteaof-bg-${process.pid}.aof`)

    /** Appends what was logged since the snapshot to the temp file, fsyncs it and renames it over the log. */
    const swapIn = Effect.gen(function*() {
      yield* Effect.scoped(Effect.gen(function*() {
        const temp = yield* fs.open(tempPath, { flag: "a" })
        // writeAll of no bytes fails (WriteZero): nothing may have been logged during the rewrite.
        const since = Buffer.concat(rewriteBuffer ?? [])
        if (since.length > 0) yield* temp.writeAll(since)
        yield* temp.sync
      }))
      yield* fs.rename(tempPath, path)
      yield* syncDirectory(fs, options.dir)
      const previous = yield* Ref.get(log)
      yield* Ref.set(log, yield* openLog)
      yield* Scope.close(previous.scope, Exit.void)
      pending = []
      unsynced = false
      lastDb = undefined
      lastTime = undefined
    })

    /** Writes the snapshot's log to the temp file while writes go on, then swaps it in with none running. */
    const runRewrite = (keyspaces: ReadonlyArray<Keyspace>, nowMs: number, functions: ReadonlyArray<string>) =>
      writeAndSync(fs, tempPath, rewriteLog(keyspaces, nowMs, functions)).pipe(
        Effect.zipRight(writeLock.withPermits(1)(fileLock.withPermits(1)(swapIn))),
        Effect.onError(() => Effect.ignore(fs.remove(tempPath)))
      )

    const rewriteFinished = (exit: Exit.Exit<void, { readonly message: string }>, startedAt: number) =>
      Effect.gen(function*() {
        rewriteBuffer = undefined
        const nowMs = yield* Clock.currentTimeMillis
        const ok = Exit.isSuccess(exit)
        yield* Ref.update(state, (s) => ({
          ...s,
          rewriteInProgress: false,
          lastRewriteOk: ok,
          lastRewriteDurationMs: nowMs - startedAt,
          rewrites: s.rewrites + (ok ? 1 : 0)
        }))
        if (ok) yield* Effect.logInfo("Background AOF rewrite finished successfully")
        else if (!Exit.isInterrupted(exit)) yield* Effect.logWarning("Background AOF rewrite failed", exit.cause)
      })

    const rewrite: Effect.Effect<BackgroundStart> = writeLock.withPermits(1)(
      Effect.tap(
        rewrites.start(Effect.gen(function*() {
          const keyspaces = yield* store.snapshot
          const nowMs = yield* Clock.currentTimeMillis
          rewriteBuffer = []
          lastDb = undefined
          lastTime = undefined
          yield* Ref.update(state, (s) => ({ ...s, rewriteInProgress: true }))
          const job: BackgroundRun<{ readonly message: string }> = {
            run: runRewrite(keyspaces, nowMs, functionCodes()),
            finished: (exit) => rewriteFinished(exit, nowMs)
          }
          return job
        })),
        (start) => start === "started" ? Effect.logInfo("Background append only file rewriting started") : Effect.void
      )
    ).pipe(Effect.uninterruptible)

    return AppendOnly.of({
      logged,
      transaction,
      propagate: (db, args) => {
        if (propagatedDuring !== undefined) propagatedDuring.push([db, args])
        else append(db, args, layerClock.unsafeCurrentTimeMillis())
      },
      logEffects,
      flush,
      flushAndSync,
      rewrite,
      awaitRewrite: rewrites.await,
      rewriteAfter: (wait) => Effect.asVoid(Effect.forkIn(Effect.zipRight(wait, rewrite), layerScope)),
      status: Ref.get(state),
      enabled: true
    })
  })


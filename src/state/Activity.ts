/**
 * What the connections do, as INFO, SLOWLOG, MONITOR and CLIENT KILL see it:
 * counters (kept per batch, not per command), the operations-per-second
 * samples, the slow log, the monitoring clients, and a handle on every
 * connection to write to it or close it.
 */
import { Clock, Context, Effect, HashMap, Layer, Option, Ref, Schedule } from "effect"
import type { Session } from "./Session.js"
import type { Command } from "../resp/values.js"
import type { ServerConfig } from "../config/config.js"
import { LiveConfig } from "../config/LiveConfig.js"
import { representString } from "../config/quoting.js"
import { type CommandStatistics, makeCommandStatistics, resetCommandStatistics } from "./command-stats.js"

/** What another fiber may do to a connection. */
export interface ConnectionControl {
  /** Writes bytes to the client's socket, after whatever it is writing now. */
  readonly write: (bytes: Uint8Array) => Effect.Effect<void>
  /** Closes the connection (CLIENT KILL). */
  readonly kill: Effect.Effect<void>
}

/** One command worth recording: for the slow log, or for the monitors. */
export interface CommandRun {
  readonly args: Command
  readonly db: number
  /** Unix time in microseconds when it started. */
  readonly startedAtMicros: number
  readonly durationMicros: number
  /** Shown to MONITOR only (EXEC: its commands go to the slowlog one by one). */
  readonly skipSlowlog?: boolean
  /** Not shown to MONITOR (EVAL, FCALL: the script shows its own line first, see scripting/run.ts). */
  readonly skipMonitor?: boolean
  /** Run by a script's redis.call: MONITOR shows `lua` as its client (replicationFeedMonitors, CLIENT_SCRIPT). */
  readonly byScript?: boolean
}

/**
 * The commands flagged skip_monitor: EVAL and FCALL feed MONITOR themselves,
 * before their script's commands (eval.c evalGenericCommand, functions.c fcallCommandGeneric).
 */
export const skipsMonitor: ReadonlySet<string> = new Set(["eval", "evalsha", "eval_ro", "evalsha_ro", "fcall", "fcall_ro"])

/** Which commands of the next batch the connection loop should report. */
export interface BatchWatch {
  /** Report every command: some client is in MONITOR. */
  readonly monitoring: boolean
  /** Report commands at least this slow (microseconds); negative: none. */
  readonly slowerThanMicros: number
}

export interface SlowlogEntry {
  readonly id: number
  /** Unix seconds. */
  readonly timestamp: number
  readonly durationMicros: number
  readonly args: Command
  readonly clientAddress: string
  readonly clientName: string
}

export interface Counters {
  readonly connectionsReceived: number
  readonly commandsProcessed: number
  /** Connections refused at accept (maxclients, protected mode): Redis's stat_rejected_conn. */
  readonly rejectedConnections: number
}

const emptyCounters: Counters = { connectionsReceived: 0, commandsProcessed: 0, rejectedConnections: 0 }

/** Redis's STATS_METRIC_SAMPLES: instantaneous_ops_per_sec averages the last 16 samples, one every 100ms. */
const opsSampleCount = 16
const opsSampleIntervalMs = 100

interface OpsSampler {
  readonly lastAtMs: number
  readonly lastCommands: number
  readonly samples: ReadonlyArray<number>
}

/** Adds one operations-per-second sample (Redis's trackInstantaneousMetric). */
export const addOpsSample = (sampler: OpsSampler, nowMs: number, commands: number): OpsSampler => {
  const elapsed = nowMs - sampler.lastAtMs
  const rate = elapsed > 0 ? ((commands - sampler.lastCommands) * 1000) / elapsed : 0
  return { lastAtMs: nowMs, lastCommands: commands, samples: [...sampler.samples, rate].slice(-opsSampleCount) }
}

export const opsPerSecond = (sampler: OpsSampler): number =>
  sampler.samples.length === 0 ? 0 : Math.floor(sampler.samples.reduce((a, b) => a + b, 0) / sampler.samples.length)

/** MONITOR's line for a command: `+1700000000.123456 [0 127.0.0.1:5000] "SET" "a" "b"`. */
export const monitorLine = (run: CommandRun, clientAddress: string): string => {
  const seconds = Math.floor(run.startedAtMicros / 1e6)
  const micros = String(run.startedAtMicros % 1e6).padStart(6, "0")
  return `+${seconds}.${micros} [${run.db} ${run.byScript === true ? "lua" : clientAddress}] ${run.args.map(representString).join(" ")}\r\n`
}

/** Redis keeps at most 32 arguments of 128 bytes each in a slow log entry (slowlog.c). */
const slowlogArgs = (args: Command): Command => {
  const kept = args.slice(0, args.length > 32 ? 31 : 32).map((arg) =>
    arg.length > 128 ? `${arg.slice(0, 128)}... (${arg.length - 128} more bytes)` : arg)
  return args.length > 32 ? [...kept, `... (${args.length - 31} more arguments)`] : kept
}

interface State {
  readonly counters: Counters
  readonly ops: OpsSampler
  readonly slowlog: ReadonlyArray<SlowlogEntry>
  readonly nextSlowlogId: number
  readonly connections: HashMap.HashMap<number, ConnectionControl>
  readonly monitors: HashMap.HashMap<number, ConnectionControl>
}

export interface ActivityService {
  /** Unix ms when the server started (INFO's uptime). */
  readonly startedAtMs: number
  readonly connectionOpened: (id: number, control: ConnectionControl) => Effect.Effect<void>
  readonly connectionClosed: (id: number) => Effect.Effect<void>
  /** A connection refused before it was opened (counted apart from those received, as Redis does). */
  readonly connectionRejected: Effect.Effect<void>
  /** Read synchronously once per batch by the connection loop. */
  readonly watching: () => BatchWatch
  /** After a batch: how many commands ran (synchronous: a batch of transactions needs no more). */
  readonly countCommands: (commands: number) => void
  /** commandstats, errorstats and the network bytes: updated synchronously by the connection loop. */
  readonly statistics: CommandStatistics
  /** After a batch: the runs `watching` asked for (slow log entries, MONITOR lines). */
  readonly recordRuns: (session: Session, runs: ReadonlyArray<CommandRun>) => Effect.Effect<void>
  readonly counters: Effect.Effect<Counters>
  readonly opsPerSecond: Effect.Effect<number>
  /** CONFIG RESETSTAT. */
  readonly resetCounters: Effect.Effect<void>
  /** Newest first. */
  readonly slowlog: Effect.Effect<ReadonlyArray<SlowlogEntry>>
  readonly resetSlowlog: Effect.Effect<void>
  readonly startMonitor: (id: number) => Effect.Effect<void>
  /** The connection's handle, if it is still open. */
  readonly control: (id: number) => Effect.Effect<ConnectionControl | undefined>
}

export class Activity extends Context.Tag("effect-kv/Activity")<Activity, ActivityService>() {
  static readonly layer: Layer.Layer<Activity, never, LiveConfig> = Layer.scoped(
    Activity,
    Effect.gen(function*() {
      const liveConfig = yield* LiveConfig
      const startedAtMs = yield* Clock.currentTimeMillis
      const state = yield* Ref.make<State>({
        counters: emptyCounters,
        ops: { lastAtMs: startedAtMs, lastCommands: 0, samples: [] },
        slowlog: [],
        nextSlowlogId: 0,
        connections: HashMap.empty(),
        monitors: HashMap.empty()
      })

      /** Counted outside the Ref: every batch adds to it, synchronously. */
      let commandsProcessed = 0
      const statistics = makeCommandStatistics()
      /** Whether some client is in MONITOR: read before every batch, so kept outside the Ref. */
      let monitoring = false
      const updateConnections = (f: (s: State) => State) =>
        Effect.map(Ref.updateAndGet(state, f), (s) => {
          monitoring = !HashMap.isEmpty(s.monitors)
        })

      const sampleOps = Effect.flatMap(Clock.currentTimeMillis, (nowMs) =>
        Ref.update(state, (s) => ({ ...s, ops: addOpsSample(s.ops, nowMs, commandsProcessed) })))
      yield* Effect.forkScoped(Effect.repeat(sampleOps, Schedule.spaced(opsSampleIntervalMs)))

      const feedMonitors = (session: Session, runs: ReadonlyArray<CommandRun>, monitors: State["monitors"]) => {
        if (HashMap.isEmpty(monitors) || runs.length === 0) return Effect.void
        const shown = runs.filter((run) => run.skipMonitor !== true)
        if (shown.length === 0) return Effect.void
        const bytes = Buffer.from(shown.map((run) => monitorLine(run, session.remoteAddress)).join(""), "latin1")
        return Effect.forEach(HashMap.values(monitors), (monitor) => monitor.write(bytes), { discard: true })
      }

      const recordRuns = (session: Session, runs: ReadonlyArray<CommandRun>) =>
        Effect.gen(function*() {
          const config = runs.length === 0 ? undefined : yield* liveConfig.get
          const slow = config === undefined || config.slowlogLogSlowerThan < 0
            ? []
            : runs.filter((run) => run.skipSlowlog !== true && run.durationMicros >= config.slowlogLogSlowerThan)
          const monitors = yield* Ref.modify(state, (s) => {
            const entries = slow.map((run, i): SlowlogEntry => ({
              id: s.nextSlowlogId + i,
              timestamp: Math.floor(run.startedAtMicros / 1e6),
              durationMicros: run.durationMicros,
              args: slowlogArgs(run.args),
              // The script client has no connection: its address reads `?:0` (anetFdToString on no socket), no name.
              clientAddress: run.byScript === true ? "?:0" : session.remoteAddress,
              clientName: run.byScript === true ? "" : session.name ?? ""
            }))
            const next: State = {
              ...s,
              slowlog: entries.length === 0
                ? s.slowlog
                : [...entries.reverse(), ...s.slowlog].slice(0, config?.slowlogMaxLen ?? 0),
              nextSlowlogId: s.nextSlowlogId + entries.length
            }
            return [s.monitors, next]
          })
          yield* feedMonitors(session, runs, HashMap.remove(monitors, session.id))
        })

      const service: ActivityService = {
        startedAtMs,
        connectionOpened: (id, control) =>
          Ref.update(state, (s) => ({
            ...s,
            counters: { ...s.counters, connectionsReceived: s.counters.connectionsReceived + 1 },
            connections: HashMap.set(s.connections, id, control)
          })),
        connectionClosed: (id) =>
          updateConnections((s) => ({
            ...s,
            connections: HashMap.remove(s.connections, id),
            monitors: HashMap.remove(s.monitors, id)
          })),
        connectionRejected: Ref.update(state, (s) => ({
          ...s,
          counters: { ...s.counters, rejectedConnections: s.counters.rejectedConnections + 1 }
        })),
        watching: () => ({ monitoring, slowerThanMicros: liveConfig.current().slowlogLogSlowerThan }),
        countCommands: (commands) => {
          commandsProcessed += commands
        },
        statistics,
        recordRuns,
        counters: Effect.map(Ref.get(state), (s) => ({ ...s.counters, commandsProcessed })),
        opsPerSecond: Effect.map(Ref.get(state), (s) => opsPerSecond(s.ops)),
        resetCounters: Effect.zipRight(
          Effect.sync(() => {
            commandsProcessed = 0
            resetCommandStatistics(statistics)
          }),
          Ref.update(state, (s) => ({ ...s, counters: emptyCounters, ops: { ...s.ops, lastCommands: 0 } }))
        ),
        slowlog: Effect.map(Ref.get(state), (s) => s.slowlog),
        resetSlowlog: Ref.update(state, (s) => ({ ...s, slowlog: [] })),
        startMonitor: (id) =>
          updateConnections((s) => {
            const control = Option.getOrUndefined(HashMap.get(s.connections, id))
            return control === undefined ? s : { ...s, monitors: HashMap.set(s.monitors, id, control) }
          }),
        control: (id) => Effect.map(Ref.get(state), (s) => Option.getOrUndefined(HashMap.get(s.connections, id)))
      }
      return service
    })
  )
}

/** The live settings and the activity record of a server started with `config`: both services. */
export const serverStateLayer = (config: ServerConfig): Layer.Layer<Activity | LiveConfig> =>
  Activity.layer.pipe(Layer.provideMerge(LiveConfig.layer(config)))

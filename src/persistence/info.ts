/**
 * INFO's "# Persistence" section, field by field as Redis 7.0's genRedisInfoString
 * (the fork and copy-on-write figures are 0: effect-kv never forks).
 */
import { Clock, Effect } from "effect"
import { Store } from "../store/Store.js"
import { AppendOnly } from "./aof/AppendOnly.js"
import { Snapshots } from "./Snapshots.js"

const seconds = (ms: number | undefined): number => (ms === undefined ? -1 : Math.floor(ms / 1000))

/** The persistence section's fields, in Redis's order. */
export const persistenceInfo: Effect.Effect<ReadonlyArray<readonly [string, string | number]>, never, Store | Snapshots | AppendOnly> =
  Effect.gen(function*() {
    const store = yield* Store
    const rdb = yield* Effect.flatMap(Snapshots, (snapshots) => snapshots.status)
    const aof = yield* Effect.flatMap(AppendOnly, (appendOnly) => appendOnly.status)
    const nowMs = yield* Clock.currentTimeMillis
    const bgsaveRunning = rdb.backgroundSaveStartedAt !== undefined
    return [
      ["loading", 0],
      ["async_loading", 0],
      ["current_cow_peak", 0],
      ["current_cow_size", 0],
      ["current_cow_size_age", 0],
      ["current_fork_perc", "0.00"],
      ["current_save_keys_processed", 0],
      ["current_save_keys_total", 0],
      ["rdb_changes_since_last_save", yield* store.dirty],
      ["rdb_bgsave_in_progress", bgsaveRunning ? 1 : 0],
      ["rdb_last_save_time", seconds(rdb.lastSaveAt)],
      ["rdb_last_bgsave_status", rdb.lastBackgroundSaveOk ? "ok" : "err"],
      ["rdb_last_bgsave_time_sec", seconds(rdb.lastBackgroundSaveDurationMs)],
      ["rdb_current_bgsave_time_sec", bgsaveRunning ? seconds(nowMs - (rdb.backgroundSaveStartedAt ?? nowMs)) : -1],
      ["rdb_saves", rdb.saves],
      ["rdb_last_cow_size", 0],
      ["rdb_last_load_keys_expired", 0],
      ["rdb_last_load_keys_loaded", 0],
      ["aof_enabled", aof.enabled ? 1 : 0],
      ["aof_rewrite_in_progress", aof.rewriteInProgress ? 1 : 0],
      ["aof_rewrite_scheduled", 0],
      ["aof_last_rewrite_time_sec", seconds(aof.lastRewriteDurationMs)],
      ["aof_current_rewrite_time_sec", -1],
      ["aof_last_bgrewrite_status", aof.lastRewriteOk ? "ok" : "err"],
      ["aof_rewrites", aof.rewrites],
      ["aof_rewrites_consecutive_failures", 0],
      ["aof_last_write_status", aof.lastWriteError === undefined ? "ok" : "err"],
      ["aof_last_cow_size", 0],
      ["module_fork_in_progress", 0],
      ["module_fork_last_cow_size", 0]
    ]
  })

/**
 * A clock whose time stands still at `ms`: a write command runs under one at
 * the time its log line records (live, as Redis's command time snapshot; and
 * again at replay), so the expiry it sets and the one the AOF holds agree to
 * the millisecond.
 */
import { Clock, type Duration, Effect } from "effect"

export const clockAt = (ms: number, sleep: (duration: Duration.Duration) => Effect.Effect<void>): Clock.Clock => ({
  [Clock.ClockTypeId]: Clock.ClockTypeId,
  unsafeCurrentTimeMillis: () => ms,
  currentTimeMillis: Effect.succeed(ms),
  unsafeCurrentTimeNanos: () => BigInt(ms) * 1_000_000n,
  currentTimeNanos: Effect.succeed(BigInt(ms) * 1_000_000n),
  sleep
})

/**
 * Which key to evict under a maxmemory policy (evict.c, approximated): a few
 * keys are sampled at random from a database (`maxmemory-samples`; from its
 * volatile keys alone for the `volatile-*` policies, as Redis samples
 * db->expires), and the policy picks among them: the least recently used
 * (`*-lru`; the `*-lfu` policies are treated as LRU), the nearest expiry
 * (`volatile-ttl`), or the first (`*-random`). Pure functions; the caller
 * supplies the randomness and the access times.
 */
import type { ByteString } from "../resp/values.js"
import type { MaxmemoryPolicy } from "../config/config.js"
import * as Database from "./database.js"
import { type Entry, expiresAtOf } from "./entry.js"

/** Redis's maxmemory-samples default. */
export const evictionSamples = 5

/**
 * Up to `count` entries of `database` (its volatile ones alone with `volatileOnly`):
 * all of them when there are no more than `count`, else `count` picked at
 * random (`randomIndex(n)` in [0, n)), each in O(log n).
 */
export const sampleEntries = (
  database: Database.Database,
  count: number,
  volatileOnly: boolean,
  randomIndex: (n: number) => number
): ReadonlyArray<readonly [ByteString, Entry]> => {
  const size = volatileOnly ? Database.volatileSize(database) : Database.size(database)
  const sample: Array<readonly [ByteString, Entry]> = []
  for (let i = 0; i < Math.min(size, count); i++) {
    const index = size <= count ? i : randomIndex(size)
    const picked = volatileOnly ? volatileEntryAt(database, index) : Database.entryAt(database, index)
    if (picked !== undefined) sample.push(picked)
  }
  return sample
}

const volatileEntryAt = (database: Database.Database, index: number): readonly [ByteString, Entry] | undefined => {
  const picked = Database.volatileAt(database, index)
  return picked === undefined ? undefined : [picked.key, picked]
}

const isVolatilePolicy = (policy: MaxmemoryPolicy): boolean => policy.startsWith("volatile-")

/**
 * The key `policy` evicts from `database`, if any. `randomIndex(n)` is in
 * [0, n); `accessedAt` gives a key's last access time (0 when unknown: oldest).
 */
export const chooseVictim = (
  policy: MaxmemoryPolicy,
  database: Database.Database,
  randomIndex: (n: number) => number,
  accessedAt: (key: ByteString) => number
): ByteString | undefined => {
  if (policy === "noeviction") return undefined
  const sample = sampleEntries(database, evictionSamples, isVolatilePolicy(policy), randomIndex)
  if (sample.length === 0) return undefined
  if (policy.endsWith("-random")) return sample[0][0]
  const score = policy === "volatile-ttl"
    ? ([, entry]: readonly [ByteString, Entry]) => expiresAtOf(entry) ?? Number.POSITIVE_INFINITY
    : ([key]: readonly [ByteString, Entry]) => accessedAt(key)
  let best = sample[0]
  for (const candidate of sample) if (score(candidate) < score(best)) best = candidate
  return best[0]
}

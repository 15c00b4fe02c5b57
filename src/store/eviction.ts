/**
 * Which key to evict under a maxmemory policy (evict.c, approximated):
 * a few keys are sampled from a database, from a random place in its hash
 * order, and the policy picks among them: the least recently used (`*-lru`;
 * the `*-lfu` policies are treated as LRU), the nearest expiry
 * (`volatile-ttl`), or the first (`*-random`). `volatile-*` policies sample
 * only keys with a TTL. Pure functions; the caller supplies the randomness
 * and the access times.
 */
import { HashMap } from "effect"
import type { ByteString } from "../resp/values.js"
import type { MaxmemoryPolicy } from "../config/config.js"
import { type Entry, expiresAtOf, isVolatile, type Keyspace } from "./entry.js"

/** Redis's maxmemory-samples default. */
export const evictionSamples = 5
/** How far into the hash order sampling may start (bounds the walk). */
export const maxSampleOffset = 64
/** How many entries a volatile-only sample may walk past looking for keys with a TTL. */
export const maxVolatileWalk = 1024

/** Up to `count` entries of `keyspace`, skipping `offset` eligible ones first (wrapping around). */
export const sampleEntries = (
  keyspace: Keyspace,
  offset: number,
  count: number,
  volatileOnly: boolean
): ReadonlyArray<readonly [ByteString, Entry]> => {
  const eligible: Array<readonly [ByteString, Entry]> = []
  let walked = 0
  for (const [key, entry] of keyspace) {
    if (eligible.length >= offset + count || walked >= maxVolatileWalk + offset) break
    walked++
    if (!volatileOnly || isVolatile(entry)) eligible.push([key, entry])
  }
  if (eligible.length <= count) return eligible
  const start = offset % (eligible.length - count + 1)
  return eligible.slice(start, start + count)
}

const isVolatilePolicy = (policy: MaxmemoryPolicy): boolean => policy.startsWith("volatile-")

/**
 * The key `policy` evicts from `keyspace`, if any. `random` is in [0, 1);
 * `accessedAt` gives a key's last access time (0 when unknown: oldest).
 */
export const chooseVictim = (
  policy: MaxmemoryPolicy,
  keyspace: Keyspace,
  random: number,
  accessedAt: (key: ByteString) => number
): ByteString | undefined => {
  if (policy === "noeviction" || HashMap.size(keyspace) === 0) return undefined
  const offset = Math.floor(random * Math.min(HashMap.size(keyspace), maxSampleOffset))
  const sample = sampleEntries(keyspace, offset, evictionSamples, isVolatilePolicy(policy))
  if (sample.length === 0) return undefined
  if (policy.endsWith("-random")) return sample[0][0]
  const score = policy === "volatile-ttl"
    ? ([, entry]: readonly [ByteString, Entry]) => expiresAtOf(entry) ?? Number.POSITIVE_INFINITY
    : ([key]: readonly [ByteString, Entry]) => accessedAt(key)
  let best = sample[0]
  for (const candidate of sample) if (score(candidate) < score(best)) best = candidate
  return best[0]
}

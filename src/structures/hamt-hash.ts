/**
 * The string hash of the persistent map (`hamt.ts`): MurmurHash3's 32-bit x86 variant over a byte
 * string (a latin1 JS string, one char per byte), four chars per block.
 *
 * The seed is random per process, as Redis seeds its dict hash (`server.c` main:
 * `getRandomBytes(hashseed)`, then `dictSetHashFunctionSeed`), so a client cannot choose keys that
 * collide on every server. Murmur3 is not a keyed PRF like Redis's siphash (there are known seed-independent
 * multicollisions), but siphash in JS costs several times more per key; a flood of full-hash collisions
 * degrades to linear collision nodes, it does not break correctness.
 *
 * `EFFECT_KV_HASH_SEED` (a decimal uint32) fixes the seed, for tests and reproducible benchmarks.
 * Chars above 0xff are mixed in too (they overlap the next char's bits): the hash stays deterministic,
 * so the map stays correct for any JS string, only the spread is tuned for bytes.
 */
import { randomBytes } from "node:crypto"

const seedFromEnvironment = (): number => {
  const text = process.env["EFFECT_KV_HASH_SEED"]
  if (text !== undefined && /^[0-9]{1,10}$/.test(text) && Number(text) <= 0xffffffff) return Number(text) | 0
  return randomBytes(4).readInt32LE(0)
}

/** This process's seed (an int32). */
export const hashSeed: number = seedFromEnvironment()

const C1 = 0xcc9e2d51
const C2 = 0x1b873593

/** Murmur3's per-block scramble. */
const scramble = (block: number): number => {
  const k = Math.imul(block, C1)
  return Math.imul((k << 15) | (k >>> 17), C2)
}

/** The 32-bit hash (an unsigned integer) of `key` under `seed`. */
export const hashWithSeed = (key: string, seed: number): number => {
  let h = seed | 0
  const length = key.length
  const blocksEnd = length & ~3
  let i = 0
  for (; i < blocksEnd; i += 4) {
    const block = key.charCodeAt(i) | (key.charCodeAt(i + 1) << 8) | (key.charCodeAt(i + 2) << 16) |
      (key.charCodeAt(i + 3) << 24)
    h ^= scramble(block)
    h = (h << 13) | (h >>> 19)
    h = (Math.imul(h, 5) + 0xe6546b64) | 0
  }
  const rest = length & 3
  if (rest !== 0) {
    let tail = key.charCodeAt(i)
    if (rest >= 2) tail |= key.charCodeAt(i + 1) << 8
    if (rest === 3) tail |= key.charCodeAt(i + 2) << 16
    h ^= scramble(tail)
  }
  h ^= length
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  h ^= h >>> 16
  return h >>> 0
}

/** The hash the map uses: `hashWithSeed` under this process's seed. */
export const hashKey = (key: string): number => hashWithSeed(key, hashSeed)

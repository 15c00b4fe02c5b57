/**
 * Redis's math.random (rand.c redisLrand48, and the math_random it patches
 * into Lua): a 48-bit linear congruential generator, so a script draws the
 * same numbers on every server. Its state lives as long as the engine (Redis 7.0
 * does not reseed it per script); it starts from rand48's default seed.
 */
const multiplier = 0x5deece66dn
const increment = 0xbn
const mask = (1n << 48n) - 1n
/** REDIS_LRAND48_MAX */
export const lrand48Max = 2147483647

export class Rand48 {
  private state = 0x1234abcd330en

  /** redisSrand48: the seed in the high 32 bits, 0x330E below. */
  seed(seed: number): void {
    this.state = ((BigInt(Math.trunc(seed)) & 0xffffffffn) << 16n) | 0x330en
  }

  /** redisLrand48: the next 31-bit value. */
  next(): number {
    this.state = (this.state * multiplier + increment) & mask
    return Number(this.state >> 17n)
  }

  /** `(lrand48() % REDIS_LRAND48_MAX) / REDIS_LRAND48_MAX`, in [0, 1). */
  unit(): number {
    return (this.next() % lrand48Max) / lrand48Max
  }
}

/**
 * One connection to redis-server and one to effect-kv (test/differential's
 * servers), for tests that send the same command to both and compare the
 * raw replies byte for byte; and Lua source for random values.
 */
import fc from "fast-check"
import { encodeCommand } from "../../src/resp/encoder.js"
import type { Command } from "../../src/resp/values.js"
import { connect, type ReplyConnection } from "../differential/connection.js"
import { fuzzSettings } from "../differential/run.js"
import { type Servers, startServers } from "../differential/servers.js"

export interface BothServers {
  /** The raw replies of redis-server and effect-kv to `command`. */
  readonly send: (...command: Command) => Promise<{ readonly redis: string; readonly effectKv: string }>
  readonly stop: () => Promise<void>
}

const replyTo = async (connection: ReplyConnection, command: Command): Promise<string> => {
  connection.send(encodeCommand(command))
  const [reply] = await connection.replies(1)
  return reply
}

export const openBothServers = async (): Promise<BothServers> => {
  const servers: Servers = await startServers()
  const [redis, effectKv] = await Promise.all([
    connect(servers.redisPort, "redis-server"),
    connect(servers.effectKvPort, "effect-kv")
  ])
  return {
    send: async (...command) => {
      const [redisReply, effectKvReply] = await Promise.all([replyTo(redis, command), replyTo(effectKv, command)])
      return { redis: redisReply, effectKv: effectKvReply }
    },
    stop: async () => {
      redis.close()
      effectKv.close()
      await servers.stop()
    }
  }
}

/** A Lua string literal for any bytes (decimal escapes). */
export const luaString = (bytes: string): string => {
  let out = "\""
  for (let i = 0; i < bytes.length; i++) {
    const code = bytes.charCodeAt(i)
    out += code >= 0x20 && code < 0x7f && code !== 0x22 && code !== 0x5c ? bytes[i] : `\\${String(code).padStart(3, "0")}`
  }
  return `${out}"`
}

/** A Lua expression for the double `n`, exactly (Infinity as 1/0, -0 kept). */
export const luaNumber = (n: number): string => {
  if (n === Infinity) return "(1/0)"
  if (n === -Infinity) return "(-1/0)"
  if (Object.is(n, -0)) return "(-0)"
  return `(${n.toString()})`
}

const byteString = (maxLength: number) =>
  fc.string({ unit: fc.integer({ min: 0, max: 255 }).map((c) => String.fromCharCode(c)), maxLength }).map(luaString)

/** Byte strings, short and at the str8 / str16 boundaries (as Lua expressions). */
const luaStringExpression: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: byteString(40) },
  { weight: 1, arbitrary: fc.constantFrom(31, 32, 255, 256, 65535, 65536).map((n) => `string.rep("x", ${n})`) }
)

/** Numbers at every MessagePack integer boundary, and doubles (float32-exact or not). */
export const interestingNumber: fc.Arbitrary<number> = fc.oneof(
  fc.integer({ min: -40, max: 140 }),
  fc.constantFrom(255, 256, -128, -129, 32767, -32768, -32769, 65535, 65536, 2 ** 31 - 1, -(2 ** 31), -(2 ** 31) - 1,
    2 ** 32 - 1, 2 ** 32, 2 ** 53, 2 ** 63, -(2 ** 63), 2 ** 64, 0.5, -0, Infinity, -Infinity, 1e300, 3.4028234663852886e38),
  fc.bigInt({ min: -(2n ** 64n), max: 2n ** 64n }).map(Number),
  fc.double({ noNaN: true }),
  fc.float({ noNaN: true }).map((f) => f)
)

const luaScalar: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: interestingNumber.map(luaNumber) },
  { weight: 3, arbitrary: luaStringExpression },
  { weight: 1, arbitrary: fc.constantFrom("true", "false") }
)

/**
 * Keys whose hash (and so `next` order) is the same in both VMs: numbers,
 * booleans, and strings under 32 bytes (Redis's Lua hashes a longer string
 * otherwise than the stock Lua 5.1 here, which samples its bytes: the order
 * of such keys differs).
 */
const luaKey: fc.Arbitrary<string> = fc.oneof(
  byteString(31),
  fc.integer({ min: -3, max: 40 }).map(String),
  interestingNumber.filter((n) => Number.isFinite(n)).map(luaNumber),
  fc.constantFrom("true", "false")
)

/** A Lua value expression: scalars, arrays (keys 1..n), maps, nested; no nil inside tables. */
export const luaValue: fc.Arbitrary<string> = fc.letrec<{ value: string }>((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    { weight: 4, arbitrary: luaScalar },
    { weight: 1, arbitrary: fc.array(tie("value"), { maxLength: 18 }).map((items) => `{${items.join(",")}}`) },
    { weight: 1, arbitrary: fc.array(fc.tuple(luaKey, tie("value")), { maxLength: 18 })
      .map((pairs) => `{${pairs.map(([k, v]) => `[${k}]=${v}`).join(",")}}`) }
  )
})).value

/** A table nested `depth` deep, with a scalar at the bottom (crosses LUACMSGPACK_MAX_NESTING). */
export const nestedValue: fc.Arbitrary<string> = fc.tuple(fc.integer({ min: 10, max: 20 }), fc.boolean(), luaScalar)
  .map(([depth, asMap, leaf]) => {
    let value = leaf
    for (let i = 0; i < depth; i++) value = asMap ? `{k=${value}}` : `{${value}}`
    return value
  })

/** The fast-check settings of a property (FUZZ_RUNS / FUZZ_SEED), logged so that a failure can be run again. */
export const fuzzRuns = (label: string, ciRuns: number): { readonly seed: number; readonly numRuns: number } => {
  const settings = fuzzSettings(ciRuns)
  console.log(`${label}: seed=${settings.seed} runs=${settings.numRuns}`)
  return settings
}

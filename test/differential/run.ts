/**
 * Sends one command sequence to redis-server and to effect-kv, each on a fresh
 * connection after FLUSHALL, and finds the first reply that differs.
 */
import fc from "fast-check"
import { encodeCommand } from "../../src/resp/encoder.js"
import type { Command, ProtocolVersion } from "../../src/resp/values.js"
import { redisCliScript, sameReply, showReply } from "./compare.js"
import { connect, type ReplyConnection } from "./connection.js"
import type { Servers } from "./servers.js"

export interface RunMode {
  readonly protocol: ProtocolVersion
  /** Send the whole sequence in one write instead of command by command. */
  readonly pipelined: boolean
  /** How replies are compared; compare.ts's sameReply when not given. */
  readonly sameReply?: (command: Command, expected: string, actual: string) => boolean
}

export interface Mismatch {
  readonly index: number
  readonly command: Command
  readonly redis: string
  readonly effectKv: string
}

/** A fresh connection in the protocol asked for, on an empty server, in database 0. */
const openClean = async (port: number, name: string, protocol: ProtocolVersion): Promise<ReplyConnection> => {
  const connection = await connect(port, name)
  const setup: ReadonlyArray<Command> = [["FLUSHALL"], ["HELLO", String(protocol)]]
  connection.send(Buffer.concat(setup.map(encodeCommand)))
  await connection.replies(setup.length)
  return connection
}

const repliesTo = async (
  connection: ReplyConnection,
  commands: ReadonlyArray<Command>,
  pipelined: boolean
): Promise<ReadonlyArray<string>> => {
  if (pipelined) {
    connection.send(Buffer.concat(commands.map(encodeCommand)))
    return connection.replies(commands.length)
  }
  const replies: Array<string> = []
  for (const command of commands) {
    connection.send(encodeCommand(command))
    replies.push(...(await connection.replies(1)))
  }
  return replies
}

/** Runs `commands` on both servers; the first differing reply, or undefined when all agree. */
export const firstMismatch = async (
  servers: Servers,
  commands: ReadonlyArray<Command>,
  mode: RunMode
): Promise<Mismatch | undefined> => {
  const [redis, effectKv] = await Promise.all([
    openClean(servers.redisPort, "redis-server", mode.protocol),
    openClean(servers.effectKvPort, "effect-kv", mode.protocol)
  ])
  try {
    // Sequential mode still sends each command to both servers at once, so TTLs agree closely.
    const [expected, actual] = mode.pipelined
      ? await Promise.all([repliesTo(redis, commands, true), repliesTo(effectKv, commands, true)])
      : await sequentially(redis, effectKv, commands)
    const same = mode.sameReply ?? sameReply
    const index = commands.findIndex((command, i) => !same(command, expected[i], actual[i]))
    return index === -1 ? undefined : { index, command: commands[index], redis: expected[index], effectKv: actual[index] }
  } finally {
    redis.close()
    effectKv.close()
  }
}

const sequentially = async (
  redis: ReplyConnection,
  effectKv: ReplyConnection,
  commands: ReadonlyArray<Command>
): Promise<readonly [ReadonlyArray<string>, ReadonlyArray<string>]> => {
  const expected: Array<string> = []
  const actual: Array<string> = []
  for (const command of commands) {
    const [a, b] = await Promise.all([repliesTo(redis, [command], false), repliesTo(effectKv, [command], false)])
    expected.push(...a)
    actual.push(...b)
  }
  return [expected, actual]
}

/** What a failure prints: the mode, the shrunk sequence as a redis-cli script, and the differing reply. */
export const describeFailure = (
  commands: ReadonlyArray<Command>,
  mismatch: Mismatch,
  mode: RunMode
): string =>
  [
    `effect-kv and redis-server differ (RESP${mode.protocol}${mode.pipelined ? ", pipelined" : ""}) ` +
    `at command ${mismatch.index + 1} of this sequence (redis-cli script${mode.protocol === 3 ? ", after HELLO 3" : ""}):`,
    "",
    redisCliScript(mode.protocol === 3 ? [["HELLO", "3"], ...commands] : commands),
    "",
    `command:   ${redisCliScript([mismatch.command])}`,
    `redis:     ${showReply(mismatch.redis)}`,
    `effect-kv: ${showReply(mismatch.effectKv)}`
  ].join("\n")

/** Seed and run count: FUZZ_SEED / FUZZ_RUNS when set, else a fresh seed and `defaultRuns`. */
export const fuzzSettings = (defaultRuns: number): { readonly seed: number; readonly numRuns: number } => {
  const seed = process.env.FUZZ_SEED === undefined ? Date.now() ^ (Math.random() * 0x7fffffff) : Number(process.env.FUZZ_SEED)
  const numRuns = process.env.FUZZ_RUNS === undefined ? defaultRuns : Number(process.env.FUZZ_RUNS)
  return { seed, numRuns }
}

/** The failure report for a sequence whose run threw (a timeout, a closed connection). */
const describeBrokenRun = (commands: ReadonlyArray<Command>, cause: unknown, mode: RunMode): string =>
  [
    `the run broke (RESP${mode.protocol}${mode.pipelined ? ", pipelined" : ""}): ${String(cause)}; redis-cli script:`,
    "",
    redisCliScript(mode.protocol === 3 ? [["HELLO", "3"], ...commands] : commands)
  ].join("\n")

/**
 * Checks that every sequence `sequences` generates gets the same replies from
 * both servers. Logs `seed=...`; on failure throws the shrunk sequence as a
 * redis-cli script.
 */
export const assertSameReplies = async (
  servers: Servers,
  sequences: fc.Arbitrary<ReadonlyArray<Command>>,
  mode: RunMode,
  defaultRuns: number
): Promise<void> => {
  const { numRuns, seed } = fuzzSettings(defaultRuns)
  console.log(`differential RESP${mode.protocol}${mode.pipelined ? " pipelined" : ""}: seed=${seed} runs=${numRuns}`)
  const reports: Array<string> = []
  const result = await fc.check(
    fc.asyncProperty(sequences, async (commands) => {
      const report = await failureReport(servers, commands, mode)
      if (report !== undefined) reports.push(report)
      return report === undefined
    }),
    { seed, numRuns }
  )
  if (!result.failed || result.counterexample === null) return
  const minimal = await minimalFailureReport(servers, result.counterexample[0], mode)
  const report = minimal ?? `${reports.at(-1) ?? String(result.errorInstance)}\n\n(did not fail again when re-run: timing-dependent)`
  const reproduce = `FUZZ_SEED=${seed} FUZZ_RUNS=${numRuns} npx vitest run test/differential`
  throw new Error(`${report}\n\nseed=${seed}; reproduce: ${reproduce}`)
}

/** The failure report for `commands`, or undefined when both servers agree. */
const failureReport = (servers: Servers, commands: ReadonlyArray<Command>, mode: RunMode): Promise<string | undefined> =>
  firstMismatch(servers, commands, mode).then(
    (mismatch) => (mismatch === undefined ? undefined : describeFailure(commands, mismatch, mode)),
    (cause: unknown) => describeBrokenRun(commands, cause, mode)
  )

/**
 * fast-check's shrinking can leave commands that do not matter (it shrinks
 * arrays from the front); this drops each command whose removal keeps the
 * sequence failing, so the printed script is 1-minimal; its report.
 */
const minimalFailureReport = async (
  servers: Servers,
  shrunk: ReadonlyArray<Command>,
  mode: RunMode
): Promise<string | undefined> => {
  let commands = shrunk
  let report = await failureReport(servers, commands, mode)
  for (let i = commands.length - 1; i >= 0 && commands.length > 1; i--) {
    const candidate = [...commands.slice(0, i), ...commands.slice(i + 1)]
    const candidateReport = await failureReport(servers, candidate, mode)
    if (candidateReport !== undefined) [commands, report] = [candidate, candidateReport]
  }
  return report
}

/**
 * Differential tests of transactions: random MULTI ... EXEC / DISCARD blocks
 * (queue-time errors: unknown commands, wrong arity, SAVE, nested MULTI,
 * WATCH inside MULTI; run-time errors: WRONGTYPE, bad numbers) and WATCH
 * races (a second connection writes, flushes or swaps databases between
 * WATCH and EXEC), sent to effect-kv and to a real redis-server on two
 * connections each, replies compared byte for byte (compare.ts's sameReply;
 * the commands queued have deterministic replies). RESP2 and RESP3.
 * FUZZ_RUNS / FUZZ_SEED as in differential.test.ts.
 */
import fc from "fast-check"
import { afterAll, beforeAll, describe, it } from "vitest"
import { encodeCommand } from "../../src/resp/encoder.js"
import type { ProtocolVersion } from "../../src/resp/values.js"
import { type TransactionStep, transactionScenario } from "../../src/testing/transaction-commands.js"
import { redisCliScript, sameReply, showReply } from "./compare.js"
import { connect, type ReplyConnection } from "./connection.js"
import { fuzzSettings } from "./run.js"
import { type Servers, startServers } from "./servers.js"

let servers: Servers

beforeAll(async () => {
  servers = await startServers()
})

afterAll(async () => {
  await servers?.stop()
})

/** Two fresh connections in `protocol`, the server flushed first. */
const openPair = async (port: number, protocol: ProtocolVersion): Promise<readonly [ReplyConnection, ReplyConnection]> => {
  const pair = [await connect(port, "main"), await connect(port, "other")] as const
  pair[0].send(encodeCommand(["FLUSHALL"]))
  await pair[0].replies(1)
  for (const connection of pair) {
    connection.send(encodeCommand(["HELLO", String(protocol)]))
    await connection.replies(1)
  }
  return pair
}

/** Each step's reply on one server, step by step. */
const run = async (port: number, steps: ReadonlyArray<TransactionStep>, protocol: ProtocolVersion) => {
  const pair = await openPair(port, protocol)
  try {
    const replies: Array<string> = []
    for (const { command, connection } of steps) {
      pair[connection].send(encodeCommand(command))
      replies.push(...(await pair[connection].replies(1)))
    }
    return replies
  } finally {
    pair.forEach((connection) => connection.close())
  }
}

/** The steps as a script: `[other]` marks the second connection's commands. */
const script = (steps: ReadonlyArray<TransactionStep>): string =>
  steps.map(({ command, connection }) => `${connection === 1 ? "[other] " : ""}${redisCliScript([command])}`).join("\n")

/** Why the two servers' replies to `steps` differ, or undefined when they agree. */
const difference = async (steps: ReadonlyArray<TransactionStep>, protocol: ProtocolVersion) => {
  const [expected, actual] = await Promise.all([
    run(servers.redisPort, steps, protocol),
    run(servers.effectKvPort, steps, protocol)
  ])
  const index = steps.findIndex((step, i) => !sameReply(step.command, expected[i], actual[i]))
  if (index === -1) return undefined
  return [
    `effect-kv and redis-server differ (RESP${protocol}) at step ${index + 1}:`,
    script(steps),
    `step:      ${script([steps[index]])}`,
    `redis:     ${showReply(expected[index])}`,
    `effect-kv: ${showReply(actual[index])}`
  ].join("\n")
}

const check = async (protocol: ProtocolVersion, defaultRuns: number): Promise<void> => {
  const { numRuns, seed } = fuzzSettings(defaultRuns)
  console.log(`transactions RESP${protocol}: seed=${seed} runs=${numRuns}`)
  let report: string | undefined
  const result = await fc.check(
    fc.asyncProperty(transactionScenario(), async (steps) => {
      report = await difference(steps, protocol)
      return report === undefined
    }),
    { seed, numRuns }
  )
  if (!result.failed) return
  const shrunk: ReadonlyArray<TransactionStep> | undefined = result.counterexample?.[0]
  const final = shrunk === undefined ? report : (await difference(shrunk, protocol)) ?? report
  throw new Error(`${final}\n\nseed=${seed}; reproduce: FUZZ_SEED=${seed} FUZZ_RUNS=${numRuns} npx vitest run test/differential/transactions.test.ts`)
}

const ciRuns = 60
const timeoutMs = 60_000 + fuzzSettings(ciRuns).numRuns * 500

describe("transactions and WATCH races answer as redis-server does", () => {
  it("RESP2", () => check(2, ciRuns), timeoutMs)
  it("RESP3", () => check(3, ciRuns / 2), timeoutMs)
})


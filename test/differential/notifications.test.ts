/**
 * Keyspace notifications, differential: random write sequences of every
 * family (src/testing/notification-commands.ts) under a random
 * `notify-keyspace-events`, sent command by command to effect-kv and to a
 * real redis-server, while a subscriber on each (PSUBSCRIBE `__key*@*__:*`)
 * records what it is told. The two notification streams must be equal byte
 * for byte: channels, messages and their order. A final PUBLISH on a channel
 * the subscriber also listens to marks the end of a sequence's stream.
 *
 * FUZZ_RUNS / FUZZ_SEED as in differential.test.ts.
 */
import fc from "fast-check"
import { afterAll, beforeAll, describe, it } from "vitest"
import { encodeCommand } from "../../src/resp/encoder.js"
import type { ByteString, Command } from "../../src/resp/values.js"
import { notificationCommand, notifyKeyspaceEventsSetting } from "../../src/testing/notification-commands.js"
import { redisCliScript } from "./compare.js"
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

const ciRuns = 60
const timeoutMs = 60_000 + fuzzSettings(ciRuns).numRuns * 500
const endChannel = "notifications-end"

/** A pmessage frame as `channel message`, for the failure report. */
const shown = (frame: string): string => {
  const parts = frame.split("\r\n")
  return `${parts[6]} ${JSON.stringify(parts[8])}`
}

/** The frames `subscriber` receives up to the end marker (not included). */
const framesUntilEnd = async (subscriber: ReplyConnection): Promise<ReadonlyArray<string>> => {
  const frames: Array<string> = []
  for (;;) {
    const [frame] = await subscriber.replies(1)
    if (frame.includes(endChannel)) return frames
    frames.push(frame)
  }
}

/** Runs `commands` on one server under `setting`; the notification frames its subscriber got. */
const notificationsOf = async (port: number, name: string, setting: ByteString, commands: ReadonlyArray<Command>) => {
  const [writer, subscriber] = await Promise.all([connect(port, name), connect(port, `${name} subscriber`)])
  try {
    const setup: ReadonlyArray<Command> = [["FLUSHALL"], ["CONFIG", "SET", "notify-keyspace-events", setting]]
    writer.send(Buffer.concat(setup.map(encodeCommand)))
    await writer.replies(setup.length)
    subscriber.send(Buffer.concat([encodeCommand(["PSUBSCRIBE", "__key*@*__:*"]), encodeCommand(["SUBSCRIBE", endChannel])]))
    await subscriber.replies(2)
    for (const command of commands) {
      writer.send(encodeCommand(command))
      await writer.replies(1)
    }
    writer.send(encodeCommand(["PUBLISH", endChannel, "end"]))
    await writer.replies(1)
    return await framesUntilEnd(subscriber)
  } finally {
    writer.close()
    subscriber.close()
  }
}

const sequences = fc.tuple(notifyKeyspaceEventsSetting, fc.array(notificationCommand, { minLength: 1, maxLength: 30 }))

describe("keyspace notifications: effect-kv publishes what redis-server publishes", () => {
  it("random write sequences, every class setting", async () => {
    const { numRuns, seed } = fuzzSettings(ciRuns)
    await fc.assert(
      fc.asyncProperty(sequences, async ([setting, commands]) => {
        const [expected, actual] = await Promise.all([
          notificationsOf(servers.redisPort, "redis-server", setting, commands),
          notificationsOf(servers.effectKvPort, "effect-kv", setting, commands)
        ])
        const index = expected.findIndex((frame, i) => frame !== actual[i])
        if (index === -1 && expected.length === actual.length) return
        const at = index === -1 ? expected.length : index
        throw new Error([
          `notify-keyspace-events ${setting}: the streams differ at notification ${at + 1}; redis-cli script:`,
          "",
          redisCliScript(commands),
          "",
          `redis:     ${expected.slice(Math.max(0, at - 2), at + 4).map(shown).join(" | ")}`,
          `effect-kv: ${actual.slice(Math.max(0, at - 2), at + 4).map(shown).join(" | ")}`
        ].join("\n"))
      }),
      { numRuns, seed, endOnFailure: true }
    )
  }, timeoutMs)
})

/**
 * XREAD BLOCK and the stream keyspace events against effect-kv and
 * redis-server 7.0.15 alike: the same script of clients runs on both and the
 * transcripts must be equal. A blocked XREAD is served by an XADD past its ID
 * (`$`: the last ID when it blocked), that stream alone and at most COUNT
 * entries; an XADD at or below its ID leaves it blocked; BLOCK times out with
 * a null array, and answers at once inside MULTI. XADD raises `xadd` (then
 * `xtrim` when its trim removed entries), XTRIM `xtrim`, XSETID `xsetid`.
 */
import { Redis } from "ioredis"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type Servers, startServers } from "../differential/servers.js"

let servers: Servers

beforeAll(async () => {
  servers = await startServers()
})

afterAll(async () => {
  await servers?.stop()
})

/** Runs `script` with two fresh clients on `port` (the database flushed first); its transcript. */
const transcript = async (
  port: number,
  script: (reader: Redis, writer: Redis, log: Array<unknown>) => Promise<void>
): Promise<Array<unknown>> => {
  const reader = new Redis({ port, host: "127.0.0.1" })
  const writer = new Redis({ port, host: "127.0.0.1" })
  const log: Array<unknown> = []
  try {
    await writer.flushall()
    await script(reader, writer, log)
    return log
  } finally {
    reader.disconnect()
    writer.disconnect()
  }
}

/** Resolves once the server counts `count` blocked clients. */
const blockedClients = async (client: Redis, count: number): Promise<void> => {
  for (let attempt = 0; attempt < 200; attempt++) {
    const info = await client.info("clients")
    if (info.includes(`blocked_clients:${count}\r`)) return
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
  throw new Error(`never saw ${count} blocked clients`)
}

const onBoth = async (script: (reader: Redis, writer: Redis, log: Array<unknown>) => Promise<void>) => {
  const redis = await transcript(servers.redisPort, script)
  const effectKv = await transcript(servers.effectKvPort, script)
  expect(effectKv).toEqual(redis)
  return effectKv
}

describe("XREAD BLOCK on effect-kv and redis-server alike", () => {
  it("an XADD past the ID serves the blocked reader, that stream alone, COUNT entries at most", async () => {
    const log = await onBoth(async (reader, writer, log) => {
      const waiting = reader.call("XREAD", "BLOCK", "0", "STREAMS", "s", "$")
      await blockedClients(writer, 1)
      log.push(await writer.call("XADD", "s", "1-1", "a", "1"))
      log.push(await waiting)

      const both = reader.call("XREAD", "COUNT", "1", "BLOCK", "0", "STREAMS", "s", "t", "$", "$")
      await blockedClients(writer, 1)
      log.push(await writer.call("XADD", "t", "5-1", "x", "y"))
      log.push(await both)

      const above = reader.call("XREAD", "BLOCK", "0", "STREAMS", "s", "100-0")
      await blockedClients(writer, 1)
      log.push(await writer.call("XADD", "s", "50-0", "b", "2"))
      log.push(await writer.info("clients").then((info) => info.includes("blocked_clients:1\r")))
      log.push(await writer.call("XADD", "s", "101-0", "c", "3"))
      log.push(await above)
    })
    expect(log[1]).toEqual([["s", [["1-1", ["a", "1"]]]]])
  })

  it("BLOCK times out with a null array, answers at once inside MULTI, and reads history without waiting", async () => {
    const log = await onBoth(async (reader, writer, log) => {
      log.push(await reader.call("XREAD", "BLOCK", "20", "STREAMS", "s", "$"))
      await writer.call("XADD", "s", "1-1", "a", "1")
      log.push(await reader.call("XREAD", "BLOCK", "0", "STREAMS", "s", "0"))
      log.push(await reader.multi().call("XREAD", "BLOCK", "0", "STREAMS", "s", "$").exec())
      log.push(await reader.call("XREAD", "STREAMS", "s", "$"))
    })
    expect(log[0]).toBeNull()
  })

  it("raises xadd, xtrim and xsetid keyspace events as Redis does", async () => {
    const log = await onBoth(async (reader, writer, log) => {
      await writer.config("SET", "notify-keyspace-events", "KEA")
      const received = new Promise<void>((resolve) =>
        reader.on("pmessage", (_pattern: string, channel: string, message: string) => {
          log.push(`${channel} ${message}`)
          if (channel.endsWith(":done")) resolve()
        })
      )
      await reader.psubscribe("__keyspace@0__:*")
      await writer.call("XADD", "s", "1-1", "a", "1")
      await writer.call("XADD", "s", "MAXLEN", "1", "2-1", "a", "2")
      await writer.call("XADD", "s", "MAXLEN", "~", "1", "3-1", "a", "3")
      await writer.call("XTRIM", "s", "MAXLEN", "0")
      await writer.call("XTRIM", "s", "MAXLEN", "0")
      await writer.call("XSETID", "s", "9-9")
      await writer.call("XADD", "missing", "NOMKSTREAM", "1-1", "a", "1")
      await writer.set("done", "1")
      await received
      await writer.config("SET", "notify-keyspace-events", "")
    })
    expect(log).toEqual(expect.arrayContaining(["__keyspace@0__:s xadd", "__keyspace@0__:s xtrim", "__keyspace@0__:s xsetid"]))
  })
})

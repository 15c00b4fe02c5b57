/**
 * Pub/sub over real sockets: exact bytes in RESP2 and RESP3, subscribed mode,
 * introspection, a client that leaves, a subscriber that stops reading, and
 * ioredis / node-redis subscribers.
 */
import { Redis } from "ioredis"
import * as Net from "node:net"
import { createClient } from "redis"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type RunningServer, startServer } from "../../src/index.js"
import { encodeCommand } from "../../src/resp/encoder.js"
import { connectRaw, type RawClient } from "./raw-client.js"
import { splitFrames } from "../differential/frames.js"

let server: RunningServer

beforeAll(async () => {
  server = await startServer({ port: 0 })
})

afterAll(async () => {
  await server.close()
})

const command = (...args: ReadonlyArray<string>): Buffer => encodeCommand(args)

/** Sends one command and reads exactly the bytes expected back. */
const exchange = async (client: RawClient, args: ReadonlyArray<string>, expected: string): Promise<void> => {
  client.send(command(...args))
  expect(await client.read(expected.length)).toBe(expected)
}

const confirm = (action: string, name: string | undefined, count: number, push = "*"): string =>
  `${push}3\r\n$${action.length}\r\n${action}\r\n${name === undefined ? (push === ">" ? "_" : "$-1") : `$${name.length}\r\n${name}`}\r\n:${count}\r\n`

const message = (channel: string, text: string, push = "*"): string =>
  `${push}3\r\n$7\r\nmessage\r\n$${channel.length}\r\n${channel}\r\n$${text.length}\r\n${text}\r\n`

const pmessage = (pattern: string, channel: string, text: string, push = "*"): string =>
  `${push}4\r\n$8\r\npmessage\r\n$${pattern.length}\r\n${pattern}\r\n$${channel.length}\r\n${channel}\r\n$${text.length}\r\n${text}\r\n`

/** Reads whole replies until `count` arrived. */
const readReplies = async (client: RawClient, count: number): Promise<ReadonlyArray<string>> => {
  let received = ""
  for (;;) {
    received += await client.read(1)
    const { frames, rest } = splitFrames(received)
    if (frames.length >= count && rest === "") return frames
  }
}

/** Polls `check` until it holds (the server sees a closed socket a moment after the client closes it). */
const eventually = async (check: () => Promise<boolean>): Promise<void> => {
  for (let attempt = 0; attempt < 200; attempt++) {
    if (await check()) return
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
  throw new Error("condition never held")
}

describe("RESP2 subscribed mode, byte for byte", () => {
  it("confirms each channel with the running count, delivers message and pmessage, and allows only the pub/sub commands", async () => {
    const subscriber = await connectRaw(server.port)
    const publisher = await connectRaw(server.port)
    try {
      subscriber.send(command("SUBSCRIBE", "news", "sport"))
      expect(await subscriber.read(2 * confirm("subscribe", "news", 1).length + 1))
        .toBe(confirm("subscribe", "news", 1) + confirm("subscribe", "sport", 2))
      await exchange(subscriber, ["PSUBSCRIBE", "n*"], confirm("psubscribe", "n*", 3))
      await exchange(subscriber, ["SSUBSCRIBE", "shard"], confirm("ssubscribe", "shard", 1))

      await exchange(publisher, ["PUBLISH", "news", "hello"], ":2\r\n")
      const expected = message("news", "hello") + pmessage("n*", "news", "hello")
      expect(await subscriber.read(expected.length)).toBe(expected)
      await exchange(publisher, ["SPUBLISH", "shard", "s1"], ":1\r\n")
      expect(await subscriber.read(35)).toBe("*3\r\n$8\r\nsmessage\r\n$5\r\nshard\r\n$2\r\ns1\r\n")

      await exchange(subscriber, ["GET", "x"],
        "-ERR Can't execute 'get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context\r\n")
      await exchange(subscriber, ["CLIENT", "ID"],
        "-ERR Can't execute 'client|id': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context\r\n")
      await exchange(subscriber, ["PING"], "*2\r\n$4\r\npong\r\n$0\r\n\r\n")
      await exchange(subscriber, ["PING", "hi"], "*2\r\n$4\r\npong\r\n$2\r\nhi\r\n")
      await exchange(subscriber, ["NOSUCH"], "-ERR unknown command 'NOSUCH', with args beginning with: \r\n")

      await exchange(subscriber, ["UNSUBSCRIBE", "sport"], confirm("unsubscribe", "sport", 2))
      await exchange(subscriber, ["UNSUBSCRIBE"], confirm("unsubscribe", "news", 1))
      await exchange(subscriber, ["UNSUBSCRIBE"], confirm("unsubscribe", undefined, 1))
      await exchange(subscriber, ["PUNSUBSCRIBE", "n*", "other*"],
        confirm("punsubscribe", "n*", 0) + confirm("punsubscribe", "other*", 0))
      // Still subscribed to a shard channel: still in subscribed mode.
      await exchange(subscriber, ["GET", "x"],
        "-ERR Can't execute 'get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context\r\n")
      await exchange(subscriber, ["SUNSUBSCRIBE"], confirm("sunsubscribe", "shard", 0))
      await exchange(subscriber, ["GET", "x"], "$-1\r\n")
      await exchange(subscriber, ["PING"], "+PONG\r\n")
      await exchange(publisher, ["PUBLISH", "news", "nobody"], ":0\r\n")
    } finally {
      subscriber.close()
      publisher.close()
    }
  })

  it("answers a pipelined SUBSCRIBE and PING in order", async () => {
    const client = await connectRaw(server.port)
    try {
      const expected = confirm("subscribe", "p1", 1) + confirm("subscribe", "p2", 2) + "*2\r\n$4\r\npong\r\n$0\r\n\r\n"
      client.send(Buffer.concat([command("SUBSCRIBE", "p1", "p2"), command("PING")]))
      expect(await client.read(expected.length)).toBe(expected)
    } finally {
      client.close()
    }
  })
})

describe("RESP3 pushes", () => {
  it("sends confirmations and messages as pushes between ordinary replies, and runs any command", async () => {
    const client = await connectRaw(server.port)
    const publisher = await connectRaw(server.port)
    try {
      client.send(command("HELLO", "3"))
      await client.read(1)
      await new Promise((resolve) => setTimeout(resolve, 20))
      await exchange(client, ["SUBSCRIBE", "r3"], confirm("subscribe", "r3", 1, ">"))
      await exchange(client, ["GET", "r3:none"], "_\r\n")
      await exchange(client, ["PING"], "+PONG\r\n")
      // Publishing to itself: the push comes before PUBLISH's own reply.
      await exchange(client, ["PUBLISH", "r3", "self"], message("r3", "self", ">") + ":1\r\n")
      await exchange(publisher, ["PUBLISH", "r3", "other"], ":1\r\n")
      expect(await client.read(message("r3", "other", ">").length)).toBe(message("r3", "other", ">"))
      await exchange(client, ["UNSUBSCRIBE"], confirm("unsubscribe", "r3", 0, ">"))
      await exchange(client, ["UNSUBSCRIBE"], confirm("unsubscribe", undefined, 0, ">"))
    } finally {
      client.close()
      publisher.close()
    }
  })
})

describe("introspection", () => {
  it("PUBSUB CHANNELS / NUMSUB / NUMPAT / SHARDCHANNELS / SHARDNUMSUB, INFO and CLIENT LIST", async () => {
    const a = await connectRaw(server.port)
    const b = await connectRaw(server.port)
    const observer = await connectRaw(server.port)
    try {
      a.send(command("SUBSCRIBE", "intro:1", "intro:2"))
      await readReplies(a, 2)
      await exchange(b, ["SUBSCRIBE", "intro:1"], confirm("subscribe", "intro:1", 1))
      await exchange(b, ["PSUBSCRIBE", "intro:*"], confirm("psubscribe", "intro:*", 2))
      await exchange(b, ["SSUBSCRIBE", "intro:s"], confirm("ssubscribe", "intro:s", 1))

      observer.send(command("PUBSUB", "CHANNELS", "intro:*"))
      const [channels] = await readReplies(observer, 1)
      expect(channels.startsWith("*2\r\n")).toBe(true)
      expect(channels).toContain("$7\r\nintro:1\r\n")
      expect(channels).toContain("$7\r\nintro:2\r\n")
      await exchange(observer, ["PUBSUB", "NUMSUB", "intro:1", "intro:2", "intro:none"],
        "*6\r\n$7\r\nintro:1\r\n:2\r\n$7\r\nintro:2\r\n:1\r\n$10\r\nintro:none\r\n:0\r\n")
      await exchange(observer, ["PUBSUB", "NUMPAT"], ":1\r\n")
      await exchange(observer, ["PUBSUB", "SHARDCHANNELS"], "*1\r\n$7\r\nintro:s\r\n")
      await exchange(observer, ["PUBSUB", "SHARDNUMSUB", "intro:s"], "*2\r\n$7\r\nintro:s\r\n:1\r\n")
      await exchange(observer, ["PUBSUB", "CHANNELS", "a", "b"],
        "-ERR unknown subcommand or wrong number of arguments for 'CHANNELS'. Try PUBSUB HELP.\r\n")
      await exchange(observer, ["PUBLISH", "intro:1", "x"], ":3\r\n")

      observer.send(command("INFO", "stats"))
      const [info] = await readReplies(observer, 1)
      expect(info).toMatch(/pubsub_channels:2\r\npubsub_patterns:1\r\npubsubshard_channels:1\r\n/)

      observer.send(command("CLIENT", "LIST"))
      const [list] = await readReplies(observer, 1)
      expect(list).toMatch(/flags=P db=0 sub=1 psub=1 ssub=1 multi=-1/)
      expect(list).toMatch(/flags=P db=0 sub=2 psub=0 ssub=0 multi=-1/)

      // A client that disconnects leaves nothing behind.
      a.close()
      b.close()
      await eventually(async () => {
        observer.send(command("PUBSUB", "NUMPAT"))
        return (await observer.read(4)) === ":0\r\n"
      })
      await exchange(observer, ["PUBSUB", "CHANNELS"], "*0\r\n")
      await exchange(observer, ["PUBSUB", "SHARDCHANNELS"], "*0\r\n")
    } finally {
      a.close()
      b.close()
      observer.close()
    }
  })
})

describe("client-output-buffer-limit pubsub", () => {
  it("is shown and set by CONFIG GET / SET as Redis does", async () => {
    const client = await connectRaw(server.port)
    try {
      const line = "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60"
      await exchange(client, ["CONFIG", "GET", "client-output-buffer-limit"],
        `*2\r\n$26\r\nclient-output-buffer-limit\r\n$${line.length}\r\n${line}\r\n`)
      await exchange(client, ["CONFIG", "SET", "client-output-buffer-limit", "pubsub 1mb 512kb 10"], "+OK\r\n")
      const changed = "normal 0 0 0 slave 268435456 67108864 60 pubsub 1048576 524288 10"
      await exchange(client, ["CONFIG", "GET", "client-output-buffer-limit"],
        `*2\r\n$26\r\nclient-output-buffer-limit\r\n$${changed.length}\r\n${changed}\r\n`)
      await exchange(client, ["CONFIG", "SET", "client-output-buffer-limit", "pubsub 1mb 512kb"],
        "-ERR CONFIG SET failed (possibly related to argument 'client-output-buffer-limit') - Wrong number of arguments in buffer limit configuration.\r\n")
      await exchange(client, ["CONFIG", "SET", "client-output-buffer-limit", "foo 1 1 1"],
        "-ERR CONFIG SET failed (possibly related to argument 'client-output-buffer-limit') - Invalid client class specified in buffer limit configuration.\r\n")
      await exchange(client, ["CONFIG", "SET", "client-output-buffer-limit", "pubsub x 1 1"],
        "-ERR CONFIG SET failed (possibly related to argument 'client-output-buffer-limit') - Error in hard, soft or soft_seconds setting in buffer limit configuration.\r\n")
      await exchange(client, ["CONFIG", "SET", "client-output-buffer-limit", line], "+OK\r\n")
    } finally {
      client.close()
    }
  })

  it("cuts off a subscriber that stops reading, without slowing the publisher", async () => {
    const limited = await startServer({ port: 0 })
    const admin = await connectRaw(limited.port)
    // A subscriber that reads nothing after its confirmation: its socket is paused, with a small receive buffer.
    const stalled = Net.connect({ port: limited.port, host: "127.0.0.1" })
    const connected = new Promise<void>((resolve) => stalled.once("connect", () => resolve()))
    try {
      await exchange(admin, ["CONFIG", "SET", "client-output-buffer-limit", "pubsub 1mb 256kb 60"], "+OK\r\n")
      await connected
      const closed = new Promise<void>((resolve) => stalled.once("close", () => resolve()))
      stalled.on("error", () => undefined)
      stalled.write(command("SUBSCRIBE", "flood"))
      await new Promise<void>((resolve) => stalled.once("data", () => resolve()))
      stalled.pause()

      const publisher = await connectRaw(limited.port)
      const payload = "x".repeat(64 * 1024)
      // 8 MB of messages, far more than the kernel's socket buffers hold: the limit must cut the subscriber off.
      let delivered = 0
      for (let i = 0; i < 128; i++) {
        publisher.send(command("PUBLISH", "flood", payload))
        const [reply] = await readReplies(publisher, 1)
        delivered += Number(reply.slice(1, -2))
      }
      expect(delivered).toBeGreaterThan(0)
      expect(delivered).toBeLessThan(128)
      stalled.resume()
      await closed
      await exchange(publisher, ["PUBSUB", "NUMSUB", "flood"], "*2\r\n$5\r\nflood\r\n:0\r\n")
      publisher.close()
    } finally {
      stalled.destroy()
      admin.close()
      await limited.close()
    }
  })
})

describe("real clients", () => {
  it("ioredis subscribes and psubscribes", async () => {
    const subscriber = new Redis({ port: server.port, host: server.host })
    const publisher = new Redis({ port: server.port, host: server.host })
    try {
      const received: Array<ReadonlyArray<string>> = []
      const got = new Promise<void>((resolve) => {
        subscriber.on("message", (channel: string, text: string) => {
          received.push(["message", channel, text])
          if (received.length === 2) resolve()
        })
        subscriber.on("pmessage", (pattern: string, channel: string, text: string) => {
          received.push(["pmessage", pattern, channel, text])
          if (received.length === 2) resolve()
        })
      })
      expect(await subscriber.subscribe("io:news")).toBe(1)
      expect(await subscriber.psubscribe("io:*")).toBe(2)
      expect(await publisher.publish("io:news", "hi")).toBe(2)
      await got
      expect(received).toEqual([["message", "io:news", "hi"], ["pmessage", "io:*", "io:news", "hi"]])
      // ioredis awaits one confirmation per channel it knows of, so name them (as against redis-server).
      await subscriber.unsubscribe("io:news")
      await subscriber.punsubscribe("io:*")
      expect(await subscriber.get("io:none")).toBeNull()
    } finally {
      subscriber.disconnect()
      publisher.disconnect()
    }
  })

  it("node-redis subscribes and pSubscribes (RESP2)", async () => {
    const publisher = createClient({ url: server.url })
    await publisher.connect()
    const subscriber = publisher.duplicate()
    await subscriber.connect()
    try {
      const received: Array<ReadonlyArray<string>> = []
      let done = (): void => undefined
      const got = new Promise<void>((resolve) => {
        done = resolve
      })
      const note = (entry: ReadonlyArray<string>) => {
        received.push(entry)
        if (received.length === 2) done()
      }
      await subscriber.subscribe("nr:news", (text, channel) => note(["message", channel, text]))
      await subscriber.pSubscribe("nr:*", (text, channel) => note(["pmessage", channel, text]))
      expect(await publisher.publish("nr:news", "hello")).toBe(2)
      await got
      expect(received).toEqual([["message", "nr:news", "hello"], ["pmessage", "nr:news", "hello"]])
      expect(await publisher.pubSubNumSub("nr:news")).toEqual({ "nr:news": 1 })
      await subscriber.unsubscribe()
      await subscriber.pUnsubscribe()
    } finally {
      await subscriber.quit()
      await publisher.quit()
    }
  })
})

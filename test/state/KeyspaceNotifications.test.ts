/**
 * Keyspace notifications over a socket, with ioredis as the subscriber: the
 * channels and messages, CONFIG SET / GET of notify-keyspace-events as
 * redis-server 7.0.15 answers them, the setting from the start options, and
 * `expired` from active expiry (awaited as a message, no sleeping).
 * The pure parts (flags, channel names) are checked directly.
 */
import { Redis } from "ioredis"
import { afterEach, describe, expect, it } from "vitest"
import { type RunningServer, startServer } from "../../src/index.js"
import { keyspaceEvent } from "../../src/store/keyspace-events.js"
import { notificationsOf, notifyFlags } from "../../src/state/KeyspaceNotifications.js"

const opened: Array<{ close: () => Promise<unknown> | void }> = []
afterEach(async () => {
  for (const each of opened.splice(0).reverse()) await each.close()
})

const serve = async (options: Parameters<typeof startServer>[0] = {}): Promise<RunningServer> => {
  const server = await startServer(options)
  opened.push(server)
  return server
}

const client = (server: RunningServer): Redis => {
  const redis = new Redis(server.port, server.host, { lazyConnect: false })
  opened.push({ close: () => redis.quit() })
  return redis
}

/** The next `count` pmessages `subscriber` gets, as `channel message`. */
const messages = (subscriber: Redis, count: number): Promise<ReadonlyArray<string>> =>
  new Promise((resolve) => {
    const received: Array<string> = []
    const onMessage = (_pattern: string, channel: string, message: string) => {
      received.push(`${channel} ${message}`)
      if (received.length === count) {
        subscriber.off("pmessage", onMessage)
        resolve(received)
      }
    }
    subscriber.on("pmessage", onMessage)
  })

describe("notify-keyspace-events", () => {
  it("flags and channels (notify.c)", () => {
    const all = notifyFlags("AKE")
    expect(notificationsOf(all, 3, keyspaceEvent("string", "set", "k"))).toEqual([
      ["__keyspace@3__:k", "set"],
      ["__keyevent@3__:set", "k"]
    ])
    expect(notificationsOf(all, 0, keyspaceEvent("new", "new", "k"))).toEqual([])
    expect(notificationsOf(all, 0, keyspaceEvent("keymiss", "keymiss", "k"))).toEqual([])
    expect(notificationsOf(notifyFlags("Kn"), 0, keyspaceEvent("new", "new", "k"))).toEqual([["__keyspace@0__:k", "new"]])
    expect(notificationsOf(notifyFlags("A"), 0, keyspaceEvent("string", "set", "k"))).toEqual([])
    expect(notificationsOf(notifyFlags("Eg"), 0, keyspaceEvent("string", "set", "k"))).toEqual([])
  })

  it("CONFIG SET / GET answer as redis-server 7.0.15", async () => {
    const redis = client(await serve())
    expect(await redis.config("GET", "notify-keyspace-events")).toEqual(["notify-keyspace-events", ""])
    await redis.config("SET", "notify-keyspace-events", "KEAn")
    // keyspaceEventsFlagsToString drops n next to A; `new` is still on (below).
    expect(await redis.config("GET", "notify-keyspace-events")).toEqual(["notify-keyspace-events", "AKE"])
    await redis.config("SET", "notify-keyspace-events", "nA$m")
    expect(await redis.config("GET", "notify-keyspace-events")).toEqual(["notify-keyspace-events", "Am"])
    await redis.config("SET", "notify-keyspace-events", "g$lshzxetd")
    expect(await redis.config("GET", "notify-keyspace-events")).toEqual(["notify-keyspace-events", "A"])
    await redis.config("SET", "notify-keyspace-events", "Ex$")
    expect(await redis.config("GET", "notify-keyspace-events")).toEqual(["notify-keyspace-events", "$xE"])
    await expect(redis.config("SET", "notify-keyspace-events", "Kq")).rejects.toThrow(
      "ERR CONFIG SET failed (possibly related to argument 'notify-keyspace-events') - Invalid event class character. Use 'Ag$lshzxeKEtmdn'."
    )
  })

  it("a subscriber hears each write, `new` first, once the setting is on", async () => {
    const server = await serve()
    const [redis, subscriber] = [client(server), client(server)]
    await subscriber.psubscribe("__key*@*__:*")
    await redis.set("before", "1")
    await redis.config("SET", "notify-keyspace-events", "KEAn")
    const heard = messages(subscriber, 10)
    await redis.hset("h", "f", "v")
    await redis.rename("h", "g")
    await redis.select(1)
    await redis.del("missing", "g")
    await redis.select(0)
    await redis.del("g")
    expect(await heard).toEqual([
      "__keyspace@0__:h new",
      "__keyevent@0__:new h",
      "__keyspace@0__:h hset",
      "__keyevent@0__:hset h",
      "__keyspace@0__:g new",
      "__keyevent@0__:new g",
      "__keyspace@0__:h rename_from",
      "__keyevent@0__:rename_from h",
      "__keyspace@0__:g rename_to",
      "__keyevent@0__:rename_to g"
    ])
    await redis.config("SET", "notify-keyspace-events", "Eg")
    const deleted = messages(subscriber, 1)
    await redis.set("unheard", "y")
    await redis.del("unheard")
    expect(await deleted).toEqual(["__keyevent@0__:del unheard"])
  })

  it("active expiry publishes expired; the start options set the classes", async () => {
    const server = await serve({ notifyKeyspaceEvents: "Ex" })
    const [redis, subscriber] = [client(server), client(server)]
    await subscriber.psubscribe("__keyevent@*__:expired")
    const heard = messages(subscriber, 1)
    await redis.set("short", "lived", "PX", 20)
    expect(await heard).toEqual(["__keyevent@0__:expired short"])
  })

  it("maxmemory eviction publishes evicted, not the DEL it runs", async () => {
    const server = await serve({ notifyKeyspaceEvents: "Eeg", maxmemory: 200_000, maxmemoryPolicy: "allkeys-random" })
    const [redis, subscriber] = [client(server), client(server)]
    await subscriber.psubscribe("__keyevent@*__:*")
    const heard = messages(subscriber, 1)
    const value = "x".repeat(10_000)
    for (let i = 0; i < 40; i++) await redis.set(`key:${i}`, value)
    const [first] = await heard
    expect(first).toMatch(/^__keyevent@0__:evicted key:\d+$/)
  })
})

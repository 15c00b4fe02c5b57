/**
 * MULTI/EXEC, WATCH, RESET and CLIENT REPLY over the wire: exact bytes (each
 * sequence checked by hand against redis-server 7.0.15), ioredis and
 * node-redis transactions, optimistic locking with a second connection,
 * OOM and MISCONF, and the AOF's MULTI ... EXEC loaded by effect-kv and by
 * redis-server.
 */
import { copyFileSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { Context, Effect, Exit, Layer, Ref, Scope } from "effect"
import { Redis } from "ioredis"
import { createClient } from "redis"
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest"
import * as Errors from "../../src/errors.js"
import { type RunningServer, startServer } from "../../src/index.js"
import { encodeCommand } from "../../src/resp/encoder.js"
import type { Command } from "../../src/resp/values.js"
import { Persistence, PersistenceError } from "../../src/persistence/Persistence.js"
import * as PersistenceMemory from "../../src/persistence/PersistenceMemory.js"
import { defaultServerConfig } from "../../src/config/config.js"
import { serverLayer } from "../../src/server/program.js"
import { ServerAddress } from "../../src/server/Server.js"
import { connect } from "../differential/connection.js"
import { cleanUp, startEffectKv, startRedisServer, tempDir } from "./persistence-processes.js"

let server: RunningServer

beforeAll(async () => {
  server = await startServer({ port: 0 })
})

afterAll(async () => {
  await server.close()
})

afterEach(cleanUp)

/** Sends `commands` pipelined on a fresh connection and returns the replies' bytes (`count` of them). */
const exchange = async (commands: ReadonlyArray<Command>, count = commands.length, port = server.port) => {
  const connection = await connect(port, "effect-kv")
  try {
    connection.send(Buffer.concat(commands.map(encodeCommand)))
    return await connection.replies(count)
  } finally {
    connection.close()
  }
}

const OK = "+OK\r\n"
const QUEUED = "+QUEUED\r\n"

describe("MULTI / EXEC / DISCARD over raw sockets", () => {
  it("queues, runs in order, and answers each command's reply or error", async () => {
    expect(await exchange([["DEL", "t:a"], ["MULTI"], ["SET", "t:a", "x"], ["INCR", "t:a"], ["GET", "t:a"], ["EXEC"]])).toEqual([
      ":0\r\n", OK, QUEUED, QUEUED, QUEUED,
      "*3\r\n+OK\r\n-ERR value is not an integer or out of range\r\n$1\r\nx\r\n"
    ])
  })

  it("an error while queueing aborts EXEC; nested MULTI and WATCH inside MULTI do not", async () => {
    expect(await exchange([["MULTI"], ["MULTI"], ["WATCH", "x"], ["SET", "t:b", "1"], ["EXEC"]])).toEqual([
      OK, `-${Errors.multiNested}\r\n`, `-${Errors.watchInsideMulti}\r\n`, QUEUED, "*1\r\n+OK\r\n"
    ])
    expect(await exchange([["MULTI"], ["SET", "t:b"], ["NOPE"], ["SAVE"], ["GET", "t:b"], ["EXEC"], ["EXEC"], ["DISCARD"]])).toEqual([
      OK,
      "-ERR wrong number of arguments for 'set' command\r\n",
      "-ERR unknown command 'NOPE', with args beginning with: \r\n",
      "-ERR Command not allowed inside a transaction\r\n",
      QUEUED,
      "-EXECABORT Transaction discarded because of previous errors.\r\n",
      "-ERR EXEC without MULTI\r\n",
      "-ERR DISCARD without MULTI\r\n"
    ])
    expect(await exchange([["MULTI"], ["EXEC", "x"], ["EXEC"]])).toEqual([
      OK, "-EXECABORT Transaction discarded because of: wrong number of arguments for 'exec' command\r\n",
      "-ERR EXEC without MULTI\r\n"
    ])
  })

  it("DISCARD drops the queue; an empty EXEC is an empty array; SELECT inside applies", async () => {
    expect(await exchange([
      ["SET", "t:c", "1"], ["MULTI"], ["SET", "t:c", "2"], ["DISCARD"], ["GET", "t:c"], ["MULTI"], ["EXEC"],
      ["MULTI"], ["SELECT", "3"], ["SET", "t:c", "db3"], ["EXEC"], ["GET", "t:c"], ["SELECT", "0"], ["GET", "t:c"]
    ])).toEqual([
      OK, OK, QUEUED, OK, "$1\r\n1\r\n", OK, "*0\r\n", OK, QUEUED, QUEUED, "*2\r\n+OK\r\n+OK\r\n", "$3\r\ndb3\r\n", OK,
      "$1\r\n1\r\n"
    ])
  })

  it("WATCH: a write by this client, an expiry or a flush before EXEC makes it a null array (RESP3: _)", async () => {
    expect(await exchange([
      ["HELLO", "3"], ["SET", "t:w", "1"], ["WATCH", "t:w"], ["SET", "t:w", "2"], ["MULTI"], ["GET", "t:w"], ["EXEC"],
      ["WATCH", "t:none"], ["SET", "t:none", "1"], ["DEL", "t:none"], ["MULTI"], ["PING"], ["EXEC"],
      ["WATCH", "t:w"], ["FLUSHDB"], ["MULTI"], ["EXEC"],
      ["WATCH", "t:w"], ["FLUSHDB"], ["MULTI"], ["EXEC"],
      ["WATCH", "t:w"], ["UNWATCH"], ["SET", "t:w", "3"], ["MULTI"], ["EXEC"]
    ], 26).then((replies) => replies.slice(1))).toEqual([
      OK, OK, OK, OK, QUEUED, "_\r\n",
      OK, OK, ":1\r\n", OK, QUEUED, "_\r\n",
      OK, OK, OK, "_\r\n",
      OK, OK, OK, "*0\r\n",
      OK, OK, OK, OK, "*0\r\n"
    ])
    expect(await exchange([["SET", "t:e", "1", "PX", "400"]])).toEqual([OK])
    const connection = await connect(server.port, "effect-kv")
    connection.send(encodeCommand(["WATCH", "t:e"]))
    expect(await connection.replies(1)).toEqual([OK])
    await new Promise((resolve) => setTimeout(resolve, 500))
    connection.send(Buffer.concat([["MULTI"], ["EXEC"]].map(encodeCommand)))
    expect(await connection.replies(2)).toEqual([OK, "*-1\r\n"])
    connection.close()
  })

  it("RESET leaves MULTI, unwatches, selects 0, RESP2, replies on, no name", async () => {
    expect(await exchange([
      ["HELLO", "3"], ["CLIENT", "SETNAME", "n"], ["SELECT", "2"], ["WATCH", "t:r"], ["MULTI"], ["SET", "t:r", "1"],
      ["RESET"], ["EXEC"], ["CLIENT", "GETNAME"], ["SET", "t:r", "0"], ["EXISTS", "t:r"], ["CLIENT", "REPLY", "OFF"], ["RESET"], ["PING"]
    ], 13).then((replies) => replies.slice(1))).toEqual([
      OK, OK, OK, OK, QUEUED, "+RESET\r\n", "-ERR EXEC without MULTI\r\n", "$-1\r\n", OK, ":1\r\n", "+RESET\r\n", "+PONG\r\n"
    ])
  })

  it("CLIENT REPLY OFF, ON and SKIP", async () => {
    expect(await exchange([
      ["CLIENT", "REPLY", "SKIP"], ["PING"], ["PING", "a"], ["CLIENT", "REPLY", "OFF"], ["PING"], ["CLIENT", "REPLY", "ON"],
      ["PING", "b"], ["CLIENT", "REPLY", "SKIP"], ["CLIENT", "REPLY", "ON"], ["PING", "c"], ["CLIENT", "REPLY", "X"]
    ], 6)).toEqual(["$1\r\na\r\n", OK, "$1\r\nb\r\n", OK, "$1\r\nc\r\n", "-ERR syntax error\r\n"])
  })

  it("MONITOR sees the queued commands when EXEC runs them, then EXEC", async () => {
    const monitor = await connect(server.port, "monitor")
    monitor.send(encodeCommand(["MONITOR"]))
    expect(await monitor.replies(1)).toEqual([OK])
    await exchange([["MULTI"], ["SET", "t:m", "1"], ["GET", "t:m"], ["EXEC"]])
    const lines = (await monitor.replies(4)).map((line) => line.replace(/^\+[\d.]+ \[\d+ [^\]]+\] /, ""))
    monitor.close()
    expect(lines).toEqual(['"MULTI"\r\n', '"SET" "t:m" "1"\r\n', '"GET" "t:m"\r\n', '"EXEC"\r\n'])
  })
})

describe("transactions from real clients", () => {
  it("ioredis multi().exec() and a WATCH race lost to a second connection", async () => {
    const redis = new Redis({ port: server.port, host: server.host })
    const other = new Redis({ port: server.port, host: server.host })
    try {
      expect(await redis.multi().set("io:a", "1").incr("io:a").get("io:a").exec()).toEqual([[null, "OK"], [null, 2], [null, "2"]])
      await redis.set("io:balance", "10")
      await redis.watch("io:balance")
      const balance = Number(await redis.get("io:balance"))
      await other.set("io:balance", "100")
      expect(await redis.multi().set("io:balance", String(balance - 1)).exec()).toBeNull()
      expect(await redis.get("io:balance")).toBe("100")
      await redis.watch("io:balance")
      expect(await redis.multi().decr("io:balance").exec()).toEqual([[null, 99]])
    } finally {
      redis.disconnect()
      other.disconnect()
    }
  })

  it("node-redis multi().exec(), and a watched key changed by another client aborts it", async () => {
    const client = createClient({ url: server.url })
    const other = createClient({ url: server.url })
    await client.connect()
    await other.connect()
    try {
      expect(await client.multi().set("nr:a", "1").incr("nr:a").get("nr:a").exec()).toEqual(["OK", 2, "2"])
      const isolated = client.duplicate()
      await isolated.connect()
      await isolated.watch("nr:a")
      await other.set("nr:a", "changed")
      await expect(isolated.multi().set("nr:a", "mine").exec()).rejects.toThrow()
      expect(await client.get("nr:a")).toBe("changed")
      await isolated.disconnect()
    } finally {
      await client.disconnect()
      await other.disconnect()
    }
  })

  it("EXEC is atomic: another client's commands never land between its commands", async () => {
    const redis = new Redis({ port: server.port, host: server.host })
    const other = new Redis({ port: server.port, host: server.host })
    try {
      await redis.del("atomic:list")
      const transaction = redis.multi()
      for (let i = 0; i < 2000; i++) transaction.append("atomic:s", "a")
      const writes = Array.from({ length: 200 }, () => other.append("atomic:s", "b"))
      const [results] = await Promise.all([transaction.exec(), Promise.all(writes)])
      const lengths = (results ?? []).map(([, value]) => Number(value))
      expect(lengths.every((length, i) => i === 0 || length === lengths[i - 1] + 1)).toBe(true)
    } finally {
      redis.disconnect()
      other.disconnect()
    }
  })
})

describe("MULTI under maxmemory and MISCONF", () => {
  const oom = `-${Errors.outOfMemory}\r\n`
  it("OOM: everything queued while over the limit is refused; EXEC refused when a queued command may use memory", async () => {
    expect(await exchange([
      ["SET", "oom:x", "1"], ["CONFIG", "SET", "maxmemory", "1"], ["MULTI"], ["SET", "oom:a", "1"], ["GET", "oom:a"], ["EXEC"],
      ["CONFIG", "SET", "maxmemory", "0"], ["MULTI"], ["SET", "oom:a", "1"], ["GET", "oom:a"], ["CONFIG", "SET", "maxmemory", "1"],
      ["EXEC"], ["MULTI"], ["GET", "oom:a"], ["CONFIG", "SET", "maxmemory", "0"], ["EXEC"], ["CONFIG", "SET", "maxmemory", "0"]
    ])).toEqual([
      OK, OK, OK, oom, oom, "-EXECABORT Transaction discarded because of previous errors.\r\n",
      OK, OK, QUEUED, QUEUED, QUEUED, "*3\r\n+OK\r\n$1\r\n1\r\n+OK\r\n", OK, oom, oom,
      "-EXECABORT Transaction discarded because of previous errors.\r\n", OK
    ])
    const queuer = await connect(server.port, "queuer")
    queuer.send(Buffer.concat([["MULTI"], ["SET", "oom:b", "1"]].map(encodeCommand)))
    expect(await queuer.replies(2)).toEqual([OK, QUEUED])
    expect(await exchange([["CONFIG", "SET", "maxmemory", "1"]])).toEqual([OK])
    queuer.send(encodeCommand(["EXEC"]))
    expect(await queuer.replies(1)).toEqual([`-${Errors.execAbortBecause(Errors.outOfMemory)}\r\n`])
    expect(await exchange([["CONFIG", "SET", "maxmemory", "0"]])).toEqual([OK])
  })

  it("MISCONF: a write queued is refused (EXECABORT); EXEC with writes refused when it arose after queueing; reads run", async () => {
    const failing = Effect.runSync(Ref.make(false))
    const persistence = Layer.effect(
      Persistence,
      Effect.map(Effect.provide(Persistence, PersistenceMemory.layer), (memory) =>
        Persistence.of({
          location: "/removed/dump.rdb",
          load: memory.load,
          loadContents: memory.loadContents,
          save: (databases, nowMs) =>
            Effect.flatMap(Ref.get(failing), (fails) =>
              fails
                ? Effect.fail(new PersistenceError({ operation: "save", location: "/removed/dump.rdb", reason: "No such file or directory" }))
                : memory.save(databases, nowMs))
        }))
    )
    const config = { ...defaultServerConfig, port: 0, loglevel: "warning" as const, save: [{ seconds: 3600, changes: 1 }] }
    const scope = Effect.runSync(Scope.make())
    try {
      const context = await Effect.runPromise(Layer.buildWithScope(serverLayer(config, { persistence }), scope))
      const port = Context.get(context, ServerAddress).port
      const queuer = await connect(port, "queuer")
      queuer.send(Buffer.concat([["MULTI"], ["SET", "k", "1"], ["GET", "k"]].map(encodeCommand)))
      expect(await queuer.replies(3)).toEqual([OK, QUEUED, QUEUED])
      Effect.runSync(Ref.set(failing, true))
      expect(await exchange([["BGSAVE"]], 1, port)).toEqual(["+Background saving started\r\n"])
      for (let i = 0; i < 200 && (await exchange([["PING"]], 1, port))[0] === "+PONG\r\n"; i++) {
        await new Promise((resolve) => setTimeout(resolve, 10))
      }
      const misconf = Errors.bgsaveError
      queuer.send(encodeCommand(["EXEC"]))
      expect(await queuer.replies(1)).toEqual([`-${Errors.execAbortBecause(misconf)}\r\n`])
      queuer.send(Buffer.concat([["MULTI"], ["SET", "k", "1"], ["GET", "k"], ["EXEC"], ["MULTI"], ["GET", "k"], ["EXEC"]].map(encodeCommand)))
      expect(await queuer.replies(7)).toEqual([
        OK, `-${misconf}\r\n`, QUEUED, "-EXECABORT Transaction discarded because of previous errors.\r\n", OK, QUEUED, "*1\r\n$-1\r\n"
      ])
      queuer.close()
    } finally {
      await Effect.runPromise(Scope.close(scope, Exit.void))
    }
  })
})

describe("the AOF of a transaction", () => {
  it("logs MULTI ... EXEC around more than one write (one write alone bare); effect-kv and redis-server load it", async () => {
    const dir = tempDir()
    const first = await startEffectKv(["--save", "", "--appendonly", "yes", "--appendfsync", "always", "--dir", dir])
    const client = first.client
    await client.multi().set("a", "1").get("a").exec()
    await client.multi().set("b", "2").select(3).set("c", "3").incr("c").exec()
    await client.select(0)
    await first.stop("SIGTERM")
    const log = readFileSync(join(dir, "appendonly.aof"), "latin1")
    const commands = log.split(/\*\d+\r\n/).map((part) => part.split("\r\n").filter((_, i) => i % 2 === 1).join(" ").trim())
      .filter((text) => text.length > 0)
    expect(commands.map((text) => text.toUpperCase()).filter((text) => !text.startsWith("SELECT"))).toEqual(["SET A 1", "MULTI", "SET B 2", "SET C 3", "INCR C", "EXEC"])

    const second = await startEffectKv(["--save", "", "--appendonly", "yes", "--dir", dir])
    expect(await second.client.mget("a", "b")).toEqual(["1", "2"])
    await second.client.select(3)
    expect(await second.client.get("c")).toBe("4")
    await second.stop("SIGTERM")

    const redisDir = tempDir()
    copyFileSync(join(dir, "appendonly.aof"), join(redisDir, "appendonly.aof"))
    const redis = await startRedisServer(["--appendonly", "yes", "--dir", redisDir])
    expect(await redis.client.mget("a", "b")).toEqual(["1", "2"])
    await redis.client.select(3)
    expect(await redis.client.get("c")).toBe("4")
  }, 90_000)
})

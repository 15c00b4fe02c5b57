/**
 * The commands a script runs, as INFO commandstats / errorstats, MONITOR and
 * SLOWLOG show them (issue 15): the same session against redis-server 7.0.15
 * and effect-kv, compared after taking out what differs by nature (times,
 * durations, client ports, slow log ids).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { encodeCommand } from "../../src/resp/encoder.js"
import { connect } from "../differential/connection.js"
import { type Servers, startServers } from "../differential/servers.js"
import { connectRaw } from "./raw-client.js"

let servers: Servers

beforeAll(async () => {
  servers = await startServers()
}, 30_000)

afterAll(async () => {
  await servers.stop()
})

const library = "#!lua name=statslib\n" +
  "redis.register_function('setget', function(keys, args) redis.call('set', keys[1], args[1]); return redis.call('get', keys[1]) end)"

/** The session: scripts that call, fail, are refused, switch databases; a script inside EXEC; a function. */
const session: ReadonlyArray<ReadonlyArray<string>> = [
  ["EVAL", "redis.call('SET',KEYS[1],ARGV[1]); redis.call('GET',KEYS[1]); return redis.call('INCR',KEYS[2])", "2", "k1", "k2", "v"],
  ["EVAL", "return redis.call('INCR',KEYS[1])", "1", "k1"],
  ["EVAL", "return redis.pcall('INCR',KEYS[1])", "1", "k1"],
  ["EVAL", "local e = redis.pcall('INCR',KEYS[1]); return 'swallowed'", "1", "k1"],
  ["EVAL", "return redis.call('NOSUCH')", "0"],
  ["EVAL", "return redis.call('GET')", "0"],
  ["EVAL", "return redis.call('SHUTDOWN')", "0"],
  ["EVAL_RO", "return redis.call('SET','x','1')", "0"],
  ["EVALSHA", "0000000000000000000000000000000000000000", "0"],
  ["EVAL", "redis.call('select','3'); return redis.call('set','z','1')", "0"],
  ["EVAL", "return redis.error_reply('MY err')", "0"],
  ["EVAL", "return {err='x'}", "0"],
  ["EVAL", "error('boom')", "0"],
  ["EVAL", "return redis.call('HSET', KEYS[1], 'f', 'v')", "1", "k1"],
  ["MULTI"],
  ["SET", "a", "1"],
  ["EVAL", "return redis.call('get','a')", "0"],
  ["EXEC"],
  ["FUNCTION", "LOAD", library],
  ["FCALL", "setget", "1", "fk", "fv"]
]

/** The commands whose commandstats are compared (every one the session runs or a script calls). */
const counted = ["eval", "eval_ro", "evalsha", "fcall", "get", "set", "incr", "hset", "shutdown", "select", "multi", "exec", "function|load"]

interface Observed {
  readonly commandstats: ReadonlyArray<string>
  readonly errorstats: ReadonlyArray<string>
  readonly totalErrorReplies: string | undefined
  readonly monitor: ReadonlyArray<string>
  readonly slowlog: string
}

const infoLines = (reply: string): ReadonlyArray<string> => reply.split("\r\n").filter((line) => /^[a-z_|]+:/.test(line))

const observe = async (port: number): Promise<Observed> => {
  const client = await connect(port, `server on ${port}`)
  const ask = async (args: ReadonlyArray<string>): Promise<string> => {
    client.send(encodeCommand(args))
    return (await client.replies(1))[0]
  }
  await ask(["FLUSHALL"])
  await ask(["FUNCTION", "FLUSH"])
  await ask(["CONFIG", "SET", "slowlog-log-slower-than", "0"])
  await ask(["SLOWLOG", "RESET"])
  await ask(["CONFIG", "RESETSTAT"])
  const monitor = await connectRaw(port)
  let monitored = ""
  monitor.send(encodeCommand(["MONITOR"]))
  monitored = await monitor.read(5)
  // The monitor's own stream: every line after +OK.
  const lines: Array<string> = []
  const reading = (async () => {
    for (;;) {
      const text = await monitor.read(1)
      lines.push(text)
      if (text.includes("\"done\"")) return
    }
  })()
  for (const args of session) await ask(args)
  await ask(["ECHO", "done"])
  await Promise.race([reading, new Promise((resolve) => setTimeout(resolve, 5_000))])
  monitor.close()
  monitored = lines.join("")
  await ask(["CONFIG", "SET", "slowlog-log-slower-than", "10000"])
  const slowlog = await ask(["SLOWLOG", "GET", "100"])
  const commandstats = infoLines(await ask(["INFO", "commandstats"]))
    .filter((line) => counted.includes(line.slice("cmdstat_".length, line.indexOf(":"))))
    .map((line) => line.replace(/usec=\d+,usec_per_call=[\d.]+,/, ""))
  const errorstats = infoLines(await ask(["INFO", "errorstats"]))
  const totalErrorReplies = infoLines(await ask(["INFO", "stats"])).find((line) => line.startsWith("total_error_replies:"))
  client.close()
  return {
    commandstats: [...commandstats].sort(),
    errorstats: [...errorstats].sort(),
    totalErrorReplies,
    // Times and the client's port differ by nature.
    monitor: monitored.split("\r\n").filter((line) => line.length > 0)
      .map((line) => line.replace(/^\+\d+\.\d{6} /, "+T ").replace(/\[(\d+) 127\.0\.0\.1:\d+\]/, "[$1 client]")),
    // Ids, timestamps and durations differ; the client's port too.
    slowlog: slowlog.replace(/:\d+\r\n:\d+\r\n:\d+\r\n\*/g, ":ID\r\n:TS\r\n:US\r\n*").replace(/127\.0\.0\.1:\d+/g, "client")
  }
}

describe("a script's commands in INFO, MONITOR and SLOWLOG", () => {
  it("are counted, shown and logged as redis-server 7.0 does", async () => {
    const redis = await observe(servers.redisPort)
    const effectKv = await observe(servers.effectKvPort)
    // What redis-server shows, spelled out: the script's own line first, its commands as `lua`.
    expect(redis.monitor.slice(0, 4)).toEqual([
      "+T [0 client] \"EVAL\" \"redis.call('SET',KEYS[1],ARGV[1]); redis.call('GET',KEYS[1]); return redis.call('INCR',KEYS[2])\" \"2\" \"k1\" \"k2\" \"v\"",
      "+T [0 lua] \"SET\" \"k1\" \"v\"",
      "+T [0 lua] \"GET\" \"k1\"",
      "+T [0 lua] \"INCR\" \"k2\""
    ])
    expect(effectKv.monitor).toEqual(redis.monitor)
    expect(effectKv.commandstats).toEqual(redis.commandstats)
    expect(effectKv.errorstats).toEqual(redis.errorstats)
    expect(effectKv.totalErrorReplies).toEqual(redis.totalErrorReplies)
    expect(effectKv.slowlog).toEqual(redis.slowlog)
  }, 30_000)
})

/**
 * The two servers a differential test talks to: a Debian redis-server started
 * on a free port (no persistence), and effect-kv via startServer.
 */
import * as ChildProcess from "node:child_process"
import { type RunningServer, startServer } from "../../src/index.js"
import { encodeCommand } from "../../src/resp/encoder.js"
import { connect } from "./connection.js"
import { freePort } from "../hardening/server-process.js"

export interface Servers {
  readonly redisPort: number
  readonly effectKvPort: number
  readonly stop: () => Promise<void>
}

const redisMissing =
  "redis-server is not on PATH: the differential tests need Debian's redis-server 7.0 " +
  "(apt-get install redis-server; CI installs it in .ci/run)"

/** Resolves once a PING on `port` answers, retrying for a few seconds. */
const awaitPong = async (port: number): Promise<void> => {
  for (let attempt = 0; attempt < 100; attempt++) {
    try {
      const connection = await connect(port, "redis-server")
      connection.send(encodeCommand(["PING"]))
      const [reply] = await connection.replies(1)
      connection.close()
      if (reply === "+PONG\r\n") return
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  throw new Error(`redis-server did not answer PING on port ${port}`)
}

const startRedis = async (): Promise<{ readonly port: number; readonly stop: () => Promise<void> }> => {
  const version = ChildProcess.spawnSync("redis-server", ["--version"], { encoding: "utf8" })
  if (version.error !== undefined || version.status !== 0) throw new Error(redisMissing)
  const port = await freePort()
  const child = ChildProcess.spawn(
    "redis-server",
    ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no"],
    { stdio: "ignore" }
  )
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()))
  await awaitPong(port)
  return {
    port,
    stop: async () => {
      child.kill("SIGKILL")
      await exited
    }
  }
}

/** Starts both servers; `stop` stops both. */
export const startServers = async (): Promise<Servers> => {
  const redis = await startRedis()
  let effectKv: RunningServer
  try {
    effectKv = await startServer({ port: 0 })
  } catch (failure) {
    await redis.stop()
    throw failure
  }
  return {
    redisPort: redis.port,
    effectKvPort: effectKv.port,
    stop: async () => {
      await Promise.all([redis.stop(), effectKv.close()])
    }
  }
}

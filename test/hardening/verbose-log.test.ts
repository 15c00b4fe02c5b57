/**
 * What a real process logs (issue 11, part 4), in redis-server 7.0.15's words:
 * at verbose (`-`), connections accepted and closed by the client, and
 * protocol errors with the client's description; at notice (`*`), the load
 * line with the keys loaded and expired and the time it took.
 */
import { mkdtempSync } from "node:fs"
import * as Net from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Redis } from "ioredis"
import { afterEach, expect, it } from "vitest"
import { type ServerProcess, startServerProcess } from "./server-process.js"

const running: Array<ServerProcess> = []
afterEach(async () => {
  for (const server of running.splice(0)) await server.stop()
})

const start = async (flags: ReadonlyArray<string>): Promise<ServerProcess> => {
  const server = await startServerProcess(flags)
  running.push(server)
  return server
}

/** Waits (polling the log, not sleeping a fixed time) until `pattern` appears. */
const logged = async (server: ServerProcess, pattern: RegExp): Promise<string> => {
  for (let i = 0; i < 200 && !pattern.test(server.log()); i++) await new Promise((resolve) => setTimeout(resolve, 50))
  return pattern.exec(server.log())?.[0] ?? server.log()
}

/** Sends `bytes` on a new connection and resolves when the server closes it. */
const sendAndWaitClose = (port: number, bytes: string): Promise<void> =>
  new Promise((resolve, reject) => {
    const socket = Net.connect(port, "127.0.0.1", () => socket.write(bytes))
    socket.on("data", () => undefined)
    socket.once("error", reject)
    socket.once("close", () => resolve())
  })

it("logs accepted and closed connections and protocol errors at verbose, and the load line with key counts", async () => {
  const dir = mkdtempSync(join(tmpdir(), "effect-kv-log-"))
  const first = await start(["--dir", dir, "--save", ""])
  const redis = new Redis({ port: first.port, host: "127.0.0.1", lazyConnect: true })
  await redis.connect()
  await redis.set("kept", "1")
  await redis.set("also", "2")
  await redis.set("soon", "3", "PX", 300)
  await redis.save()
  redis.disconnect()
  // notice hides the verbose lines.
  expect(first.log()).not.toMatch(/ - Accepted /)
  await first.stop()
  await new Promise((resolve) => setTimeout(resolve, 400)) // let "soon" expire on the wall clock

  const second = await start(["--dir", dir, "--save", "", "--loglevel", "verbose"])
  expect(second.log()).toMatch(/ \* Done loading RDB, keys loaded: 2, keys expired: 1\.\n/)
  expect(second.log()).toMatch(/ \* DB loaded from disk: \d+\.\d{3} seconds\n/)

  await sendAndWaitClose(second.port, "*1\r\n$x\r\n")
  expect(await logged(second, / - Protocol error \(invalid bulk length\) from client: id=\d+ addr=127\.0\.0\.1:\d+ laddr=[^\n]* cmd=NULL [^\n]*\n/))
    .toMatch(/Protocol error/)

  const client = new Redis({ port: second.port, host: "127.0.0.1", lazyConnect: true })
  await client.connect()
  await client.ping()
  client.disconnect()
  const closed = await logged(second, / - Client closed connection id=\d+ addr=127\.0\.0\.1:\d+ [^\n]*cmd=ping [^\n]*\n/)
  expect(closed).toMatch(/Client closed connection/)
  expect(second.log()).toMatch(/ - Accepted 127\.0\.0\.1:\d+\n/)
}, 60_000)

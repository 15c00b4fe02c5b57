/**
 * Under NodeRuntime.runMain (which swaps Effect's default logger for its pretty
 * one) an embedded server logs each line once, in redis-server's format.
 */
import { spawn } from "node:child_process"
import { once } from "node:events"
import { fileURLToPath } from "node:url"
import { expect, it } from "vitest"

const root = fileURLToPath(new URL("../../", import.meta.url))

/** redis-server's log line: `pid:M 28 Nov 2026 10:52:28.265 * message`. */
const redisLine = /^\d+:M \d{1,2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2}\.\d{3} [.*#-] /

it("logs each line once, in Redis's format, from start to SIGTERM", async () => {
  const child = spawn(process.execPath, ["node_modules/vite-node/vite-node.mjs", "--config", "vitest.config.ts", "test/fixtures/runmain-server.ts"], {
    cwd: root,
    stdio: ["ignore", "pipe", "pipe"]
  })
  const killer = setTimeout(() => child.kill("SIGKILL"), 20_000)
  let stdout = ""
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
    if (!stdout.includes("Ready to accept connections") && (stdout + chunk).includes("Ready to accept connections")) child.kill("SIGTERM")
    stdout += chunk
  })
  const [code] = await once(child, "exit")
  clearTimeout(killer)
  const lines = stdout.trimEnd().split("\n")
  const messages = lines.map((line) => line.replace(redisLine, ""))
  expect({ code, nonRedisLines: lines.filter((line) => !redisLine.test(line)) }).toEqual({ code: 0, nonRedisLines: [] })
  expect(messages).toEqual([
    expect.stringMatching(/^Running mode=standalone, port=\d+\.$/),
    expect.stringMatching(/^Ready to accept connections tcp on 127\.0\.0\.1:\d+$/),
    "Saving the final RDB snapshot before exiting.",
    expect.stringMatching(/^DB saved on disk/),
    "Redis is now ready to exit, bye bye..."
  ])
})

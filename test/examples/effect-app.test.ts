/**
 * Runs examples/effect-app.ts as a user would (a TypeScript runner, `effect-kv`
 * resolving to this package) and checks what it prints.
 */
import { execFile } from "node:child_process"
import { fileURLToPath } from "node:url"
import { promisify } from "node:util"
import { describe, expect, it } from "vitest"

const root = fileURLToPath(new URL("../../", import.meta.url))

describe("examples/effect-app.ts", () => {
  it("uses the store in-process, through KeyValueStore and over the wire", async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ["node_modules/vite-node/vite-node.mjs", "--config", "vitest.config.ts", "examples/effect-app.ts"],
      { cwd: root, timeout: 25_000 }
    )
    expect(stdout.trim().split("\n")).toEqual([
      "get greeting: hello from Effect",
      "ttl greeting: 60",
      "set NX on an existing key: false",
      "incrBy visits 10: 10",
      "incr greeting fails: NotAnIntegerError: ERR value is not an integer or out of range",
      "scan user:*: user:1, user:2",
      "session:ada visits: 2",
      "redis GET greeting: hello from Effect",
      "kv get from:redis: written by ioredis",
      "redis db 1 GET session:ada: {\"user\":\"ada\",\"visits\":2}"
    ])
  })
})

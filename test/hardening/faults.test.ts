/**
 * Faults with real processes: SIGKILL while clients write under
 * `appendfsync always` (no acknowledged write may be lost), SIGKILL during
 * SAVE, BGSAVE and BGREWRITEAOF (the files left must load, holding either the
 * old or the new data), and a disk that refuses the dump (its directory gone):
 * SAVE answers Redis's `ERR`, a failed BGSAVE turns writes away with MISCONF
 * (stop-writes-on-bgsave-error yes), and once the disk is back nothing is lost.
 * The injected Persistence failure is covered in test/wire/persistence-misconf.test.ts.
 */
import { spawnSync } from "node:child_process"
import { existsSync, mkdirSync, rmSync } from "node:fs"
import { join } from "node:path"
import type { Redis } from "ioredis"
import { afterEach, describe, expect, it } from "vitest"
import * as Errors from "../../src/errors.js"
import { cleanUp, startEffectKv, tempDir } from "../wire/persistence-processes.js"

afterEach(cleanUp)

const aofFlags = (dir: string) => ["--save", "", "--appendonly", "yes", "--appendfsync", "always", "--dir", dir]
const rdbFlags = (dir: string) => ["--save", "", "--dir", dir]

/** Kill delays after the command is sent: before, during and after the work, depending on the machine. */
const killDelaysMs = [0, 15, 60]

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Writes `count` keys of 100 bytes `prefix:<i>` in one pipeline. */
const fill = async (client: Redis, prefix: string, count: number): Promise<void> => {
  const writes = client.pipeline()
  for (let i = 0; i < count; i++) writes.set(`${prefix}:${i}`, `${prefix}-${i}-`.padEnd(100, "x"))
  await writes.exec()
}

const countKeys = async (client: Redis, prefix: string): Promise<number> =>
  (await client.keys(`${prefix}:*`)).length

describe("SIGKILL while writing with appendfsync always", () => {
  it("every acknowledged write is there after the restart", async () => {
    const dir = tempDir()
    const server = await startEffectKv(aofFlags(dir))
    const writers = 4
    const acknowledged = Array.from({ length: writers }, () => 0)
    let killed = false
    const write = async (writer: number) => {
      for (let n = 1; !killed; n++) {
        const ok = await server.client.call("INCR", `counter:${writer}`).then(() => true, () => false)
        if (!ok) return
        acknowledged[writer] = n
        await server.client.set(`key:${writer}:${n}`, String(n)).catch(() => undefined)
      }
    }
    const running = Array.from({ length: writers }, (_, writer) => write(writer))
    while (acknowledged.reduce((a, b) => a + b, 0) < 400) await delay(5)
    killed = true
    server.child.kill("SIGKILL")
    await Promise.all(running)
    await server.exited

    const restarted = await startEffectKv(aofFlags(dir))
    for (let writer = 0; writer < writers; writer++) {
      const counter = Number(await restarted.client.get(`counter:${writer}`))
      expect(counter).toBeGreaterThanOrEqual(acknowledged[writer])
      expect(counter).toBeLessThanOrEqual(acknowledged[writer] + 1)
      for (let n = 1; n < acknowledged[writer]; n++) {
        expect(await restarted.client.get(`key:${writer}:${n}`)).toBe(String(n))
      }
    }
  }, 120_000)
})

describe("SIGKILL during a save leaves files that load", () => {
  const checkRdb = (file: string) => spawnSync("redis-check-rdb", [file], { encoding: "utf8" })

  it.each(["SAVE", "BGSAVE"])("%s killed at several points: the dump holds the old data or the new", async (command) => {
    for (const killAfterMs of killDelaysMs) {
      const dir = tempDir()
      const server = await startEffectKv(rdbFlags(dir))
      await fill(server.client, "old", 1000)
      expect(await server.client.call("SAVE")).toBe("OK")
      await fill(server.client, "new", 10000)
      void server.client.call(command).catch(() => undefined)
      await delay(killAfterMs)
      server.child.kill("SIGKILL")
      await server.exited

      const dump = join(dir, "dump.rdb")
      expect(checkRdb(dump).status, `redis-check-rdb after ${command} killed at ${killAfterMs} ms`).toBe(0)
      const restarted = await startEffectKv(rdbFlags(dir))
      expect(await countKeys(restarted.client, "old")).toBe(1000)
      expect([0, 10000]).toContain(await countKeys(restarted.client, "new"))
      await restarted.stop("SIGKILL")
    }
  }, 240_000)

  it("BGREWRITEAOF killed at several points: the AOF still gives every acknowledged write", async () => {
    for (const killAfterMs of killDelaysMs) {
      const dir = tempDir()
      const server = await startEffectKv(aofFlags(dir))
      await fill(server.client, "a", 1000)
      await server.client.del("a:0")
      void server.client.call("BGREWRITEAOF").catch(() => undefined)
      await delay(killAfterMs)
      server.child.kill("SIGKILL")
      await server.exited

      const restarted = await startEffectKv(aofFlags(dir))
      expect(await countKeys(restarted.client, "a")).toBe(999)
      expect(await restarted.client.get("a:999")).toBe("a-999-".padEnd(100, "x"))
      await restarted.stop("SIGKILL")
    }
  }, 240_000)
})

describe("a disk that refuses the dump", () => {
  it("SAVE answers ERR, a failed BGSAVE refuses writes with MISCONF; with the disk back nothing is lost", async () => {
    const dir = join(tempDir(), "data")
    mkdirSync(dir)
    const server = await startEffectKv(["--save", "3600 1", "--dir", dir])
    await fill(server.client, "kept", 100)
    rmSync(dir, { recursive: true })

    await expect(server.client.call("SAVE")).rejects.toThrow(/^ERR$/)
    expect(await server.client.set("after-save", "1")).toBe("OK")
    expect(await server.client.bgsave()).toBe("Background saving started")
    let refusal = ""
    while (refusal === "") {
      refusal = await server.client.set("during", "1").then(() => "", (failure: Error) => failure.message)
      if (refusal === "") await delay(10)
    }
    expect(refusal).toBe(Errors.bgsaveError)
    expect(await server.client.get("kept:99")).toBe("kept-99-".padEnd(100, "x"))

    mkdirSync(dir)
    expect(await server.client.call("SAVE")).toBe("OK")
    expect(await server.client.set("after-recovery", "1")).toBe("OK")
    expect(await server.client.call("SAVE")).toBe("OK")
    await server.stop("SIGKILL")
    expect(existsSync(join(dir, "dump.rdb"))).toBe(true)

    const restarted = await startEffectKv(["--save", "", "--dir", dir])
    expect(await countKeys(restarted.client, "kept")).toBe(100)
    expect(await restarted.client.get("after-save")).toBe("1")
    expect(await restarted.client.get("after-recovery")).toBe("1")
  }, 120_000)
})

/**
 * RDB persistence end to end with real processes: SAVE, SIGTERM, restart and
 * the data back; a damaged dump stops the start and is left as it was; our
 * dump passes redis-check-rdb and loads in redis-server 7.0, and redis-server's
 * dump loads in ours; the README's Persistence session works as written.
 */
import { execFile } from "node:child_process"
import { readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { promisify } from "node:util"
import type { Redis } from "ioredis"
import { afterEach, describe, expect, it } from "vitest"
import { cleanUp, type Server, spawnEffectKv, startEffectKv, startRedisServer, tempDir } from "./persistence-processes.js"

afterEach(cleanUp)

const run = promisify(execFile)
const bytes = (s: string): Buffer => Buffer.from(s, "latin1")

/** A keyspace over several databases: plain, binary, integer-like, long (compressible), with and without TTLs. */
const sample: ReadonlyArray<{ readonly db: number; readonly key: string; readonly value: string; readonly ttlMs?: number }> = [
  { db: 0, key: "plain", value: "hello" },
  { db: 0, key: "bin\x00\r\n\xff", value: "\x00\x01\x80\xff\r\n" },
  { db: 0, key: "int", value: "-300" },
  { db: 0, key: "big", value: "2147483648" },
  { db: 0, key: "padded", value: "007" },
  { db: 0, key: "long", value: "compress me ".repeat(50), ttlMs: 3_600_000 },
  { db: 0, key: "empty", value: "", ttlMs: 7_200_000 },
  { db: 9, key: "in nine", value: "9".repeat(30) },
  { db: 15, key: "fifteen", value: "15", ttlMs: 600_000 }
]

/** Writes `sample`; returns each key's PEXPIRETIME as the writing server set it. */
const writeSample = async (client: Redis): Promise<ReadonlyArray<number>> => {
  const expiries: Array<number> = []
  for (const { db, key, value, ttlMs } of sample) {
    await client.select(db)
    if (ttlMs === undefined) await client.set(bytes(key), bytes(value))
    else await client.set(bytes(key), bytes(value), "PX", ttlMs)
    expiries.push(Number(await client.call("PEXPIRETIME", bytes(key))))
  }
  await client.select(0)
  return expiries
}

/** The sample as `client` sees it: values, PEXPIRETIMEs, and the key count per database. */
const readSample = async (client: Redis) => {
  const seen: Array<readonly [string, string | undefined, number]> = []
  for (const { db, key } of sample) {
    await client.select(db)
    seen.push([key, (await client.getBuffer(bytes(key)))?.toString("latin1"), Number(await client.call("PEXPIRETIME", bytes(key)))])
  }
  const sizes: Array<number> = []
  for (const db of [0, 9, 15]) {
    await client.select(db)
    sizes.push(await client.dbsize())
  }
  await client.select(0)
  return { seen, sizes }
}

const expected = (expiries: ReadonlyArray<number>) => ({
  seen: sample.map(({ key, value }, i) => [key, value, expiries[i]] as const),
  sizes: [7, 1, 1]
})

const stop = async (server: Server) => expect(await server.stop("SIGTERM")).toBe(0)

describe("RDB persistence across restarts", () => {
  it("SAVE, SIGTERM (exit 0), restart: data and TTLs back, writes after the SAVE gone (save \"\")", async () => {
    const dir = tempDir()
    const first = await startEffectKv(["--save", "", "--dir", dir])
    const expiries = await writeSample(first.client)
    expect(await first.client.call("SAVE")).toBe("OK")
    await first.client.set("after-save", "not saved")
    await stop(first)

    const second = await startEffectKv(["--save", "", "--dir", dir])
    expect(await readSample(second.client)).toEqual(expected(expiries))
    expect(await second.client.exists("after-save")).toBe(0)
    await stop(second)
  }, 120_000)

  it("a truncated dump stops the start (exit != 0) naming the file and offset, and is left untouched", async () => {
    const dir = tempDir()
    const first = await startEffectKv(["--save", "", "--dir", dir])
    await writeSample(first.client)
    expect(await first.client.call("SAVE")).toBe("OK")
    await stop(first)

    const path = join(dir, "dump.rdb")
    const truncated = readFileSync(path).subarray(0, -20)
    writeFileSync(path, truncated)
    const second = spawnEffectKv(["--save", "", "--dir", dir])
    const code = await second.exited
    expect(code).not.toBe(0)
    expect(second.output()).toMatch(new RegExp(`Failed loading the DB from ${path}: .*offset \\d+`))
    expect(second.output()).not.toContain("Ready to accept connections")
    expect(readFileSync(path).equals(truncated)).toBe(true)
  }, 120_000)
})

describe("dumps move between effect-kv and redis-server 7.0", () => {
  it("our SAVE passes redis-check-rdb and loads in redis-server with the same keys, values and TTLs", async () => {
    const dir = tempDir()
    const ours = await startEffectKv(["--save", "", "--dir", dir])
    const expiries = await writeSample(ours.client)
    expect(await ours.client.call("SAVE")).toBe("OK")
    await stop(ours)

    const check = await run("redis-check-rdb", [join(dir, "dump.rdb")], { encoding: "utf8", timeout: 30_000 })
    // Exit 0 (execFile rejects otherwise); 7.0.15 ends its check with these lines, then [info] counts.
    expect(check.stdout).toMatch(/\] Checksum OK\n.*\] \\o\/ RDB looks OK! \\o\/\n\[info\] 9 keys read\n\[info\] 3 expires\n/)

    const redis = await startRedisServer(["--dir", dir, "--dbfilename", "dump.rdb"])
    expect(await readSample(redis.client)).toEqual(expected(expiries))
  }, 120_000)

  it("redis-server's dump (integer-encoded and LZF-compressed strings) loads in our server at start", async () => {
    const dir = tempDir()
    const redis = await startRedisServer(["--dir", dir, "--dbfilename", "dump.rdb"])
    const expiries = await writeSample(redis.client)
    expect(await redis.client.save()).toBe("OK")
    await redis.stop("SIGTERM")

    const ours = await startEffectKv(["--save", "", "--dir", dir])
    expect(await readSample(ours.client)).toEqual(expected(expiries))
    await stop(ours)
  }, 120_000)
})

describe("the README's Persistence section", () => {
  /** The `$ redis-cli ...` lines of the console block under "## Persistence", and the output after each. */
  const readmeSteps = () => {
    const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8")
    const section = readme.slice(readme.indexOf("## Persistence"))
    const block = /```console\n([\s\S]*?)```/.exec(section)
    if (block === null) throw new Error("README.md's Persistence section has no console block")
    const steps: Array<{ line: string; output: Array<string> }> = []
    for (const line of block[1].split("\n")) {
      if (line.startsWith("$ redis-cli ")) steps.push({ line: line.slice("$ redis-cli ".length), output: [] })
      else if (line.length > 0) steps[steps.length - 1].output.push(line)
    }
    return steps
  }

  it("runs as written: SET, SAVE, SHUTDOWN NOSAVE, start again, GET", async () => {
    const dir = tempDir()
    const steps = readmeSteps()
    expect(steps.map((step) => step.line.split(/\s+/)[0])).toEqual(["SET", "SAVE", "SHUTDOWN", "GET"])
    let server = await startEffectKv(["--dir", dir])
    for (const { line, output } of steps) {
      const [command, comment] = line.split("#")
      const args = Array.from(command.matchAll(/"([^"]*)"|(\S+)/g), (match) => match[1] ?? match[2])
      if (args[0] === "SHUTDOWN") {
        await run("redis-cli", ["-p", String(server.port), ...args], { timeout: 30_000 }).catch(() => undefined)
        expect(await server.exited).toBe(0)
        expect(comment).toContain("start the server again")
        server = await startEffectKv(["--dir", dir])
        continue
      }
      const result = await run("redis-cli", ["-p", String(server.port), "--no-raw", ...args], { encoding: "utf8", timeout: 30_000 })
      expect({ line, output: result.stdout }).toEqual({ line, output: output.map((text) => `${text}\n`).join("") })
    }
    await stop(server)
  }, 120_000)
})

/**
 * A real redis-server 7.0 for interoperability tests: started on a free
 * loopback port with a given dump file, stopped (and its directory removed)
 * by the returned cleanups. A missing binary fails the test (CI installs them).
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Redis } from "ioredis"
import { freePort } from "../hardening/server-process.js"

export type Cleanups = Array<() => void | Promise<void>>

export const requireBinary = (name: string): void => {
  const probe = spawnSync(name, ["--version"], { encoding: "utf8" })
  if (probe.error !== undefined || probe.status !== 0) {
    throw new Error(`${name} is required on PATH for the RDB interoperability tests (install redis-server 7.0): ${probe.error?.message ?? probe.stderr}`)
  }
}

export const tempDir = (cleanups: Cleanups): string => {
  const dir = mkdtempSync(join(tmpdir(), "effect-kv-rdb-interop-"))
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

/** Starts redis-server on a free loopback port with `dir/dbfilename`; stopped by `cleanups`. */
export const startRedis = async (cleanups: Cleanups, dir: string, dbfilename: string): Promise<Redis> => {
  requireBinary("redis-server")
  const port = await freePort()
  const server: ChildProcess = spawn("redis-server", [
    "--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--dbfilename", dbfilename,
    "--save", "", "--appendonly", "no", "--logfile", ""
  ])
  const exited = new Promise<void>((resolve) => server.once("exit", () => resolve()))
  cleanups.push(async () => {
    if (server.exitCode === null && server.signalCode === null) server.kill("SIGKILL")
    await exited
  })
  let output = ""
  await new Promise<void>((resolve, reject) => {
    server.stdout?.on("data", (data: Buffer) => {
      output += data.toString("utf8")
      if (output.includes("Ready to accept connections")) resolve()
    })
    server.once("exit", (code) => reject(new Error(`redis-server exited with ${code}:\n${output}`)))
  })
  const client = new Redis({ port, host: "127.0.0.1", lazyConnect: true, maxRetriesPerRequest: 1 })
  cleanups.push(() => client.disconnect())
  await client.connect()
  return client
}

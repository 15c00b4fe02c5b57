/**
 * Real processes for the persistence end-to-end tests: effect-kv's CLI
 * (dist/cli/main.js, built by `npm test`) and redis-server, each on a free
 * loopback port, in temp dirs; every process started is tracked by its
 * ChildProcess and killed (SIGKILL) by `cleanUp` if still running.
 */
import { type ChildProcess, spawn } from "node:child_process"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { Redis } from "ioredis"
import { freePort } from "../hardening/server-process.js"

const cliPath = fileURLToPath(new URL("../../dist/cli/main.js", import.meta.url))
/** Starting node on a loaded 2-core CI box can take seconds. */
const startTimeoutMs = 30_000

const cleanups: Array<() => void | Promise<void>> = []

/** Kills what is still running, disconnects clients, removes temp dirs (call from afterEach). */
export const cleanUp = async (): Promise<void> => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
}

export const tempDir = (): string => {
  const dir = mkdtempSync(join(tmpdir(), "effect-kv-persistence-e2e-"))
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

export interface RunningProcess {
  readonly child: ChildProcess
  /** Everything written to stdout and stderr so far. */
  readonly output: () => string
  /** The exit code (null when killed by a signal). */
  readonly exited: Promise<number | null>
}

const track = (command: string, args: ReadonlyArray<string>): RunningProcess => {
  const child = spawn(command, [...args], { stdio: ["ignore", "pipe", "pipe"] })
  let output = ""
  child.stdout?.on("data", (data: Buffer) => { output += data.toString("utf8") })
  child.stderr?.on("data", (data: Buffer) => { output += data.toString("utf8") })
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)))
  cleanups.push(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL")
    await exited
  })
  return { child, output: () => output, exited }
}

/** Resolves with the first match of `pattern` in the output; rejects if the process exits first or on timeout. */
export const waitForOutput = (running: RunningProcess, pattern: RegExp, timeoutMs = startTimeoutMs): Promise<RegExpExecArray> =>
  new Promise((resolve, reject) => {
    const check = () => {
      const match = pattern.exec(running.output())
      if (match === null) return false
      finish()
      resolve(match)
      return true
    }
    const onExit = (code: number | null) => {
      if (check()) return
      finish()
      reject(new Error(`exited (${code}) before ${pattern}:\n${running.output()}`))
    }
    const timer = setTimeout(() => {
      finish()
      reject(new Error(`no ${pattern} within ${timeoutMs} ms:\n${running.output()}`))
    }, timeoutMs)
    const finish = () => {
      clearTimeout(timer)
      running.child.stdout?.off("data", check)
      running.child.stderr?.off("data", check)
      running.child.off("exit", onExit)
    }
    if (check()) return
    running.child.stdout?.on("data", check)
    running.child.stderr?.on("data", check)
    running.child.once("exit", onExit)
  })

export interface Server extends RunningProcess {
  readonly port: number
  readonly client: Redis
  /** Sends `signal` and waits for the exit code. */
  readonly stop: (signal?: NodeJS.Signals) => Promise<number | null>
}

const connect = async (port: number): Promise<Redis> => {
  const client = new Redis({ port, host: "127.0.0.1", lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null })
  client.on("error", () => undefined)
  cleanups.push(() => client.disconnect())
  await client.connect()
  return client
}

const withClient = async (running: RunningProcess, port: number): Promise<Server> => ({
  ...running,
  port,
  client: await connect(port),
  stop: async (signal: NodeJS.Signals = "SIGTERM") => {
    running.child.kill(signal)
    return running.exited
  }
})

/** effect-kv's CLI with `args` (after --port 0 --bind 127.0.0.1), once it accepts connections. */
export const startEffectKv = async (args: ReadonlyArray<string>): Promise<Server> => {
  const running = spawnEffectKv(args)
  const ready = await waitForOutput(running, /Ready to accept connections tcp on 127\.0\.0\.1:(\d+)/)
  return withClient(running, Number(ready[1]))
}

/** effect-kv's CLI with `args`, not waiting for anything (a start expected to fail, say). */
export const spawnEffectKv = (args: ReadonlyArray<string>): RunningProcess =>
  track(process.execPath, [cliPath, "--port", "0", "--bind", "127.0.0.1", ...args])

/** redis-server on a free port, `--save ""`, no AOF, with `args` added. */
export const startRedisServer = async (args: ReadonlyArray<string>): Promise<Server> => {
  const port = await freePort()
  const running = track("redis-server", [
    "--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--logfile", "", ...args
  ])
  await waitForOutput(running, /Ready to accept connections/)
  return withClient(running, port)
}

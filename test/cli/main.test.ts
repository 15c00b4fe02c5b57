/**
 * The effect-kv command as a process (`node dist/cli/main.js`, built by
 * `npm test`'s pretest): flags that are unknown or lack their value are named
 * as redis-server 7.0.15 names them (same stderr, exit code 1), `--help` and
 * `--version` print plain text, the start log names the port chosen for
 * `--port 0`, and `npm start` does not rebuild a fresh dist/.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process"
import { mkdtempSync } from "node:fs"
import * as Net from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { afterEach, describe, expect, it } from "vitest"

const root = fileURLToPath(new URL("../..", import.meta.url))
const run = (...args: Array<string>) =>
  spawnSync(process.execPath, ["dist/cli/main.js", ...args], { cwd: root, encoding: "utf8", timeout: 30_000 })

/** redis-server's message for a bad command line flag: the flags are config lines after the (empty) file. */
const fatalConfigError = (text: string, reason: string) =>
  `\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file, at line 2\n>>> '${text}'\n${reason}\n`

describe("flags redis-server would refuse", () => {
  it("an unknown flag is named, not read as a config file", () => {
    const result = run("--nosuchflag")
    expect(result.stderr).toBe(fatalConfigError("nosuchflag", "Bad directive or wrong number of arguments"))
    expect(result.status).toBe(1)
  })
  it("a misspelt flag is named with its value", () => {
    const result = run("--prot", "1234")
    expect(result.stderr).toBe(fatalConfigError("prot \"1234\"", "Bad directive or wrong number of arguments"))
    expect(result.status).toBe(1)
  })
  it("a flag without its value says so", () => {
    const result = run("--port")
    expect(result.stderr).toBe(fatalConfigError("port", "wrong number of arguments"))
    expect(result.status).toBe(1)
  })
  it("a flag takes every word up to the next flag, as --save 3600 1 300 10", () => {
    const result = run("--save", "3600", "1", "300", "x")
    expect(result.stderr).toBe(fatalConfigError("save \"3600\" \"1\" \"300\" \"x\"", "Invalid save parameters"))
    expect(result.status).toBe(1)
  })
})

describe("--help and --version", () => {
  it("--help shows each flag's type, default and meaning, in plain text, without @effect/cli's built-ins", () => {
    const result = run("--help")
    expect(result.status).toBe(0)
    expect(result.stdout).not.toContain("\u001b[")
    expect(result.stdout).toContain("  --port <integer>\n      TCP port to listen on (0 picks a free port) (default: 6379)\n")
    expect(result.stdout).toContain("  --appendfsync <always|everysec|no>\n")
    expect(result.stdout).toContain("(default: everysec)")
    expect(result.stdout).not.toContain("A user-defined piece of text")
    for (const builtIn of ["--wizard", "--completions", "--log-level"]) expect(result.stdout).not.toContain(builtIn)
  })
  it("--version prints one line", () => {
    const result = run("--version")
    expect(result.status).toBe(0)
    expect(result.stdout).toBe("effect-kv v=0.1.0 redis=7.0.15 bits=64\n")
  })
})

let started: ChildProcess | undefined
afterEach(() => {
  // npm start runs the server under npm and a shell: the whole process group is ended.
  if (started?.pid !== undefined && started.exitCode === null) process.kill(-started.pid, "SIGKILL")
  started = undefined
})

/** Starts `command` in its own process group; resolves with its output once it accepts connections. */
const startUntilReady = (command: string, args: ReadonlyArray<string>): Promise<string> =>
  new Promise((resolve, reject) => {
    const child = started = spawn(command, args, { cwd: root, detached: true, stdio: ["ignore", "pipe", "pipe"] })
    let output = ""
    const take = (chunk: Buffer) => {
      output += chunk.toString()
      if (/Ready to accept connections tcp on \S+:\d+/.test(output)) resolve(output)
    }
    child.stdout?.on("data", take)
    child.stderr?.on("data", take)
    child.once("exit", (code) => reject(new Error(`exited (${code}) before it was ready:\n${output}`)))
  })

const ping = (port: number): Promise<string> =>
  new Promise((resolve, reject) => {
    const socket = Net.connect({ port, host: "127.0.0.1" }, () => socket.write("PING\r\n"))
    socket.once("data", (reply) => {
      socket.destroy()
      resolve(reply.toString())
    })
    socket.once("error", reject)
  })

const readyPort = (output: string): number => Number(/Ready to accept connections tcp on \S+:(\d+)/.exec(output)?.[1])

describe("starting", () => {
  it("--port 0: the log says the port chosen, not 0", async () => {
    const dir = mkdtempSync(join(tmpdir(), "effect-kv-cli-"))
    const output = await startUntilReady(process.execPath, ["dist/cli/main.js", "--port", "0", "--save", "", "--dir", dir])
    const port = readyPort(output)
    expect(port).toBeGreaterThan(0)
    expect(output).not.toContain("port=0")
    expect(output).toContain(`Running mode=standalone, port=${port}.`)
    expect(await ping(port)).toBe("+PONG\r\n")
  })
  it("npm start does not run tsc when dist/ is newer than the sources", async () => {
    spawnSync(process.execPath, ["scripts/build-if-stale.mjs"], { cwd: root, stdio: "ignore" })
    const dir = mkdtempSync(join(tmpdir(), "effect-kv-cli-"))
    const output = await startUntilReady("npm", ["start", "--", "--port", "0", "--save", "", "--dir", dir])
    expect(output).not.toContain("tsc -p")
    expect(await ping(readyPort(output))).toBe("+PONG\r\n")
  }, 120_000)
})

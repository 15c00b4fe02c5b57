/**
 * A real effect-kv process for hardening tests: `node dist/cli/main.js`
 * (built by `npm test`'s pretest) on a free loopback port, its log kept,
 * stopped (SIGKILL if need be) by `stop`.
 */
import { type ChildProcess, spawn } from "node:child_process"
import * as Net from "node:net"
import { fileURLToPath } from "node:url"

const mainScript = fileURLToPath(new URL("../../dist/cli/main.js", import.meta.url))

export interface ServerProcess {
  readonly port: number
  readonly child: ChildProcess
  /** Everything the process wrote to stdout and stderr so far. */
  readonly log: () => string
  /** Resolves with the exit code or signal once the process has exited. */
  readonly exited: Promise<string>
  readonly stop: () => Promise<void>
}

/** A free loopback port, as the kernel picks one. */
export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const probe = Net.createServer()
    probe.once("error", reject)
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address()
      const port = typeof address === "object" && address !== null ? address.port : 0
      probe.close(() => resolve(port))
    })
  })

/** Starts the server with redis-server style flags and resolves once it accepts connections. */
export const startServerProcess = async (
  flags: ReadonlyArray<string>,
  nodeOptions: ReadonlyArray<string> = []
): Promise<ServerProcess> => {
  const port = await freePort()
  const child = spawn(process.execPath, [...nodeOptions, mainScript, "--port", String(port), "--bind", "127.0.0.1", ...flags], {
    stdio: ["ignore", "pipe", "pipe"]
  })
  let output = ""
  child.stdout?.on("data", (chunk: Buffer) => { output += chunk.toString() })
  child.stderr?.on("data", (chunk: Buffer) => { output += chunk.toString() })
  const exited = new Promise<string>((resolve) =>
    child.once("exit", (code, signal) => resolve(signal ?? String(code))))
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL")
    await exited
  }
  await new Promise<void>((resolve, reject) => {
    const ready = () => {
      if (output.includes("Ready to accept connections")) resolve()
    }
    child.stdout?.on("data", ready)
    child.stderr?.on("data", ready)
    void exited.then((how) => reject(new Error(`server exited (${how}) before it was ready:\n${output}`)))
  })
  return { port, child, log: () => output, exited, stop }
}

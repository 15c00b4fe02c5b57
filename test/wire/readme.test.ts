/**
 * The README's redis-cli session, replayed verbatim against a fresh server.
 */
import { execFile } from "node:child_process"
import { readFileSync } from "node:fs"
import { promisify } from "node:util"
import { afterAll, beforeAll, expect, it } from "vitest"
import { type RunningServer, startServer } from "../../src/index.js"

let server: RunningServer

beforeAll(async () => {
  server = await startServer({ port: 0 })
})

afterAll(async () => {
  await server.close()
})

interface SessionStep {
  readonly args: ReadonlyArray<string>
  readonly output: string
}

/** Splits a shell-like command line: words, and "double quoted" words. */
const shellWords = (line: string): ReadonlyArray<string> =>
  Array.from(line.matchAll(/"([^"]*)"|(\S+)/g), (match) => match[1] ?? match[2])

const readmeSession = (): ReadonlyArray<SessionStep> => {
  const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8")
  const block = /<!-- redis-cli-session -->\n```console\n([\s\S]*?)```\n<!-- \/redis-cli-session -->/.exec(readme)
  if (block === null) throw new Error("README.md has no redis-cli session block")
  const steps: Array<{ args: ReadonlyArray<string>; output: Array<string> }> = []
  for (const line of block[1].split("\n")) {
    if (line.startsWith("$ redis-cli ")) steps.push({ args: shellWords(line.slice("$ redis-cli ".length)), output: [] })
    else if (line.length > 0) steps[steps.length - 1].output.push(line)
  }
  return steps.map((step) => ({ args: step.args, output: step.output.join("\n") + "\n" }))
}

const runRedisCli = promisify(execFile)

it("runs the README's redis-cli session byte for byte", async () => {
  const steps = readmeSession()
  expect(steps.length).toBeGreaterThan(5)
  for (const step of steps) {
    // --no-raw: the formatting redis-cli uses on a terminal, as the README shows it. (Asynchronous:
    // the server runs in this process, so a synchronous spawn would block it.)
    const { stdout: output } = await runRedisCli("redis-cli", ["-p", String(server.port), "--no-raw", ...step.args], {
      encoding: "utf8",
      timeout: 10_000
    })
    expect({ command: step.args.join(" "), output }).toEqual({ command: step.args.join(" "), output: step.output })
  }
})

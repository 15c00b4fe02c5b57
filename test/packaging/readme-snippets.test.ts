/**
 * The README as a new user meets it: effect-kv built and packed (`npm pack`), installed into an
 * empty project with only the README's install lines, and every README snippet compiled under
 * strict tsc and run, verbatim (taken from README.md by their `<!-- snippet NAME -->` markers).
 *
 * Needs the npm registry (cached packages are used first: `--prefer-offline`). Each step has its
 * own time limit and says which step ran out.
 */
import { execFile, spawn } from "node:child_process"
import { once } from "node:events"
import { copyFile, cp, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { afterAll, expect, it } from "vitest"

const root = fileURLToPath(new URL("../../", import.meta.url))
const readme = await readFile(join(root, "README.md"), "utf8")

/** The contents of each block of `language` between `<!-- tag ... -->` and `<!-- /tag -->`, with the marker's words. */
const markedBlocks = (tag: string, language: string) =>
  Array.from(
    readme.matchAll(new RegExp(`<!-- ${tag}( [^>]*)? -->\\n\`\`\`${language}\\n([\\s\\S]*?)\`\`\`\\n<!-- /${tag} -->`, "g")),
    (match) => ({ words: (match[1] ?? "").trim().split(/\s+/).filter((word) => word.length > 0), text: match[2] })
  )

/** The `npm install ...` lines of a marked sh block, as argument lists. */
const npmInstalls = (tag: string): ReadonlyArray<ReadonlyArray<string>> =>
  markedBlocks(tag, "sh").flatMap((block) => block.text.split("\n"))
    .filter((line) => line.startsWith("npm install "))
    .map((line) => line.split(/\s+/).slice(2))

interface Ran {
  readonly stdout: string
  readonly stderr: string
}

/** Runs a command; fails naming the step, with its output, when it fails or outlasts `seconds`. */
const run = (step: string, file: string, args: ReadonlyArray<string>, cwd: string, seconds: number) =>
  new Promise<Ran>((resolve, reject) => {
    execFile(file, args, { cwd, timeout: seconds * 1000, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error === null) return resolve({ stdout, stderr })
      const why = error.killed ? `timed out after ${seconds} s` : `failed (${error.message.split("\n")[0]})`
      reject(new Error(`${step} ${why}\n--- stdout\n${stdout}\n--- stderr\n${stderr}`))
    })
  })

const npm = (step: string, args: ReadonlyArray<string>, cwd: string, seconds: number) =>
  run(step, process.platform === "win32" ? "npm.cmd" : "npm", args, cwd, seconds)

/** Runs a server snippet until it logs that it listens, then stops it with SIGTERM. */
const runUntilReady = (file: string, cwd: string, seconds: number) =>
  new Promise<Ran & { readonly code: number | null }>((resolve, reject) => {
    const child = spawn(process.execPath, [file], { cwd, stdio: ["ignore", "pipe", "pipe"] })
    let stdout = ""
    let stderr = ""
    const limit = setTimeout(() => {
      child.kill("SIGKILL")
      reject(new Error(`${file} did not log "Ready to accept connections" and exit on SIGTERM within ${seconds} s\n${stdout}\n${stderr}`))
    }, seconds * 1000)
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk))
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      const wasReady = stdout.includes("Ready to accept connections")
      stdout += chunk
      if (!wasReady && stdout.includes("Ready to accept connections")) child.kill("SIGTERM")
    })
    void once(child, "exit").then(([code]) => {
      clearTimeout(limit)
      resolve({ stdout, stderr, code })
    })
  })

/** redis-server's log line: `pid:M 28 Nov 2026 10:52:28.265 * message`. */
const redisLogLine = /^\d+:M \d{1,2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2}\.\d{3} [.*#-] /
/** Effect's own console loggers' lines (pretty, and logfmt). */
const effectLogLine = /^\[\d{2}:\d{2}:\d{2}\.\d{3}\] [A-Z]+ \(#\d+\)|^timestamp=\S+ level=/

/** Whether dist/ was built after the last change to src/ (tsc rewrites every output file). */
const distIsFresh = async (): Promise<boolean> => {
  const built = await stat(join(root, "dist", "index.js")).catch(() => undefined)
  if (built === undefined) return false
  const sources = await readdir(join(root, "src"), { recursive: true })
  const changed = await Promise.all(sources.map((file) => stat(join(root, "src", file)).then((info) => info.mtimeMs)))
  return Math.max(...changed) < built.mtimeMs
}

let scratch = ""

afterAll(async () => {
  if (scratch !== "") await rm(scratch, { recursive: true, force: true })
})

interface Snippet {
  readonly name: string
  readonly text: string
  /** Marked `runs-until-signal`: a server, stopped with SIGTERM once it listens. */
  readonly runsUntilSignal: boolean
  /** Marked `with-fast-check-3`: for Effect's FastCheck, after the README's fast-check 3 install line. */
  readonly withFastCheck3: boolean
}

/** Writes the snippets into the project, compiles the project under strict tsc, and runs each of them. */
const compileAndRun = async (project: string, snippets: ReadonlyArray<Snippet>) => {
  for (const snippet of snippets) await writeFile(join(project, "src", snippet.name), snippet.text)
  await run("tsc (strict) over the snippets", process.execPath, [join(project, "node_modules/typescript/bin/tsc"), "-p", "."], project, 30)
  for (const snippet of snippets) {
    const file = join("dist", snippet.name.replace(/\.ts$/, ".js"))
    const ran = snippet.runsUntilSignal
      ? await runUntilReady(file, project, 15)
      : { ...(await run(`node ${file}`, process.execPath, [file], project, 15)), code: 0 }
    const lines = ran.stdout.split("\n")
    const logMessages = lines.filter((line) => redisLogLine.test(line)).map((line) => line.replace(redisLogLine, ""))
    expect({ snippet: snippet.name, code: ran.code, stderr: ran.stderr, effectLogLines: lines.filter((line) => effectLogLine.test(line)) })
      .toEqual({ snippet: snippet.name, code: 0, stderr: "", effectLogLines: [] })
    expect({ snippet: snippet.name, logMessages }).toEqual({ snippet: snippet.name, logMessages: [...new Set(logMessages)] })
    if (snippet.runsUntilSignal) {
      // (After app.ts, whose dump it may load first.)
      expect(logMessages.slice(-4)).toEqual([
        expect.stringMatching(/^Ready to accept connections tcp on 127\.0\.0\.1:\d+$/),
        "Saving the final RDB snapshot before exiting.",
        "DB saved on disk",
        "Redis is now ready to exit, bye bye..."
      ])
    }
  }
}

it("installs with the README's lines, and every README snippet compiles under strict tsc and runs", async () => {
  const snippets: ReadonlyArray<Snippet> = markedBlocks("snippet", "ts").map((block) => ({
    name: block.words[0],
    text: block.text,
    runsUntilSignal: block.words.includes("runs-until-signal"),
    withFastCheck3: block.words.includes("with-fast-check-3")
  }))
  const installLine = npmInstalls("install")
  const snippetDependencies = npmInstalls("snippet-deps")
  const fastCheck3 = npmInstalls("fast-check-3-install")
  expect(snippets.map((snippet) => snippet.name)).toEqual(
    ["kv.ts", "key-value-store.ts", "app.ts", "server.ts", "start-server.ts", "testing.ts", "testing-effect.ts"]
  )
  expect([installLine.length, snippetDependencies.length, fastCheck3.length]).toEqual([1, 2, 1])
  expect(installLine[0]).toContain("effect-kv")

  scratch = await mkdtemp(join(tmpdir(), "effect-kv-packaging-"))
  const staging = join(scratch, "package")
  const project = join(scratch, "project")
  await mkdir(join(project, "src"), { recursive: true })
  await writeFile(join(project, "package.json"), JSON.stringify({ name: "readme-snippets", private: true, type: "module" }))
  // A new project's tsconfig: strict, ESM for Node. (rootDir: TypeScript 7 wants it said.)
  await writeFile(join(project, "tsconfig.json"), JSON.stringify({
    compilerOptions: { strict: true, target: "ES2022", module: "NodeNext", rootDir: "src", outDir: "dist", skipLibCheck: true, types: ["node"] },
    include: ["src"]
  }))

  // The package in a copy, its dist/ the repo's when that is newer than every source (`npm test`
  // has just built it), else built there (`npm run build` with another outDir: the suite's other
  // tests run the repo's dist/); then `npm pack`.
  await mkdir(staging)
  await Promise.all(["package.json", "README.md"].map((file) => copyFile(join(root, file), join(staging, file))))
  if (await distIsFresh()) await cp(join(root, "dist"), join(staging, "dist"), { recursive: true })
  else await run("build", process.execPath, [join(root, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.build.json", "--outDir", join(staging, "dist")], root, 90)
  await npm("npm pack", ["pack", "--ignore-scripts", "--silent"], staging, 20)
  const tarball = (await readdir(staging)).find((file) => file.endsWith(".tgz"))
  if (tarball === undefined) throw new Error("npm pack wrote no .tgz")

  const install = async (args: ReadonlyArray<string>) => {
    const installed = await npm(`npm install ${args.join(" ")}`, ["install", "--prefer-offline", "--no-audit", "--no-fund", ...args], project, 60)
    expect(installed.stderr).not.toContain("ERESOLVE")
  }
  // In the README's order: effect-kv with its peers, then what the snippets import.
  await install(installLine[0].map((word) => (word === "effect-kv" ? join(staging, tarball) : word)))
  for (const args of snippetDependencies) await install(args)
  await compileAndRun(project, snippets.filter((snippet) => !snippet.withFastCheck3))
  // app.ts and server.ts saved at exit into ./data, which serverLayer created.
  expect((await readFile(join(project, "data", "dump.rdb"))).subarray(0, 5).toString()).toBe("REDIS")

  // fast-check 3 in place of 4: effect-kv/testing's arbitraries then fit Effect's FastCheck.
  await install(fastCheck3[0])
  await compileAndRun(project, snippets.filter((snippet) => snippet.withFastCheck3))
}, 240_000)

import { spawnSync } from "node:child_process"
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Either } from "effect"
import { describe, expect, it } from "vitest"
import { parseCommandLine } from "../../src/cli/arguments.js"
import { combineConfigText, formatConfigError, parseConfig } from "../../src/config/config-file.js"
import { defaultServerConfig } from "../../src/config/config.js"
import { representString, splitArgs } from "../../src/config/quoting.js"
import { parseMemory, parseSaveRules, parseYesNo } from "../../src/config/settings.js"

describe("splitArgs (sdssplitargs)", () => {
  it("splits words, double and single quotes with escapes", () => {
    expect(splitArgs("  save 900 1 ")).toEqual(["save", "900", "1"])
    expect(splitArgs(`requirepass "a b\\x41\\n" 'it\\'s'`)).toEqual(["requirepass", "a bA\n", "it's"])
    expect(splitArgs(`save ""`)).toEqual(["save", ""])
  })
  it("rejects unbalanced quotes and a closing quote glued to a word", () => {
    expect(splitArgs(`save "900`)).toBeUndefined()
    expect(splitArgs(`save "900"1`)).toBeUndefined()
  })
  it("reads back what representString writes", () => {
    for (const text of ["", "plain", "a \"b\" \\ c", "\x00\xff\r\n\t"]) expect(splitArgs(representString(text))).toEqual([text])
  })
})

describe("value parsers", () => {
  it("parseMemory reads memtoull units", () => {
    expect(parseMemory("100mb")).toBe(104857600n)
    expect(parseMemory("1GB")).toBe(1073741824n)
    expect(parseMemory("1k")).toBe(1000n)
    expect(parseMemory("42")).toBe(42n)
    expect(parseMemory("1xb")).toBeUndefined()
    expect(parseMemory("-1")).toBeUndefined()
  })
  it("parseYesNo", () => {
    expect(parseYesNo("YES")).toBe(true)
    expect(parseYesNo("no")).toBe(false)
    expect(parseYesNo("maybe")).toBeUndefined()
  })
  it("parseSaveRules takes pairs, as words or one string; \"\" is none", () => {
    expect(parseSaveRules(["900", "1", "300", "10"])).toEqual([{ seconds: 900, changes: 1 }, { seconds: 300, changes: 10 }])
    expect(parseSaveRules(["900 1"])).toEqual([{ seconds: 900, changes: 1 }])
    expect(parseSaveRules([""])).toEqual([])
    expect(parseSaveRules(["10"])).toBeUndefined()
  })
})

describe("parseConfig", () => {
  const parse = (text: string) => parseConfig(text, defaultServerConfig)

  it("applies directives, skipping comments and blank lines", () => {
    const config = Either.getOrThrow(parse("# comment\n\nport 7000\nmaxmemory 100mb\nappendonly yes\nrequirepass \"s e\"\n"))
    expect(config).toMatchObject({ port: 7000, maxmemory: 104857600, appendonly: true, requirepass: "s e" })
  })
  it("accumulates save lines, the first replacing the defaults; save \"\" clears", () => {
    expect(Either.getOrThrow(parse("save 900 1\nsave 60 5")).save).toEqual([{ seconds: 900, changes: 1 }, { seconds: 60, changes: 5 }])
    expect(Either.getOrThrow(parse("save 900 1\nsave \"\"")).save).toEqual([])
  })
  it("lets flags override the file", () => {
    const text = combineConfigText("port 7000\n", parseCommandLine(["--port", "7001"]).flagsText)
    expect(Either.getOrThrow(parse(text)).port).toBe(7001)
  })
  it("names the line and the reason of a bad directive", () => {
    expect(parse("port 7000\n# c\nfoo bar\n")).toEqual(Either.left({ line: 3, text: "foo bar", reason: "Bad directive or wrong number of arguments" }))
    expect(parse("port abc")).toEqual(Either.left({ line: 1, text: "port abc", reason: "argument couldn't be parsed into an integer" }))
    expect(parse("maxmemory-policy lol")).toMatchObject({ left: { reason: expect.stringContaining("argument(s) must be one of the following: volatile-lru") } })
    expect(parse("timeout -1")).toMatchObject({ left: { reason: "argument must be between 0 and 2147483647 inclusive" } })
    expect(parse("save \"unbalanced")).toMatchObject({ left: { reason: "Unbalanced quotes in configuration line" } })
  })
  it("formats the error as redis-server does", () => {
    expect(formatConfigError({ line: 3, text: "foo bar", reason: "Bad directive or wrong number of arguments" })).toBe(
      "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file, at line 3\n>>> 'foo bar'\nBad directive or wrong number of arguments\n"
    )
  })
})

describe("effect-kv command line", () => {
  const run = (...args: Array<string>) => spawnSync(process.execPath, ["dist/cli/main.js", ...args], { encoding: "utf8", timeout: 20_000 })

  it("refuses a bad flag value with Redis's message and exit code 1", () => {
    const result = run("--port", "abc")
    expect(result.status).toBe(1)
    expect(result.stderr).toContain("*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***")
    expect(result.stderr).toContain(">>> 'port \"abc\"'")
    expect(result.stderr).toContain("argument couldn't be parsed into an integer")
  })
  it("refuses a bad config file line, naming the line", () => {
    const dir = mkdtempSync(join(tmpdir(), "effect-kv-conf-"))
    const file = join(dir, "bad.conf")
    writeFileSync(file, "port 7000\n# c\nfoo bar\n")
    const result = run(file)
    expect(result.status).toBe(1)
    expect(result.stderr).toContain("Reading the configuration file, at line 3\n>>> 'foo bar'\nBad directive or wrong number of arguments")
  })
  it("refuses a missing config file", () => {
    const result = run("/nonexistent/effect-kv.conf")
    expect(result.status).toBe(1)
    expect(result.stderr).toContain("Fatal error, can't open config file '/nonexistent/effect-kv.conf'")
  })
  it("prints its version", () => {
    const result = run("--version")
    expect(result.status).toBe(0)
    expect(result.stdout).toContain("0.1.0")
  })
})

import { Either } from "effect"
import { describe, expect, it } from "vitest"
import { applyConfigSet, matchingParameters } from "../../src/commands/config.js"
import { bytesToHuman, selectSections } from "../../src/commands/info.js"
import { stringEncoding } from "../../src/values/string.js"
import { monitorLine } from "../../src/state/Activity.js"
import { defaultServerConfig } from "../../src/config/config.js"

describe("CONFIG", () => {
  it("GET matches globs in any case", () => {
    expect(matchingParameters(defaultServerConfig, ["MAXMEMORY*", "save"])).toEqual([
      ["save", "3600 1 300 100 60 10000"], ["maxmemory", "0"], ["maxmemory-policy", "noeviction"],
      ["maxmemory-clients", "0"], ["maxmemory-eviction-tenacity", "10"], ["maxmemory-samples", "5"]
    ])
  })
  it("SET is all or nothing, with Redis's errors", () => {
    expect(Either.getOrThrow(applyConfigSet(defaultServerConfig, [["maxmemory", "1gb"], ["timeout", "5"]])))
      .toMatchObject({ maxmemory: 1073741824, timeout: 5 })
    expect(applyConfigSet(defaultServerConfig, [["appendonly", "maybe"]])).toEqual(Either.left(
      "ERR CONFIG SET failed (possibly related to argument 'appendonly') - argument must be 'yes' or 'no'"))
    expect(applyConfigSet(defaultServerConfig, [["dbfilename", "x.rdb"]])).toEqual(Either.left(
      "ERR CONFIG SET failed (possibly related to argument 'dbfilename') - can't set protected config"))
    expect(applyConfigSet(defaultServerConfig, [["timeout", "1"], ["timeout", "2"]])).toEqual(Either.left(
      "ERR CONFIG SET failed (possibly related to argument 'timeout') - duplicate parameter"))
  })
})

describe("INFO", () => {
  it("selects default, all and named sections", () => {
    expect(selectSections([]).map((s) => s.name)).not.toContain("commandstats")
    expect(selectSections(["everything"]).map((s) => s.name)).toContain("commandstats")
    expect(selectSections(["KEYSPACE", "server"]).map((s) => s.name)).toEqual(["server", "keyspace"])
    expect(selectSections(["nosuch"])).toEqual([])
  })
  it("writes sizes as bytesToHuman", () => {
    expect(bytesToHuman(0)).toBe("0B")
    expect(bytesToHuman(916264)).toBe("894.79K")
    expect(bytesToHuman(6619136)).toBe("6.31M")
  })
})

describe("OBJECT ENCODING and MONITOR lines", () => {
  it("decides string encodings as Redis", () => {
    expect(stringEncoding("12345")).toBe("int")
    expect(stringEncoding("012")).toBe("embstr")
    expect(stringEncoding("x".repeat(44))).toBe("embstr")
    expect(stringEncoding("x".repeat(45))).toBe("raw")
  })
  it("formats a monitor line", () => {
    expect(monitorLine({ args: ["SET", "a", "b\n"], db: 0, startedAtMicros: 1700000000123456, durationMicros: 3 }, "127.0.0.1:5000"))
      .toBe("+1700000000.123456 [0 127.0.0.1:5000] \"SET\" \"a\" \"b\\n\"\r\n")
  })
})

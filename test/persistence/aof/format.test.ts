import { Either } from "effect"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { withAbsoluteExpiry } from "../../../src/persistence/aof/absolute-expiry.js"
import { encodeCommand, encodeTimestamp, parseAof } from "../../../src/persistence/aof/format.js"

const byteString = fc.uint8Array({ maxLength: 12 }).map((bytes) => Buffer.from(bytes).toString("latin1"))
const command = fc.array(byteString, { minLength: 1, maxLength: 5 })
const untimed = (commands: ReadonlyArray<ReadonlyArray<string>>) => commands.map((args) => ({ args, atMs: undefined }))

describe("AOF format", () => {
  it("round-trips any command sequence", () => {
    fc.assert(fc.property(fc.array(command, { maxLength: 20 }), (commands) => {
      const bytes = Buffer.concat(commands.map(encodeCommand))
      expect(parseAof(bytes)).toEqual(Either.right({ commands: untimed(commands), validLength: bytes.length }))
    }))
  })

  it("cuts a command cut short at any point back to the last complete one", () => {
    fc.assert(fc.property(fc.array(command, { minLength: 1, maxLength: 10 }), fc.nat(), (commands, cut) => {
      const complete = Buffer.concat(commands.slice(0, -1).map(encodeCommand))
      const last = encodeCommand(commands[commands.length - 1])
      const bytes = Buffer.concat([complete, last.subarray(0, cut % last.length)])
      expect(parseAof(bytes)).toEqual(Either.right({ commands: untimed(commands.slice(0, -1)), validLength: complete.length }))
    }))
  })

  it("gives each command the time of the #TS-MS annotation before it; skips other annotations, cuts a cut one", () => {
    const bytes = Buffer.concat([
      encodeCommand(["SET", "a", "1"]),
      encodeTimestamp(1_700_000_000_123),
      Buffer.from("#TS:1700000000\r\n"),
      encodeCommand(["DEL", "a"]),
      encodeCommand(["DEL", "b"]),
      encodeTimestamp(1_700_000_000_124)
    ])
    expect(parseAof(bytes)).toEqual(Either.right({
      commands: [
        { args: ["SET", "a", "1"], atMs: undefined },
        { args: ["DEL", "a"], atMs: 1_700_000_000_123 },
        { args: ["DEL", "b"], atMs: 1_700_000_000_123 }
      ],
      validLength: bytes.length
    }))
    expect(parseAof(bytes.subarray(0, bytes.length - 3))).toMatchObject(Either.right({ validLength: bytes.length - 22 }))
  })

  it("refuses corruption in the middle with its offset", () => {
    const bytes = Buffer.concat([encodeCommand(["SET", "a", "1"]), Buffer.from("+OK\r\n"), encodeCommand(["DEL", "a"])])
    const parsed = parseAof(bytes)
    expect(Either.isLeft(parsed) && parsed.left.offset).toBe(encodeCommand(["SET", "a", "1"]).length)
  })
})

describe("absolute expiries", () => {
  const now = 1_700_000_000_000
  it("rewrites relative and second-based expiries to PXAT / PEXPIREAT", () => {
    expect(withAbsoluteExpiry(["set", "k", "v", "EX", "10"], now)).toEqual(["set", "k", "v", "PXAT", String(now + 10_000)])
    expect(withAbsoluteExpiry(["SET", "k", "v", "nx", "px", "5"], now)).toEqual(["SET", "k", "v", "nx", "PXAT", String(now + 5)])
    expect(withAbsoluteExpiry(["setex", "k", "3", "v"], now)).toEqual(["SET", "k", "v", "PXAT", String(now + 3000)])
    expect(withAbsoluteExpiry(["psetex", "k", "3", "v"], now)).toEqual(["SET", "k", "v", "PXAT", String(now + 3)])
    expect(withAbsoluteExpiry(["expire", "k", "2", "GT"], now)).toEqual(["PEXPIREAT", "k", String(now + 2000), "GT"])
    expect(withAbsoluteExpiry(["expireat", "k", "2"], now)).toEqual(["PEXPIREAT", "k", "2000"])
    expect(withAbsoluteExpiry(["getex", "k", "EX", "1"], now)).toEqual(["PEXPIREAT", "k", String(now + 1000)])
    expect(withAbsoluteExpiry(["getex", "k", "persist"], now)).toEqual(["PERSIST", "k"])
    expect(withAbsoluteExpiry(["set", "k", "v", "KEEPTTL"], now)).toEqual(["set", "k", "v", "KEEPTTL"])
  })
})

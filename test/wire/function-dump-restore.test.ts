/**
 * FUNCTION DUMP / RESTORE against a real redis-server 7.0.15: a payload is
 * byte for byte redis-server's for the same library (Redis's own LZF in the
 * FUNCTION2 record), payloads move both ways, RESTORE's policies and errors
 * answer alike, and a library's body runs in FUNCTION LOAD's narrower
 * environment on both. Several libraries are compared as sets: redis-server
 * orders them (and a library's functions) by a hash with a random seed.
 */
import fc from "fast-check"
import { Redis } from "ioredis"
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest"
import { type RunningServer, startServer } from "../../src/index.js"
import { crc64 } from "../../src/persistence/rdb/crc64.js"
import { type Cleanups, startRedis, tempDir } from "../persistence/redis-server.js"

const cleanups: Cleanups = []
let server: RunningServer
let ours: Redis
let theirs: Redis

beforeAll(async () => {
  server = await startServer({ port: 0 })
  ours = new Redis({ port: server.port, lazyConnect: true, maxRetriesPerRequest: 0 })
  await ours.connect()
  theirs = await startRedis(cleanups, tempDir(cleanups), "unused.rdb")
})

afterAll(async () => {
  ours.disconnect()
  await server.close()
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

beforeEach(async () => {
  await Promise.all([ours.call("FUNCTION", "FLUSH"), theirs.call("FUNCTION", "FLUSH")])
})

const both = (): ReadonlyArray<Redis> => [ours, theirs]

/** The reply, or the error's message. */
const outcome = async (client: Redis, args: ReadonlyArray<string | Buffer>): Promise<unknown> => {
  const [name, ...rest] = args
  try {
    return await client.callBuffer(String(name), ...rest)
  } catch (failure) {
    return failure instanceof Error ? `error: ${failure.message}` : failure
  }
}

const dump = async (client: Redis): Promise<Buffer> => {
  const payload = await client.callBuffer("FUNCTION", "DUMP")
  if (!Buffer.isBuffer(payload)) throw new Error("FUNCTION DUMP did not answer a bulk string")
  return payload
}

/** FUNCTION LIST WITHCODE with libraries, and each library's functions, sorted by name. */
const listing = async (client: Redis): Promise<unknown> => {
  const reply = await client.call("FUNCTION", "LIST", "WITHCODE")
  if (!Array.isArray(reply)) throw new Error("FUNCTION LIST did not answer an array")
  const byName = (a: unknown, b: unknown) => String(Array.isArray(a) ? a[1] : a).localeCompare(String(Array.isArray(b) ? b[1] : b))
  return reply
    .map((library: unknown) => Array.isArray(library) ? library.map((field: unknown, i) => i === 5 && Array.isArray(field) ? [...field].sort(byName) : field) : library)
    .sort(byName)
}

const load = async (client: Redis, code: string | Buffer, replace = false): Promise<void> => {
  await client.callBuffer("FUNCTION", "LOAD", ...(replace ? ["REPLACE"] : []), code)
}

const library = (name: string, ...functions: ReadonlyArray<string>): string =>
  `#!lua name=${name}\n` + functions.map((fn) => `redis.register_function('${fn}', function(keys, args) return '${fn}:' .. (args[1] or '') end)`).join("\n")

const libraries: ReadonlyArray<string | Buffer> = [
  library("one", "f1"),
  library("two", "f2a", "f2b", "f2c"),
  "#!lua name=flags\nredis.register_function{function_name='ro', callback=function() return 1 end, flags={'no-writes', 'allow-stale'}, description='read only'}",
  // Long and repetitive: LZF back references of every length, literal runs of 32.
  `#!lua name=long\n${Array.from({ length: 60 }, (_, i) => `-- comment line ${i} ${"abc".repeat(i % 13)} ${"z".repeat(i)}`).join("\n")}\nredis.register_function('long', function() return 'l' end)`,
  // Bytes that are not UTF-8, in a comment.
  Buffer.concat([Buffer.from("#!lua name=binary\n-- "), Buffer.from([0xff, 0x00, 0xfe, 0x80, 0xff, 0x00, 0xfe, 0x80]), Buffer.from("\nredis.register_function('bin', function() return 'b' end)")])
]

describe("FUNCTION DUMP", () => {
  it("is redis-server's payload byte for byte, for no library and for each library alone", async () => {
    expect(await dump(ours)).toEqual(await dump(theirs))
    for (const code of libraries) {
      for (const client of both()) {
        await client.call("FUNCTION", "FLUSH")
        await load(client, code)
      }
      expect((await dump(ours)).toString("hex")).toBe((await dump(theirs)).toString("hex"))
    }
  })

  it("payloads move both ways through FUNCTION RESTORE, and the functions run", async () => {
    for (const code of libraries) await load(theirs, code)
    expect(await ours.callBuffer("FUNCTION", "RESTORE", await dump(theirs))).toEqual(Buffer.from("OK"))
    expect(await listing(ours)).toEqual(await listing(theirs))
    expect(await ours.call("FCALL", "f2b", "0", "x")).toBe("f2b:x")

    await theirs.call("FUNCTION", "FLUSH")
    expect(await theirs.callBuffer("FUNCTION", "RESTORE", await dump(ours))).toEqual(Buffer.from("OK"))
    expect(await listing(theirs)).toEqual(await listing(ours))
    expect(await theirs.call("FCALL_RO", "ro", "0")).toBe(1)
  })

  it("random libraries: the same payload on both servers, restored into the other with the same listing", async () => {
    const name = fc.stringMatching(/^[A-Za-z0-9_]{1,24}$/)
    // Text with repeats (so LZF finds back references) and any byte a Lua comment can hold.
    const comment = fc.array(fc.oneof(fc.constantFrom("abc", "redis", "function", "  "), fc.string({ maxLength: 12 })), { maxLength: 40 })
      .map((parts) => parts.join("").replace(/[\r\n]/g, " "))
    await fc.assert(
      fc.asyncProperty(name, fc.uniqueArray(name, { minLength: 1, maxLength: 4 }), comment, async (libraryName, functions, text) => {
        const code = Buffer.concat([Buffer.from(`#!lua name=${libraryName}\n-- `), Buffer.from(text, "latin1"), Buffer.from(`\n${library("x", ...functions).split("\n").slice(1).join("\n")}`)])
        for (const client of both()) {
          await client.call("FUNCTION", "FLUSH")
          await load(client, code)
        }
        const payload = await dump(theirs)
        expect((await dump(ours)).toString("hex")).toBe(payload.toString("hex"))
        await ours.call("FUNCTION", "FLUSH")
        await ours.callBuffer("FUNCTION", "RESTORE", payload)
        expect(await listing(ours)).toEqual(await listing(theirs))
      }),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 40) }
    )
  })
})

describe("FUNCTION RESTORE", () => {
  /** The outcome of each command on both servers, from the same starting libraries. */
  const compare = async (setup: ReadonlyArray<string | Buffer>, commands: ReadonlyArray<ReadonlyArray<string | Buffer>>) => {
    const results: Array<ReadonlyArray<unknown>> = []
    for (const client of both()) {
      await client.call("FUNCTION", "FLUSH")
      for (const code of setup) await load(client, code)
      const outcomes: Array<unknown> = []
      for (const args of commands) outcomes.push(await outcome(client, args))
      outcomes.push(await listing(client))
      results.push(outcomes)
    }
    expect(results[0]).toEqual(results[1])
  }

  it("answers Redis's errors for arguments, policies and payloads", async () => {
    // One library: with several, which one "already exists" names is redis-server's hash order.
    await load(theirs, library("one", "f1"))
    const payload = await dump(theirs)
    await theirs.set("string-key", "value")
    const keyPayload = await theirs.callBuffer("DUMP", "string-key")
    if (!Buffer.isBuffer(keyPayload)) throw new Error("DUMP did not answer a bulk string")
    const corrupt = Buffer.from(payload)
    corrupt[5] ^= 0xff
    const newerVersion = Buffer.from(payload)
    newerVersion.writeUInt16LE(11, newerVersion.length - 10)
    await compare([], [
      ["FUNCTION", "RESTORE"],
      ["FUNCTION", "RESTORE", payload, "APPEND", "extra"],
      ["FUNCTION", "RESTORE", payload, "MERGE"],
      ["FUNCTION", "RESTORE", "short"],
      ["FUNCTION", "RESTORE", corrupt],
      ["FUNCTION", "RESTORE", newerVersion],
      ["FUNCTION", "RESTORE", keyPayload],
      ["FUNCTION", "RESTORE", payload, "append"],
      ["FUNCTION", "RESTORE", payload],
      ["FUNCTION", "RESTORE", payload, "Replace"],
      ["FUNCTION", "RESTORE", payload, "FLUSH"]
    ])
  })

  it("APPEND refuses a library or a function already there; REPLACE replaces libraries but not another's function; FLUSH replaces all", async () => {
    for (const code of [library("one", "f1"), library("two", "f2")]) await load(theirs, code)
    const payload = await dump(theirs)
    const clash = library("other", "f2")
    await compare([library("one", "f1")], [["FUNCTION", "RESTORE", payload], ["FUNCTION", "RESTORE", payload, "REPLACE"]])
    await compare([clash], [["FUNCTION", "RESTORE", payload], ["FUNCTION", "RESTORE", payload, "REPLACE"], ["FUNCTION", "RESTORE", payload, "FLUSH"], ["FCALL", "f2", "0"]])
    await compare([library("three", "f3")], [["FUNCTION", "RESTORE", payload, "APPEND"], ["FCALL", "f3", "0", "a"], ["FCALL", "f1", "0", "b"]])
    await compare([], [["FUNCTION", "RESTORE", await dump(ours)]])
  })

  it("a payload whose library does not load answers the library's error and changes nothing", async () => {
    // Two FUNCTION2 records for one name: the second fails as FUNCTION LOAD would.
    await load(theirs, library("dup", "d1"))
    const record = await dump(theirs)
    await load(ours, library("dup", "d1"))
    const ourRecord = await dump(ours)
    expect(ourRecord).toEqual(record)
    const body = record.subarray(0, record.length - 10)
    const doubled = Buffer.concat([body, body])
    // Footer: the version and the CRC64, as Redis computes them.
    const withFooter = Buffer.alloc(doubled.length + 10)
    doubled.copy(withFooter)
    withFooter.writeUInt16LE(10, doubled.length)
    withFooter.writeBigUInt64LE(crc64(withFooter.subarray(0, doubled.length + 2)), doubled.length + 2)
    await compare([library("keep", "k1")], [["FUNCTION", "RESTORE", withFooter], ["FUNCTION", "RESTORE", withFooter, "FLUSH"]])
  })
})

describe("a library's body (FUNCTION LOAD's environment)", () => {
  const bodies = [
    "redis.call('PING')",
    "redis.pcall('PING')",
    "local t = type(1)",
    "string.format('%d', 1)",
    "local x = math.random()",
    "redis.setresp(3)",
    "redis.sha1hex('x')",
    "redis.error_reply('x')",
    "error('boom')",
    "local ok = pcall(function() end)",
    "local g = _G",
    "local k = KEYS",
    "local c = cjson",
    "x = 1",
    "redis.foo = 1",
    "redis.log(redis.LOG_NOTICE, 'loading')",
    "local v = redis.REDIS_VERSION .. redis.REDIS_VERSION_NUM .. redis.LOG_DEBUG .. redis.LOG_VERBOSE .. redis.LOG_WARNING"
  ]

  it("reaches only register_function, log, the log levels and the version, as in Redis", async () => {
    for (const body of bodies) {
      const code = `#!lua name=env\n${body}\nredis.register_function('env', function() return type(redis.call('PING')) end)`
      const [mine, redis] = [await outcome(ours, ["FUNCTION", "LOAD", "REPLACE", code]), await outcome(theirs, ["FUNCTION", "LOAD", "REPLACE", code])]
      expect(mine, body).toEqual(redis)
    }
    // The functions it registered run with the script globals.
    expect(await ours.call("FCALL", "env", "0")).toBe("table")
    expect(await theirs.call("FCALL", "env", "0")).toBe("table")
  })
})

describe("FUNCTION LOAD and FLUSH arguments", () => {
  it("answer Redis's errors for headers, names, options and bodies", async () => {
    const ok = "#!lua name=opt\nredis.register_function('o', function() return 1 end)"
    const cases: ReadonlyArray<ReadonlyArray<string>> = [
      ...["#!lua", "#!lua name=x", "#!lua\nreturn", "#!lua name=a name=b\nx", "#!lua foo=bar\nx", "no shebang",
        "#!LUA name=upper\nredis.register_function('u', function() return 1 end)", "#!js name=x\nx", "#! name=x\nx",
        "#!lua NAME=caps\nredis.register_function('c', function() return 1 end)", "#!lua name=bad-name\nx", "#!lua name=\nx",
        "#!lua name=nofn\nlocal x = 1", "#!lua name=syntax\nlocal = 1",
        "#!lua name=dupfn\nredis.register_function('d', function() end) redis.register_function('d', function() end)"]
        .map((code) => ["FUNCTION", "LOAD", code]),
      ["FUNCTION", "LOAD", "foo", ok],
      ["FUNCTION", "LOAD", "replace", "REPLACE", ok],
      ["FUNCTION", "LOAD", ok],
      ["FUNCTION", "FLUSH", "sync", "extra"],
      ["FUNCTION", "FLUSH", "bad"],
      ["FUNCTION", "HELP"]
    ]
    for (const args of cases) expect(await outcome(ours, args), args.join(" ")).toEqual(await outcome(theirs, args))
  })
})

import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, TestClock } from "effect"
import * as fc from "fast-check"
import { dumpPayload, readPayload } from "../../src/commands/dump.js"
import { aofReplayTable } from "../../src/commands/table.js"
import * as Errors from "../../src/errors.js"
import { withAbsoluteExpiry } from "../../src/persistence/aof/absolute-expiry.js"
import { crc64 } from "../../src/persistence/rdb/crc64.js"
import { bulk, error, integer, nullBulk, ok, type RespValue } from "../../src/resp/values.js"
import { internalSession, type Session } from "../../src/state/Session.js"
import { Store } from "../../src/store/Store.js"
import { fresh, RawString } from "../../src/values/string.js"
import { realisticNow } from "./helpers.js"

/** Runs one data command of the table (arity is not checked here); an error reply comes back as an Error value. */
const run = (session: Session, args: ReadonlyArray<string>): Effect.Effect<RespValue, never, Store> => {
  const spec = aofReplayTable.get(args[0].toLowerCase())
  if (spec === undefined) return Effect.die(`no such command: ${args[0]}`)
  return Effect.map(Effect.either(spec.handler(args, session)), Either.match({ onLeft: (e) => error(e.message), onRight: (v) => v }))
}

/** Steps of [database, command, expected reply] on a fresh store, the clock at a real date. */
const script = (steps: ReadonlyArray<readonly [number, ReadonlyArray<string>, RespValue]>) =>
  Effect.zipRight(
    TestClock.setTime(realisticNow),
    Effect.gen(function*() {
      const sessions = [internalSession(0, ""), internalSession(1, "")]
      for (const [db, args, expected] of steps) expect([db, args, yield* run(sessions[db], args)]).toEqual([db, args, expected])
    }).pipe(Effect.provide(Store.layer))
  )

/** A payload with its footer made right for `body` and `version`. */
const withFooter = (body: Buffer, version: number): string => {
  const payload = Buffer.alloc(body.length + 10)
  body.copy(payload)
  payload.writeUInt16LE(version, body.length)
  payload.writeBigUInt64LE(crc64(payload.subarray(0, body.length + 2)), body.length + 2)
  return payload.toString("latin1")
}

describe("COPY, MOVE, SWAPDB, TOUCH, GETSET, SUBSTR", () => {
  it.effect("COPY within and across databases, with REPLACE and the TTL", () =>
    script([
      [0, ["SET", "a", "hello", "PX", "5000"], ok],
      [0, ["COPY", "a", "a"], error(Errors.sameObject)],
      [0, ["COPY", "a", "a", "DB", "0"], error(Errors.sameObject)],
      [0, ["COPY", "a", "b", "DB", "16"], error(Errors.dbIndexOutOfRange)],
      [0, ["COPY", "a", "b", "DB", "x"], error(Errors.notInteger)],
      [0, ["COPY", "a", "b", "DB", "4294967296"], error(Errors.valueOutOfRange(-(2n ** 31n), 2n ** 31n - 1n))],
      [0, ["COPY", "a", "b", "REPLACE", "DB"], error(Errors.syntaxError)],
      [0, ["COPY", "missing", "b"], integer(0)],
      [0, ["COPY", "a", "b"], integer(1)],
      [0, ["PTTL", "b"], integer(5000)],
      [0, ["SET", "c", "other"], ok],
      [0, ["COPY", "a", "c"], integer(0)],
      [0, ["COPY", "a", "c", "REPLACE"], integer(1)],
      [0, ["GET", "c"], bulk("hello")],
      [0, ["COPY", "a", "a", "DB", "1"], integer(1)],
      [1, ["GET", "a"], bulk("hello")],
      [1, ["PTTL", "a"], integer(5000)],
      [0, ["COPY", "a", "a", "DB", "1"], integer(0)]
    ]))

  it.effect("MOVE and SWAPDB", () =>
    script([
      [0, ["SET", "a", "1"], ok],
      [0, ["MOVE", "a", "0"], error(Errors.sameObject)],
      [0, ["MOVE", "a", "16"], error(Errors.dbIndexOutOfRange)],
      [0, ["MOVE", "a", "x"], error(Errors.notInteger)],
      [0, ["MOVE", "missing", "1"], integer(0)],
      [0, ["MOVE", "a", "1"], integer(1)],
      [0, ["EXISTS", "a"], integer(0)],
      [1, ["GET", "a"], bulk("1")],
      [0, ["SET", "a", "2"], ok],
      [0, ["MOVE", "a", "1"], integer(0)],
      [0, ["SWAPDB", "x", "0"], error(Errors.invalidFirstDbIndex)],
      [0, ["SWAPDB", "0", "4294967296"], error(Errors.invalidSecondDbIndex)],
      [0, ["SWAPDB", "0", "16"], error(Errors.dbIndexOutOfRange)],
      [0, ["SWAPDB", "0", "0"], ok],
      [0, ["SET", "b", "only0"], ok],
      [0, ["SWAPDB", "0", "1"], ok],
      [0, ["GET", "a"], bulk("1")],
      [0, ["EXISTS", "b"], integer(0)],
      [1, ["GET", "b"], bulk("only0")]
    ]))

  it.effect("TOUCH counts live keys; GETSET drops the TTL; SUBSTR is GETRANGE", () =>
    script([
      [0, ["SET", "a", "hello", "PX", "100"], ok],
      [0, ["TOUCH", "a", "a", "missing"], integer(2)],
      [0, ["GETSET", "a", "world"], bulk("hello")],
      [0, ["PTTL", "a"], integer(-1)],
      [0, ["GETSET", "n", "1"], nullBulk],
      [0, ["SUBSTR", "a", "1", "-2"], bulk("orl")],
      [0, ["SUBSTR", "a", "x", "1"], error(Errors.notInteger)]
    ]))
})

describe("DUMP and RESTORE", () => {
  it("the payload of a string is Redis's: type 0, the RDB string, version 10, CRC64", () => {
    expect(dumpPayload(fresh("v"))).toEqual("\x00\x01v\n\x00\x91\b\xce\xb2\x198\x8a\xce")
  })

  it("round-trips every string, in its encoding Redis would load", () => {
    fc.assert(fc.property(fc.string({ unit: fc.integer({ min: 0, max: 255 }).map((b) => String.fromCharCode(b)), maxLength: 300 }),
      fc.boolean(), (text, raw) => {
        const value = raw ? new RawString(text) : fresh(text)
        expect(readPayload(dumpPayload(value))).toEqual(Either.right(fresh(text)))
      }))
  })

  it("refuses a bad checksum, a newer version, and a body that does not parse", () => {
    const valid = dumpPayload(fresh("hello"))
    const flipped = valid.slice(0, 2) + "X" + valid.slice(3)
    expect(readPayload(flipped)).toEqual(Either.left(Errors.commandError(Errors.dumpPayloadWrong)))
    expect(readPayload("short")).toEqual(Either.left(Errors.commandError(Errors.dumpPayloadWrong)))
    expect(readPayload(withFooter(Buffer.from([0, 1, 0x76]), 11))).toEqual(Either.left(Errors.commandError(Errors.dumpPayloadWrong)))
    expect(readPayload(withFooter(Buffer.from([0, 1, 0x76]), 9))).toEqual(Either.right("v"))
    expect(readPayload(withFooter(Buffer.from([200, 1, 0x76]), 10))).toEqual(Either.left(Errors.commandError(Errors.badDataFormat)))
    expect(readPayload(withFooter(Buffer.from([0, 5, 0x76]), 10))).toEqual(Either.left(Errors.commandError(Errors.badDataFormat)))
  })

  const payload = dumpPayload(fresh("value"))
  it.effect("RESTORE: BUSYKEY, REPLACE, options, TTLs relative and absolute, past TTLs", () =>
    script([
      [0, ["DUMP", "missing"], nullBulk],
      [0, ["RESTORE", "a", "0", payload], ok],
      [0, ["DUMP", "a"], bulk(payload)],
      [0, ["RESTORE", "a", "0", payload], error(Errors.busyKey)],
      [0, ["RESTORE", "a", "-1", payload, "REPLACE"], error(Errors.invalidTtl)],
      [0, ["RESTORE", "a", "x", payload, "REPLACE"], error(Errors.notInteger)],
      [0, ["RESTORE", "a", "0", "junk", "REPLACE"], error(Errors.dumpPayloadWrong)],
      [0, ["RESTORE", "a", "0", payload, "IDLETIME", "-1"], error(Errors.invalidIdletime)],
      [0, ["RESTORE", "a", "0", payload, "FREQ", "256"], error(Errors.invalidFreq)],
      [0, ["RESTORE", "a", "0", payload, "FREQ", "1", "IDLETIME", "1"], error(Errors.syntaxError)],
      [0, ["RESTORE", "a", "0", payload, "IDLETIME"], error(Errors.syntaxError)],
      [0, ["RESTORE", "a", "1000", payload, "REPLACE", "IDLETIME", "5"], ok],
      [0, ["PTTL", "a"], integer(1000)],
      [0, ["RESTORE", "b", String(realisticNow + 2000), payload, "ABSTTL", "FREQ", "3"], ok],
      [0, ["PTTL", "b"], integer(2000)],
      [0, ["RESTORE", "c", String(realisticNow - 1), payload, "ABSTTL"], ok],
      [0, ["EXISTS", "c"], integer(0)],
      [0, ["RESTORE", "b", "1", payload, "ABSTTL", "REPLACE"], ok],
      [0, ["EXISTS", "b"], integer(0)],
      [0, ["GET", "a"], bulk("value")]
    ]))

  it("the AOF logs a relative RESTORE TTL as an absolute one with ABSTTL", () => {
    expect(withAbsoluteExpiry(["RESTORE", "k", "1000", "p", "REPLACE"], 5000)).toEqual(["RESTORE", "k", "6000", "p", "REPLACE", "ABSTTL"])
    expect(withAbsoluteExpiry(["RESTORE", "k", "1000", "p", "absttl"], 5000)).toEqual(["RESTORE", "k", "1000", "p", "absttl"])
    expect(withAbsoluteExpiry(["RESTORE", "k", "0", "p"], 5000)).toEqual(["RESTORE", "k", "0", "p"])
  })
})

import { describe, expect, it } from "@effect/vitest"
import { Effect, TestClock } from "effect"
import { bulk, error, integer, nullBulk, ok } from "../../src/resp/values.js"
import { Store } from "../../src/store/Store.js"
import * as Errors from "../../src/errors.js"
import { runner, script } from "./helpers.js"

const syntax = error(Errors.syntaxError)
const badExpire = error(Errors.invalidExpireTime("set"))

describe("SET", () => {
  it.effect("options: NX XX GET and their combinations", () =>
    script([
      [["SET", "k", "1", "XX"], nullBulk],
      [["SET", "k", "1", "NX"], ok],
      [["SET", "k", "2", "NX"], nullBulk],
      [["SET", "k", "2", "nx", "GET"], bulk("1")],
      [["SET", "k", "3", "XX", "GET"], bulk("1")],
      [["SET", "z", "3", "XX", "GET"], nullBulk],
      [["SET", "k", "4", "GET"], bulk("3")],
      [["SET", "k", "5", "NX", "NX"], nullBulk],
      [["SET", "k", "5", "NX", "XX"], syntax],
      [["SET", "k", "5", "XX", "NX"], syntax],
      [["SET", "k", "5", "FOO"], syntax],
      [["GET", "k"], bulk("4")]
    ]))

  it.effect("expiry options and their conflicts", () =>
    script([
      [["SET", "k", "v", "EX", "10", "EX", "20"], ok],
      [["TTL", "k"], integer(20)],
      [["SET", "k", "v", "EX", "1", "PX", "5"], syntax],
      [["SET", "k", "v", "EX", "1", "KEEPTTL"], syntax],
      [["SET", "k", "v", "KEEPTTL", "PXAT", "5"], syntax],
      [["SET", "k", "v", "EXAT", "1", "PXAT", "5"], syntax],
      [["SET", "k", "v", "PX"], syntax],
      [["SET", "k", "v", "PERSIST"], syntax],
      [["SET", "k", "v", "EX", "abc"], error(Errors.notInteger)],
      [["SET", "k", "v", "EX", "0"], badExpire],
      [["SET", "k", "v", "PX", "-5"], badExpire],
      [["SET", "k", "v", "EX", "9223372036854776"], badExpire],
      [["SET", "k", "v", "PX", "9223372036854775807"], badExpire],
      [["SET", "k", "v", "PXAT", "9223372036854775807"], ok],
      [["SET", "k", "v", "PX", "1500"], ok],
      [["SET", "k", "w", "KEEPTTL"], ok],
      [["PTTL", "k"], integer(1500)],
      [["SET", "k", "w"], ok],
      [["TTL", "k"], integer(-1)],
      [["SET", "k", "v", "EXAT", "1"], ok],
      [["GET", "k"], nullBulk],
      [["SETEX", "k", "0", "v"], error(Errors.invalidExpireTime("setex"))],
      [["PSETEX", "k", "-1", "v"], error(Errors.invalidExpireTime("psetex"))],
      [["SETEX", "k", "abc", "v"], error(Errors.notInteger)],
      [["SETEX", "k", "10", "v"], ok],
      [["TTL", "k"], integer(10)]
    ]))

  it.effect("a key set with PX disappears once the clock passes it", () =>
    Effect.gen(function*() {
      const redis = runner()
      yield* redis("SET", "k", "v", "PX", "100")
      yield* TestClock.adjust("100 millis")
      expect(yield* redis("GET", "k")).toEqual(bulk("v"))
      yield* TestClock.adjust("1 millis")
      expect(yield* redis("GET", "k")).toEqual(nullBulk)
    }).pipe(Effect.provide(Store.layer)))
})

describe("GET family", () => {
  it.effect("GETDEL GETEX MGET SETNX STRLEN", () =>
    script([
      [["SET", "a", "1"], ok],
      [["GETEX", "a", "EX", "10"], bulk("1")],
      [["TTL", "a"], integer(10)],
      [["GETEX", "a", "PERSIST"], bulk("1")],
      [["TTL", "a"], integer(-1)],
      [["GETEX", "nokey", "EX", "0"], nullBulk],
      [["GETEX", "a", "EX", "0"], error(Errors.invalidExpireTime("getex"))],
      [["GETEX", "a", "NX"], syntax],
      [["GETEX", "a", "EX", "10", "PERSIST"], syntax],
      [["GETEX", "a", "PXAT", "1"], bulk("1")],
      [["EXISTS", "a"], integer(0)],
      [["SETNX", "a", "x"], integer(1)],
      [["SETNX", "a", "y"], integer(0)],
      [["STRLEN", "a"], integer(1)],
      [["STRLEN", "none"], integer(0)],
      [["GETDEL", "a"], bulk("x")],
      [["GETDEL", "a"], nullBulk],
      [["MSET", "a", "1", "b"], error(Errors.wrongArity("mset"))],
      [["MSETNX", "a", "1", "b"], error(Errors.wrongArity("msetnx"))],
      [["MSET", "a", "1", "b", "2"], ok],
      [["MSETNX", "b", "3", "c", "4"], integer(0)],
      [["MSETNX", "c", "3", "d", "4"], integer(1)],
      [["MGET", "a", "x", "d"], { _tag: "Array", items: [bulk("1"), nullBulk, bulk("4")] }]
    ]))
})

describe("ranges", () => {
  it.effect("APPEND GETRANGE SETRANGE", () =>
    script([
      [["GETRANGE", "none", "0", "-1"], bulk("")],
      [["APPEND", "s", "hello"], integer(5)],
      [["GETRANGE", "s", "0", "-1"], bulk("hello")],
      [["GETRANGE", "s", "-1", "-5"], bulk("")],
      [["GETRANGE", "s", "0", "-100"], bulk("h")],
      [["GETRANGE", "s", "-100", "-100"], bulk("h")],
      [["GETRANGE", "s", "3", "100"], bulk("lo")],
      [["GETRANGE", "s", "x", "1"], error(Errors.notInteger)],
      [["SETRANGE", "s", "-1", "x"], error(Errors.offsetOutOfRange)],
      [["SETRANGE", "s", "536870912", "x"], error(Errors.stringTooLong)],
      [["SETRANGE", "n", "5", ""], integer(0)],
      [["SETRANGE", "s", "1", "ipp"], integer(5)],
      [["SETRANGE", "p", "2", "x"], integer(3)],
      [["GET", "p"], bulk("\0\0x")],
      [["GET", "s"], bulk("hippo")]
    ]))
})

describe("counters", () => {
  it.effect("INCR family: int64 exact, overflow, strict parsing, TTL kept", () =>
    script([
      [["INCR", "n"], integer(1)],
      [["INCRBY", "n", "9007199254740992"], integer(9007199254740993n)],
      [["SET", "n", "9223372036854775806"], ok],
      [["INCR", "n"], integer(9223372036854775807n)],
      [["INCR", "n"], error(Errors.overflow)],
      [["DECRBY", "n", "-9223372036854775808"], error(Errors.decrementOverflow)],
      [["SET", "n", "-9223372036854775808"], ok],
      [["DECR", "n"], error(Errors.overflow)],
      [["INCRBY", "n", "abc"], error(Errors.notInteger)],
      [["SET", "n", " 1"], ok],
      [["INCR", "n"], error(Errors.notInteger)],
      [["SET", "n", "+1"], ok],
      [["INCR", "n"], error(Errors.notInteger)],
      [["SET", "n", "01"], ok],
      [["INCR", "n"], error(Errors.notInteger)],
      [["SET", "n", "10", "EX", "100"], ok],
      [["DECRBY", "n", "3"], integer(7)],
      [["TTL", "n"], integer(100)]
    ]))

  it.effect("INCRBYFLOAT formats as Redis's long double %.17Lf", () =>
    script([
      [["INCRBYFLOAT", "f", "10.5"], bulk("10.5")],
      [["INCRBYFLOAT", "f", "0.1"], bulk("10.6")],
      [["SET", "f", "0.1"], ok],
      [["INCRBYFLOAT", "f", "0.2"], bulk("0.3")],
      [["SET", "f", "1e20"], ok],
      [["INCRBYFLOAT", "f", "1"], bulk("100000000000000000000")],
      [["SET", "f", "5.0e3"], ok],
      [["INCRBYFLOAT", "f", "2.0e2"], bulk("5200")],
      [["INCRBYFLOAT", "g", "0x10"], bulk("16")],
      [["INCRBYFLOAT", "g", "1.5e-20"], bulk("16")],
      [["INCRBYFLOAT", "g", "-16"], bulk("0")],
      [["INCRBYFLOAT", "h", "0.024390243902439025"], bulk("0.02439024390243902")],
      [["INCRBYFLOAT", "h", "-0.024390243902439025"], bulk("0")],
      [["INCRBYFLOAT", "g", "inf"], error(Errors.incrementNanOrInfinity)],
      [["INCRBYFLOAT", "g", " 1"], error(Errors.notFloat)],
      [["INCRBYFLOAT", "g", "nan"], error(Errors.notFloat)],
      [["INCRBYFLOAT", "g", "1e5000"], error(Errors.notFloat)],
      [["SET", "g", "abc"], ok],
      [["INCRBYFLOAT", "g", "1"], error(Errors.notFloat)]
    ]))
})

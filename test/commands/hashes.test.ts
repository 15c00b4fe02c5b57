import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import * as Errors from "../../src/errors.js"
import { array, bulk, error, integer, map, nullBulk, ok, type RespValue } from "../../src/resp/values.js"
import { Store } from "../../src/store/Store.js"
import { internalSession } from "../../src/state/Session.js"
import { runner, script } from "./helpers.js"

const wrongType = error(Errors.wrongType)
const bulks = (...items: ReadonlyArray<string>) => array(items.map(bulk))

/** The items of an array reply, sorted (hash order is not promised). */
const sortedItems = (value: RespValue): Array<string> =>
  value._tag === "Array" ? value.items.map((item) => (item._tag === "BulkString" ? item.value : JSON.stringify(item))).sort() : []

describe("HSET, HMSET, HSETNX, HGET, HMGET", () => {
  it.effect("set, count new fields, read back", () =>
    script([
      [["HSET", "h", "a", "1", "b", "2"], integer(2)],
      [["HSET", "h", "a", "3", "c", "4"], integer(1)],
      [["HGET", "h", "a"], bulk("3")],
      [["HGET", "h", "zz"], nullBulk],
      [["HGET", "nokey", "a"], nullBulk],
      [["HMGET", "h", "a", "zz", "c"], array([bulk("3"), nullBulk, bulk("4")])],
      [["HMGET", "nokey", "a"], array([nullBulk])],
      [["HMSET", "h", "d", "5"], ok],
      [["HSETNX", "h", "d", "6"], integer(0)],
      [["HSETNX", "h", "e", "7"], integer(1)],
      [["HLEN", "h"], integer(5)],
      [["HLEN", "nokey"], integer(0)],
      [["HSTRLEN", "h", "a"], integer(1)],
      [["HSTRLEN", "h", "zz"], integer(0)],
      [["HEXISTS", "h", "a"], integer(1)],
      [["HEXISTS", "h", "zz"], integer(0)]
    ]))

  it.effect("an odd number of arguments is the arity error", () =>
    script([
      [["HSET", "h", "a", "1", "b"], error(Errors.wrongArity("hset"))],
      [["HMSET", "h", "a", "1", "b"], error(Errors.wrongArity("hmset"))],
      [["HSET", "h", "a"], error(Errors.wrongArity("hset"))],
      [["EXISTS", "h"], integer(0)]
    ]))
})

describe("HDEL", () => {
  it.effect("counts removed fields; removing the last field deletes the key", () =>
    script([
      [["HSET", "h", "a", "1", "b", "2"], integer(2)],
      [["HDEL", "h", "a", "a", "zz"], integer(1)],
      [["HDEL", "nokey", "a"], integer(0)],
      [["HDEL", "h", "b"], integer(1)],
      [["EXISTS", "h"], integer(0)],
      [["TYPE", "h"], { _tag: "SimpleString", value: "none" }]
    ]))

  it.effect("keeps the TTL of the key", () =>
    script([
      [["HSET", "h", "a", "1", "b", "2"], integer(2)],
      [["EXPIRE", "h", "100"], integer(1)],
      [["HDEL", "h", "a"], integer(1)],
      [["HSET", "h", "c", "3"], integer(1)],
      [["TTL", "h"], integer(100)]
    ]))
})

describe("HINCRBY, HINCRBYFLOAT", () => {
  it.effect("integers, overflow and non-integers", () =>
    script([
      [["HINCRBY", "h", "n", "5"], integer(5)],
      [["HINCRBY", "h", "n", "-7"], integer(-2)],
      [["HINCRBY", "h", "n", "x"], error(Errors.notInteger)],
      [["HSET", "h", "s", "abc", "max", "9223372036854775807", "sp", " 1"], integer(3)],
      [["HINCRBY", "h", "s", "1"], error(Errors.hashNotInteger)],
      [["HINCRBY", "h", "sp", "1"], error(Errors.hashNotInteger)],
      [["HINCRBY", "h", "max", "1"], error(Errors.overflow)],
      [["HINCRBY", "h", "max", "0"], integer(9223372036854775807n)]
    ]))

  it.effect("long double arithmetic and its errors", () =>
    script([
      [["HINCRBYFLOAT", "h", "f", "0.1"], bulk("0.1")],
      [["HINCRBYFLOAT", "h", "f", "0.2"], bulk("0.3")],
      [["HINCRBYFLOAT", "h", "f", "5.0e3"], bulk("5000.29999999999999982")],
      [["HINCRBYFLOAT", "h", "f", "x"], error(Errors.notFloat)],
      [["HINCRBYFLOAT", "h", "f", "inf"], error(Errors.valueNanOrInfinity)],
      [["HSET", "h", "s", "abc"], integer(1)],
      [["HINCRBYFLOAT", "h", "s", "1"], error(Errors.hashNotFloat)],
      [["HGET", "h", "f"], bulk("5000.29999999999999982")]
    ]))
})

describe("HKEYS, HVALS, HGETALL", () => {
  it.effect("list every field and value; a missing key is empty", () =>
    Effect.gen(function*() {
      const redis = runner()
      yield* redis("HSET", "h", "a", "1", "b", "2", "c", "3")
      expect(sortedItems(yield* redis("HKEYS", "h"))).toEqual(["a", "b", "c"])
      expect(sortedItems(yield* redis("HVALS", "h"))).toEqual(["1", "2", "3"])
      const all = yield* redis("HGETALL", "h")
      expect(all._tag === "Map" ? [...all.entries].map(([f, v]) => JSON.stringify([f, v])).sort() : all).toEqual(
        [[bulk("a"), bulk("1")], [bulk("b"), bulk("2")], [bulk("c"), bulk("3")]].map((pair) => JSON.stringify(pair))
      )
      expect(yield* redis("HGETALL", "nokey")).toEqual(map([]))
      expect(yield* redis("HKEYS", "nokey")).toEqual(array([]))
    }).pipe(Effect.provide(Store.layer)))
})

describe("HRANDFIELD", () => {
  it.effect("one field, distinct fields for a positive count, repeats for a negative one", () =>
    Effect.gen(function*() {
      const redis = runner()
      yield* redis("HSET", "h", "a", "1", "b", "2", "c", "3")
      const one = yield* redis("HRANDFIELD", "h")
      expect(one._tag === "BulkString" && ["a", "b", "c"].includes(one.value)).toBe(true)
      expect(sortedItems(yield* redis("HRANDFIELD", "h", "10"))).toEqual(["a", "b", "c"])
      const two = sortedItems(yield* redis("HRANDFIELD", "h", "2"))
      expect(new Set(two).size).toBe(2)
      const many = sortedItems(yield* redis("HRANDFIELD", "h", "-20"))
      expect(many.length).toBe(20)
      expect(many.every((field) => ["a", "b", "c"].includes(field))).toBe(true)
      expect(sortedItems(yield* redis("HRANDFIELD", "h", "3", "WITHVALUES"))).toEqual(["1", "2", "3", "a", "b", "c"])
      expect(yield* redis("HRANDFIELD", "nokey")).toEqual(nullBulk)
      expect(yield* redis("HRANDFIELD", "nokey", "-3", "WITHVALUES")).toEqual(array([]))
      expect(yield* redis("HRANDFIELD", "h", "0")).toEqual(array([]))
      expect(yield* redis("HRANDFIELD", "h", "1", "foo")).toEqual(error(Errors.syntaxError))
      expect(yield* redis("HRANDFIELD", "h", "x")).toEqual(error(Errors.notInteger))
      expect(yield* redis("HRANDFIELD", "h", "-9223372036854775808")).toEqual(
        error(Errors.valueOutOfRange(-9223372036854775807n, 9223372036854775807n))
      )
      expect(yield* redis("HRANDFIELD", "h", "-4611686018427387904", "withvalues")).toEqual(error(Errors.countOutOfRange))
    }).pipe(Effect.provide(Store.layer)))

  it.effect("RESP3 WITHVALUES answers [field, value] pairs", () =>
    Effect.gen(function*() {
      const session = internalSession(0, "")
      session.protocol = 3
      const redis = runner(session)
      yield* redis("HSET", "h", "a", "1")
      expect(yield* redis("HRANDFIELD", "h", "-2", "WITHVALUES")).toEqual(array([bulks("a", "1"), bulks("a", "1")]))
    }).pipe(Effect.provide(Store.layer)))
})

describe("HSCAN", () => {
  it.effect("a listpack hash in one call with cursor 0, MATCH filters fields", () =>
    script([
      [["HSET", "h", "a", "1"], integer(1)],
      [["HSCAN", "h", "0"], array([bulk("0"), bulks("a", "1")])],
      [["HSCAN", "h", "7", "MATCH", "b*"], array([bulk("0"), array([])])],
      [["HSCAN", "h", "0", "COUNT", "0"], error(Errors.syntaxError)],
      [["HSCAN", "h", "0", "TYPE", "string"], error(Errors.syntaxError)],
      [["HSCAN", "h", "x"], error(Errors.invalidCursor)],
      [["HSCAN", "nokey", "0", "bad"], array([bulk("0"), array([])])]
    ]))

  it.effect("a hashtable hash pages through every field exactly once", () =>
    Effect.gen(function*() {
      const redis = runner()
      const fields = Array.from({ length: 300 }, (_, i) => `f${i}`)
      yield* redis("HSET", "h", ...fields.flatMap((field) => [field, "v"]))
      const seen: Array<string> = []
      let cursor = "0"
      do {
        const page = yield* redis("HSCAN", "h", cursor, "COUNT", "20")
        if (page._tag !== "Array" || page.items[0]._tag !== "BulkString" || page.items[1]._tag !== "Array") throw new Error("bad page")
        cursor = page.items[0].value
        page.items[1].items.forEach((item, i) => {
          if (i % 2 === 0 && item._tag === "BulkString") seen.push(item.value)
        })
      } while (cursor !== "0")
      expect(seen.sort()).toEqual([...fields].sort())
    }).pipe(Effect.provide(Store.layer)))
})

describe("WRONGTYPE", () => {
  it.effect("hash commands on a string, string commands on a hash", () =>
    script([
      [["SET", "s", "1"], ok],
      [["HSET", "h", "a", "1"], integer(1)],
      [["HGET", "s", "a"], wrongType],
      [["HSET", "s", "a", "1"], wrongType],
      [["HLEN", "s"], wrongType],
      [["HSCAN", "s", "0", "bad"], wrongType],
      [["HRANDFIELD", "s", "1"], wrongType],
      [["GET", "h"], wrongType],
      [["INCR", "h"], wrongType],
      [["INCRBYFLOAT", "h", "1"], wrongType],
      [["APPEND", "h", "x"], wrongType],
      [["SETRANGE", "h", "0", ""], wrongType],
      [["GETRANGE", "h", "0", "1"], wrongType],
      [["STRLEN", "h"], wrongType],
      [["GETDEL", "h"], wrongType],
      [["GETEX", "h"], wrongType],
      [["SET", "h", "v", "GET"], wrongType],
      [["MGET", "s", "h"], array([bulk("1"), nullBulk])],
      [["TYPE", "h"], { _tag: "SimpleString", value: "hash" }],
      [["SET", "h", "v"], ok],
      [["GET", "h"], bulk("v")]
    ]))
})

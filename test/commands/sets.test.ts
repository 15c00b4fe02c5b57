/**
 * The set commands against the store, reply by reply, as redis-server 7.0.15
 * answers them (random picks checked by count and membership).
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, TestClock } from "effect"
import { setCommands } from "../../src/commands/sets.js"
import { keyspaceCommands, stringCommands } from "../../src/commands/table.js"
import { objectEncoding } from "../../src/commands/object.js"
import { commandError, wrongArity, wrongType } from "../../src/errors.js"
import { array, bulk, error, integer, nullBulk, ok, type RespValue, set } from "../../src/resp/values.js"
import { Store } from "../../src/store/Store.js"
import { realisticNow, testSession } from "./helpers.js"

const table = new Map([...stringCommands, ...keyspaceCommands, ...setCommands].map((spec) => [spec.name, spec]))
const session = testSession()

const run = (...args: ReadonlyArray<string>): Effect.Effect<RespValue, never, Store> => {
  const spec = table.get(args[0].toLowerCase())
  if (spec === undefined) return Effect.die(`no such command: ${args[0]}`)
  const fits = spec.arity >= 0 ? args.length === spec.arity : args.length >= -spec.arity
  const result = fits ? spec.handler(args, session) : Effect.fail(commandError(wrongArity(spec.name)))
  return Effect.map(Effect.either(result), Either.match({ onLeft: (e) => error(e.message), onRight: (v) => v }))
}

const encoding = (key: string) => objectEncoding(["OBJECT", "ENCODING", key], session).pipe(Effect.orDie)

const bulks = (...members: ReadonlyArray<string>) => members.map(bulk)
const items = (reply: RespValue): Array<string> =>
  reply._tag === "Array" || reply._tag === "Set" ? reply.items.map((item) => (item._tag === "BulkString" ? item.value : "?")) : []
const sorted = (reply: RespValue) => items(reply).sort()

const withStore = <A>(body: Effect.Effect<A, never, Store>) =>
  Effect.zipRight(TestClock.setTime(realisticNow), body.pipe(Effect.provide(Store.layer)))

const wrong = error(wrongType)

describe("set commands", () => {
  it.effect("SADD, SREM, SCARD, SISMEMBER, SMISMEMBER; the last member removed deletes the key", () =>
    withStore(Effect.gen(function*() {
      expect(yield* run("SADD", "s", "3", "1", "2", "1")).toEqual(integer(3))
      expect(yield* run("SADD", "s", "1", "4")).toEqual(integer(1))
      expect(yield* run("SCARD", "s")).toEqual(integer(4))
      expect(yield* run("SCARD", "none")).toEqual(integer(0))
      expect(yield* run("SISMEMBER", "s", "4")).toEqual(integer(1))
      expect(yield* run("SISMEMBER", "s", "04")).toEqual(integer(0))
      expect(yield* run("SMISMEMBER", "s", "1", "x", "2")).toEqual(array([integer(1), integer(0), integer(1)]))
      expect(yield* run("SMISMEMBER", "none", "1")).toEqual(array([integer(0)]))
      expect(yield* run("SREM", "s", "1", "x", "1")).toEqual(integer(1))
      expect(yield* run("SREM", "none", "1")).toEqual(integer(0))
      expect(yield* run("SREM", "s", "2", "3", "4")).toEqual(integer(3))
      expect(yield* run("EXISTS", "s")).toEqual(integer(0))
    })))

  it.effect("SMEMBERS: an intset ascending, a set reply (RESP3 ~), an empty set for a missing key; TYPE set", () =>
    withStore(Effect.gen(function*() {
      yield* run("SADD", "s", "10", "-2", "3")
      expect(yield* run("SMEMBERS", "s")).toEqual(set(bulks("-2", "3", "10")))
      expect(yield* run("SMEMBERS", "none")).toEqual(set([]))
      expect(yield* run("TYPE", "s")).toEqual({ _tag: "SimpleString", value: "set" })
    })))

  it.effect("OBJECT ENCODING: intset until a non-integer or the 513th member, then hashtable for good", () =>
    withStore(Effect.gen(function*() {
      yield* run("SADD", "s", "1", "2")
      expect(yield* encoding("s")).toEqual(bulk("intset"))
      yield* run("SADD", "s", "01")
      expect(yield* encoding("s")).toEqual(bulk("hashtable"))
      yield* run("SREM", "s", "01")
      expect(yield* encoding("s")).toEqual(bulk("hashtable"))
      yield* run("SADD", "big", ...Array.from({ length: 512 }, (_, i) => String(i)))
      expect(yield* encoding("big")).toEqual(bulk("intset"))
      yield* run("SADD", "big", "512")
      expect(yield* encoding("big")).toEqual(bulk("hashtable"))
      yield* run("SADD", "first-string", "a", "1")
      yield* run("SREM", "first-string", "a")
      expect(yield* encoding("first-string")).toEqual(bulk("hashtable"))
      yield* run("SUNIONSTORE", "copy", "first-string")
      expect(yield* encoding("copy")).toEqual(bulk("intset"))
    })))

  it.effect("WRONGTYPE on a string key from every set command; SET overwrites a set", () =>
    withStore(Effect.gen(function*() {
      yield* run("SET", "str", "x")
      yield* run("SADD", "s", "a")
      for (const command of [
        ["SADD", "str", "a"], ["SREM", "str", "a"], ["SISMEMBER", "str", "a"], ["SMISMEMBER", "str", "a"], ["SCARD", "str"],
        ["SMEMBERS", "str"], ["SRANDMEMBER", "str"], ["SRANDMEMBER", "str", "2"], ["SPOP", "str"], ["SPOP", "str", "0"],
        ["SMOVE", "str", "s", "a"], ["SMOVE", "s", "str", "a"], ["SINTER", "none", "str"], ["SINTERCARD", "2", "s", "str"],
        ["SINTERSTORE", "d", "none", "str"], ["SUNION", "s", "str"], ["SUNIONSTORE", "d", "str"], ["SDIFF", "none", "str"],
        ["SDIFFSTORE", "d", "s", "str"], ["SSCAN", "str", "0"]
      ]) expect([command, yield* run(...command)]).toEqual([command, wrong])
      expect(yield* run("SMOVE", "none", "str", "a")).toEqual(integer(0))
      expect(yield* run("SET", "s", "v")).toEqual(ok)
      expect(yield* run("GET", "s")).toEqual(bulk("v"))
    })))

  it.effect("SMOVE: moves, creates the destination, deletes an emptied source, keeps TTLs; same key answers membership", () =>
    withStore(Effect.gen(function*() {
      yield* run("SADD", "a", "1", "x")
      yield* run("EXPIRE", "a", "100")
      expect(yield* run("SMOVE", "a", "b", "1")).toEqual(integer(1))
      expect(yield* encoding("b")).toEqual(bulk("intset"))
      expect(yield* run("SMOVE", "a", "b", "nope")).toEqual(integer(0))
      expect(yield* run("SMOVE", "a", "a", "x")).toEqual(integer(1))
      expect(yield* run("SMOVE", "a", "a", "1")).toEqual(integer(0))
      expect(yield* run("TTL", "a")).toEqual(integer(100))
      expect(yield* run("SMOVE", "a", "b", "x")).toEqual(integer(1))
      expect(yield* run("EXISTS", "a")).toEqual(integer(0))
      expect(sorted(yield* run("SMEMBERS", "b"))).toEqual(["1", "x"])
    })))

  it.effect("SINTER, SUNION, SDIFF and their STORE forms; an empty result deletes the destination", () =>
    withStore(Effect.gen(function*() {
      yield* run("SADD", "a", "1", "2", "3", "x")
      yield* run("SADD", "b", "2", "3", "4")
      yield* run("SADD", "c", "3", "y")
      expect(yield* run("SINTER", "a", "b")).toEqual(set(bulks("2", "3")))
      expect(yield* run("SINTER", "a", "b", "c")).toEqual(set(bulks("3")))
      expect(yield* run("SINTER", "a", "none")).toEqual(set([]))
      expect(sorted(yield* run("SUNION", "b", "c", "none"))).toEqual(["2", "3", "4", "y"])
      expect(sorted(yield* run("SUNION", "a", "b"))).toEqual(["1", "2", "3", "4", "x"])
      expect(sorted(yield* run("SDIFF", "a", "b"))).toEqual(["1", "x"])
      expect(yield* run("SDIFF", "b", "a")).toEqual(set(bulks("4")))
      expect(yield* run("SDIFF", "none", "a")).toEqual(set([]))
      yield* run("SET", "d", "string")
      yield* run("EXPIRE", "d", "100")
      expect(yield* run("SINTERSTORE", "d", "a", "b")).toEqual(integer(2))
      expect(yield* run("TTL", "d")).toEqual(integer(-1))
      expect(yield* run("SMEMBERS", "d")).toEqual(set(bulks("2", "3")))
      expect(yield* run("SUNIONSTORE", "d", "b", "c")).toEqual(integer(4))
      expect(yield* run("SDIFFSTORE", "d", "b", "a")).toEqual(integer(1))
      expect(yield* run("SINTERSTORE", "d", "a", "none")).toEqual(integer(0))
      expect(yield* run("EXISTS", "d")).toEqual(integer(0))
      yield* run("SADD", "d", "z")
      expect(yield* run("SDIFFSTORE", "d", "a", "a")).toEqual(integer(0))
      expect(yield* run("EXISTS", "d")).toEqual(integer(0))
      expect(yield* run("SUNIONSTORE", "d", "none")).toEqual(integer(0))
    })))

  it.effect("SINTERCARD: LIMIT, and numkeys / LIMIT errors in Redis's order", () =>
    withStore(Effect.gen(function*() {
      yield* run("SADD", "a", "1", "2", "3")
      yield* run("SADD", "b", "2", "3", "4")
      expect(yield* run("SINTERCARD", "2", "a", "b")).toEqual(integer(2))
      expect(yield* run("SINTERCARD", "2", "a", "b", "LIMIT", "1")).toEqual(integer(1))
      expect(yield* run("SINTERCARD", "2", "a", "b", "limit", "0")).toEqual(integer(2))
      expect(yield* run("SINTERCARD", "1", "none")).toEqual(integer(0))
      expect(yield* run("SINTERCARD", "0", "a")).toEqual(error("ERR numkeys should be greater than 0"))
      expect(yield* run("SINTERCARD", "abc", "a")).toEqual(error("ERR numkeys should be greater than 0"))
      expect(yield* run("SINTERCARD", "3", "a", "b")).toEqual(error("ERR Number of keys can't be greater than number of args"))
      expect(yield* run("SINTERCARD", "1", "a", "LIMIT")).toEqual(error("ERR syntax error"))
      expect(yield* run("SINTERCARD", "1", "a", "LIMIT", "-1")).toEqual(error("ERR LIMIT can't be negative"))
      expect(yield* run("SINTERCARD", "1", "a", "FOO", "1")).toEqual(error("ERR syntax error"))
    })))

  it.effect("SRANDMEMBER: one member, distinct picks, repeats for a negative count, the whole set, errors", () =>
    withStore(Effect.gen(function*() {
      const members = Array.from({ length: 20 }, (_, i) => `m${i}`)
      yield* run("SADD", "s", ...members)
      const one = yield* run("SRANDMEMBER", "s")
      expect(one._tag === "BulkString" && members.includes(one.value)).toBe(true)
      const five = items(yield* run("SRANDMEMBER", "s", "5"))
      expect(five.length).toBe(5)
      expect(new Set(five).size).toBe(5)
      expect(five.every((m) => members.includes(m))).toBe(true)
      const many = items(yield* run("SRANDMEMBER", "s", "-50"))
      expect(many.length).toBe(50)
      expect(many.every((m) => members.includes(m))).toBe(true)
      expect(new Set(many).size).toBeLessThan(50)
      expect(sorted(yield* run("SRANDMEMBER", "s", "25"))).toEqual([...members].sort())
      expect(yield* run("SRANDMEMBER", "s", "0")).toEqual(array([]))
      expect(yield* run("SRANDMEMBER", "none")).toEqual(nullBulk)
      expect(yield* run("SRANDMEMBER", "none", "-3")).toEqual(array([]))
      expect(yield* run("SRANDMEMBER", "s", "abc")).toEqual(error("ERR value is not an integer or out of range"))
      expect(yield* run("SRANDMEMBER", "s", "-9223372036854775808")).toEqual(
        error("ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807"))
      expect(yield* run("SRANDMEMBER", "s", "1", "2")).toEqual(error("ERR syntax error"))
      yield* run("SADD", "i", "3", "1", "2")
      expect(yield* run("SRANDMEMBER", "i", "10")).toEqual(array(bulks("1", "2", "3")))
    })))

  it.effect("SPOP: one member, a count (both strategies), the whole set deletes the key, errors", () =>
    withStore(Effect.gen(function*() {
      const members = Array.from({ length: 600 }, (_, i) => String(i))
      yield* run("SADD", "s", ...members)
      expect(yield* encoding("s")).toEqual(bulk("hashtable"))
      const one = yield* run("SPOP", "s")
      expect(one._tag === "BulkString" && members.includes(one.value)).toBe(true)
      expect(yield* run("SCARD", "s")).toEqual(integer(599))
      const some = items(yield* run("SPOP", "s", "9"))
      expect(new Set(some).size).toBe(9)
      expect(yield* run("SCARD", "s")).toEqual(integer(590))
      expect(yield* encoding("s")).toEqual(bulk("hashtable"))
      // what stays is small against what goes: the rest is rebuilt, an intset again (spopWithCountCommand case 3)
      const most = items(yield* run("SPOP", "s", "580"))
      expect(new Set(most).size).toBe(580)
      expect(yield* run("SCARD", "s")).toEqual(integer(10))
      expect(yield* encoding("s")).toEqual(bulk("intset"))
      const rest = sorted(yield* run("SMEMBERS", "s"))
      expect(new Set([one._tag === "BulkString" ? one.value : "", ...some, ...most, ...rest]).size).toBe(600)
      expect(sorted(yield* run("SPOP", "s", "100"))).toEqual(rest)
      expect(yield* run("EXISTS", "s")).toEqual(integer(0))
      expect(yield* run("SPOP", "none")).toEqual(nullBulk)
      expect(yield* run("SPOP", "none", "2")).toEqual(set([]))
      expect(yield* run("SPOP", "none", "0")).toEqual(set([]))
      expect(yield* run("SPOP", "none", "-1")).toEqual(error("ERR value is out of range, must be positive"))
      expect(yield* run("SPOP", "none", "abc")).toEqual(error("ERR value is out of range, must be positive"))
      expect(yield* run("SPOP", "none", "1", "2")).toEqual(error("ERR syntax error"))
    })))

  it.effect("SSCAN: an intset in one call with cursor 0, a hashtable paged until cursor 0; MATCH; errors in Redis's order", () =>
    withStore(Effect.gen(function*() {
      yield* run("SADD", "i", ...Array.from({ length: 100 }, (_, i) => String(i)))
      expect(yield* run("SSCAN", "i", "0", "COUNT", "5", "MATCH", "1?")).toEqual(
        array([bulk("0"), array(bulks(...Array.from({ length: 10 }, (_, i) => String(10 + i))))]))
      const members = Array.from({ length: 300 }, (_, i) => `m${i}`)
      yield* run("SADD", "h", ...members)
      const seen = new Set<string>()
      let cursor = "0"
      let calls = 0
      do {
        const page = yield* run("SSCAN", "h", cursor)
        if (page._tag !== "Array" || page.items[0]._tag !== "BulkString") throw new Error("not a scan page")
        cursor = page.items[0].value
        items(page.items[1]).forEach((m) => seen.add(m))
        calls++
      } while (cursor !== "0")
      expect(seen).toEqual(new Set(members))
      expect(calls).toBeGreaterThan(10)
      expect(yield* run("SSCAN", "none", "0", "COUNT", "0")).toEqual(array([bulk("0"), array([])]))
      expect(yield* run("SSCAN", "i", "abc")).toEqual(error("ERR invalid cursor"))
      expect(yield* run("SSCAN", "i", "0", "COUNT", "0")).toEqual(error("ERR syntax error"))
      expect(yield* run("SSCAN", "i", "0", "COUNT", "x")).toEqual(error("ERR value is not an integer or out of range"))
      expect(yield* run("SSCAN", "i", "0", "TYPE", "set")).toEqual(error("ERR syntax error"))
      expect(yield* run("SSCAN", "i", "0", "MATCH")).toEqual(error("ERR syntax error"))
    })))
})

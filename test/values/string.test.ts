import { expect, it } from "@effect/vitest"
import { Effect, Either, TestClock } from "effect"
import fc from "fast-check"
import { objectEncoding } from "../../src/commands/object.js"
import { wrongType } from "../../src/errors.js"
import * as Resp from "../../src/resp/values.js"
import { Store } from "../../src/store/Store.js"
import { typeForRdb, typeOf } from "../../src/values/registry.js"
import { edited, fresh, readString, stringEncoding, stringType, textOf } from "../../src/values/string.js"
import { expectType, type StoredValue, type ValueType } from "../../src/values/types.js"
import { realisticNow, runner, testSession } from "../commands/helpers.js"

it.effect("OBJECT ENCODING is what the writing command chose (redis-server 7.0.15: APPEND to a key and SETRANGE give raw)", () =>
  Effect.zipRight(
    TestClock.setTime(realisticNow),
    Effect.gen(function*() {
      const redis = runner()
      const session = testSession()
      const encoding = (key: string) => objectEncoding(["OBJECT", "ENCODING", key], session)
      yield* redis("APPEND", "a1", "abc")
      expect(yield* encoding("a1")).toEqual(Resp.bulk("embstr"))
      yield* redis("APPEND", "a2", "123")
      expect(yield* encoding("a2")).toEqual(Resp.bulk("int"))
      yield* redis("SET", "s1", "ab")
      yield* redis("APPEND", "s1", "c")
      expect(yield* encoding("s1")).toEqual(Resp.bulk("raw"))
      yield* redis("SETRANGE", "r1", "0", "abc")
      expect(yield* encoding("r1")).toEqual(Resp.bulk("raw"))
      yield* redis("SET", "f", "1.5")
      yield* redis("INCRBYFLOAT", "f", "1")
      expect(yield* encoding("f")).toEqual(Resp.bulk("embstr"))
      yield* redis("SET", "i1", "12")
      yield* redis("APPEND", "i1", "3")
      expect(yield* encoding("i1")).toEqual(Resp.bulk("raw"))
      yield* redis("INCR", "i1")
      expect(yield* encoding("i1")).toEqual(Resp.bulk("int"))
      expect(yield* redis("GET", "s1")).toEqual(Resp.bulk("abc"))
      yield* redis("EXPIRE", "s1", "100")
      expect(yield* encoding("s1")).toEqual(Resp.bulk("raw"))
    }).pipe(Effect.provide(Store.layer))
  ))

it("a string keeps its text and its remembered encoding", () => {
  fc.assert(fc.property(fc.string(), (text) => {
    expect(textOf(fresh(text))).toBe(text)
    expect(textOf(edited(text))).toBe(text)
    expect(stringType.encoding(fresh(text))).toBe(stringEncoding(text))
    expect(stringType.encoding(edited(text))).toBe("raw")
    expect(typeOf(edited(text)).name).toBe("string")
  }))
})

it("the registry finds the string type by value and by RDB type byte", () => {
  expect(typeOf("x")).toBe(stringType)
  expect(typeForRdb(0)).toBe(stringType)
  expect(typeForRdb(21)).toBeUndefined() // RDB_TYPE_STREAM_LISTPACKS_3 (Redis 7.2)
})

it("the typed accessor answers WRONGTYPE for a value of another type", () => {
  const never: ValueType<StoredValue> = { ...stringType, name: "other", is: (_value: StoredValue): _value is StoredValue => false }
  expect(expectType(never, "v")).toEqual(Either.left(expect.objectContaining({ message: wrongType })))
  expect(expectType(never, undefined)).toEqual(Either.right(undefined))
  expect(readString("v")).toEqual(Either.right("v"))
})

/**
 * The list value: a model test of the list commands' edits against a plain
 * array (fast-check), the listpack encoder against the decoder, quicklist
 * node layout, and the RDB body (through DUMP's payload) round trip.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Either } from "effect"
import fc from "fast-check"
import { dumpPayload, readPayload } from "../../src/commands/dump.js"
import { listCommands } from "../../src/commands/lists.js"
import { array, bulk, type Command, error, integer, nullBulk, ok, type RespValue } from "../../src/resp/values.js"
import { internalSession } from "../../src/state/Session.js"
import { Store } from "../../src/store/Store.js"
import { decodeListpack } from "../../src/values/encodings/listpack.js"
import { encodeListpack } from "../../src/values/encodings/listpack-encoder.js"
import { listElements, listFromArray, listType, ListValue, quicklistNodes } from "../../src/values/list.js"
import { listElement } from "../../src/testing/list-commands.js"

const elements = fc.array(listElement, { maxLength: 300 })

describe("listpack encoder", () => {
  it("decodes back to the same elements, integers of every width included", () => {
    fc.assert(fc.property(elements, (items) => {
      expect(decodeListpack(encodeListpack(items))).toEqual(items)
    }))
    const widths = ["0", "127", "128", "-4096", "4095", "-32768", "32767", "-8388608", "8388607", "-2147483648", "2147483647",
      "9223372036854775807", "-9223372036854775808", "007", "-0", "1".repeat(64), "x".repeat(5000)]
    expect(decodeListpack(encodeListpack(widths))).toEqual(widths)
  })
})

describe("the list value", () => {
  it("RDB body round trip (DUMP payload): same elements, quicklist encoding", () => {
    fc.assert(fc.property(elements.filter((items) => items.length > 0), (items) => {
      const loaded = readPayload(dumpPayload(listFromArray(items)))
      expect(Either.isRight(loaded)).toBe(true)
      if (Either.isRight(loaded) && loaded.right instanceof ListValue) {
        expect(listElements(loaded.right)).toEqual(items)
        expect(listType.encoding(loaded.right)).toBe("quicklist")
      } else expect.fail("not a list")
    }), { numRuns: 200 })
  })

  it("quicklist nodes hold every element in order, each at most 8 KiB as Redis fills them", () => {
    const items = Array.from({ length: 5000 }, (_, i) => `element-${i}-${"v".repeat(i % 50)}`)
    const nodes = quicklistNodes(listFromArray(items))
    expect(nodes.flat()).toEqual(items)
    expect(nodes.length).toBeGreaterThan(10)
    for (const node of nodes) expect(encodeListpack(node).length).toBeLessThanOrEqual(8192)
    expect(listType.rewrite("k", listFromArray(items), undefined).every((command) => command.length <= 66)).toBe(true)
    expect(listType.rewrite("k", listFromArray(items), 99)).toContainEqual(["PEXPIREAT", "k", "99"])
  })
})

// ---------------------------------------------------------------------------
// A model of the list commands: a plain array, edited as t_list.c describes.

const handlers = new Map(listCommands.map((spec) => [spec.name, spec.handler]))

const send = (args: Command): Effect.Effect<RespValue, never, Store> => {
  const handler = handlers.get(args[0])
  if (handler === undefined) return Effect.die(`no ${args[0]}`)
  return Effect.catchAll(handler(args, internalSession(0)), (failure) => Effect.succeed(error(failure.message)))
}

const position = (index: number, length: number): number | undefined => {
  const at = index < 0 ? length + index : index
  return at >= 0 && at < length ? at : undefined
}

const range = (start: number, stop: number, length: number): readonly [number, number] => {
  const from = Math.max(start < 0 ? length + start : start, 0)
  const to = stop < 0 ? length + stop : stop
  return from > to || from >= length ? [0, 0] : [from, Math.min(to, length - 1) + 1]
}

/** What the model answers, and the array after. */
const modelStep = (model: Array<string>, args: Command): RespValue => {
  const [name] = args
  const number = (i: number) => Number(args[i])
  switch (name) {
    case "lpush":
      for (const element of args.slice(2)) model.unshift(element)
      return integer(model.length)
    case "rpush":
      model.push(...args.slice(2))
      return integer(model.length)
    case "lpop":
      return model.length === 0 ? nullBulk : bulk(model.shift() ?? "")
    case "rpop":
      return model.length === 0 ? nullBulk : bulk(model.pop() ?? "")
    case "lindex": {
      const at = position(number(2), model.length)
      return at === undefined ? nullBulk : bulk(model[at])
    }
    case "lset": {
      if (model.length === 0) return error("ERR no such key")
      const at = position(number(2), model.length)
      if (at === undefined) return error("ERR index out of range")
      model[at] = args[3]
      return ok
    }
    case "linsert": {
      if (model.length === 0) return integer(0)
      const at = model.indexOf(args[3])
      if (at < 0) return integer(-1)
      model.splice(args[2] === "BEFORE" ? at : at + 1, 0, args[4])
      return integer(model.length)
    }
    case "lrem": {
      const count = number(2)
      const indexes = model.map((element, index) => element === args[3] ? index : -1).filter((index) => index >= 0)
      const chosen = count === 0 ? indexes : count > 0 ? indexes.slice(0, count) : indexes.reverse().slice(0, -count)
      const removed = new Set(chosen)
      const kept = model.filter((_, index) => !removed.has(index))
      model.splice(0, model.length, ...kept)
      return integer(removed.size)
    }
    case "ltrim": {
      const [from, to] = range(number(2), number(3), model.length)
      model.splice(0, model.length, ...model.slice(from, to))
      return ok
    }
    case "lrange": {
      const [from, to] = range(number(2), number(3), model.length)
      return array(model.slice(from, to).map(bulk))
    }
    default:
      return integer(model.length)
  }
}

const small = fc.integer({ min: -12, max: 12 }).map(String)
const modelCommand: fc.Arbitrary<Command> = fc.oneof(
  fc.tuple(fc.constantFrom("lpush", "rpush"), fc.array(listElement, { minLength: 1, maxLength: 6 })).map(([name, items]) => [name, "k", ...items]),
  fc.constantFrom(["lpop", "k"], ["rpop", "k"], ["llen", "k"]),
  small.map((index) => ["lindex", "k", index]),
  fc.tuple(small, listElement).map(([index, element]) => ["lset", "k", index, element]),
  fc.tuple(fc.constantFrom("BEFORE", "AFTER"), listElement, listElement).map(([where, pivot, element]) => ["linsert", "k", where, pivot, element]),
  fc.tuple(fc.integer({ min: -3, max: 3 }), listElement).map(([count, element]) => ["lrem", "k", String(count), element]),
  fc.tuple(small, small).map(([start, stop]) => ["ltrim", "k", start, stop]),
  fc.tuple(small, small).map(([start, stop]) => ["lrange", "k", start, stop])
)

describe("list commands against an array model", () => {
  it.effect("every reply and the final list match the model's", () =>
    Effect.promise(() =>
      fc.assert(fc.asyncProperty(fc.array(modelCommand, { maxLength: 60 }), (commands) =>
        Effect.runPromise(Effect.gen(function*() {
          const model: Array<string> = []
          for (const args of commands) {
            const expected = modelStep(model, args)
            expect([args, yield* send(args)]).toEqual([args, expected])
          }
          expect(yield* send(["lrange", "k", "0", "-1"])).toEqual(array(model.map(bulk)))
        }).pipe(Effect.provide(Store.layer)))), { numRuns: 100 })
    ))
})

// ---------------------------------------------------------------------------
// The older RDB list encodings, from hand-made bodies.

/** A ziplist of short strings (ziplist.c: zlbytes, zltail, zllen, entries of prevlen, 00pppppp length, bytes; 0xFF). */
const ziplistOf = (items: ReadonlyArray<string>): string => {
  let body = ""
  let previous = 0
  let tail = 10
  for (const item of items) {
    tail = 10 + body.length
    const encoded = String.fromCharCode(previous) + String.fromCharCode(item.length) + item
    body += encoded
    previous = encoded.length
  }
  const u32 = (n: number) => String.fromCharCode(n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, (n >>> 24) & 0xff)
  const total = 10 + body.length + 1
  return u32(total) + u32(tail) + String.fromCharCode(items.length & 0xff, items.length >> 8) + body + "\xff"
}

/** An RdbValueReader over a sequence of lengths and strings. */
const readerOf = (parts: ReadonlyArray<number | string>) => {
  let next = 0
  const take = () => parts[next++]
  return {
    length: () => {
      const part = take()
      if (typeof part !== "number") throw new Error("expected a length")
      return part
    },
    string: () => {
      const part = take()
      if (typeof part !== "string") throw new Error("expected a string")
      return part
    },
    byte: (): never => {
      throw new Error("a list holds no doubles")
    },
    latin1: (): never => {
      throw new Error("a list holds no doubles")
    },
    corrupt: (reason: string): never => {
      throw new Error(reason)
    }
  }
}

describe("reading every RDB list type", () => {
  it("LIST, LIST_ZIPLIST, QUICKLIST (ziplist nodes) and QUICKLIST_2 (packed and plain nodes)", () => {
    const read = (rdbType: number, parts: ReadonlyArray<number | string>) => listElements(listType.readRdb(readerOf(parts), rdbType))
    expect(read(1, [3, "a", "b", "c"])).toEqual(["a", "b", "c"])
    expect(read(10, [ziplistOf(["a", "bb", ""])])).toEqual(["a", "bb", ""])
    expect(read(14, [2, ziplistOf(["a", "b"]), ziplistOf(["c"])])).toEqual(["a", "b", "c"])
    expect(read(18, [3, 2, encodeListpack(["a", "12"]), 1, "plain element", 2, encodeListpack(["-5"])])).toEqual(["a", "12", "plain element", "-5"])
    expect(() => read(1, [0])).toThrow("empty list")
  })
})

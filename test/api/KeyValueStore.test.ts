/**
 * The KeyValueStore layer, checked the way @effect/platform's own tests check
 * its stores, plus what is specific to the store behind it.
 */
import { KeyValueStore } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, Option, Schema } from "effect"
import { layerKeyValueStore } from "../../src/api/KeyValueStore.js"
import { Kv } from "../../src/api/Kv.js"
import { Store } from "../../src/store/Store.js"

const storeLayer = layerKeyValueStore().pipe(Layer.provide(Store.layer))

const withStore = <A, E>(f: (store: KeyValueStore.KeyValueStore) => Effect.Effect<A, E>) =>
  Effect.flatMap(KeyValueStore.KeyValueStore, f).pipe(Effect.provide(storeLayer))

class User extends Schema.Class<User>("User")({ name: Schema.String, age: Schema.Number }) {}

describe("layerKeyValueStore", () => {
  it.effect("set and get", () =>
    withStore((store) =>
      Effect.gen(function*() {
        yield* store.set("/foo/bar", "bar")
        expect(yield* store.get("/foo/bar")).toEqual(Option.some("bar"))
        expect(yield* store.size).toBe(1)
      })))

  it.effect("get of a missing key is none", () =>
    withStore((store) =>
      Effect.gen(function*() {
        expect(yield* store.get("/foo/bar")).toEqual(Option.none())
        expect(yield* store.getUint8Array("/foo/bar")).toEqual(Option.none())
      })))

  it.effect("Uint8Array values round-trip; text reads them as UTF-8", () =>
    withStore((store) =>
      Effect.gen(function*() {
        const bytes = new Uint8Array([0, 1, 254, 255])
        yield* store.set("bin", bytes)
        expect(yield* store.getUint8Array("bin")).toEqual(Option.some(bytes))
        yield* store.set("text", "ünïcode")
        expect(yield* store.getUint8Array("text")).toEqual(Option.some(new TextEncoder().encode("ünïcode")))
      })))

  it.effect("remove", () =>
    withStore((store) =>
      Effect.gen(function*() {
        yield* store.set("/foo/bar", "bar")
        yield* store.remove("/foo/bar")
        yield* store.remove("/never/there")
        expect(yield* store.get("/foo/bar")).toEqual(Option.none())
        expect(yield* store.size).toBe(0)
      })))

  it.effect("clear", () =>
    withStore((store) =>
      Effect.gen(function*() {
        yield* store.set("/foo/bar", "bar")
        yield* store.set("/foo/baz", "baz")
        yield* store.clear
        expect(yield* store.get("/foo/bar")).toEqual(Option.none())
        expect(yield* store.size).toBe(0)
      })))

  it.effect("size", () =>
    withStore((store) =>
      Effect.gen(function*() {
        yield* store.set("/foo/bar", "bar")
        yield* store.set("/foo/baz", "baz")
        yield* store.set("/foo/bar", "again")
        expect(yield* store.size).toBe(2)
      })))

  it.effect("modify", () =>
    withStore((store) =>
      Effect.gen(function*() {
        yield* store.set("/foo/bar", "bar")
        expect(yield* store.modify("/foo/bar", (value) => value + "bar")).toEqual(Option.some("barbar"))
        expect(yield* store.get("/foo/bar")).toEqual(Option.some("barbar"))
        expect(yield* store.modify("/missing", (value) => value + "bar")).toEqual(Option.none())
        expect(yield* store.has("/missing")).toBe(false)
      })))

  it.effect("has and isEmpty", () =>
    withStore((store) =>
      Effect.gen(function*() {
        expect(yield* store.isEmpty).toBe(true)
        yield* store.set("/foo/bar", "")
        expect(yield* store.has("/foo/bar")).toBe(true)
        expect(yield* store.isEmpty).toBe(false)
      })))

  it.effect("prefix", () =>
    withStore((store) =>
      Effect.gen(function*() {
        const prefixed = KeyValueStore.prefix(store, "app:")
        yield* prefixed.set("k", "v")
        expect(yield* store.get("app:k")).toEqual(Option.some("v"))
        expect(yield* prefixed.get("k")).toEqual(Option.some("v"))
      })))

  it.effect("forSchema: values are encoded as JSON and decoded back", () =>
    withStore((store) =>
      Effect.gen(function*() {
        const users = store.forSchema(User)
        const alice = new User({ name: "Alice", age: 30 })
        yield* users.set("user:1", alice)
        expect(yield* users.get("user:1")).toEqual(Option.some(alice))
        expect(yield* store.get("user:1")).toEqual(Option.some(JSON.stringify({ name: "Alice", age: 30 })))
        expect(yield* users.modify("user:1", (user) => new User({ ...user, age: user.age + 1 }))).toEqual(
          Option.some(new User({ name: "Alice", age: 31 }))
        )
        expect(yield* users.has("user:1")).toBe(true)
        expect(yield* users.size).toBe(1)
        yield* store.set("user:2", "{\"name\":1}")
        expect((yield* Effect.flip(users.get("user:2")))._tag).toBe("ParseError")
      })))

  it.effect("uses the database it is given, beside the Kv API on the same store", () =>
    Effect.gen(function*() {
      const store = yield* KeyValueStore.KeyValueStore
      const kv = yield* Kv
      yield* store.set("k", "in db 3")
      expect(yield* kv.get("k")).toEqual(Option.none())
      expect(yield* Effect.flatMap(kv.db(3), (db) => db.get("k"))).toEqual(Option.some("in db 3"))
      yield* store.clear
      expect(yield* Effect.flatMap(kv.db(3), (db) => db.dbSize)).toBe(0)
    }).pipe(Effect.provide(Layer.merge(layerKeyValueStore({ db: 3 }), Kv.layer).pipe(Layer.provide(Store.layer)))))

  it.effect("a database out of range fails the layer", () =>
    Effect.gen(function*() {
      const failure = yield* Effect.flip(Layer.build(layerKeyValueStore({ db: 16 })).pipe(Effect.scoped))
      expect(failure._tag).toBe("InvalidArgumentError")
    }).pipe(Effect.provide(Store.layer)))
})

/**
 * SORT ... STORE's keyspace events (sort.c): `sortstore` when the result is
 * stored, `del` when an empty result deletes the destination, none when there
 * was nothing to delete. Replies are checked against redis-server in
 * test/differential/sort.test.ts.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { integer } from "../../src/resp/values.js"
import { Store } from "../../src/store/Store.js"
import { listCommands } from "../../src/commands/lists.js"
import { sortCommands } from "../../src/commands/sort.js"
import { testSession } from "./helpers.js"

const handlers = new Map([...listCommands, ...sortCommands].map((spec) => [spec.name, spec.handler]))
const session = testSession()
const send = (...args: ReadonlyArray<string>) =>
  Effect.orDie(Effect.suspend(() => handlers.get(args[0].toLowerCase())?.(args, session) ?? Effect.die(args[0])))

describe("SORT STORE", () => {
  it.effect("raises sortstore, then del for an empty result, and nothing when no key was deleted", () =>
    Effect.gen(function*() {
      const store = yield* Store
      const seen: Array<string> = []
      store.addEventListener((_db, events) => {
        for (const event of events) seen.push(`${event.event} ${event.key}`)
      })
      yield* send("RPUSH", "src", "3", "1", "2")
      seen.length = 0
      expect(yield* send("SORT", "src", "STORE", "dst")).toEqual(integer(3))
      expect(yield* send("SORT", "missing", "STORE", "dst")).toEqual(integer(0))
      expect(yield* send("SORT", "missing", "STORE", "dst")).toEqual(integer(0))
      expect(seen).toEqual(["new dst", "sortstore dst", "del dst"])
    }).pipe(Effect.provide(Store.layer)))
})

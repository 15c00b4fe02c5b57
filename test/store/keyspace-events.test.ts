/**
 * The events the Store adds below the commands: `new` from Database.put's
 * journal (also inside a batch, whose tries change in place), `expired` from
 * lazy expiry, `keymiss` for a read's misses, in Redis's order.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, TestClock } from "effect"
import * as Database from "../../src/store/database.js"
import { keyspaceEvent, type KeyspaceEvent, newKeyEvent, withAddedKeys } from "../../src/store/keyspace-events.js"
import { Store } from "../../src/store/Store.js"

const recorded = (store: Store["Type"]) => {
  const seen: Array<string> = []
  store.addEventListener((db, events) => {
    for (const event of events) seen.push(`${db} ${event.event} ${event.key}`)
  })
  return seen
}

const set = (key: string, event = "set") => (database: Database.Database) =>
  [undefined, Database.put(database, key, "v", undefined), 1, [keyspaceEvent("string", event, key)]] as const

describe("Store keyspace events", () => {
  it("withAddedKeys puts each new right before the first event naming its key", () => {
    const events: ReadonlyArray<KeyspaceEvent> = [keyspaceEvent("set", "srem", "a"), keyspaceEvent("set", "sadd", "b")]
    expect(withAddedKeys(events, ["b"]).map((event) => `${event.event} ${event.key}`)).toEqual(["srem a", "new b", "sadd b"])
    expect(withAddedKeys([newKeyEvent("b"), ...events], ["b"])).toHaveLength(3)
    expect(withAddedKeys([], ["c"]).map((event) => event.event)).toEqual(["new"])
  })

  it.scoped("a batch of steps: new only for keys added, in order, each before its command's event", () =>
    Effect.gen(function*() {
      const store = yield* Store
      const seen = recorded(store)
      yield* store.modifyEach(0, [
        { keys: ["a"], run: set("a") },
        { keys: ["a"], run: set("a") },
        {
          keys: ["b", "c"],
          run: (database) => {
            const withB = Database.put(database, "b", "v", undefined)
            return [undefined, Database.put(withB, "c", "v", undefined), 2, [keyspaceEvent("string", "set", "c"), keyspaceEvent("string", "set", "b")]] as const
          }
        },
        { keys: ["d"], readsKeys: true, run: (database) => [undefined, database, 0] as const }
      ])
      // b and c were added in that order; each new goes right before the first event naming it.
      expect(seen).toEqual(["0 new a", "0 set a", "0 set a", "0 new c", "0 set c", "0 new b", "0 set b", "0 keymiss d"])
    }).pipe(Effect.provide(Store.layer)))

  it.scoped("lazy expiry raises expired before the command's own events, then keymiss for a read", () =>
    Effect.gen(function*() {
      const store = yield* Store
      yield* store.setActiveExpiry(false)
      yield* store.modify(0, ["k"], (database) => [undefined, Database.put(database, "k", "v", 100), 1])
      const seen = recorded(store)
      yield* TestClock.adjust(200)
      yield* store.modify(0, ["k"], (database) => [undefined, database, 0], true)
      yield* store.modify(0, ["k"], set("k"))
      expect(seen).toEqual(["0 expired k", "0 keymiss k", "0 new k", "0 set k"])
    }).pipe(Effect.provide(Store.layer)))
})

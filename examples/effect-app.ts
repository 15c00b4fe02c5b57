/**
 * An Effect program embedding effect-kv: the typed API in-process, Effect's
 * KeyValueStore on the same store, and the same store served over RESP to a
 * Redis client, all from one Layer.
 *
 * Run it: `npx vite-node --config vitest.config.ts examples/effect-app.ts`
 * (or with any TypeScript runner; `effect-kv` resolves to this package).
 */
import { KeyValueStore } from "@effect/platform"
import { NodeRuntime } from "@effect/platform-node"
import { Chunk, Console, Effect, Layer, Option, Schema, Stream } from "effect"
import { defaultServerConfig, Kv, layerKeyValueStore, PersistenceMemory, ServerAddress, serverLayer } from "effect-kv"
import { Redis } from "ioredis"

/** The server (with its store) on a free port; snapshots kept in memory. */
const server = serverLayer({ ...defaultServerConfig, port: 0, loglevel: "warning" }, { persistence: PersistenceMemory.layer })

/** Kv and a KeyValueStore on database 1, both on the server's store. */
const AppLayer = Layer.merge(Kv.layer, layerKeyValueStore({ db: 1 })).pipe(Layer.provideMerge(server))

class Session extends Schema.Class<Session>("Session")({ user: Schema.String, visits: Schema.Number }) {}

/** A Redis client for the served store, closed with the scope. */
const redisClient = Effect.acquireRelease(
  Effect.flatMap(ServerAddress, ({ host, port }) => Effect.sync(() => new Redis({ host, port, lazyConnect: true }))),
  (redis) => Effect.promise(() => redis.quit())
)

const program = Effect.gen(function*() {
  // The typed API, in-process.
  const kv = yield* Kv
  yield* kv.set("greeting", "hello from Effect", { ex: 60 })
  yield* Console.log(`get greeting: ${Option.getOrElse(yield* kv.get("greeting"), () => "(none)")}`)
  yield* Console.log(`ttl greeting: ${yield* kv.ttl("greeting")}`)
  yield* Console.log(`set NX on an existing key: ${yield* kv.set("greeting", "again", { nx: true })}`)
  yield* Console.log(`incrBy visits 10: ${yield* kv.incrBy("visits", 10)}`)
  const notInteger = yield* Effect.flip(kv.incr("greeting"))
  yield* Console.log(`incr greeting fails: ${notInteger._tag}: ${notInteger.message}`)
  yield* kv.mset({ "user:1": "ada", "user:2": "grace" })
  const users = yield* Stream.runCollect(kv.scan({ match: "user:*" }))
  yield* Console.log(`scan user:*: ${[...Chunk.toReadonlyArray(users)].sort().join(", ")}`)

  // Effect's KeyValueStore, on database 1.
  const store = yield* KeyValueStore.KeyValueStore
  const sessions = store.forSchema(Session)
  yield* sessions.set("session:ada", new Session({ user: "ada", visits: 1 }))
  yield* sessions.modify("session:ada", (session) => new Session({ ...session, visits: session.visits + 1 }))
  const session = yield* sessions.get("session:ada")
  yield* Console.log(`session:ada visits: ${Option.match(session, { onNone: () => "none", onSome: (s) => s.visits })}`)

  // The same store over the wire.
  const redis = yield* redisClient
  yield* Effect.promise(() => redis.connect())
  yield* Console.log(`redis GET greeting: ${yield* Effect.promise(() => redis.get("greeting"))}`)
  yield* Effect.promise(() => redis.set("from:redis", "written by ioredis"))
  yield* Console.log(`kv get from:redis: ${Option.getOrElse(yield* kv.get("from:redis"), () => "(none)")}`)
  yield* Effect.promise(() => redis.select(1))
  yield* Console.log(`redis db 1 GET session:ada: ${yield* Effect.promise(() => redis.get("session:ada"))}`)
}).pipe(Effect.scoped, Effect.provide(AppLayer))

NodeRuntime.runMain(program)

/**
 * The registry of connected clients: ids, and the sessions CLIENT LIST and
 * INFO describe.
 */
import { Context, Effect, HashMap, Layer, Ref } from "effect"
import type { Session } from "./Session.js"

export interface ClientsService {
  /** A fresh client id (Redis's ids start at 1 and only grow). */
  readonly nextId: Effect.Effect<number>
  readonly register: (session: Session) => Effect.Effect<void>
  readonly unregister: (id: number) => Effect.Effect<void>
  readonly all: Effect.Effect<ReadonlyArray<Session>>
}

export class Clients extends Context.Tag("effect-kv/Clients")<Clients, ClientsService>() {
  static readonly layer: Layer.Layer<Clients> = Layer.effect(
    Clients,
    Effect.gen(function* () {
      const lastId = yield* Ref.make(0)
      const sessions = yield* Ref.make(HashMap.empty<number, Session>())
      return {
        nextId: Ref.updateAndGet(lastId, (id) => id + 1),
        register: (session) => Ref.update(sessions, HashMap.set(session.id, session)),
        unregister: (id) => Ref.update(sessions, HashMap.remove(id)),
        all: Effect.map(Ref.get(sessions), (map) =>
          Array.from(HashMap.values(map)).sort((a, b) => a.id - b.id)
        )
      }
    })
  )
}

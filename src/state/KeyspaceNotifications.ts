/**
 * Keyspace notifications (Redis's notify.c notifyKeyspaceEvent): each event
 * the Store publishes, when `notify-keyspace-events` enables its class, goes
 * out through PubSub as `__keyspace@<db>__:<key>` (message: the event) and
 * `__keyevent@<db>__:<event>` (message: the key), in that order. The setting
 * is read live, so CONFIG SET takes effect on the next command.
 */
import { Effect, Either, Layer } from "effect"
import { LiveConfig } from "../config/LiveConfig.js"
import { parseKeyspaceEvents } from "../config/parameter-syntax.js"
import type { KeyspaceEvent, KeyspaceEventClass } from "../store/keyspace-events.js"
import { Store } from "../store/Store.js"
import { PubSub } from "./PubSub.js"

/** The flag character of each class (server.h NOTIFY_* as keyspaceEventsStringToFlags reads them). */
export const classCharacter: Readonly<Record<KeyspaceEventClass, string>> = {
  generic: "g",
  string: "$",
  list: "l",
  set: "s",
  hash: "h",
  zset: "z",
  expired: "x",
  evicted: "e",
  stream: "t",
  keymiss: "m",
  module: "d",
  new: "n"
}

/** What a `notify-keyspace-events` value turns on. */
export interface NotifyFlags {
  /** K: `__keyspace@<db>__:<key>` channels. */
  readonly keyspace: boolean
  /** E: `__keyevent@<db>__:<event>` channels. */
  readonly keyevent: boolean
  readonly classes: ReadonlySet<string>
}

const noFlags: NotifyFlags = { keyspace: false, keyevent: false, classes: new Set() }

/** The flags a (normalized, already validated) setting names; none for a value that does not parse. */
export const notifyFlags = (setting: string): NotifyFlags =>
  Either.match(parseKeyspaceEvents(setting), {
    onLeft: () => noFlags,
    onRight: (flags) => ({ keyspace: flags.has("K"), keyevent: flags.has("E"), classes: flags })
  })

/** The channel and message pairs `event` in `db` is published as under `flags`, in notify.c's order. */
export const notificationsOf = (
  flags: NotifyFlags,
  db: number,
  event: KeyspaceEvent
): ReadonlyArray<readonly [channel: string, message: string]> => {
  if (!flags.classes.has(classCharacter[event.eventClass])) return []
  const messages: Array<readonly [string, string]> = []
  if (flags.keyspace) messages.push([`__keyspace@${db}__:${event.key}`, event.event])
  if (flags.keyevent) messages.push([`__keyevent@${db}__:${event.event}`, event.key])
  return messages
}

/** Adds, for the layer's lifetime, the Store listener that publishes the enabled notifications. */
export const layer: Layer.Layer<never, never, Store | PubSub | LiveConfig> = Layer.scopedDiscard(
  Effect.gen(function*() {
    const store = yield* Store
    const pubsub = yield* PubSub
    const live = yield* LiveConfig
    // Parsed once per distinct setting, not once per event.
    let setting = ""
    let flags = noFlags
    const listener = (db: number, events: ReadonlyArray<KeyspaceEvent>): void => {
      const current = live.current().notifyKeyspaceEvents
      if (current === "") return
      if (current !== setting) {
        setting = current
        flags = notifyFlags(current)
      }
      if (!flags.keyspace && !flags.keyevent) return
      for (const event of events) {
        for (const [channel, message] of notificationsOf(flags, db, event)) {
          Effect.runSync(pubsub.publish(channel, message))
        }
      }
    }
    yield* Effect.acquireRelease(Effect.sync(() => store.addEventListener(listener)), (remove) => Effect.sync(remove))
  })
)

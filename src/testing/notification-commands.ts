/**
 * Command vectors for keyspace notification tests: every family's write
 * commands over three shared keys in two databases (so that types collide,
 * sets empty, keys move, rename and get replaced), with expiry times that are
 * either far away or already past (a past one deletes at once), never racing
 * the clock, and the `notify-keyspace-events` values a sequence may run under.
 */
import fc from "fast-check"
import type { ByteString, Command } from "../resp/values.js"
import { commandVector } from "./commands.js"
import { hashCommand } from "./hash-commands.js"
import { keyTransferCommand } from "./key-commands.js"
import { listCommand } from "./list-commands.js"
import { setCommand } from "./set-commands.js"
import { zsetCommand } from "./zset-commands.js"

/** The keys every family shares here (key-commands.ts works on these). */
export const notificationKeys: ReadonlyArray<ByteString> = ["a", "b", "c"]

const key = fc.constantFrom(...notificationKeys)
const keys = fc.array(key, { minLength: 1, maxLength: 3 })
const bit = fc.constantFrom("0", "1")
const offset = fc.integer({ min: 0, max: 20 }).map(String)

/** SETBIT, BITOP and BITFIELD: setbit, set and del events. */
const bitCommand: fc.Arbitrary<Command> = fc.oneof(
  fc.tuple(key, offset, bit).map(([k, at, value]) => ["SETBIT", k, at, value]),
  fc.tuple(fc.constantFrom("AND", "OR", "XOR"), key, keys).map(([op, destination, sources]) => ["BITOP", op, destination, ...sources]),
  fc.tuple(key, key).map(([destination, source]) => ["BITOP", "NOT", destination, source]),
  fc.tuple(key, offset, fc.integer({ min: 0, max: 255 })).map(([k, at, value]) => ["BITFIELD", k, "SET", "u8", at, String(value)]),
  fc.tuple(key, offset).map(([k, at]) => ["BITFIELD", k, "GET", "u8", at])
)

/** Expiry and persistence at the edges: times already past delete, PERSIST and GETEX PERSIST drop a TTL. */
const expiryCommand: fc.Arbitrary<Command> = fc.oneof(
  key.map((k) => ["EXPIRE", k, "-1"]),
  key.map((k) => ["PEXPIREAT", k, "1"]),
  key.map((k) => ["EXPIRE", k, "100000"]),
  key.map((k) => ["GETEX", k, "PXAT", "1"]),
  key.map((k) => ["GETEX", k, "EX", "100000"]),
  key.map((k) => ["GETEX", k, "PERSIST"]),
  key.map((k) => ["PERSIST", k]),
  fc.tuple(key, key).map(([source, destination]) => ["RENAME", source, destination]),
  fc.tuple(key, key).map(([source, destination]) => ["RENAMENX", source, destination]),
  key.map((k) => ["SET", k, "v", "EX", "100000"]),
  key.map((k) => ["SETEX", k, "100000", "v"])
)

/** One write-heavy command of any family, over the shared keys. */
export const notificationCommand: fc.Arbitrary<Command> = fc.oneof(
  { weight: 4, arbitrary: commandVector({ keys: notificationKeys }) },
  { weight: 3, arbitrary: hashCommand({ keys: notificationKeys }) },
  { weight: 3, arbitrary: setCommand({ keys: notificationKeys }) },
  { weight: 3, arbitrary: listCommand({ keys: notificationKeys }) },
  { weight: 3, arbitrary: zsetCommand({ keys: notificationKeys }) },
  { weight: 3, arbitrary: keyTransferCommand },
  { weight: 2, arbitrary: bitCommand },
  { weight: 2, arbitrary: expiryCommand }
)

/** `notify-keyspace-events` values: everything, one side, a few classes, `new` and key misses. */
export const notifyKeyspaceEventsSetting: fc.Arbitrary<ByteString> = fc.constantFrom(
  "KEA", "AKEn", "KEAnm", "Kg$", "Exsh", "KElshzxegtd", "En", "Km", "K$n"
)

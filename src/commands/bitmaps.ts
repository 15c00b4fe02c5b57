/**
 * The bitmap commands (bitops.c) and LCS (t_string.c lcsCommand) as keyspace
 * steps: each runs its pure core (bits/commands.ts) over a lookup into the
 * selected database, then applies the core's writes.
 */
import { Effect, Either, Option } from "effect"
import { LiveConfig } from "../config/LiveConfig.js"
import type { ByteString } from "../resp/values.js"
import * as Database from "../store/database.js"
import { expiresAtOf, valueOf } from "../store/entry.js"
import type { Store } from "../store/Store.js"
import { edited, readString, textOf } from "../values/string.js"
import {
  bitcountCommand,
  bitfieldCommand,
  bitopCommand,
  bitposCommand,
  getbitCommand,
  lcsCommand,
  type CommandResult,
  type Lookup,
  setbitCommand
} from "./bits/commands.js"
import { defaultProtoMaxBulkLen } from "./bits/bitmap-arguments.js"
import { transactReading } from "./keyspace-step.js"
import { bitfieldReads, indicesFrom, untilWrongType } from "./lookups.js"
import type { KeyReads } from "../store/Store.js"
import { command } from "./row.js"
import { keyspaceEvent, type KeyspaceEvent } from "../store/keyspace-events.js"
import type { CommandSpec, Handler } from "./types.js"

/** What a key holds, through the one string accessor (WRONGTYPE for any other type). */
const lookupIn = (db: Database.Database): Lookup => (key) => {
  const stored = Database.get(db, key)
  const value = readString(stored === undefined ? undefined : valueOf(stored))
  if (Either.isLeft(value)) return { _tag: "WrongType" }
  return value.right === undefined ? { _tag: "Missing" } : { _tag: "String", value: textOf(value.right) }
}

/**
 * Applies a core's writes. Every bit command edits (or creates) an sds in
 * place, so the value is `raw` (createObject, never tryObjectEncoding).
 * SETBIT and BITFIELD keep the key's TTL; BITOP's setKey replaces the
 * destination whatever its type, and its TTL with it.
 */
const applied = (db: Database.Database, result: CommandResult, keepTtl: boolean): Database.Database =>
  result.writes.reduce((current, { key, value }) =>
    value === undefined
      ? Database.remove(current, key)
      : Database.put(current, key, edited(value), keepTtl ? expiresAtOf(Database.get(current, key)) : undefined), db)

type Core = (args: ReadonlyArray<ByteString>, lookup: Lookup, protoMaxBulkLen: number) => CommandResult

/** The live proto-max-bulk-len (the default where no LiveConfig is provided: AOF replay, embedded tests). */
const protoMaxBulkLen = Effect.map(
  Effect.serviceOption(LiveConfig),
  Option.match({ onNone: () => defaultProtoMaxBulkLen, onSome: (live) => live.current().protoMaxBulkLen })
)

/**
 * A core's writes as keyspace events: `event` for a value written (SETBIT and
 * BITFIELD raise `setbit`, BITOP `set`), `del` for a key deleted (BITOP's
 * empty result). SETBIT and BITFIELD notify only a string they changed or
 * created (bitops.c's dirty check); BITOP's setKey always notifies.
 */
const writeEvents = (db: Database.Database, result: CommandResult, event: string): ReadonlyArray<KeyspaceEvent> =>
  result.writes.flatMap(({ key, value }) => {
    if (value === undefined) return [keyspaceEvent("generic", "del", key)]
    const before = lookupIn(db)(key)
    const unchanged = event === "setbit" && before._tag === "String" && before.value === value
    return unchanged ? [] : [keyspaceEvent("string", event, key)]
  })

const bitHandler = (
  core: Core,
  keysOf: (args: ReadonlyArray<ByteString>) => ReadonlyArray<ByteString>,
  keepTtl: boolean,
  reads: (args: ReadonlyArray<ByteString>, keys: ReadonlyArray<ByteString>) => KeyReads,
  event = "setbit"
): Handler<Store> =>
(args, session) =>
  Effect.flatMap(protoMaxBulkLen, (limit) =>
    transactReading(session, keysOf(args), (db) => {
      const result = core(args, lookupIn(db), limit)
      const events = writeEvents(db, result, event)
      return [result.reply, applied(db, result, keepTtl), result.changes, events]
    }, reads(args, keysOf(args))))

/** What each command reads with lookupKeyRead (lookups.ts): all its keys, none (SETBIT), BITOP's sources. */
const readsAll = () => true
const readsNone = () => false

const firstKey = (args: ReadonlyArray<ByteString>) => [args[1]]

export const setbit = bitHandler(setbitCommand, firstKey, true, readsNone)
export const getbit = bitHandler(getbitCommand, firstKey, true, readsAll)
export const bitcount = bitHandler(bitcountCommand, firstKey, true, readsAll)
export const bitpos = bitHandler(bitposCommand, firstKey, true, readsAll)
export const bitop = bitHandler(bitopCommand, (args) => args.slice(2), false, (_args, keys) => untilWrongType("bitop", indicesFrom(1, keys)), "set")
export const bitfield = bitHandler((args, lookup, limit) => bitfieldCommand(args, lookup, false, limit), firstKey, true, bitfieldReads)
export const bitfieldRo = bitHandler((args, lookup, limit) => bitfieldCommand(args, lookup, true, limit), firstKey, true, readsAll)
export const lcs = bitHandler(lcsCommand, (args) => args.slice(1, 3), true, readsAll)

/** Bitmaps and LCS: COMMAND INFO / COMMAND DOCS of redis-server 7.0.15. */
export const bitmapCommands: ReadonlyArray<CommandSpec<Store>> = [
  command({
    name: "bitcount", arity: -2, flags: ["readonly"], keys: [1, 1, 1],
    summary: "Count set bits in a string", since: "2.6.0", group: "bitmap", handler: bitcount
  }),
  command({
    name: "bitfield", arity: -2, flags: ["write", "denyoom"], keys: [1, 1, 1],
    summary: "Perform arbitrary bitfield integer operations on strings", since: "3.2.0", group: "bitmap", handler: bitfield
  }),
  command({
    name: "bitfield_ro", arity: -2, flags: ["readonly", "fast"], keys: [1, 1, 1],
    summary: "Perform arbitrary bitfield integer operations on strings. Read-only variant of BITFIELD", since: "6.0.0",
    group: "bitmap", handler: bitfieldRo
  }),
  command({
    name: "bitop", arity: -4, flags: ["write", "denyoom"], keys: [2, -1, 1],
    summary: "Perform bitwise operations between strings", since: "2.6.0", group: "bitmap", handler: bitop
  }),
  command({
    name: "bitpos", arity: -3, flags: ["readonly"], keys: [1, 1, 1],
    summary: "Find first bit set or clear in a string", since: "2.8.7", group: "bitmap", handler: bitpos
  }),
  command({
    name: "getbit", arity: 3, flags: ["readonly", "fast"], keys: [1, 1, 1],
    summary: "Returns the bit value at offset in the string value stored at key", since: "2.2.0", group: "bitmap",
    handler: getbit
  }),
  command({
    name: "lcs", arity: -3, flags: ["readonly"], keys: [1, 2, 1],
    summary: "Find longest common substring", since: "7.0.0", group: "string", handler: lcs
  }),
  command({
    name: "setbit", arity: 4, flags: ["write", "denyoom"], keys: [1, 1, 1],
    summary: "Sets or clears the bit at offset in the string value stored at key", since: "2.2.0", group: "bitmap",
    handler: setbit
  })
]

/**
 * Keyspace hits and misses (INFO's keyspace_hits / keyspace_misses): Redis
 * counts them in lookupKeyRead (db.c lookupKeyGeneric), which the read-only
 * commands use for their keys, and GETDEL and GETEX too (t_string.c);
 * writes look keys up with lookupKeyWrite, which counts nothing. A command
 * that reads marks its `KeyspaceStep` so the Store counts its keys as it
 * expires them: no extra Effect, one lookup per key.
 */
import { KeyspaceStep } from "./keyspace-step.js"
import type { CommandSpec, Handler } from "./types.js"
import { isReadsUntilWrongType, type KeyReads, type Store } from "../store/Store.js"
import type { ByteString } from "../resp/values.js"
import { type Entry, valueOf } from "../store/entry.js"
import { typeOf } from "../values/registry.js"

/** Write commands that read their key with lookupKeyRead. */
const readingWrites: ReadonlySet<string> = new Set(["getdel", "getex"])

/** From `from` to the end of a step's `keys` (a store command's sources after its destination). */
export const indicesFrom = (from: number, keys: ReadonlyArray<ByteString>): ReadonlyArray<number> =>
  keys.map((_, i) => i).filter((i) => i >= from)

/** BITFIELD reads its key with lookupKeyRead when it has no SET or INCRBY (bitfieldGeneric). */
export const bitfieldReads = (args: ReadonlyArray<ByteString>): KeyReads =>
  args.slice(2).some((word) => ["set", "incrby"].includes(word.toLowerCase())) ? false : [0]

/**
 * Write commands that read some of their step's keys with lookupKeyRead, as
 * indices into those keys: BITOP's and the set STOREs' sources (after the
 * destination), COPY's source, GETSET's key, SET's with GET (getGenericCommand).
 * A handler whose step is built inside another effect (a random seed, a live
 * setting) is not seen here: it says what it reads itself (`transactReading`).
 */
const partlyReadingWrites: Readonly<Record<string, (args: ReadonlyArray<ByteString>, keys: ReadonlyArray<ByteString>) => KeyReads>> = {
  sinterstore: (_args, keys) => indicesFrom(1, keys),
  sunionstore: (_args, keys) => indicesFrom(1, keys),
  sdiffstore: (_args, keys) => indicesFrom(1, keys),
  copy: () => [0],
  getset: () => [0],
  set: (args) => args.slice(3).some((option) => option.toLowerCase() === "get") ? [0] : false
}

/**
 * Commands that check each key's type as they look it up and fail at the first of another type
 * (t_set.c sinterGenericCommand / sunionDiffGenericCommand, bitops.c bitopCommand, t_zset.c
 * zunionInterDiffGenericCommand when it reads): the types they accept.
 */
const checksTypesInTurn: Readonly<Record<string, ReadonlyArray<string>>> = {
  sinter: ["set"],
  sintercard: ["set"],
  sunion: ["set"],
  sdiff: ["set"],
  sinterstore: ["set"],
  sunionstore: ["set"],
  sdiffstore: ["set"],
  bitop: ["string"],
  zunion: ["zset", "set"],
  zinter: ["zset", "set"],
  zdiff: ["zset", "set"],
  zintercard: ["zset", "set"],
  zunionstore: ["zset", "set"],
  zinterstore: ["zset", "set"],
  zdiffstore: ["zset", "set"]
}

/** `reads`, stopping at a key of a type other than `types` when the command checks types in turn. */
export const untilWrongType = (name: string, reads: KeyReads): KeyReads => {
  const types = checksTypesInTurn[name]
  if (types === undefined || reads === false || isReadsUntilWrongType(reads)) return reads
  return { reads, isWrongType: (stored: Entry) => !types.includes(typeOf(valueOf(stored)).name) }
}

export const readsKeys = (spec: CommandSpec<unknown>): boolean =>
  spec.flags.includes("readonly") || readingWrites.has(spec.name)

/** The spec, its keyspace step (if it is one) counting lookups when the command reads. */
export const countingLookups = <R>(spec: CommandSpec<R>): CommandSpec<R | Store> => {
  const partly = partlyReadingWrites[spec.name]
  if (!readsKeys(spec) && partly === undefined) return spec
  const handler = spec.handler
  const counting: Handler<R | Store> = (args, session) => {
    const effect = handler(args, session)
    if (!(effect instanceof KeyspaceStep)) return effect
    const reads = untilWrongType(spec.name, partly === undefined ? true : partly(args, effect.keys))
    return reads === false ? effect : new KeyspaceStep(effect.session, effect.keys, effect.run, reads)
  }
  return { ...spec, handler: counting }
}

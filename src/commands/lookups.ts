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
import type { Store } from "../store/Store.js"

/** Write commands that read their key with lookupKeyRead. */
const readingWrites: ReadonlySet<string> = new Set(["getdel", "getex"])

export const readsKeys = (spec: CommandSpec<unknown>): boolean =>
  spec.flags.includes("readonly") || readingWrites.has(spec.name)

/** The spec, its keyspace step (if it is one) counting lookups when the command reads. */
export const countingLookups = <R>(spec: CommandSpec<R>): CommandSpec<R | Store> => {
  if (!readsKeys(spec)) return spec
  const handler = spec.handler
  const counting: Handler<R | Store> = (args, session) => {
    const effect = handler(args, session)
    return effect instanceof KeyspaceStep ? new KeyspaceStep(effect.session, effect.keys, effect.run, true) : effect
  }
  return { ...spec, handler: counting }
}

/**
 * BGREWRITEAOF's content: the shortest log that rebuilds a snapshot: per live
 * key the commands its value type gives (values/: `SET key value [PXAT ms]`
 * for a string), a `SELECT` before each
 * database (Redis's rewriteAppendOnlyFileRio), after the snapshot's time
 * annotation.
 */
import type { Command } from "../../resp/values.js"
import { expiresAtOf, isExpired, type Keyspace, valueOf } from "../../store/entry.js"
import * as Hamt from "../../structures/hamt.js"
import { typeOf } from "../../values/registry.js"
import { encodeCommand, encodeTimestamp } from "./format.js"

/** Rewrite output is handed out in chunks of about this many bytes. */
const chunkBytes = 1 << 20

/**
 * The rewritten log of `keyspaces` (index = database) as of `nowMs`, in
 * chunks; expired keys are left out. The function libraries (`functions`,
 * their code) come first, one FUNCTION LOAD each (aof.c rewriteFunctions).
 */
export function* rewriteLog(keyspaces: ReadonlyArray<Keyspace>, nowMs: number, functions: ReadonlyArray<string> = []): Generator<Buffer> {
  let pending: Array<Buffer> = [encodeTimestamp(nowMs)]
  let pendingBytes = 0
  const add = (args: Command): Buffer | undefined => {
    const encoded = encodeCommand(args)
    pending.push(encoded)
    pendingBytes += encoded.length
    if (pendingBytes < chunkBytes) return undefined
    const chunk = Buffer.concat(pending)
    pending = []
    pendingBytes = 0
    return chunk
  }
  for (const code of functions) {
    const chunk = add(["FUNCTION", "LOAD", code])
    if (chunk !== undefined) yield chunk
  }
  for (const [db, keyspace] of keyspaces.entries()) {
    if (Hamt.size(keyspace) === 0) continue
    const selected = add(["SELECT", String(db)])
    if (selected !== undefined) yield selected
    for (const [key, stored] of Hamt.entries(keyspace)) {
      if (isExpired(stored, nowMs)) continue
      const value = valueOf(stored)
      for (const args of typeOf(value).rewrite(key, value, expiresAtOf(stored))) {
        const chunk = add(args)
        if (chunk !== undefined) yield chunk
      }
    }
  }
  if (pending.length > 0) yield Buffer.concat(pending)
}

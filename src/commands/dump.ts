/**
 * DUMP and RESTORE (cluster.c dumpCommand, createDumpPayload,
 * verifyDumpPayload, restoreCommand). The payload is the value's RDB
 * serialisation (type byte + body, through its value type's writeRdb /
 * readRdb), the RDB version as 2 bytes little endian, and a CRC64 (Jones, as
 * RDB files) of everything before it, little endian.
 */
import { Effect, Either } from "effect"
import {
  badDataFormat,
  busyKey,
  type CommandError,
  commandError,
  dumpPayloadWrong,
  invalidFreq,
  invalidIdletime,
  invalidTtl,
  notInteger,
  syntaxError
} from "../errors.js"
import { parseInt64 } from "../int64.js"
import { crc64 } from "../persistence/rdb/crc64.js"
import { writtenVersion } from "../persistence/rdb/format.js"
import { readValue } from "../persistence/rdb/reader.js"
import { writeValue } from "../persistence/rdb/writer.js"
import { bulk, nullBulk, ok, type ByteString } from "../resp/values.js"
import * as Database from "../store/database.js"
import { type StoredValue, valueOf } from "../store/entry.js"
import type { Store } from "../store/Store.js"
import { reply, transact, unchanged } from "./keyspace-step.js"
import { keyspaceEvent, newKeyEvent } from "../store/keyspace-events.js"
import { command } from "./row.js"
import type { CommandSpec, Handler } from "./types.js"

/** The 2-byte version and 8-byte checksum after the value. */
const footerLength = 10

/** createDumpPayload: value, RDB version (10, as Redis 7.0), CRC64 of both. */
export const dumpPayload = (value: StoredValue): ByteString => withDumpFooter(writeValue(value))

/** `body` followed by the RDB version and the CRC64 (createDumpPayload; FUNCTION DUMP's too). */
export const withDumpFooter = (body: Uint8Array): ByteString => {
  const payload = Buffer.alloc(body.length + footerLength)
  payload.set(body, 0)
  payload.writeUInt16LE(writtenVersion, body.length)
  payload.writeBigUInt64LE(crc64(payload.subarray(0, body.length + 2)), body.length + 2)
  return payload.toString("latin1")
}

/**
 * verifyDumpPayload then the value: "DUMP payload version or checksum are
 * wrong" when the version is newer than ours or the checksum differs, else
 * the value or Redis's "Bad data format".
 */
export const readPayload = (payload: ByteString): Either.Either<StoredValue, CommandError> => {
  const bytes = verifiedPayload(payload)
  if (bytes === undefined) return Either.left(commandError(dumpPayloadWrong))
  return Either.mapLeft(readValue(bytes.subarray(0, bytes.length - footerLength)), () => commandError(badDataFormat))
}

/** verifyDumpPayload: the payload's bytes (footer included), or undefined when its version or checksum is wrong. */
export const verifiedPayload = (payload: ByteString): Buffer | undefined => {
  const bytes = Buffer.from(payload, "latin1")
  if (bytes.length < footerLength) return undefined
  const footer = bytes.length - footerLength
  if (bytes.readUInt16LE(footer) > writtenVersion) return undefined
  return crc64(bytes.subarray(0, footer + 2)) === bytes.readBigUInt64LE(footer + 2) ? bytes : undefined
}

/** DUMP key: the payload, or nil for a missing key. */
export const dump: Handler<Store> = (args, session) =>
  transact(session, [args[1]], (database) => {
    const stored = Database.get(database, args[1])
    return unchanged(database, reply(stored === undefined ? nullBulk : bulk(dumpPayload(valueOf(stored)))))
  })

export interface RestoreOptions {
  readonly replace: boolean
  readonly absoluteTtl: boolean
}

/**
 * RESTORE's options after the payload, in Redis's order: REPLACE, ABSTTL,
 * IDLETIME n or FREQ n (not both: the second is a syntax error). effect-kv
 * keeps no access clock or LFU counter, so IDLETIME and FREQ are only checked.
 */
export const parseRestoreOptions = (options: ReadonlyArray<ByteString>): Either.Either<RestoreOptions, CommandError> => {
  let parsed: RestoreOptions = { replace: false, absoluteTtl: false }
  let idletime = false
  let freq = false
  for (let j = 0; j < options.length; j++) {
    const option = options[j].toLowerCase()
    const hasArgument = j + 1 < options.length
    if (option === "replace") parsed = { ...parsed, replace: true }
    else if (option === "absttl") parsed = { ...parsed, absoluteTtl: true }
    else if ((option === "idletime" && !freq) || (option === "freq" && !idletime)) {
      if (!hasArgument) return Either.left(commandError(syntaxError))
      const value = parseInt64(options[++j])
      if (value === undefined) return Either.left(commandError(notInteger, "NotInteger"))
      if (option === "idletime") {
        if (value < 0n) return Either.left(commandError(invalidIdletime))
        idletime = true
      } else {
        if (value < 0n || value > 255n) return Either.left(commandError(invalidFreq))
        freq = true
      }
    } else return Either.left(commandError(syntaxError))
  }
  return Either.right(parsed)
}

/**
 * RESTORE key ttl payload [REPLACE] [ABSTTL] [IDLETIME s] [FREQ f]: options,
 * BUSYKEY, the TTL, the payload; a TTL already past creates nothing (and
 * deletes the key REPLACE would have replaced). TTL 0: no expiry.
 */
export const restore: Handler<Store> = (args, session) =>
  Either.match(parseRestoreOptions(args.slice(4)), {
    onLeft: Effect.fail,
    onRight: ({ absoluteTtl, replace }) =>
      transact(session, [args[1]], (database, nowMs) => {
        const key = args[1]
        const existed = Database.get(database, key) !== undefined
        if (!replace && existed) return unchanged(database, Either.left(commandError(busyKey)))
        const ttl = parseInt64(args[2])
        if (ttl === undefined) return unchanged(database, Either.left(commandError(notInteger, "NotInteger")))
        if (ttl < 0n) return unchanged(database, Either.left(commandError(invalidTtl)))
        const value = readPayload(args[3])
        if (Either.isLeft(value)) return unchanged(database, Either.left(value.left))
        const expiresAt = ttl === 0n ? undefined : Number(absoluteTtl ? ttl : ttl + BigInt(nowMs))
        if (expiresAt !== undefined && expiresAt <= nowMs) {
          return existed ? [reply(ok), Database.remove(database, key), 1, [keyspaceEvent("generic", "del", key)]] : unchanged(database, reply(ok))
        }
        // restoreCommand: dbAdd (`new`, also over the key REPLACE deleted), then `restore`.
        return [reply(ok), Database.put(database, key, value.right, expiresAt), 1, [newKeyEvent(key), keyspaceEvent("generic", "restore", key)]]
      })
  })

/** COMMAND INFO / COMMAND DOCS of redis-server 7.0.15. */
export const dumpCommands: ReadonlyArray<CommandSpec<Store>> = [
  command({
    name: "dump", arity: 2, flags: ["readonly"], keys: [1, 1, 1],
    summary: "Return a serialized version of the value stored at the specified key.", since: "2.6.0", group: "generic",
    handler: dump
  }),
  command({
    name: "restore", arity: -4, flags: ["write", "denyoom"], keys: [1, 1, 1],
    summary: "Create a key using the provided serialized value, previously obtained using DUMP.", since: "2.6.0",
    group: "generic", handler: restore
  })
]

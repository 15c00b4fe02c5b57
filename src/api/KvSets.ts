/**
 * Kv's set methods (composed into each database of Kv.ts): SADD, SREM,
 * SMEMBERS, SISMEMBER and SCARD through the same handlers a client's request
 * runs (commands/sets.ts), members as UTF-8 text; a key holding another type
 * fails with WrongTypeError.
 */
import { Effect } from "effect"
import * as SetCommands from "../commands/sets.js"
import type { Handler } from "../commands/types.js"
import type { ByteString, RespValue } from "../resp/values.js"
import type { Store } from "../store/Store.js"
import { type Input, toByteString, toText } from "./bytes.js"
import { failsWith, type KvError, type WrongTypeError } from "./errors.js"
import * as Replies from "./replies.js"

/** One database's set operations. */
export interface KvSetOperations {
  /** SADD: adds the members; returns how many were not there yet. */
  readonly sadd: (key: Input, ...members: ReadonlyArray<Input>) => Effect.Effect<number, WrongTypeError>
  /** SREM: removes the members (the key goes with its last member); returns how many were there. */
  readonly srem: (key: Input, ...members: ReadonlyArray<Input>) => Effect.Effect<number, WrongTypeError>
  /** SMEMBERS: every member as UTF-8 text (empty for a missing key). */
  readonly smembers: (key: Input) => Effect.Effect<ReadonlySet<string>, WrongTypeError>
  /** SISMEMBER: whether `member` is in the set. */
  readonly sismember: (key: Input, member: Input) => Effect.Effect<boolean, WrongTypeError>
  /** SCARD: how many members the set has (0 for a missing key). */
  readonly scard: (key: Input) => Effect.Effect<number, WrongTypeError>
}

/** Runs a command's handler on the database (`write`: also logged to the AOF when there is one). */
type Runner = (handler: Handler<Store>, name: string, ...args: ReadonlyArray<ByteString>) => Effect.Effect<RespValue, KvError>

/** SMEMBERS' reply (a RESP3 set; an array is read alike) as its members. */
const memberSet = (reply: RespValue): Effect.Effect<ReadonlySet<string>> => {
  if (reply._tag !== "Set" && reply._tag !== "Array") return Effect.dieMessage(`effect-kv: expected a set, got a ${reply._tag} reply`)
  const members = new Set<string>()
  for (const item of reply.items) {
    if (item._tag !== "BulkString") return Effect.dieMessage(`effect-kv: expected a bulk string member, got a ${item._tag}`)
    members.add(toText(item.value))
  }
  return Effect.succeed(members)
}

/** The set methods over a database's `run` and `write`. */
export const setOperations = (run: Runner, write: Runner): KvSetOperations => {
  const members = (values: ReadonlyArray<Input>) => values.map(toByteString)
  return {
    sadd: (key, ...values) =>
      write(SetCommands.sadd, "SADD", toByteString(key), ...members(values)).pipe(Effect.flatMap(Replies.integer), failsWith("WrongTypeError")),
    srem: (key, ...values) =>
      write(SetCommands.srem, "SREM", toByteString(key), ...members(values)).pipe(Effect.flatMap(Replies.integer), failsWith("WrongTypeError")),
    smembers: (key) =>
      run(SetCommands.smembers, "SMEMBERS", toByteString(key)).pipe(Effect.flatMap(memberSet), failsWith("WrongTypeError")),
    sismember: (key, member) =>
      run(SetCommands.sismember, "SISMEMBER", toByteString(key), toByteString(member)).pipe(
        Effect.flatMap(Replies.flag),
        failsWith("WrongTypeError")
      ),
    scard: (key) => run(SetCommands.scard, "SCARD", toByteString(key)).pipe(Effect.flatMap(Replies.integer), failsWith("WrongTypeError"))
  }
}

/**
 * Kv's hash methods (HSET, HGET, HGETALL, HDEL, HLEN, HINCRBY), composed into
 * each database's operations by Kv.ts. Like every Kv method they run the
 * command handler a client's request runs (commands/hashes.ts); a key of
 * another type fails with `WrongTypeError`.
 */
import { Effect, Option } from "effect"
import * as Hashes from "../commands/hashes.js"
import type { Handler } from "../commands/types.js"
import type { ByteString, RespValue } from "../resp/values.js"
import type { Store } from "../store/Store.js"
import { type Input, toByteString, toText } from "./bytes.js"
import { failsWith, type KvError, type NotAnIntegerError, type OverflowError, type WrongTypeError } from "./errors.js"
import * as Replies from "./replies.js"

/** A hash's fields to set: a record or a Map (or any iterable of pairs). */
export type HashFields = Iterable<readonly [Input, Input]> | Readonly<Record<string, Input>>

export interface KvHashMethods {
  /** HSET: sets the fields (creating the hash); returns how many were new (no fields: 0, nothing sent). */
  readonly hset: (key: Input, fields: HashFields) => Effect.Effect<number, WrongTypeError>
  /** HGET: the field's value as UTF-8 text, or none. */
  readonly hget: (key: Input, field: Input) => Effect.Effect<Option.Option<string>, WrongTypeError>
  /** HGETALL: every field and value as UTF-8 text (empty for a missing key). */
  readonly hgetAll: (key: Input) => Effect.Effect<ReadonlyMap<string, string>, WrongTypeError>
  /** HDEL: removes the fields; returns how many existed. Removing the last field deletes the key. */
  readonly hdel: (key: Input, ...fields: ReadonlyArray<Input>) => Effect.Effect<number, WrongTypeError>
  /** HLEN: how many fields the hash has (0 for a missing key). */
  readonly hlen: (key: Input) => Effect.Effect<number, WrongTypeError>
  /** HINCRBY: adds an integer to the field's integer (0 when missing); returns the result. */
  readonly hincrBy: (
    key: Input,
    field: Input,
    amount: number | bigint
  ) => Effect.Effect<bigint, WrongTypeError | NotAnIntegerError | OverflowError>
}

/** Runs a handler (`run`), or a write one logged to the AOF when there is one (`write`), as Kv.ts does. */
type Runner = (handler: Handler<Store>, name: string, ...args: ReadonlyArray<ByteString>) => Effect.Effect<RespValue, KvError>

const isIterable = (value: object): value is Iterable<readonly [Input, Input]> => Symbol.iterator in value

const pairsOf = (fields: HashFields): ReadonlyArray<readonly [Input, Input]> =>
  isIterable(fields) ? Array.from(fields) : Object.entries(fields)

/** The hash methods over one database's `run` and `write`. */
export const hashMethods = (run: Runner, write: Runner): KvHashMethods => ({
  hset: (key, fields) => {
    const args = pairsOf(fields).flatMap(([field, value]) => [toByteString(field), toByteString(value)])
    // HSET needs at least one pair: nothing to set answers 0 without a command.
    if (args.length === 0) return Effect.succeed(0)
    return write(Hashes.hset, "HSET", toByteString(key), ...args).pipe(Effect.flatMap(Replies.integer), failsWith("WrongTypeError"))
  },
  hget: (key, field) =>
    run(Hashes.hget, "HGET", toByteString(key), toByteString(field)).pipe(
      Effect.flatMap(Replies.bulkOrNull),
      Effect.map(Option.map(toText)),
      failsWith("WrongTypeError")
    ),
  hgetAll: (key) =>
    run(Hashes.hgetall, "HGETALL", toByteString(key)).pipe(
      Effect.flatMap(Replies.bulkMap),
      Effect.map((pairs): ReadonlyMap<string, string> => new Map(pairs.map(([field, value]) => [toText(field), toText(value)]))),
      failsWith("WrongTypeError")
    ),
  hdel: (key, ...fields) =>
    fields.length === 0
      ? Effect.succeed(0)
      : write(Hashes.hdel, "HDEL", toByteString(key), ...fields.map(toByteString)).pipe(
        Effect.flatMap(Replies.integer),
        failsWith("WrongTypeError")
      ),
  hlen: (key) => run(Hashes.hlen, "HLEN", toByteString(key)).pipe(Effect.flatMap(Replies.integer), failsWith("WrongTypeError")),
  hincrBy: (key, field, amount) =>
    write(Hashes.hincrby, "HINCRBY", toByteString(key), toByteString(field), String(amount)).pipe(
      Effect.flatMap(Replies.bigInteger),
      failsWith("WrongTypeError", "NotAnIntegerError", "OverflowError")
    )
})

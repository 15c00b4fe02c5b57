/**
 * Kv's list methods (LPUSH, RPUSH, LPOP, RPOP, LLEN, LRANGE, LINDEX, and the
 * blocking BLPOP / BRPOP), composed into each database's operations by
 * Kv.ts. Like every Kv method they run the command handler a client's request
 * runs (commands/lists.ts, commands/lists-blocking.ts); a key of another type
 * fails with `WrongTypeError`.
 *
 * `blpop` / `brpop` are Effects that suspend until an element arrives (a push
 * from a client, another fiber's Kv call, EXEC ...) or the timeout passes on
 * the Clock; interrupting one leaves nothing blocked behind.
 */
import { Duration, Effect, Option } from "effect"
import * as Lists from "../commands/lists.js"
import { blockingListCommands } from "../commands/lists-blocking.js"
import type { Handler } from "../commands/types.js"
import type { ByteString, RespValue } from "../resp/values.js"
import type { Store } from "../store/Store.js"
import { type Input, toByteString, toText } from "./bytes.js"
import { failsWith, type KvError, type WrongTypeError } from "./errors.js"
import * as Replies from "./replies.js"

export interface KvListMethods {
  /** LPUSH: prepends the elements one by one (the last given ends up first); returns the new length. */
  readonly lpush: (key: Input, ...elements: ReadonlyArray<Input>) => Effect.Effect<number, WrongTypeError>
  /** RPUSH: appends the elements; returns the new length. */
  readonly rpush: (key: Input, ...elements: ReadonlyArray<Input>) => Effect.Effect<number, WrongTypeError>
  /** LPOP: removes and returns the first element, or none for a missing key. */
  readonly lpop: (key: Input) => Effect.Effect<Option.Option<string>, WrongTypeError>
  /** RPOP: removes and returns the last element, or none. */
  readonly rpop: (key: Input) => Effect.Effect<Option.Option<string>, WrongTypeError>
  /** LLEN: the list's length (0 for a missing key). */
  readonly llen: (key: Input) => Effect.Effect<number, WrongTypeError>
  /** LRANGE: the elements from `start` to `stop` inclusive (negative counts from the end). */
  readonly lrange: (key: Input, start: number, stop: number) => Effect.Effect<ReadonlyArray<string>, WrongTypeError>
  /** LINDEX: the element at `index` (negative counts from the end), or none. */
  readonly lindex: (key: Input, index: number) => Effect.Effect<Option.Option<string>, WrongTypeError>
  /**
   * BLPOP: the first element of the first non-empty list of `keys`, with its
   * key; waits for one up to `timeout` (none: forever), then answers none.
   */
  readonly blpop: (
    keys: ReadonlyArray<Input>,
    timeout?: Duration.DurationInput
  ) => Effect.Effect<Option.Option<readonly [key: string, element: string]>, WrongTypeError>
  /** BRPOP: as `blpop`, from the tail. */
  readonly brpop: (
    keys: ReadonlyArray<Input>,
    timeout?: Duration.DurationInput
  ) => Effect.Effect<Option.Option<readonly [key: string, element: string]>, WrongTypeError>
}

/** Runs a handler (`run`), or a write one logged to the AOF when there is one (`write`), as Kv.ts does. */
type Runner = (handler: Handler<Store>, name: string, ...args: ReadonlyArray<ByteString>) => Effect.Effect<RespValue, KvError>

const blockingHandler = (name: string): Handler<Store> => {
  const row = blockingListCommands.find((spec) => spec.name === name)
  if (row === undefined) throw new Error(`effect-kv: no blocking command ${name}`)
  return row.handler
}
const blpopHandler = blockingHandler("blpop")
const brpopHandler = blockingHandler("brpop")

/** A [key, element] reply, or none for the timeout's null array. */
const keyAndElement = (reply: RespValue): Effect.Effect<Option.Option<readonly [string, string]>> =>
  reply._tag === "NullArray" || reply._tag === "Null"
    ? Effect.succeed(Option.none())
    : Effect.map(Replies.bulkArray(reply), ([key, element]) => Option.some([toText(key), toText(element)] as const))

/** The timeout in seconds as BLPOP takes it: 0 is forever, so a zero duration asks for the shortest wait. */
const timeoutArgument = (timeout: Duration.DurationInput | undefined): string => {
  if (timeout === undefined) return "0"
  const duration = Duration.decode(timeout)
  if (!Duration.isFinite(duration)) return "0"
  return String(Math.max(Duration.toMillis(duration), 1) / 1000)
}

/** The list methods over one database's `run` and `write`. */
export const listMethods = (run: Runner, write: Runner): KvListMethods => {
  const push = (handler: Handler<Store>, name: string) => (key: Input, ...elements: ReadonlyArray<Input>) =>
    elements.length === 0
      ? Effect.flatMap(run(Lists.llen, "LLEN", toByteString(key)), Replies.integer).pipe(failsWith("WrongTypeError"))
      : write(handler, name, toByteString(key), ...elements.map(toByteString)).pipe(
        Effect.flatMap(Replies.integer),
        failsWith("WrongTypeError")
      )
  const pop = (handler: Handler<Store>, name: string) => (key: Input) =>
    write(handler, name, toByteString(key)).pipe(
      Effect.flatMap(Replies.bulkOrNull),
      Effect.map(Option.map(toText)),
      failsWith("WrongTypeError")
    )
  const blockingPop = (handler: Handler<Store>, name: string) => (keys: ReadonlyArray<Input>, timeout?: Duration.DurationInput) =>
    run(handler, name, ...keys.map(toByteString), timeoutArgument(timeout)).pipe(
      Effect.flatMap(keyAndElement),
      failsWith("WrongTypeError")
    )
  return {
    lpush: push(Lists.lpush, "LPUSH"),
    rpush: push(Lists.rpush, "RPUSH"),
    lpop: pop(Lists.lpop, "LPOP"),
    rpop: pop(Lists.rpop, "RPOP"),
    llen: (key) => run(Lists.llen, "LLEN", toByteString(key)).pipe(Effect.flatMap(Replies.integer), failsWith("WrongTypeError")),
    lrange: (key, start, stop) =>
      run(Lists.lrange, "LRANGE", toByteString(key), String(start), String(stop)).pipe(
        Effect.flatMap(Replies.bulkArray),
        Effect.map((elements) => elements.map(toText)),
        failsWith("WrongTypeError")
      ),
    lindex: (key, index) =>
      run(Lists.lindex, "LINDEX", toByteString(key), String(index)).pipe(
        Effect.flatMap(Replies.bulkOrNull),
        Effect.map(Option.map(toText)),
        failsWith("WrongTypeError")
      ),
    blpop: blockingPop(blpopHandler, "BLPOP"),
    brpop: blockingPop(brpopHandler, "BRPOP")
  }
}

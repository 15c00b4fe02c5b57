/**
 * Reading a command's reply as the typed result the API returns. The API
 * builds every command itself, so a reply of another shape is a defect.
 */
import { Effect, Option } from "effect"
import type { ByteString, RespValue } from "../resp/values.js"

const unexpected = (expected: string, reply: RespValue) =>
  Effect.dieMessage(`effect-kv: expected ${expected}, got a ${reply._tag} reply`)

const bulkOrNullItem = (item: RespValue): Option.Option<ByteString> | undefined =>
  item._tag === "BulkString" ? Option.some(item.value) : item._tag === "Null" ? Option.none() : undefined

const bulkItem = (item: RespValue): ByteString | undefined => (item._tag === "BulkString" ? item.value : undefined)

/** Every item of an array reply through `read`, or undefined if one does not fit. */
const arrayOf = <A>(reply: RespValue, read: (item: RespValue) => A | undefined): ReadonlyArray<A> | undefined => {
  if (reply._tag !== "Array") return undefined
  const result: Array<A> = []
  for (const item of reply.items) {
    const value = read(item)
    if (value === undefined) return undefined
    result.push(value)
  }
  return result
}

const expect = <A>(expected: string, read: (reply: RespValue) => A | undefined) => (reply: RespValue): Effect.Effect<A> => {
  const value = read(reply)
  return value === undefined ? unexpected(expected, reply) : Effect.succeed(value)
}

/** A bulk string or null. */
export const bulkOrNull = expect("a bulk string or null", bulkOrNullItem)

/** An integer, as a number (counts, TTLs). */
export const integer = expect("an integer", (reply) => (reply._tag === "Integer" ? Number(reply.value) : undefined))

/** An integer, exact (counters may pass 2^53). */
export const bigInteger = expect("an integer", (reply) => (reply._tag === "Integer" ? BigInt(reply.value) : undefined))

/** An integer 0 or 1, as a boolean. */
export const flag = expect("an integer", (reply) => (reply._tag === "Integer" ? reply.value !== 0 : undefined))

/** `+OK` (done) or null (refused, as SET NX/XX). */
export const okOrNull = expect("OK or null", (reply) =>
  reply._tag === "SimpleString" ? true : reply._tag === "Null" ? false : undefined)

/** A status reply (`+OK`); callers discard it. */
export const status = expect("a status", (reply) => (reply._tag === "SimpleString" ? reply.value : undefined))

/** An array of bulk strings (KEYS). */
export const bulkArray = expect("an array of bulk strings", (reply) => arrayOf(reply, bulkItem))

/** An array of bulk strings or nulls (MGET). */
export const bulkOrNullArray = expect("an array of bulk strings or nulls", (reply) => arrayOf(reply, bulkOrNullItem))

/** A SCAN page: the next cursor and the keys. */
export const scanPage = expect("a SCAN page", (reply): readonly [ByteString, ReadonlyArray<ByteString>] | undefined => {
  if (reply._tag !== "Array" || reply.items.length !== 2) return undefined
  const cursor = bulkItem(reply.items[0])
  const keys = arrayOf(reply.items[1], bulkItem)
  return cursor === undefined || keys === undefined ? undefined : [cursor, keys]
})

/** A map reply of bulk strings (HGETALL), as its pairs. */
export const bulkMap = expect("a map of bulk strings", (reply): ReadonlyArray<readonly [ByteString, ByteString]> | undefined => {
  if (reply._tag !== "Map") return undefined
  const pairs: Array<readonly [ByteString, ByteString]> = []
  for (const [field, value] of reply.entries) {
    if (field._tag !== "BulkString" || value._tag !== "BulkString") return undefined
    pairs.push([field.value, value.value])
  }
  return pairs
})

/** A double (ZSCORE, ZINCRBY: RESP3's double, which the embedded session's replies are built as). */
export const double = expect("a double", (reply) => (reply._tag === "Double" ? reply.value : undefined))

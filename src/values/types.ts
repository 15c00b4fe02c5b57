/**
 * What a value type owns, and the one typed accessor that answers WRONGTYPE.
 *
 * Every Redis type (string now; hash, set, list, zset to come) is one module
 * implementing `ValueType`, listed in registry.ts: TYPE, OBJECT ENCODING,
 * MEMORY USAGE, DEBUG OBJECT, the RDB writer and reader and the AOF rewrite
 * ask the registry, never the value's shape. A new type is its module, its
 * commands file, and one line in the registry.
 *
 * The RDB byte primitives (lengths, strings with their int/LZF encodings)
 * stay with the RDB writer and reader in persistence/rdb/, which hand a type
 * an `RdbValueWriter` / `RdbValueReader`: the types need only these two
 * interfaces, so no RDB code sits below this folder and the hot string path
 * of the writer keeps its scratch buffers where they are.
 */
import { Either } from "effect"
import { CommandError, wrongType, commandError } from "../errors.js"
import type { Command } from "../resp/values.js"
import type { StringValue } from "./string.js"
import type { SetValue } from "./set.js"
import type { HashValue } from "./hash.js"
import type { ListValue } from "./list.js"
import type { ZSetValue } from "./zset.js"
import type { StreamValue } from "./stream.js"

/**
 * A stored value: a plain string for a Redis string (a million keys is an
 * ordinary dataset, and a bare string costs no wrapper object), or a tagged
 * immutable object for every other type (and for a string whose encoding is
 * not the one its content implies: see string.ts).
 */
export type StoredValue = StringValue | SetValue | HashValue | ListValue | ZSetValue | StreamValue

/** Writes the parts of a value in RDB's encodings (rdb.c rdbSaveLen, rdbSaveRawString). */
export interface RdbValueWriter {
  readonly length: (length: number) => void
  readonly string: (value: string) => void
  /** Bytes as they are (one char a byte): a binary double (rdbSaveBinaryDoubleValue). */
  readonly raw: (bytes: string) => void
}

/** Reads the parts of a value in RDB's encodings (rdb.c rdbLoadLen, rdbGenericLoadStringObject). */
export interface RdbValueReader {
  readonly length: () => number
  readonly string: () => string
  /** One byte as it is (rdbLoadDoubleValue's length). */
  readonly byte: () => number
  /** `length` bytes as they are (one char a byte): a binary or text double. */
  readonly latin1: (length: number) => string
  /** Stops the load: the value's body is invalid (rdbReportCorruptRDB), for `reason`. */
  readonly corrupt: (reason: string) => never
}

/** Everything effect-kv knows about one Redis value type. */
export interface ValueType<V extends StoredValue> {
  /** TYPE's answer, and the name WRONGTYPE is about. */
  readonly name: string
  /** The RDB type byte written for it (rdb.h RDB_TYPE_*). */
  readonly rdbType: number
  /** The RDB type byte written for this value when it depends on its encoding (a sorted set: ZSET_LISTPACK or ZSET_2). */
  rdbTypeOf?(value: V): number
  /**
   * Every RDB type byte `readRdb` loads: `rdbType` and the older or compact
   * encodings redis-server writes or still loads (a hash: HASH, HASH_ZIPMAP,
   * HASH_ZIPLIST, HASH_LISTPACK).
   */
  readonly loadsRdbTypes: ReadonlyArray<number>
  /** Whether a stored value is of this type. */
  is(value: StoredValue): value is V
  /** OBJECT ENCODING: the encoding Redis would hold the value in (object.c strEncoding). */
  encoding(value: V): string
  /** OBJECT REFCOUNT (shared small integers report INT_MAX). */
  refcount(value: V): number
  /** MEMORY USAGE's share of the value object itself (not the key or the dict entry), in Redis's terms. */
  memoryUsage(value: V): number
  /** DEBUG OBJECT's serializedlength. */
  serializedLength(value: V): number
  /** At most how many bytes `writeRdb` writes (the writer reserves room for a batch of keys). */
  rdbSizeBound(value: V): number
  /** The value's RDB body, after its type byte and key. */
  writeRdb(value: V, out: RdbValueWriter): void
  /** The value's RDB body, as `writeRdb` (or redis-server) wrote it under the type byte `rdbType`. */
  readRdb(input: RdbValueReader, rdbType: number): V
  /** BGREWRITEAOF: the commands that rebuild `key` holding `value`, expiring at `expiresAt` (unix ms) if given. */
  rewrite(key: string, value: V, expiresAt: number | undefined): ReadonlyArray<Command>
}

const wrongTypeError = commandError(wrongType, "WrongType")

/**
 * The one typed accessor: a key's value as `type`, undefined for a missing
 * key, and `-WRONGTYPE Operation against a key holding the wrong kind of
 * value` (Redis's checkType, object.c) when the key holds another type.
 */
export const expectType = <V extends StoredValue>(
  type: ValueType<V>,
  value: StoredValue | undefined
): Either.Either<V | undefined, CommandError> =>
  value === undefined || type.is(value) ? Either.right(value) : Either.left(wrongTypeError)

/**
 * The value types effect-kv stores. Adding a type is its module, its commands
 * file, and one line here.
 */
import { stringType } from "./string.js"
import { setType } from "./set.js"
import { hashType } from "./hash.js"
import { listType } from "./list.js"
import { zsetType } from "./zset-type.js"
import { streamType } from "./stream-type.js"
import type { StoredValue, ValueType } from "./types.js"

/** Every value type, the string type first. */
export const valueTypes: ReadonlyArray<ValueType<StoredValue>> = [
  stringType,
  setType,
  hashType,
  listType,
  zsetType,
  streamType
]

/** The type of a stored value (every value is of exactly one registered type). */
export const typeOf = (value: StoredValue): ValueType<StoredValue> => {
  for (const type of valueTypes) if (type.is(value)) return type
  return stringType
}

const byRdbType: ReadonlyMap<number, ValueType<StoredValue>> = new Map(
  valueTypes.flatMap((type) => type.loadsRdbTypes.map((rdbType) => [rdbType, type] as const))
)

/** The type the RDB type byte names, or undefined when effect-kv stores no such type. */
export const typeForRdb = (rdbType: number): ValueType<StoredValue> | undefined => byRdbType.get(rdbType)

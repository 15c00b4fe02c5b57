/**
 * The sorted set type's module (values/types.ts ValueType): RDB, AOF
 * rewrite, MEMORY USAGE and DEBUG serializedlength of a `ZSetValue`.
 *
 * RDB as Redis 7.0 writes it (rdb.c rdbSaveObject): a listpack-encoded set
 * as ZSET_LISTPACK (one string holding the listpack: member, score,
 * member, score ..., ascending, scores as d2string text), a skiplist as
 * ZSET_2 (the count, then from the highest to the lowest each member and
 * its score as a binary little-endian double). The loader takes ZSET (text
 * scores), ZSET_2, ZSET_ZIPLIST and ZSET_LISTPACK, and applies the CONFIG
 * defaults of the encoding limits as rdbLoadObject does.
 */
import { Either } from "effect"
import type { CommandError } from "../errors.js"
import { formatDouble } from "../resp/encoder.js"
import type { Command } from "../resp/values.js"
import * as BTree from "../structures/btree.js"
import * as Hamt from "../structures/hamt.js"
import { MalformedBlob } from "./encodings/blob.js"
import { decodeListpack } from "./encodings/listpack.js"
import { encodeListpack } from "./encodings/listpack-encoder.js"
import { decodeZiplist } from "./encodings/ziplist.js"
import { expectType, type RdbValueReader, type StoredValue, type ValueType } from "./types.js"
import { byScoreThenMember, defaultZSetLimits, isZSet, type Scored, ZSetValue } from "./zset.js"
import { parseLooseDouble } from "./zset-score.js"

/** RDB type bytes (rdb.h). */
export const RdbZSetType = { zset: 3, zset2: 5, ziplist: 12, listpack: 17 } as const

/** AOF_REWRITE_ITEMS_PER_CMD: the most score/member pairs one rewritten ZADD carries. */
const rewriteItemsPerCommand = 64

/** rewriteSortedSetObject: ZADD of at most 64 pairs per command (scores as %.17g), then PEXPIREAT for a volatile key. */
const rewrite = (key: string, zset: ZSetValue, expiresAt: number | undefined): ReadonlyArray<Command> => {
  const commands: Array<Command> = []
  let current: Array<string> = []
  BTree.forEach(zset.tree, ([score, member]) => {
    current.push(formatDouble(score), member)
    if (current.length === 2 * rewriteItemsPerCommand) {
      commands.push(["ZADD", key, ...current])
      current = []
    }
  })
  if (current.length > 0) commands.push(["ZADD", key, ...current])
  if (expiresAt !== undefined) commands.push(["PEXPIREAT", key, String(expiresAt)])
  return commands
}

/** The listpack of a listpack-encoded set: member, score (d2string, which is %.17g's text), ascending. */
const listpackOf = (zset: ZSetValue): string => {
  const elements: Array<string> = []
  BTree.forEach(zset.tree, ([score, member]) => {
    elements.push(member, formatDouble(score))
  })
  return encodeListpack(elements)
}

const binaryDouble = (value: number): string => {
  const bytes = Buffer.allocUnsafe(8)
  bytes.writeDoubleLE(value)
  return bytes.toString("latin1")
}

/** rdbLoadDoubleValue (RDB_TYPE_ZSET): a length byte (253 nan, 254 +inf, 255 -inf) and that many bytes of text. */
const readTextDouble = (input: RdbValueReader): number => {
  const length = input.byte()
  if (length === 255) return -Infinity
  if (length === 254) return Infinity
  if (length === 253) return NaN
  return parseLooseDouble(input.latin1(length)) ?? NaN
}

/**
 * The loaded set: distinct members and no NaN score (rdbLoadObject's checks),
 * a listpack when the blob was one (converted past the entries limit) or,
 * for counted forms, when size and member lengths allow.
 */
const loaded = (entries: ReadonlyArray<Scored>, fromBlob: boolean): ZSetValue => {
  if (entries.length === 0) throw new MalformedBlob("empty sorted set")
  const limits = defaultZSetLimits
  const scores = Hamt.fromEntries(entries.map(([score, member]) => [member, score] as const))
  if (Hamt.size(scores) !== entries.length) throw new MalformedBlob("duplicate sorted set member")
  if (entries.some(([score]) => Number.isNaN(score))) throw new MalformedBlob("sorted set score is NaN")
  const sorted = entries.slice().sort(byScoreThenMember)
  const listpack = entries.length <= limits.maxListpackEntries &&
    (fromBlob || entries.every(([, member]) => member.length <= limits.maxListpackValue))
  return new ZSetValue(BTree.fromArray(sorted), scores, listpack ? "listpack" : "skiplist")
}

/** member, score pairs of a ziplist or listpack blob (zzlStrtod of each score). */
const pairsOfBlob = (elements: ReadonlyArray<string>): Array<Scored> => {
  if (elements.length % 2 !== 0) throw new MalformedBlob("sorted set blob with an odd number of entries")
  const entries: Array<Scored> = []
  for (let i = 0; i < elements.length; i += 2) entries.push([parseLooseDouble(elements[i + 1]) ?? NaN, elements[i]])
  return entries
}

const readRdb = (input: RdbValueReader, rdbType: number): ZSetValue => {
  if (rdbType === RdbZSetType.ziplist) return loaded(pairsOfBlob(decodeZiplist(input.string())), true)
  if (rdbType === RdbZSetType.listpack) return loaded(pairsOfBlob(decodeListpack(input.string())), true)
  const count = input.length()
  const entries: Array<Scored> = []
  for (let i = 0; i < count; i++) {
    const member = input.string()
    const score = rdbType === RdbZSetType.zset2 ? Buffer.from(input.latin1(8), "latin1").readDoubleLE(0) : readTextDouble(input)
    entries.push([score, member])
  }
  return loaded(entries, false)
}

/** rdbSaveLen's size. */
const lengthSize = (length: number): number => (length < 1 << 6 ? 1 : length < 1 << 14 ? 2 : length <= 0xffffffff ? 5 : 9)

/** The RDB body's size without compression. */
const serializedLength = (zset: ZSetValue): number => {
  if (zset.encoding === "listpack") {
    const blob = listpackOf(zset)
    return lengthSize(blob.length) + blob.length
  }
  let total = lengthSize(zset.size)
  BTree.forEach(zset.tree, ([, member]) => {
    total += lengthSize(member.length) + member.length + 8
  })
  return total
}

/** sdsReqType's header plus the terminator. */
const sdsOverhead = (length: number): number => (length < 32 ? 2 : length < 256 ? 4 : length < 65536 ? 6 : 10)

/**
 * MEMORY USAGE's share (object.c objectComputeSize): the object (16) and the
 * listpack's bytes; or for a skiplist the zset, zskiplist and dict structs
 * (16 + 32 + 56), the bucket array, the 32-level header node (640 as
 * jemalloc rounds it), and per member an sds, a dictEntry (24) and a node
 * (~48 at the average level).
 */
const memoryUsage = (zset: ZSetValue): number => {
  if (zset.encoding === "listpack") return 16 + listpackOf(zset).length
  let buckets = 4
  while (buckets < zset.size) buckets *= 2
  let total = 16 + 16 + 32 + 56 + 8 * buckets + 640
  BTree.forEach(zset.tree, ([, member]) => {
    total += member.length + sdsOverhead(member.length) + 24 + 48
  })
  return total
}

/** The sorted set type's module. */
export const zsetType: ValueType<ZSetValue> = {
  name: "zset",
  rdbType: RdbZSetType.zset2,
  rdbTypeOf: (zset) => zset.encoding === "listpack" ? RdbZSetType.listpack : RdbZSetType.zset2,
  loadsRdbTypes: [RdbZSetType.zset, RdbZSetType.zset2, RdbZSetType.ziplist, RdbZSetType.listpack],
  is: (value: StoredValue): value is ZSetValue => isZSet(value),
  encoding: (zset) => zset.encoding,
  refcount: () => 1,
  memoryUsage,
  serializedLength,
  rdbSizeBound: (zset) => {
    // Per member: its bytes, a length (at most 9), a score (8, or a listpack element's 9 + backlen 5).
    let total = 24
    BTree.forEach(zset.tree, ([, member]) => {
      total += member.length + 32
    })
    return total
  },
  writeRdb: (zset, out) => {
    if (zset.encoding === "listpack") {
      out.string(listpackOf(zset))
      return
    }
    out.length(zset.size)
    BTree.forEachReversed(zset.tree, ([score, member]) => {
      out.string(member)
      out.raw(binaryDouble(score))
    })
  },
  readRdb,
  rewrite
}

/** The key's sorted set (undefined when missing), or WRONGTYPE. */
export const readZSet = (value: StoredValue | undefined): Either.Either<ZSetValue | undefined, CommandError> =>
  expectType(zsetType, value)

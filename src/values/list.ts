/**
 * The Redis list type (t_list.c), immutable and structurally shared: the
 * elements in a persistent counted B+tree (structures/btree.ts), so pushes
 * and pops at both ends are cheap, LINDEX/LSET are O(log n), and a SAVE
 * snapshot shares every version unchanged.
 *
 * Redis 7.0 holds every list as a quicklist (OBJECT ENCODING "quicklist";
 * 7.2 brought single-listpack lists): a linked list of listpack nodes, each
 * filled up to `list-max-listpack-size` (default -2: 8 KiB). The nodes are
 * not kept here; where they show (MEMORY USAGE, DEBUG serializedlength, the
 * RDB's QUICKLIST_2 body) they are laid out as quicklist.c's
 * _quicklistNodeAllowInsert would lay out pushes to the tail.
 */
import type { Either } from "effect"
import type { CommandError } from "../errors.js"
import type { Command } from "../resp/values.js"
import * as BTree from "../structures/btree.js"
import { MalformedBlob } from "./encodings/blob.js"
import { decodeListpack } from "./encodings/listpack.js"
import { encodeListpack, listpackElementSize, listpackOverhead } from "./encodings/listpack-encoder.js"
import { decodeZiplist } from "./encodings/ziplist.js"
import { expectType, type RdbValueReader, type StoredValue, type ValueType } from "./types.js"

/** A list: its elements, first to last. Never empty when stored. */
export class ListValue {
  readonly _tag = "List"
  constructor(readonly items: BTree.BTree<string>) {}

  get size(): number {
    return this.items.size
  }
}

/** rdb.h: the list type bytes Redis wrote over the years. */
export const RdbListType = { list: 1, ziplist: 10, quicklist: 14, quicklist2: 18 } as const

/** quicklist.h QUICKLIST_NODE_CONTAINER_*: a node of one raw element, or a listpack. */
const Container = { plain: 1, packed: 2 } as const

/** Redis's default `list-max-listpack-size` (config.c): -2, nodes of at most 8 KiB. */
export const defaultListMaxListpackSize = -2

/** AOF_REWRITE_ITEMS_PER_CMD (server.h): the most elements one rewritten RPUSH carries. */
const rewriteItemsPerCommand = 64

export const emptyList = new ListValue(BTree.empty<string>())

export const listFromArray = (elements: ReadonlyArray<string>): ListValue => new ListValue(BTree.fromArray(elements))

export const listElements = (list: ListValue, start = 0, end = list.size): Array<string> =>
  BTree.toArray(list.items, start, end)

/** quicklist.c optimization_level: the node size limits of fill -1 .. -5. */
const optimizationLevel = [4096, 8192, 16384, 32768, 65536]
/** quicklist.c SIZE_SAFETY_LIMIT: the size cap of a node under a count fill. */
const sizeSafetyLimit = 8192

/**
 * _quicklistNodeAllowInsert: whether a node of `nodeBytes` bytes and `count`
 * elements takes one more of `length` bytes under `fill` (its size estimate
 * counts the element's text length plus an overhead, as Redis's does).
 */
const nodeAllowsInsert = (nodeBytes: number, count: number, length: number, fill: number): boolean => {
  const overhead = (length < 254 ? 1 : 5) + (length < 64 ? 1 : length < 16384 ? 2 : 5)
  const newSize = nodeBytes + length + overhead
  if (fill < 0) {
    const limit = optimizationLevel[-fill - 1]
    if (limit !== undefined) return newSize <= limit
  }
  return newSize <= sizeSafetyLimit && count < fill
}

/** The elements split into quicklist nodes, as RPUSHing them one by one would split them. */
export const quicklistNodes = (list: ListValue, fill = defaultListMaxListpackSize): Array<Array<string>> => {
  const nodes: Array<Array<string>> = []
  let current: Array<string> = []
  let bytes = 0
  BTree.forEach(list.items, (element) => {
    if (current.length === 0 || !nodeAllowsInsert(bytes, current.length, element.length, fill)) {
      current = []
      nodes.push(current)
      bytes = listpackOverhead
    }
    current.push(element)
    bytes += listpackElementSize(element)
  })
  return nodes
}

const nodeBytes = (node: ReadonlyArray<string>): number =>
  node.reduce((total, element) => total + listpackElementSize(element), listpackOverhead)

/** rdbSaveLen's size. */
const lengthSize = (length: number): number => (length < 1 << 6 ? 1 : length < 1 << 14 ? 2 : length <= 0xffffffff ? 5 : 9)

/** MEMORY USAGE's default sample count (object.c OBJ_COMPUTE_SIZE_DEF_SAMPLES). */
const memorySamples = 5

/**
 * object.c objectComputeSize for a quicklist: the object (16) and the
 * quicklist struct (40), plus the node count times the average of the first
 * five nodes' struct (32) and listpack bytes. Allocator rounding left out.
 */
const memoryUsage = (list: ListValue): number => {
  const nodes = quicklistNodes(list)
  const sampled = nodes.slice(0, memorySamples)
  const sampledBytes = sampled.reduce((total, node) => total + 32 + nodeBytes(node), 0)
  return 16 + 40 + Math.round((sampledBytes / sampled.length) * nodes.length)
}

/** The QUICKLIST_2 body's size without compression: the node count, then each node's container and listpack string. */
const serializedLength = (list: ListValue): number => {
  const nodes = quicklistNodes(list)
  return nodes.reduce((total, node) => {
    const bytes = nodeBytes(node)
    return total + 1 + lengthSize(bytes) + bytes
  }, lengthSize(nodes.length))
}

/** Elements of a quicklist's nodes, each node a blob `decode` reads; empty nodes are skipped as rdbLoadObject does. */
const readNodes = (input: RdbValueReader, readNode: () => Array<string>): Array<string> => {
  const count = input.length()
  const elements: Array<string> = []
  for (let i = 0; i < count; i++) for (const element of readNode()) elements.push(element)
  return elements
}

/** rdbLoadObject's list cases: a counted list of strings, one ziplist, or quicklist nodes (ziplists; containers and listpacks). */
const readRdb = (input: RdbValueReader, rdbType: number): ListValue => {
  let elements: Array<string>
  switch (rdbType) {
    case RdbListType.ziplist:
      elements = decodeZiplist(input.string())
      break
    case RdbListType.quicklist:
      elements = readNodes(input, () => decodeZiplist(input.string()))
      break
    case RdbListType.quicklist2:
      elements = readNodes(input, () => {
        const container = input.length()
        if (container === Container.plain) return [input.string()]
        if (container !== Container.packed) throw new MalformedBlob("unknown quicklist node container")
        return decodeListpack(input.string())
      })
      break
    default: {
      const count = input.length()
      elements = []
      for (let i = 0; i < count; i++) elements.push(input.string())
    }
  }
  if (elements.length === 0) return input.corrupt("empty list")
  return listFromArray(elements)
}

/** rewriteListObject: RPUSH of at most 64 elements per command, then the expiry as PEXPIREAT. */
const rewrite = (key: string, list: ListValue, expiresAt: number | undefined): ReadonlyArray<Command> => {
  const commands: Array<Command> = []
  let current: Array<string> = []
  BTree.forEach(list.items, (element) => {
    current.push(element)
    if (current.length === rewriteItemsPerCommand) {
      commands.push(["RPUSH", key, ...current])
      current = []
    }
  })
  if (current.length > 0) commands.push(["RPUSH", key, ...current])
  if (expiresAt !== undefined) commands.push(["PEXPIREAT", key, String(expiresAt)])
  return commands
}

/** The list type's module. */
export const listType: ValueType<ListValue> = {
  name: "list",
  rdbType: RdbListType.quicklist2,
  loadsRdbTypes: [RdbListType.list, RdbListType.ziplist, RdbListType.quicklist, RdbListType.quicklist2],
  is: (value: StoredValue): value is ListValue => value instanceof ListValue,
  encoding: () => "quicklist",
  refcount: () => 1,
  memoryUsage,
  serializedLength,
  rdbSizeBound: (list) => {
    // Per element: its listpack encoding (at most 5 + length bytes) and back-length (at most 5); per node up to 19 more.
    let total = 9
    BTree.forEach(list.items, (element) => {
      total += element.length + 10 + 19
    })
    return total
  },
  /** rdbSaveObject's quicklist: the node count, then per node its container (PACKED) and its listpack as an RDB string. */
  writeRdb: (list, out) => {
    const nodes = quicklistNodes(list)
    out.length(nodes.length)
    for (const node of nodes) {
      out.length(Container.packed)
      out.string(encodeListpack(node))
    }
  },
  readRdb,
  rewrite
}

/** The key's list (undefined when missing), or WRONGTYPE. */
export const readList = (value: StoredValue | undefined): Either.Either<ListValue | undefined, CommandError> =>
  expectType(listType, value)

/**
 * The Redis stream type (t_stream.c), without consumer groups: an immutable
 * sequence of entries (an ID and field/value pairs), held as Redis holds it,
 * in nodes of at most `stream-node-max-entries` entries and about
 * `stream-node-max-bytes` bytes of listpack, each with a master entry whose
 * fields later entries may share (STREAM_ITEM_FLAG_SAMEFIELDS).
 *
 * The nodes matter to what a client sees: approximate trimming (MAXLEN ~,
 * MINID ~) removes whole nodes only (streamTrim), so XLEN after it depends on
 * where the node boundaries fall; a node's listpack size is computed here
 * exactly as listpack.c would lay it out (listpack-encoder.ts), so the
 * boundaries fall where redis-server's do. Entries trimmed from inside a node
 * stay in it, flagged deleted, as in Redis (no node garbage collection).
 *
 * IDs are two unsigned 64-bit numbers, held as bigints.
 */
import { listpackElementSize } from "./encodings/listpack-encoder.js"

export interface StreamId {
  readonly ms: bigint
  readonly seq: bigint
}

export const uint64Max = (1n << 64n) - 1n
export const zeroId: StreamId = { ms: 0n, seq: 0n }
export const maxId: StreamId = { ms: uint64Max, seq: uint64Max }

/** streamCompareID. */
export const compareIds = (a: StreamId, b: StreamId): number =>
  a.ms !== b.ms ? (a.ms < b.ms ? -1 : 1) : a.seq !== b.seq ? (a.seq < b.seq ? -1 : 1) : 0

/** createStreamIDString: `ms-seq`. */
export const formatId = (id: StreamId): string => `${id.ms}-${id.seq}`

/** streamIncrID: the next ID, undefined past the last possible one. */
export const nextId = (id: StreamId): StreamId | undefined =>
  id.seq !== uint64Max ? { ms: id.ms, seq: id.seq + 1n } : id.ms !== uint64Max ? { ms: id.ms + 1n, seq: 0n } : undefined

/** streamDecrID: the previous ID, undefined before 0-0. */
export const previousId = (id: StreamId): StreamId | undefined =>
  id.seq !== 0n ? { ms: id.ms, seq: id.seq - 1n } : id.ms !== 0n ? { ms: id.ms - 1n, seq: uint64Max } : undefined

/** One entry: its ID, its fields and values alternating, and whether it is flagged deleted (trimmed from inside its node). */
export interface StreamEntry {
  readonly id: StreamId
  readonly pairs: ReadonlyArray<string>
  readonly deleted: boolean
  /** Whether its fields are its node's master fields (stored as values only). */
  readonly sameFields: boolean
}

/** One radix-tree node of Redis's stream: a listpack with a master entry, then entries. */
export interface StreamNode {
  readonly masterId: StreamId
  readonly masterFields: ReadonlyArray<string>
  readonly entries: ReadonlyArray<StreamEntry>
  /** Entries not flagged deleted (the master entry's count). */
  readonly live: number
  /** Entries flagged deleted (the master entry's deleted). */
  readonly deleted: number
  /** The listpack's size but for its two counters (count, deleted), which change in place. */
  readonly bytesWithoutCounters: number
}

export class StreamValue {
  readonly _tag = "Stream"
  constructor(
    readonly nodes: ReadonlyArray<StreamNode>,
    /** Entries not deleted. */
    readonly length: number,
    readonly lastId: StreamId,
    readonly firstId: StreamId,
    readonly maxDeletedId: StreamId,
    readonly entriesAdded: bigint
  ) {}
}

/** streamNew: no entries, last ID 0-0. */
export const emptyStream = new StreamValue([], 0, zeroId, zeroId, zeroId, 0n)

/** Redis 7.0's defaults for `stream-node-max-bytes` and `stream-node-max-entries` (config.c). */
export const streamNodeLimits = { maxBytes: 4096, maxEntries: 100 } as const

/** STREAM_LISTPACK_MAX_SIZE (stream.h). */
const listpackMaxSize = 1 << 30

const integerSize = (value: bigint | number): number => listpackElementSize(String(value))
const sizeOfAll = (texts: ReadonlyArray<string>): number => texts.reduce((sum, text) => sum + listpackElementSize(text), 0)

/** lpBytes of the node's listpack. */
export const nodeBytes = (node: StreamNode): number =>
  node.bytesWithoutCounters + integerSize(node.live) + integerSize(node.deleted)

/** An ID part's difference from the master's, as lpAppendInteger stores it (an int64). */
const delta = (value: bigint, master: bigint): bigint => BigInt.asIntN(64, value - master)

/** The flags element (STREAM_ITEM_FLAG_DELETED 1, STREAM_ITEM_FLAG_SAMEFIELDS 2). */
export const entryFlags = (entry: StreamEntry): number => (entry.deleted ? 1 : 0) | (entry.sameFields ? 2 : 0)

/** The listpack elements of an entry after the master entry (streamAppendItem's layout). */
export const entryElements = (entry: StreamEntry, masterId: StreamId): Array<string> => {
  const elements = [String(entryFlags(entry)), String(delta(entry.id.ms, masterId.ms)), String(delta(entry.id.seq, masterId.seq))]
  const fieldCount = entry.pairs.length / 2
  if (!entry.sameFields) elements.push(String(fieldCount))
  for (let i = 0; i < entry.pairs.length; i += 2) {
    if (!entry.sameFields) elements.push(entry.pairs[i])
    elements.push(entry.pairs[i + 1])
  }
  elements.push(String(entry.sameFields ? fieldCount + 3 : fieldCount * 2 + 4))
  return elements
}

/** The master entry's elements: count, deleted, the field count, the fields, the 0 terminator. */
export const masterElements = (node: StreamNode): Array<string> =>
  [String(node.live), String(node.deleted), String(node.masterFields.length), ...node.masterFields, "0"]

const entryBytes = (entry: StreamEntry, masterId: StreamId): number => sizeOfAll(entryElements(entry, masterId))

/** A node built whole (the RDB loader, trimming): its size recomputed. */
export const makeNode = (masterId: StreamId, masterFields: ReadonlyArray<string>, entries: ReadonlyArray<StreamEntry>): StreamNode => {
  let live = 0
  let bytes = 7 + integerSize(masterFields.length) + sizeOfAll(masterFields) + integerSize(0)
  for (const entry of entries) {
    if (!entry.deleted) live++
    bytes += entryBytes(entry, masterId)
  }
  return { masterId, masterFields, entries, live, deleted: entries.length - live, bytesWithoutCounters: bytes }
}

const fieldsOf = (pairs: ReadonlyArray<string>): Array<string> => pairs.filter((_, index) => index % 2 === 0)

const sameFields = (pairs: ReadonlyArray<string>, masterFields: ReadonlyArray<string>): boolean =>
  pairs.length === masterFields.length * 2 && masterFields.every((field, i) => pairs[i * 2] === field)

/** Why an append failed: an ID not above the last one (EDOM), or elements over STREAM_LISTPACK_MAX_SIZE (ERANGE). */
export type AppendFailure = "IdTooSmall" | "TooLarge"

/**
 * The ID streamAppendItem gives an entry: `given` as is when its sequence was
 * given; for `ms-*` the next sequence after the last ID's at the same ms, or
 * 0; for `*` (no `given`) streamNextID from `nowMs`. Undefined when no ID fits.
 */
export const idForAppend = (
  stream: StreamValue,
  given: StreamId | undefined,
  seqGiven: boolean,
  nowMs: number
): StreamId | undefined => {
  const last = stream.lastId
  if (given === undefined) {
    const ms = BigInt(nowMs)
    return ms > last.ms ? { ms, seq: 0n } : nextId(last)
  }
  if (seqGiven || given.ms !== last.ms) return given
  return last.seq === uint64Max ? undefined : { ms: last.ms, seq: last.seq + 1n }
}

/**
 * streamAppendItem: `pairs` appended as entry `id` (already above the last
 * ID), in the tail node or a new one when the tail's listpack plus the new
 * elements' bytes reach `stream-node-max-bytes`, or it holds
 * `stream-node-max-entries` entries (deleted ones count).
 */
export const appendEntry = (stream: StreamValue, id: StreamId, pairs: ReadonlyArray<string>): StreamValue | AppendFailure => {
  if (compareIds(id, stream.lastId) <= 0) return "IdTooSmall"
  const elementsLength = pairs.reduce((sum, text) => sum + text.length, 0)
  if (elementsLength > listpackMaxSize) return "TooLarge"
  const tail = stream.nodes.at(-1)
  const startsNode = tail === undefined ||
    nodeBytes(tail) + elementsLength >= streamNodeLimits.maxBytes ||
    tail.live + tail.deleted >= streamNodeLimits.maxEntries
  const nodes = stream.nodes.slice()
  if (startsNode) {
    const entry: StreamEntry = { id, pairs, deleted: false, sameFields: true }
    nodes.push(makeNode(id, fieldsOf(pairs), [entry]))
  } else {
    const entry: StreamEntry = { id, pairs, deleted: false, sameFields: sameFields(pairs, tail.masterFields) }
    nodes[nodes.length - 1] = {
      ...tail,
      entries: [...tail.entries, entry],
      live: tail.live + 1,
      bytesWithoutCounters: tail.bytesWithoutCounters + entryBytes(entry, tail.masterId)
    }
  }
  const length = stream.length + 1
  return new StreamValue(nodes, length, id, length === 1 ? id : stream.firstId, stream.maxDeletedId, stream.entriesAdded + 1n)
}

/** The live entries with IDs in [start, end], from the first (or, `reverse`, the last), at most `count` (0: all). */
export const entriesInRange = (
  stream: StreamValue,
  start: StreamId,
  end: StreamId,
  count: number,
  reverse = false
): Array<StreamEntry> => {
  const found: Array<StreamEntry> = []
  if (compareIds(start, end) > 0) return found
  const nodes = reverse ? stream.nodes.slice().reverse() : stream.nodes
  for (const node of nodes) {
    const entries = reverse ? node.entries.slice().reverse() : node.entries
    for (const entry of entries) {
      if (entry.deleted || compareIds(entry.id, start) < 0 || compareIds(entry.id, end) > 0) continue
      found.push(entry)
      if (count > 0 && found.length === count) return found
    }
  }
  return found
}

/** The first (or last) entry, deleted ones skipped or not (streamGetEdgeID); undefined when there is none. */
const edgeEntry = (nodes: ReadonlyArray<StreamNode>, first: boolean): StreamEntry | undefined => {
  const ordered = first ? nodes : nodes.slice().reverse()
  for (const node of ordered) {
    const entries = first ? node.entries : node.entries.slice().reverse()
    const found = entries.find((entry) => !entry.deleted)
    if (found !== undefined) return found
  }
  return undefined
}

/** The last live entry's ID (streamLastValidID), 0-0 for none. */
export const lastValidId = (stream: StreamValue): StreamId => edgeEntry(stream.nodes, false)?.id ?? zeroId

/** How to trim: keep at most `maxlen` entries, or drop the entries below `minId`; approximate: whole nodes only, at most `limit` entries (0: no limit). */
export type TrimStrategy =
  | { readonly _tag: "MaxLen"; readonly maxlen: bigint }
  | { readonly _tag: "MinId"; readonly minId: StreamId }

export interface Trim {
  readonly strategy: TrimStrategy
  readonly approximate: boolean
  readonly limit: bigint
}

/** The node with its entries flagged deleted while `stop` says no, from its first (streamTrim's inner loop). */
const trimInsideNode = (node: StreamNode, stop: (entry: StreamEntry, length: number) => boolean, length: number) => {
  let deleted = 0
  const entries = node.entries.slice()
  for (let i = 0; i < entries.length; i++) {
    if (stop(entries[i], length - deleted)) break
    if (!entries[i].deleted) {
      entries[i] = { ...entries[i], deleted: true }
      deleted++
    }
  }
  return { node: { ...node, entries, live: node.live - deleted, deleted: node.deleted + deleted }, deleted }
}

/**
 * streamTrim: whole nodes from the front while the strategy allows removing
 * them all; then, unless approximate, entries inside the next node (flagged
 * deleted). Returns the stream and how many entries went.
 */
export const trimStream = (stream: StreamValue, trim: Trim): readonly [StreamValue, number] => {
  const { strategy } = trim
  let length = stream.length
  let removed = 0
  let first = 0
  let partial: StreamNode | undefined
  for (; first < stream.nodes.length; first++) {
    if (strategy._tag === "MaxLen" && BigInt(length) <= strategy.maxlen) break
    const node = stream.nodes[first]
    if (trim.limit !== 0n && BigInt(removed + node.live) > trim.limit) break
    const removesNode = strategy._tag === "MaxLen"
      ? BigInt(length - node.live) >= strategy.maxlen
      : compareIds(node.entries[node.entries.length - 1]?.id ?? node.masterId, strategy.minId) < 0
    if (removesNode) {
      length -= node.live
      removed += node.live
      continue
    }
    if (trim.approximate) break
    const inside = trimInsideNode(node, (entry, left) =>
      strategy._tag === "MaxLen" ? BigInt(left) <= strategy.maxlen : compareIds(entry.id, strategy.minId) >= 0, length)
    length -= inside.deleted
    removed += inside.deleted
    partial = inside.node
    break
  }
  if (removed === 0 && partial === undefined && first === 0) return [stream, 0]
  const nodes = partial === undefined ? stream.nodes.slice(first) : [partial, ...stream.nodes.slice(first + 1)]
  const firstId = length === 0 ? zeroId : removed > 0 ? (edgeEntry(nodes, true)?.id ?? zeroId) : stream.firstId
  return [new StreamValue(nodes, length, stream.lastId, firstId, stream.maxDeletedId, stream.entriesAdded), removed]
}

/** XSETID: the stream with its last ID (and, when given, entries added and max deleted ID) set. */
export const withLastId = (
  stream: StreamValue,
  lastId: StreamId,
  entriesAdded: bigint | undefined,
  maxDeletedId: StreamId | undefined
): StreamValue =>
  new StreamValue(stream.nodes, stream.length, lastId, stream.firstId, maxDeletedId ?? stream.maxDeletedId,
    entriesAdded ?? stream.entriesAdded)

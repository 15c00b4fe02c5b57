/**
 * The stream type's module (ValueType): TYPE `stream`, OBJECT ENCODING
 * `stream`, the RDB body of RDB_TYPE_STREAM_LISTPACKS_2 (rdb.c rdbSaveObject:
 * each node's 16-byte big-endian master ID and its listpack as Redis lays it
 * out, then length, last ID, first ID, max deleted ID, entries added and the
 * consumer groups, none here), and the AOF rewrite (aof.c rewriteStreamObject).
 */
import type { Either } from "effect"
import type { CommandError } from "../errors.js"
import type { Command } from "../resp/values.js"
import { decodeListpack } from "./encodings/listpack.js"
import { encodeListpack } from "./encodings/listpack-encoder.js"
import {
  entryElements,
  formatId,
  makeNode,
  masterElements,
  nodeBytes,
  type StreamEntry,
  type StreamId,
  type StreamNode,
  StreamValue,
  zeroId
} from "./stream.js"
import { expectType, type RdbValueReader, type RdbValueWriter, type StoredValue, type ValueType } from "./types.js"

/** RDB type bytes (rdb.h): Redis 5/6's streams, and 7.0's (with first ID, max deleted ID, entries added). */
export const RdbStreamType = { listpacks: 15, listpacks2: 19 } as const

/** streamEncodeID: ms then seq, each 8 bytes big-endian (the radix tree key). */
const encodeId = (id: StreamId): string => {
  let bytes = ""
  for (const part of [id.ms, id.seq]) {
    for (let shift = 56n; shift >= 0n; shift -= 8n) bytes += String.fromCharCode(Number((part >> shift) & 0xffn))
  }
  return bytes
}

const decodeId = (bytes: string, input: RdbValueReader): StreamId => {
  if (bytes.length !== 16) return input.corrupt("stream node key is not 128 bits")
  let ms = 0n
  let seq = 0n
  for (let i = 0; i < 8; i++) ms = (ms << 8n) | BigInt(bytes.charCodeAt(i))
  for (let i = 8; i < 16; i++) seq = (seq << 8n) | BigInt(bytes.charCodeAt(i))
  return { ms, seq }
}

/** rdbSaveLen of an unsigned 64-bit number (the 64-bit form written by hand past 2^53). */
const writeLength64 = (out: RdbValueWriter, value: bigint): void => {
  if (value <= BigInt(Number.MAX_SAFE_INTEGER)) return out.length(Number(value))
  let bytes = "\x81"
  for (let shift = 56n; shift >= 0n; shift -= 8n) bytes += String.fromCharCode(Number((value >> shift) & 0xffn))
  out.raw(bytes)
}

/** rdbLoadLen, exact to 64 bits. */
const readLength64 = (input: RdbValueReader): bigint => {
  const first = input.byte()
  const bigEndian = (bytes: string) => Array.from(bytes).reduce((sum, char) => (sum << 8n) | BigInt(char.charCodeAt(0)), 0n)
  switch (first >> 6) {
    case 0:
      return BigInt(first & 0x3f)
    case 1:
      return BigInt(((first & 0x3f) << 8) | input.byte())
  }
  if (first === 0x80) return bigEndian(input.latin1(4))
  if (first === 0x81) return bigEndian(input.latin1(8))
  return input.corrupt(`unknown length encoding ${first}`)
}

const writeId = (out: RdbValueWriter, id: StreamId): void => {
  writeLength64(out, id.ms)
  writeLength64(out, id.seq)
}

const readId = (input: RdbValueReader): StreamId => ({ ms: readLength64(input), seq: readLength64(input) })

/** A node's listpack, as streamAppendItem / streamTrim left it. */
export const nodeListpack = (node: StreamNode): string =>
  encodeListpack([...masterElements(node), ...node.entries.flatMap((entry) => entryElements(entry, node.masterId))])

const integerAt = (elements: ReadonlyArray<string>, at: number, input: RdbValueReader): bigint => {
  const text = elements[at]
  if (text === undefined || !/^-?[0-9]+$/.test(text)) return input.corrupt("stream listpack element is not an integer")
  return BigInt(text)
}

/** A node back from its listpack (rdbLoadObject checks the same shape: master entry, then whole entries). */
const nodeFromListpack = (masterId: StreamId, blob: string, input: RdbValueReader): StreamNode => {
  const elements = decodeListpack(blob)
  if (elements.length === 0) return input.corrupt("Empty listpack inside stream")
  const fieldCount = Number(integerAt(elements, 2, input))
  const masterFields = elements.slice(3, 3 + fieldCount)
  let at = 4 + fieldCount
  const entries: Array<StreamEntry> = []
  while (at < elements.length) {
    const flags = Number(integerAt(elements, at, input))
    const ms = BigInt.asUintN(64, masterId.ms + integerAt(elements, at + 1, input))
    const seq = BigInt.asUintN(64, masterId.seq + integerAt(elements, at + 2, input))
    at += 3
    const sameFields = (flags & 2) !== 0
    const pairs: Array<string> = []
    const count = sameFields ? fieldCount : Number(integerAt(elements, at++, input))
    for (let i = 0; i < count; i++) {
      if (sameFields) pairs.push(masterFields[i], elements[at++])
      else pairs.push(elements[at++], elements[at++])
    }
    at++ // lp-count
    if (at > elements.length || pairs.some((text) => text === undefined)) return input.corrupt("truncated stream entry")
    entries.push({ id: { ms, seq }, pairs, deleted: (flags & 1) !== 0, sameFields })
  }
  return makeNode(masterId, masterFields, entries)
}

const firstLiveId = (nodes: ReadonlyArray<StreamNode>): StreamId =>
  nodes.flatMap((node) => node.entries).find((entry) => !entry.deleted)?.id ?? zeroId

const readRdb = (input: RdbValueReader, rdbType: number): StreamValue => {
  const nodeCount = Number(readLength64(input))
  const nodes: Array<StreamNode> = []
  for (let i = 0; i < nodeCount; i++) {
    const masterId = decodeId(input.string(), input)
    nodes.push(nodeFromListpack(masterId, input.string(), input))
  }
  const length = Number(readLength64(input))
  const lastId = readId(input)
  const v2 = rdbType === RdbStreamType.listpacks2
  const firstId = v2 ? readId(input) : firstLiveId(nodes)
  const maxDeletedId = v2 ? readId(input) : zeroId
  const entriesAdded = v2 ? readLength64(input) : BigInt(length)
  if (readLength64(input) !== 0n) return input.corrupt("stream consumer groups are not supported")
  return new StreamValue(nodes, length, lastId, firstId, maxDeletedId, entriesAdded)
}

const writeRdb = (stream: StreamValue, out: RdbValueWriter): void => {
  out.length(stream.nodes.length)
  for (const node of stream.nodes) {
    out.string(encodeId(node.masterId))
    out.string(nodeListpack(node))
  }
  out.length(stream.length)
  writeId(out, stream.lastId)
  writeId(out, stream.firstId)
  writeId(out, stream.maxDeletedId)
  writeLength64(out, stream.entriesAdded)
  out.length(0)
}

/** rdbSaveLen's size. */
const lengthSize = (length: number | bigint): number =>
  length < 1 << 6 ? 1 : length < 1 << 14 ? 2 : length <= 0xffffffff ? 5 : 9

/** The body's size without compression. */
const serializedLength = (stream: StreamValue): number => {
  let total = lengthSize(stream.nodes.length)
  for (const node of stream.nodes) {
    const bytes = nodeBytes(node)
    total += 1 + 16 + lengthSize(bytes) + bytes
  }
  const ids = [stream.lastId, stream.firstId, stream.maxDeletedId].flatMap((id) => [id.ms, id.seq])
  return total + lengthSize(stream.length) + ids.reduce((sum, part) => sum + lengthSize(part), 0) +
    lengthSize(stream.entriesAdded) + 1
}

/**
 * MEMORY USAGE's share (object.c objectComputeSize), approximately: the
 * object and stream structs, streamRadixTreeMemoryUsage's estimate (taking
 * one radix node per listpack) and the listpacks' used bytes (Redis counts
 * their allocations, which jemalloc rounds up).
 */
const memoryUsage = (stream: StreamValue): number => {
  const nodes = stream.nodes.length
  return 16 + 88 + nodes * 16 + nodes * (8 + 8 * 30) + stream.nodes.reduce((sum, node) => sum + nodeBytes(node), 0)
}

/**
 * rewriteStreamObject: XADD key id field value ... per live entry (or XADD key
 * MAXLEN 0 0-1 x y for an empty stream), then XSETID key last-id
 * ENTRIESADDED n MAXDELETEDID id, then PEXPIREAT for a volatile key.
 */
const rewrite = (key: string, stream: StreamValue, expiresAt: number | undefined): ReadonlyArray<Command> => {
  const commands: Array<Command> = []
  for (const node of stream.nodes) {
    for (const entry of node.entries) if (!entry.deleted) commands.push(["XADD", key, formatId(entry.id), ...entry.pairs])
  }
  if (stream.length === 0) commands.push(["XADD", key, "MAXLEN", "0", "0-1", "x", "y"])
  commands.push([
    "XSETID", key, formatId(stream.lastId), "ENTRIESADDED", String(stream.entriesAdded), "MAXDELETEDID", formatId(stream.maxDeletedId)
  ])
  if (expiresAt !== undefined) commands.push(["PEXPIREAT", key, String(expiresAt)])
  return commands
}

export const streamType: ValueType<StreamValue> = {
  name: "stream",
  rdbType: RdbStreamType.listpacks2,
  loadsRdbTypes: [RdbStreamType.listpacks, RdbStreamType.listpacks2],
  is: (value: StoredValue): value is StreamValue => value instanceof StreamValue,
  encoding: () => "stream",
  refcount: () => 1,
  memoryUsage,
  serializedLength,
  rdbSizeBound: (stream) => serializedLength(stream) + stream.nodes.length * 9 + 64,
  writeRdb,
  readRdb,
  rewrite
}

/** The key's stream (undefined when missing), or WRONGTYPE. */
export const readStream = (value: StoredValue | undefined): Either.Either<StreamValue | undefined, CommandError> =>
  expectType(streamType, value)

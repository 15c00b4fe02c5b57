/**
 * The nodes of the persistent map (`hamt.ts`), a CHAMP trie (Steindorfer and Vinju, "Optimizing
 * Hash-Array Mapped Tries for Fast and Lean Immutable JVM Collections", OOPSLA 2015).
 *
 * A node covers the keys whose hashes share a prefix. It has 32 slots, one per 5-bit fragment of the
 * hash; a slot holds nothing, one entry inline, or a child node. `dataMap` and `nodeMap` say which
 * slots hold entries and which hold children, and `content` holds them all in one array:
 * `[key0, value0, key1, value1, ..., childM, ..., child0]`, entries in slot order from the front,
 * children in slot order from the back. One array per node keeps memory low and iteration linear.
 *
 * Fragments are taken from the hash's top bits down (27, 22, ..., 2, then the last two bits), so a
 * depth-first walk in slot order visits the keys in ascending hash order: SCAN's cursor is a hash.
 * Below the last level (shift -8) a node is a collision node: no bitmaps, `content` is the pairs of
 * the keys that share all 32 bits.
 *
 * Canonical form: a child holds at least two entries (a removal that leaves one moves it up into the
 * parent), so a node of size 1 holds its entry in `content[0]`, `content[1]`.
 */

/**
 * An edit token: while it is open, nodes created under it are changed in place by later operations
 * under the same token (Clojure's transients). Closing it freezes every node it owns.
 */
export class Edit {
  open = true
}

export class Node<V> {
  /** Phantom: ties the value type to the node (`content` is untyped, see `valueAt`); covariant, as a persistent map is. */
  declare private readonly valueType: () => V
  constructor(
    /** Bit f set: slot f holds an entry inline. */
    public dataMap: number,
    /** Bit f set: slot f holds a child node. */
    public nodeMap: number,
    /** Number of entries in this subtree. */
    public size: number,
    public content: Array<unknown>,
    /** The edit that may change this node in place; undefined: never changed. */
    public owner: Edit | undefined
  ) {}
}

/** Shift of the root's fragment: the top 5 bits. */
export const TOP_SHIFT = 27
/** Shift at which a node is a collision node (all 32 bits used by the levels above). */
export const COLLISION_SHIFT = -8

/** The slot of `hash` at the level whose shift is `shift` (the last level, -3, uses the last two bits). */
export const fragment = (hash: number, shift: number): number =>
  shift >= 0 ? (hash >>> shift) & 31 : (hash << -shift) & 31

export const bitCount = (bits: number): number => {
  let x = bits - ((bits >>> 1) & 0x55555555)
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333)
  x = (x + (x >>> 4)) & 0x0f0f0f0f
  return Math.imul(x, 0x01010101) >>> 24
}

/** Index in `content` of the entry in slot `bit` (a one-bit mask). */
export const dataIndex = (dataMap: number, bit: number): number => 2 * bitCount(dataMap & (bit - 1))

/** Index in `content` of the child in slot `bit`. */
export const nodeIndex = (node: Node<unknown>, bit: number): number =>
  node.content.length - 1 - bitCount(node.nodeMap & (bit - 1))

/** Number of entries held inline (for a collision node, all of them). */
export const inlineCount = (node: Node<unknown>): number => (node.content.length - bitCount(node.nodeMap)) >> 1

// `content` is one untyped array because separate typed arrays for keys, values and children would
// cost two more array objects per node (~30 bytes per key at 1M keys). Only this module family writes
// it, always keys at even indexes below the children, values after them and children at the back, so
// these three reads are the only places that assert a slot's type.

export const keyAt = (content: Array<unknown>, index: number): string => content[index] as string

export const valueAt = <V>(node: Node<V>, index: number): V => node.content[index] as V

export const childAt = <V>(node: Node<V>, index: number): Node<V> => node.content[index] as Node<V>

/** A new array of `length` slots (always made this way, so every node's array has the same kind). */
export const allocate = (length: number): Array<unknown> => new Array<unknown>(length)

/** A node whose only entries are the two given (distinct keys), at the level `shift`. */
export const mergeTwo = <V>(
  shift: number,
  hash1: number,
  key1: string,
  value1: V,
  hash2: number,
  key2: string,
  value2: V,
  owner: Edit | undefined
): Node<V> => {
  if (shift === COLLISION_SHIFT) return new Node<V>(0, 0, 2, pairs(key1, value1, key2, value2), owner)
  const fragment1 = fragment(hash1, shift)
  const fragment2 = fragment(hash2, shift)
  if (fragment1 === fragment2) {
    const content = allocate(1)
    content[0] = mergeTwo(shift - 5, hash1, key1, value1, hash2, key2, value2, owner)
    return new Node<V>(0, 1 << fragment1, 2, content, owner)
  }
  const dataMap = (1 << fragment1) | (1 << fragment2)
  return new Node<V>(
    dataMap,
    0,
    2,
    fragment1 < fragment2 ? pairs(key1, value1, key2, value2) : pairs(key2, value2, key1, value1),
    owner
  )
}

const pairs = (key1: string, value1: unknown, key2: string, value2: unknown): Array<unknown> => {
  const content = allocate(4)
  content[0] = key1
  content[1] = value1
  content[2] = key2
  content[3] = value2
  return content
}

/** `content` with `key`, `value` inserted at `index`. */
export const insertPair = (content: Array<unknown>, index: number, key: string, value: unknown): Array<unknown> => {
  const length = content.length
  const copy = allocate(length + 2)
  for (let i = 0; i < index; i++) copy[i] = content[i]
  copy[index] = key
  copy[index + 1] = value
  for (let i = index; i < length; i++) copy[i + 2] = content[i]
  return copy
}

/** `content` without the pair at `index`. */
export const removePair = (content: Array<unknown>, index: number): Array<unknown> => {
  const length = content.length
  const copy = allocate(length - 2)
  for (let i = 0; i < index; i++) copy[i] = content[i]
  for (let i = index + 2; i < length; i++) copy[i - 2] = content[i]
  return copy
}

/** `content` with the pair at `from` replaced by `child` at `to` (an index in the result). */
export const pairToChild = (content: Array<unknown>, from: number, to: number, child: unknown): Array<unknown> => {
  const length = content.length
  const copy = allocate(length - 1)
  for (let i = 0; i < from; i++) copy[i] = content[i]
  for (let i = from + 2; i <= to + 1; i++) copy[i - 2] = content[i]
  copy[to] = child
  for (let i = to + 2; i < length; i++) copy[i - 1] = content[i]
  return copy
}

/** `content` with the child at `from` replaced by the pair `key`, `value` at `to` (`to` <= `from`). */
export const childToPair = (
  content: Array<unknown>,
  from: number,
  to: number,
  key: string,
  value: unknown
): Array<unknown> => {
  const length = content.length
  const copy = allocate(length + 1)
  for (let i = 0; i < to; i++) copy[i] = content[i]
  copy[to] = key
  copy[to + 1] = value
  for (let i = to; i < from; i++) copy[i + 2] = content[i]
  for (let i = from + 1; i < length; i++) copy[i + 1] = content[i]
  return copy
}

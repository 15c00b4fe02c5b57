/**
 * The nodes of the persistent map (`hamt.ts`), a CHAMP trie (Steindorfer and Vinju, "Optimizing
 * Hash-Array Mapped Tries for Fast and Lean Immutable JVM Collections", OOPSLA 2015).
 *
 * A node covers the keys whose hashes share a prefix. It has 32 slots, one per 5-bit fragment of the
 * hash; a slot holds nothing, one entry inline, or a child node. A node is ONE array:
 *
 *   [dataMap, nodeMap, size, owner, key0, value0, key1, value1, ..., childM, ..., child0]
 *
 * `dataMap` and `nodeMap` say which slots hold entries and which hold children, `size` counts the
 * entries of the subtree, `owner` is the edit that may change the node in place. Entries follow the
 * header in slot order, children fill the array from the back in slot order. One array per node and
 * no wrapper object: at 1M keys a node costs 80 bytes plus 8 per slot (a class instance around an
 * array cost 112 plus 8), and a lookup follows one pointer per level instead of two.
 *
 * Fragments are taken from the hash's top bits down (27, 22, ..., 2, then the last two bits), so a
 * depth-first walk in slot order visits the keys in ascending hash order: SCAN's cursor is a hash.
 * Below the last level (shift -8) a node is a collision node: both bitmaps 0, after the header the
 * pairs of the keys that share all 32 bits.
 *
 * Canonical form: a child holds at least two entries (a removal that leaves one moves it up into the
 * parent), so a node of size 1 holds its entry at `HEADER`, `HEADER + 1`.
 */

/**
 * An edit token: while it is open, nodes created under it are changed in place by later operations
 * under the same token (Clojure's transients). Closing it freezes every node it owns.
 */
export class Edit {
  open = true
}

/** Type-only: ties a node to its value type. */
declare const valueType: unique symbol

/**
 * A node (see above). Its slots are untyped: separate typed arrays for the header, keys, values and
 * children would cost more objects per node. The phantom makes `Node<V>` covariant in `V`.
 */
export interface Node<V> extends Array<unknown> {
  readonly [valueType]?: () => V
}

/** Slots of the header. */
const DATA_MAP = 0
const NODE_MAP = 1
const SIZE = 2
const OWNER = 3
/** Index of the first entry's key. */
export const HEADER = 4

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

// Only this module family writes nodes, always in the layout above, so the reads below are the only
// places that assert a slot's type (the header's numbers and owner, keys, values, children).

export const dataMapOf = (node: Node<unknown>): number => node[DATA_MAP] as number

export const nodeMapOf = (node: Node<unknown>): number => node[NODE_MAP] as number

/** Number of entries in the node's subtree. */
export const sizeOf = (node: Node<unknown>): number => node[SIZE] as number

export const ownerOf = (node: Node<unknown>): Edit | undefined => node[OWNER] as Edit | undefined

export const keyAt = (node: Node<unknown>, index: number): string => node[index] as string

export const valueAt = <V>(node: Node<V>, index: number): V => node[index] as V

export const childAt = <V>(node: Node<V>, index: number): Node<V> => node[index] as Node<V>

export const setBitmaps = (node: Node<unknown>, dataMap: number, nodeMap: number): void => {
  node[DATA_MAP] = dataMap
  node[NODE_MAP] = nodeMap
}

export const setSize = (node: Node<unknown>, size: number): void => {
  node[SIZE] = size
}

/**
 * A node of `slots` slots after the header, the slots empty (always made this way, so every node's
 * array has the same elements kind).
 */
export const makeNode = <V>(
  slots: number,
  dataMap: number,
  nodeMap: number,
  size: number,
  owner: Edit | undefined
): Node<V> => {
  const node: Node<V> = new Array<unknown>(HEADER + slots)
  node[DATA_MAP] = dataMap
  node[NODE_MAP] = nodeMap
  node[SIZE] = size
  node[OWNER] = owner
  return node
}

/** A copy of `node` (same slots) with a new header. */
export const copyNode = <V>(
  node: Node<V>,
  dataMap: number,
  nodeMap: number,
  size: number,
  owner: Edit | undefined
): Node<V> => {
  const copy = makeNode<V>(node.length - HEADER, dataMap, nodeMap, size, owner)
  for (let i = HEADER; i < node.length; i++) copy[i] = node[i]
  return copy
}

/** Index in the node of the entry in slot `bit` (a one-bit mask). */
export const dataIndex = (dataMap: number, bit: number): number => HEADER + 2 * bitCount(dataMap & (bit - 1))

/** Index in the node of the child in slot `bit`. */
export const nodeIndex = (node: Node<unknown>, bit: number): number =>
  node.length - 1 - bitCount(nodeMapOf(node) & (bit - 1))

/** Number of entries held inline (for a collision node, all of them). */
export const inlineCount = (node: Node<unknown>): number => (node.length - HEADER - bitCount(nodeMapOf(node))) >> 1

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
  if (shift === COLLISION_SHIFT) return pairs(0, key1, value1, key2, value2, owner)
  const fragment1 = fragment(hash1, shift)
  const fragment2 = fragment(hash2, shift)
  if (fragment1 === fragment2) {
    const node = makeNode<V>(1, 0, 1 << fragment1, 2, owner)
    node[HEADER] = mergeTwo(shift - 5, hash1, key1, value1, hash2, key2, value2, owner)
    return node
  }
  const dataMap = (1 << fragment1) | (1 << fragment2)
  return fragment1 < fragment2
    ? pairs(dataMap, key1, value1, key2, value2, owner)
    : pairs(dataMap, key2, value2, key1, value1, owner)
}

const pairs = <V>(dataMap: number, key1: string, value1: V, key2: string, value2: V, owner: Edit | undefined): Node<V> => {
  const node = makeNode<V>(4, dataMap, 0, 2, owner)
  node[HEADER] = key1
  node[HEADER + 1] = value1
  node[HEADER + 2] = key2
  node[HEADER + 3] = value2
  return node
}

/** `node` with `key`, `value` inserted at `index`, under a new header. */
export const insertPair = <V>(
  node: Node<V>,
  index: number,
  key: string,
  value: V,
  dataMap: number,
  nodeMap: number,
  owner: Edit | undefined
): Node<V> => {
  const length = node.length
  const copy = makeNode<V>(length + 2 - HEADER, dataMap, nodeMap, sizeOf(node) + 1, owner)
  for (let i = HEADER; i < index; i++) copy[i] = node[i]
  copy[index] = key
  copy[index + 1] = value
  for (let i = index; i < length; i++) copy[i + 2] = node[i]
  return copy
}

/** `node` without the pair at `index`, under a new header. */
export const removePair = <V>(
  node: Node<V>,
  index: number,
  dataMap: number,
  nodeMap: number,
  owner: Edit | undefined
): Node<V> => {
  const length = node.length
  const copy = makeNode<V>(length - 2 - HEADER, dataMap, nodeMap, sizeOf(node) - 1, owner)
  for (let i = HEADER; i < index; i++) copy[i] = node[i]
  for (let i = index + 2; i < length; i++) copy[i - 2] = node[i]
  return copy
}

/** `node` with the pair at `from` replaced by `child` at `to` (an index in the result), under a new header. */
export const pairToChild = <V>(
  node: Node<V>,
  from: number,
  to: number,
  child: Node<V>,
  dataMap: number,
  nodeMap: number,
  owner: Edit | undefined
): Node<V> => {
  const length = node.length
  const copy = makeNode<V>(length - 1 - HEADER, dataMap, nodeMap, sizeOf(node) + 1, owner)
  for (let i = HEADER; i < from; i++) copy[i] = node[i]
  for (let i = from + 2; i <= to + 1; i++) copy[i - 2] = node[i]
  copy[to] = child
  for (let i = to + 2; i < length; i++) copy[i - 1] = node[i]
  return copy
}

/**
 * `node` with the child at `from` replaced by the pair `key`, `value` at `to` (`to` <= `from`), under a
 * new header (one entry fewer: the child's other entry was removed).
 */
export const childToPair = <V>(
  node: Node<V>,
  from: number,
  to: number,
  key: string,
  value: V,
  dataMap: number,
  nodeMap: number,
  owner: Edit | undefined
): Node<V> => {
  const length = node.length
  const copy = makeNode<V>(length + 1 - HEADER, dataMap, nodeMap, sizeOf(node) - 1, owner)
  for (let i = HEADER; i < to; i++) copy[i] = node[i]
  copy[to] = key
  copy[to + 1] = value
  for (let i = to; i < from; i++) copy[i + 2] = node[i]
  for (let i = from + 1; i < length; i++) copy[i + 1] = node[i]
  return copy
}

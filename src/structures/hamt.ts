/**
 * A persistent hash map from byte strings (latin1 JS strings) to values, built for the keyspace:
 * a CHAMP hash array mapped trie (`hamt-node.ts`) with subtree sizes, transient edits and a SCAN
 * cursor that is a position in hash order (`hamt-walk.ts`).
 *
 * Every operation returns a map and leaves its input unchanged, except under an open edit token:
 *
 *   const edit = beginEdit()
 *   m = set(m, k1, v1, edit); m = remove(m, k2, edit) // nodes made under `edit` change in place
 *   endEdit(edit)                                     // from here on, `m` never changes either
 *
 * While an edit is open, only the map last returned under it may be used (earlier maps of the same
 * edit, and maps derived from them without the token, may share nodes it still changes). A map made
 * before `beginEdit` is never changed. Values are never `undefined`: `get` returns `undefined` for a
 * missing key.
 */
import { firstDuplicate, fromSorted, type HashOrder, hashOrder, lastOfEachKey } from "./hamt-build.js"
import { hashKey } from "./hamt-hash.js"
import {
  bitCount,
  childAt,
  childToPair,
  COLLISION_SHIFT,
  copyNode,
  dataIndex,
  dataMapOf,
  Edit,
  fragment,
  HEADER,
  insertPair,
  keyAt,
  makeNode,
  mergeTwo,
  type Node,
  nodeIndex,
  nodeMapOf,
  ownerOf as nodeOwner,
  pairToChild,
  removePair,
  setSize,
  sizeOf,
  TOP_SHIFT,
  valueAt
} from "./hamt-node.js"

export { hashKey, hashSeed, hashWithSeed } from "./hamt-hash.js"
export { entries, entryAt, forEach, scan, scanWith } from "./hamt-walk.js"
export type { Edit } from "./hamt-node.js"

/** A persistent map from byte strings to `V`. */
export type HamtMap<V> = Node<V>

const EMPTY: Node<never> = makeNode<never>(0, 0, 0, 0, undefined)

/** The empty map (one shared node; it is never changed). */
export const empty = <V>(): HamtMap<V> => EMPTY

export const size = <V>(map: HamtMap<V>): number => sizeOf(map)

/** Opens an edit token for a batch of changes made in place. */
export const beginEdit = (): Edit => new Edit()

/** Closes the token: the maps made under it never change again, and using it again copies as without one. */
export const endEdit = (edit: Edit): void => {
  edit.open = false
}

const ownerOf = (edit: Edit | undefined): Edit | undefined => (edit !== undefined && edit.open ? edit : undefined)

const collisionIndex = (node: Node<unknown>, key: string): number => {
  for (let i = HEADER; i < node.length; i += 2) if (node[i] === key) return i
  return -1
}

export const get = <V>(map: HamtMap<V>, key: string): V | undefined => {
  const hash = hashKey(key)
  let node = map
  let shift = TOP_SHIFT
  for (;;) {
    if (shift === COLLISION_SHIFT) {
      const index = collisionIndex(node, key)
      return index < 0 ? undefined : valueAt(node, index + 1)
    }
    const bit = 1 << fragment(hash, shift)
    const dataMap = dataMapOf(node)
    if ((dataMap & bit) !== 0) {
      const index = dataIndex(dataMap, bit)
      return node[index] === key ? valueAt(node, index + 1) : undefined
    }
    if ((nodeMapOf(node) & bit) === 0) return undefined
    node = childAt(node, nodeIndex(node, bit))
    shift -= 5
  }
}

export const has = <V>(map: HamtMap<V>, key: string): boolean => get(map, key) !== undefined

// Whether the last `setIn` added a key / the last `removeIn` removed one (set before any return).
let added = false
let removed = false

/** The map with `key` bound to `value` (the same map if it already was, by `===`). */
export const set = <V>(map: HamtMap<V>, key: string, value: V, edit?: Edit): HamtMap<V> => {
  added = false
  return setIn(map, TOP_SHIFT, hashKey(key), key, value, ownerOf(edit))
}

const setIn = <V>(node: Node<V>, shift: number, hash: number, key: string, value: V, owner: Edit | undefined): Node<V> => {
  const mutable = owner !== undefined && nodeOwner(node) === owner
  if (shift === COLLISION_SHIFT) {
    const index = collisionIndex(node, key)
    if (index >= 0) return replaceValue(node, index + 1, value, mutable, owner)
    added = true
    return insertPair(node, node.length, key, value, 0, 0, owner)
  }
  const bit = 1 << fragment(hash, shift)
  const dataMap = dataMapOf(node)
  const nodeMap = nodeMapOf(node)
  if ((dataMap & bit) !== 0) {
    const index = dataIndex(dataMap, bit)
    const existing = keyAt(node, index)
    if (existing === key) return replaceValue(node, index + 1, value, mutable, owner)
    added = true
    const child = mergeTwo(shift - 5, hashKey(existing), existing, valueAt(node, index + 1), hash, key, value, owner)
    const grownNodeMap = nodeMap | bit
    const to = node.length - 2 - bitCount(grownNodeMap & (bit - 1))
    return pairToChild(node, index, to, child, dataMap ^ bit, grownNodeMap, owner)
  }
  if ((nodeMap & bit) !== 0) {
    const index = nodeIndex(node, bit)
    const child = childAt(node, index)
    const changed = setIn(child, shift - 5, hash, key, value, owner)
    if (changed === child && !added) return node // the same key's value, replaced in place or already equal
    const size = sizeOf(node) + (added ? 1 : 0)
    const target = mutable ? node : copyNode(node, dataMap, nodeMap, size, owner)
    target[index] = changed
    setSize(target, size)
    return target
  }
  added = true
  const grownDataMap = dataMap | bit
  return insertPair(node, dataIndex(grownDataMap, bit), key, value, grownDataMap, nodeMap, owner)
}

const replaceValue = <V>(node: Node<V>, index: number, value: V, mutable: boolean, owner: Edit | undefined): Node<V> => {
  if (node[index] === value) return node
  const target = mutable ? node : copyNode(node, dataMapOf(node), nodeMapOf(node), sizeOf(node), owner)
  target[index] = value
  return target
}

/** The map without `key` (the same map if it had no such key). */
export const remove = <V>(map: HamtMap<V>, key: string, edit?: Edit): HamtMap<V> => {
  removed = false
  const result = removeIn(map, TOP_SHIFT, hashKey(key), key, ownerOf(edit))
  return sizeOf(result) === 0 ? EMPTY : result
}

const removeIn = <V>(node: Node<V>, shift: number, hash: number, key: string, owner: Edit | undefined): Node<V> => {
  if (shift === COLLISION_SHIFT) {
    const index = collisionIndex(node, key)
    if (index < 0) return node
    removed = true
    return removePair(node, index, 0, 0, owner)
  }
  const bit = 1 << fragment(hash, shift)
  const dataMap = dataMapOf(node)
  const nodeMap = nodeMapOf(node)
  if ((dataMap & bit) !== 0) {
    const index = dataIndex(dataMap, bit)
    if (node[index] !== key) return node
    removed = true
    return removePair(node, index, dataMap ^ bit, nodeMap, owner)
  }
  if ((nodeMap & bit) === 0) return node
  const index = nodeIndex(node, bit)
  const child = childAt(node, index)
  const changed = removeIn(child, shift - 5, hash, key, owner)
  if (!removed) return node
  if (sizeOf(changed) === 1) {
    // Canonical form: a child of one entry moves up into this node (its entry is at HEADER).
    const grownDataMap = dataMap | bit
    const to = dataIndex(grownDataMap, bit)
    return childToPair(node, index, to, keyAt(changed, HEADER), valueAt(changed, HEADER + 1), grownDataMap, nodeMap ^ bit, owner)
  }
  const size = sizeOf(node) - 1
  const mutable = owner !== undefined && nodeOwner(node) === owner
  const target = mutable ? node : copyNode(node, dataMap, nodeMap, size, owner)
  target[index] = changed
  setSize(target, size)
  return target
}

/** A map of the given entries (later entries win), built at once (`hamt-build.ts`). */
export const fromEntries = <V>(entries: Iterable<readonly [string, V]>): HamtMap<V> => {
  const keys: Array<string> = []
  const values: Array<V> = []
  for (const [key, value] of entries) {
    keys.push(key)
    values.push(value)
  }
  return fromArrays(keys, values)
}

/** A map of `keys[i]` to `values[i]` (a key given twice: its later value), built at once. */
export const fromArrays = <V>(keys: ReadonlyArray<string>, values: ReadonlyArray<V>): HamtMap<V> =>
  fromSortedOrEmpty(keys, values, lastOfEachKey(keys, hashOrder(keys)))

/**
 * A map of distinct keys and their values, built at once; or the index of the first key that
 * repeats an earlier one.
 */
export const fromDistinct = <V>(
  keys: ReadonlyArray<string>,
  values: ReadonlyArray<V>
): { readonly map: HamtMap<V> } | { readonly duplicateAt: number } => {
  const sorted = hashOrder(keys)
  const duplicateAt = firstDuplicate(keys, sorted)
  return duplicateAt === undefined ? { map: fromSortedOrEmpty(keys, values, sorted) } : { duplicateAt }
}

const fromSortedOrEmpty = <V>(keys: ReadonlyArray<string>, values: ReadonlyArray<V>, sorted: HashOrder): HamtMap<V> =>
  sorted.order.length === 0 ? EMPTY : fromSorted(keys, values, sorted)

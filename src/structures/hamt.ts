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
import { hashKey } from "./hamt-hash.js"
import {
  allocate,
  bitCount,
  childAt,
  childToPair,
  COLLISION_SHIFT,
  dataIndex,
  Edit,
  fragment,
  insertPair,
  keyAt,
  mergeTwo,
  Node,
  nodeIndex,
  pairToChild,
  removePair,
  TOP_SHIFT,
  valueAt
} from "./hamt-node.js"

export { hashKey, hashSeed, hashWithSeed } from "./hamt-hash.js"
export { entries, entryAt, forEach, scan, scanWith } from "./hamt-walk.js"
export type { Edit } from "./hamt-node.js"

/** A persistent map from byte strings to `V`. */
export type HamtMap<V> = Node<V>

const EMPTY: Node<never> = new Node<never>(0, 0, 0, allocate(0), undefined)

/** The empty map (one shared node; it is never changed). */
export const empty = <V>(): HamtMap<V> => EMPTY

export const size = <V>(map: HamtMap<V>): number => map.size

/** Opens an edit token for a batch of changes made in place. */
export const beginEdit = (): Edit => new Edit()

/** Closes the token: the maps made under it never change again, and using it again copies as without one. */
export const endEdit = (edit: Edit): void => {
  edit.open = false
}

const ownerOf = (edit: Edit | undefined): Edit | undefined => (edit !== undefined && edit.open ? edit : undefined)

const collisionIndex = (content: Array<unknown>, key: string): number => {
  for (let i = 0; i < content.length; i += 2) if (content[i] === key) return i
  return -1
}

export const get = <V>(map: HamtMap<V>, key: string): V | undefined => {
  const hash = hashKey(key)
  let node = map
  let shift = TOP_SHIFT
  for (;;) {
    if (shift === COLLISION_SHIFT) {
      const index = collisionIndex(node.content, key)
      return index < 0 ? undefined : valueAt(node, index + 1)
    }
    const bit = 1 << fragment(hash, shift)
    if ((node.dataMap & bit) !== 0) {
      const index = dataIndex(node.dataMap, bit)
      return node.content[index] === key ? valueAt(node, index + 1) : undefined
    }
    if ((node.nodeMap & bit) === 0) return undefined
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
  const mutable = owner !== undefined && node.owner === owner
  const content = node.content
  if (shift === COLLISION_SHIFT) {
    const index = collisionIndex(content, key)
    if (index >= 0) return replaceValue(node, index + 1, value, mutable, owner)
    added = true
    const grown = insertPair(content, content.length, key, value)
    if (!mutable) return new Node<V>(0, 0, node.size + 1, grown, owner)
    node.content = grown
    node.size += 1
    return node
  }
  const bit = 1 << fragment(hash, shift)
  if ((node.dataMap & bit) !== 0) {
    const index = dataIndex(node.dataMap, bit)
    const existing = keyAt(content, index)
    if (existing === key) return replaceValue(node, index + 1, value, mutable, owner)
    added = true
    const child = mergeTwo(shift - 5, hashKey(existing), existing, content[index + 1], hash, key, value, owner)
    const dataMap = node.dataMap ^ bit
    const nodeMap = node.nodeMap | bit
    const moved = pairToChild(content, index, content.length - 2 - bitCount(nodeMap & (bit - 1)), child)
    if (!mutable) return new Node<V>(dataMap, nodeMap, node.size + 1, moved, owner)
    node.dataMap = dataMap
    node.nodeMap = nodeMap
    node.content = moved
    node.size += 1
    return node
  }
  if ((node.nodeMap & bit) !== 0) {
    const index = nodeIndex(node, bit)
    const child = childAt(node, index)
    const changed = setIn(child, shift - 5, hash, key, value, owner)
    if (changed === child && !added) return node // the same key's value, replaced in place or already equal
    const grownBy = added ? 1 : 0
    if (!mutable) {
      const copy = content.slice()
      copy[index] = changed
      return new Node<V>(node.dataMap, node.nodeMap, node.size + grownBy, copy, owner)
    }
    content[index] = changed
    node.size += grownBy
    return node
  }
  added = true
  const dataMap = node.dataMap | bit
  const grown = insertPair(content, dataIndex(dataMap, bit), key, value)
  if (!mutable) return new Node<V>(dataMap, node.nodeMap, node.size + 1, grown, owner)
  node.dataMap = dataMap
  node.content = grown
  node.size += 1
  return node
}

const replaceValue = <V>(node: Node<V>, index: number, value: V, mutable: boolean, owner: Edit | undefined): Node<V> => {
  if (node.content[index] === value) return node
  if (mutable) {
    node.content[index] = value
    return node
  }
  const copy = node.content.slice()
  copy[index] = value
  return new Node<V>(node.dataMap, node.nodeMap, node.size, copy, owner)
}

/** The map without `key` (the same map if it had no such key). */
export const remove = <V>(map: HamtMap<V>, key: string, edit?: Edit): HamtMap<V> => {
  removed = false
  const result = removeIn(map, TOP_SHIFT, hashKey(key), key, ownerOf(edit))
  return result.size === 0 ? EMPTY : result
}

const removeIn = <V>(node: Node<V>, shift: number, hash: number, key: string, owner: Edit | undefined): Node<V> => {
  const mutable = owner !== undefined && node.owner === owner
  const content = node.content
  if (shift === COLLISION_SHIFT) {
    const index = collisionIndex(content, key)
    if (index < 0) return node
    removed = true
    const shrunk = removePair(content, index)
    if (!mutable) return new Node<V>(0, 0, node.size - 1, shrunk, owner)
    node.content = shrunk
    node.size -= 1
    return node
  }
  const bit = 1 << fragment(hash, shift)
  if ((node.dataMap & bit) !== 0) {
    const index = dataIndex(node.dataMap, bit)
    if (content[index] !== key) return node
    removed = true
    const shrunk = removePair(content, index)
    if (!mutable) return new Node<V>(node.dataMap ^ bit, node.nodeMap, node.size - 1, shrunk, owner)
    node.dataMap ^= bit
    node.content = shrunk
    node.size -= 1
    return node
  }
  if ((node.nodeMap & bit) === 0) return node
  const index = nodeIndex(node, bit)
  const child = childAt(node, index)
  const changed = removeIn(child, shift - 5, hash, key, owner)
  if (!removed) return node
  if (changed.size === 1) {
    // Canonical form: a child of one entry moves up into this node (its entry is content[0..1]).
    const dataMap = node.dataMap | bit
    const nodeMap = node.nodeMap ^ bit
    const moved = childToPair(content, index, dataIndex(dataMap, bit), keyAt(changed.content, 0), changed.content[1])
    if (!mutable) return new Node<V>(dataMap, nodeMap, node.size - 1, moved, owner)
    node.dataMap = dataMap
    node.nodeMap = nodeMap
    node.content = moved
    node.size -= 1
    return node
  }
  if (!mutable) {
    const copy = content.slice()
    copy[index] = changed
    return new Node<V>(node.dataMap, node.nodeMap, node.size - 1, copy, owner)
  }
  content[index] = changed
  node.size -= 1
  return node
}

/** A map of the given entries (later entries win), built under one edit. */
export const fromEntries = <V>(entries: Iterable<readonly [string, V]>): HamtMap<V> => {
  const edit = beginEdit()
  let map = empty<V>()
  for (const [key, value] of entries) map = set(map, key, value, edit)
  endEdit(edit)
  return map
}

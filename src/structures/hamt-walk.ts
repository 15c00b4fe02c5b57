/**
 * Walks over the persistent map (`hamt.ts`): iteration, the entry at an index (RANDOMKEY and active
 * expiry's sampling), and SCAN.
 */
import { hashKey } from "./hamt-hash.js"
import {
  childAt,
  COLLISION_SHIFT,
  dataIndex,
  dataMapOf,
  fragment,
  HEADER,
  inlineCount,
  keyAt,
  type Node,
  nodeIndex,
  nodeMapOf,
  sizeOf,
  TOP_SHIFT,
  valueAt
} from "./hamt-node.js"

/** Calls `f` on every entry (in no promised order). */
export const forEach = <V>(map: Node<V>, f: (value: V, key: string) => void): void => {
  const pairsEnd = HEADER + 2 * inlineCount(map)
  for (let i = HEADER; i < pairsEnd; i += 2) f(valueAt(map, i + 1), keyAt(map, i))
  for (let i = pairsEnd; i < map.length; i++) forEach(childAt(map, i), f)
}

/** Every entry, lazily (the same order as `forEach`). */
export function* entries<V>(map: Node<V>): Generator<[string, V], void, undefined> {
  const stack: Array<Node<V>> = [map]
  for (let node = stack.pop(); node !== undefined; node = stack.pop()) {
    const pairsEnd = HEADER + 2 * inlineCount(node)
    for (let i = HEADER; i < pairsEnd; i += 2) yield [keyAt(node, i), valueAt(node, i + 1)]
    for (let i = node.length - 1; i >= pairsEnd; i--) stack.push(childAt(node, i))
  }
}

/**
 * The entry at `index` (0 <= index < size) in a fixed order of this map's entries, in O(log n): with a
 * uniform random index, a uniform random entry (RANDOMKEY, active expiry's samples).
 */
export const entryAt = <V>(map: Node<V>, index: number): readonly [string, V] | undefined => {
  if (!(index >= 0 && index < sizeOf(map))) return undefined
  let node = map
  let rest = Math.floor(index)
  for (;;) {
    const inline = inlineCount(node)
    if (rest < inline) return [keyAt(node, HEADER + 2 * rest), valueAt(node, HEADER + 2 * rest + 1)]
    rest -= inline
    let i = HEADER + 2 * inline
    let child = childAt(node, i)
    while (rest >= sizeOf(child)) {
      rest -= sizeOf(child)
      child = childAt(node, ++i)
    }
    node = child
  }
}

/** The largest cursor plus one: cursors are hashes, uint32. */
const CURSOR_END = 0x1_0000_0000

// Scratch state of one `scanWith` call (no callback can start another: `visit` must not call scan).
let remaining = 0
let lastHash = 0

/**
 * SCAN (`db.c` scanGenericCommand, with a cursor of our own): visits the entries whose hashes are at
 * or after `cursor`, in ascending hash order, until at least `count` were visited, and returns the
 * cursor to pass next (0: done). The cursor is the hash after the last one visited, so a key present
 * for the whole iteration is visited at least once however the map changes between calls, a full
 * iteration of an unchanged map visits each key exactly once, and keys sharing a hash come in the
 * same call. O(count + log n) per call. Cursors are integers in [0, 2^32); any other cursor ends.
 */
export const scanWith = <V>(map: Node<V>, cursor: number, count: number, visit: (key: string, value: V) => void): number => {
  if (!Number.isInteger(cursor) || cursor < 0 || cursor >= CURSOR_END) return 0
  remaining = Math.max(1, count)
  const stopped = scanNode(map, TOP_SHIFT, cursor, true, visit)
  return stopped && lastHash + 1 < CURSOR_END ? lastHash + 1 : 0
}

/** SCAN's keys: `[next cursor, keys]`. */
export const scan = <V>(map: Node<V>, cursor: number, count: number): [number, Array<string>] => {
  const keys: Array<string> = []
  const next = scanWith(map, cursor, count, (key) => {
    keys.push(key)
  })
  return [next, keys]
}

/**
 * Visits `node`'s entries at or after `cursor` in hash order; true when `count` is reached.
 * `onCursorPath`: the node's hash prefix is the cursor's, so slots before the cursor's are skipped.
 */
const scanNode = <V>(
  node: Node<V>,
  shift: number,
  cursor: number,
  onCursorPath: boolean,
  visit: (key: string, value: V) => void
): boolean => {
  if (shift === COLLISION_SHIFT) {
    // All keys here share one hash; on the cursor's path it is the cursor itself, so none is skipped.
    for (let i = HEADER; i < node.length; i += 2) visit(keyAt(node, i), valueAt(node, i + 1))
    remaining -= (node.length - HEADER) >> 1
    if (remaining > 0) return false
    lastHash = hashKey(keyAt(node, HEADER))
    return true
  }
  const dataMap = dataMapOf(node)
  const cursorSlot = onCursorPath ? fragment(cursor, shift) : 0
  let slots = (dataMap | nodeMapOf(node)) & (-1 << cursorSlot)
  while (slots !== 0) {
    const bit = slots & -slots
    slots ^= bit
    if ((dataMap & bit) !== 0) {
      const index = dataIndex(dataMap, bit)
      const key = keyAt(node, index)
      // The cursor's own slot may hold a key just before it; keys in later slots come after it.
      // Hashing only there and at the stop keeps a call from hashing every key it returns.
      if (onCursorPath && bit === 1 << cursorSlot && hashKey(key) < cursor) continue
      visit(key, valueAt(node, index + 1))
      if (--remaining <= 0) {
        lastHash = hashKey(key)
        return true
      }
    } else {
      const onPath = onCursorPath && 31 - Math.clz32(bit) === cursorSlot
      if (scanNode(childAt(node, nodeIndex(node, bit)), shift - 5, cursor, onPath, visit)) return true
    }
  }
  return false
}

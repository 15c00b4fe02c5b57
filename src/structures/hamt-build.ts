/**
 * Builds a persistent map (`hamt.ts`) from many entries at once: the RDB load at start and the index
 * of volatile keys built after it.
 *
 * Inserting a million keys one by one costs ~1.5 µs each (a descent, and a new array for every node
 * that gains an entry, even under an edit token) and leaves that garbage to the collector. Here the
 * entries are sorted by hash once (a radix sort of their indices, four passes of 8 bits), and since a
 * node's slots follow the hash's top bits down (`hamt-node.ts`), each node is then one contiguous run
 * of the sorted entries: every node is made once, at its final size, bottom-up. The result is the same
 * canonical trie the inserts would have made.
 */
import { hashKey } from "./hamt-hash.js"
import { bitCount, COLLISION_SHIFT, fragment, HEADER, makeNode, type Node, TOP_SHIFT } from "./hamt-node.js"

/** Entries in ascending (unsigned) hash order: `order` lists their indices, `hashes` is by index. */
export interface HashOrder {
  readonly hashes: Uint32Array
  readonly order: Uint32Array
}

/** The indices of `keys` sorted by hash (stable: equal hashes keep their input order). */
export const hashOrder = (keys: ReadonlyArray<string>): HashOrder => {
  const count = keys.length
  const hashes = new Uint32Array(count)
  for (let i = 0; i < count; i++) hashes[i] = hashKey(keys[i])
  let order = new Uint32Array(count)
  for (let i = 0; i < count; i++) order[i] = i
  let spare = new Uint32Array(count)
  const counts = new Uint32Array(256)
  for (let shift = 0; shift < 32; shift += 8) {
    counts.fill(0)
    for (let i = 0; i < count; i++) counts[(hashes[order[i]] >>> shift) & 0xff]++
    let start = 0
    for (let digit = 0; digit < 256; digit++) {
      const digitCount = counts[digit]
      counts[digit] = start
      start += digitCount
    }
    for (let i = 0; i < count; i++) {
      const index = order[i]
      spare[counts[(hashes[index] >>> shift) & 0xff]++] = index
    }
    const sorted = spare
    spare = order
    order = sorted
  }
  return { hashes, order }
}

/** The end of the run from `start` of entries with the same hash as its first (equal keys stand in one). */
const equalHashRunEnd = ({ hashes, order }: HashOrder, start: number): number => {
  let end = start + 1
  while (end < order.length && hashes[order[end]] === hashes[order[start]]) end++
  return end
}

/**
 * The input index of the first key (in input order) equal to an earlier one, or undefined: equal
 * keys have equal hashes, so only runs of equal hashes are compared.
 */
export const firstDuplicate = (keys: ReadonlyArray<string>, sorted: HashOrder): number | undefined => {
  const { order } = sorted
  let first: number | undefined = undefined
  for (let start = 0; start < order.length;) {
    const end = equalHashRunEnd(sorted, start)
    for (let i = start + 1; i < end; i++) {
      for (let j = start; j < i; j++) {
        if (keys[order[i]] === keys[order[j]] && (first === undefined || order[i] < first)) first = order[i]
      }
    }
    start = end
  }
  return first
}

/**
 * `sorted` keeping, of each key given several times, its last entry in input order (the one a run of
 * sets would leave). Equal keys have equal hashes and the sort is stable, so a key's entries stand
 * together in its run of equal hashes, in input order.
 */
export const lastOfEachKey = (keys: ReadonlyArray<string>, sorted: HashOrder): HashOrder => {
  const { hashes, order } = sorted
  const kept = new Uint32Array(order.length)
  let count = 0
  for (let start = 0; start < order.length;) {
    const end = equalHashRunEnd(sorted, start)
    for (let i = start; i < end; i++) {
      let later = false
      for (let j = i + 1; j < end && !later; j++) later = keys[order[j]] === keys[order[i]]
      if (!later) kept[count++] = order[i]
    }
    start = end
  }
  return { hashes, order: kept.subarray(0, count) }
}

/** The map of the entries in `sorted` (distinct keys: check with `firstDuplicate` first). */
export const fromSorted = <V>(keys: ReadonlyArray<string>, values: ReadonlyArray<V>, sorted: HashOrder): Node<V> =>
  buildNode(keys, values, sorted, 0, sorted.order.length, TOP_SHIFT)

/** The end of the run from `start` whose hashes share the fragment at `shift`. */
const runEnd = ({ hashes, order }: HashOrder, start: number, end: number, shift: number): number => {
  const slot = fragment(hashes[order[start]], shift)
  let next = start + 1
  while (next < end && fragment(hashes[order[next]], shift) === slot) next++
  return next
}

const buildNode = <V>(
  keys: ReadonlyArray<string>,
  values: ReadonlyArray<V>,
  sorted: HashOrder,
  start: number,
  end: number,
  shift: number
): Node<V> => {
  const { hashes, order } = sorted
  if (shift === COLLISION_SHIFT) {
    const node = makeNode<V>(2 * (end - start), 0, 0, end - start, undefined)
    for (let i = start; i < end; i++) {
      node[HEADER + 2 * (i - start)] = keys[order[i]]
      node[HEADER + 2 * (i - start) + 1] = values[order[i]]
    }
    return node
  }
  // First pass: which slots hold one entry (inline) and which several (a child).
  let dataMap = 0
  let nodeMap = 0
  for (let run = start; run < end;) {
    const next = runEnd(sorted, run, end, shift)
    const bit = 1 << fragment(hashes[order[run]], shift)
    if (next - run === 1) dataMap |= bit
    else nodeMap |= bit
    run = next
  }
  const node = makeNode<V>(2 * bitCount(dataMap) + bitCount(nodeMap), dataMap, nodeMap, end - start, undefined)
  // Second pass: entries after the header in slot order, children from the back in slot order.
  let entryAt = HEADER
  let childAt = node.length - 1
  for (let run = start; run < end;) {
    const next = runEnd(sorted, run, end, shift)
    if (next - run === 1) {
      node[entryAt++] = keys[order[run]]
      node[entryAt++] = values[order[run]]
    } else {
      node[childAt--] = buildNode(keys, values, sorted, run, next, shift - 5)
    }
    run = next
  }
  return node
}

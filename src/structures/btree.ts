/**
 * A persistent B+tree with subtree counts: an immutable sequence with O(log n)
 * access, update, insertion and removal at any position, under both lists and
 * sorted sets (the ordered layer, `btree-ordered.ts`, is comparator searches
 * over these positions). The nodes and their path-copying edits are in
 * `btree-node.ts`; an old tree never changes and shares every untouched node
 * with the new one.
 *
 * Both ends have a buffer of up to `leafMax` elements outside the nodes (as
 * the tail of an RRB vector), so that pushes and pops at the ends copy no
 * path: a full buffer goes into the tree as one leaf, an empty one takes a
 * leaf out. A buffer array is shared by the versions made from it, each
 * seeing only its own first `length` entries: a push writes in place only
 * when the array ends where this version's view ends (no version has pushed
 * past it), so what any version sees never changes. The head buffer is stored
 * in reverse (its last entry is the first element) so that prepends push too.
 * Other edits first settle the buffers into the tree (one path copy each).
 *
 * Positions are 0-based; ranges are half-open `[start, end)` as `Array.slice`.
 * Functions that take a position require it to be in range (a caller's bug
 * otherwise: they throw a RangeError).
 */
import {
  appendChunk,
  Branch,
  type Capacity,
  defaultCapacity,
  Detached,
  detachEdgeLeaf,
  elementAt,
  elementsOf,
  insertIn,
  type Node,
  nodeFromArray,
  prependChunk,
  removeIn,
  rootOf,
  setIn,
  visitBackward,
  visitForward
} from "./btree-node.js"

export { Branch, type Capacity, capacity, defaultCapacity, type Leaf, type Node, sizeOfNode } from "./btree-node.js"

const noElements: ReadonlyArray<never> = []

/** A sequence: the root of its nodes, and the head and tail buffers (`headLength`, `tailLength` entries of them). */
export class BTree<A> implements Iterable<A> {
  constructor(
    readonly root: Node<A>,
    readonly size: number,
    readonly capacity: Capacity,
    readonly head: ReadonlyArray<A> = noElements,
    readonly headLength = 0,
    readonly tail: ReadonlyArray<A> = noElements,
    readonly tailLength = 0
  ) {}

  /** Elements held in the nodes (between the buffers). */
  get rootSize(): number {
    return this.size - this.headLength - this.tailLength
  }

  *[Symbol.iterator](): Iterator<A> {
    for (let k = this.headLength - 1; k >= 0; k--) yield this.head[k]
    yield* elementsOf(this.root)
    for (let k = 0; k < this.tailLength; k++) yield this.tail[k]
  }
}

export const empty = <A>(cap: Capacity = defaultCapacity): BTree<A> => new BTree<A>([], 0, cap)

/** The tree of `items` in order, in O(n). */
export const fromArray = <A>(items: ReadonlyArray<A>, cap: Capacity = defaultCapacity): BTree<A> =>
  new BTree(nodeFromArray(items, cap), items.length, cap)

const checkIndex = (index: number, size: number): void => {
  if (!Number.isInteger(index) || index < 0 || index >= size) {
    throw new RangeError(`B+tree index ${index} out of range [0, ${size})`)
  }
}

const checkRange = (start: number, end: number, size: number): void => {
  if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end > size || start > end) {
    throw new RangeError(`B+tree range [${start}, ${end}) out of range [0, ${size}]`)
  }
}

// ---------------------------------------------------------------------------
// Reading

const elementOf = <A>(tree: BTree<A>, index: number): A => {
  const { headLength } = tree
  if (index < headLength) return tree.head[headLength - 1 - index]
  const inRoot = index - headLength
  const rootSize = tree.rootSize
  return inRoot < rootSize ? elementAt(tree.root, inRoot) : tree.tail[inRoot - rootSize]
}

/** The element at `index`, or undefined when out of range. */
export const get = <A>(tree: BTree<A>, index: number): A | undefined =>
  index >= 0 && index < tree.size && Number.isInteger(index) ? elementOf(tree, index) : undefined

/** The element at `index`, which must be in range. */
export const at = <A>(tree: BTree<A>, index: number): A => {
  checkIndex(index, tree.size)
  return elementOf(tree, index)
}

export const first = <A>(tree: BTree<A>): A | undefined => get(tree, 0)

export const last = <A>(tree: BTree<A>): A | undefined => get(tree, tree.size - 1)

/**
 * Calls `visit` on the elements at [start, end) in order, with their index;
 * stops early when `visit` returns false. Returns false when stopped early.
 */
export const forEach = <A>(
  tree: BTree<A>,
  visit: (element: A, index: number) => boolean | void,
  start = 0,
  end = tree.size
): boolean => {
  checkRange(start, end, tree.size)
  const { head, headLength, tail } = tree
  const rootEnd = headLength + tree.rootSize
  for (let k = start; k < Math.min(end, headLength); k++) {
    if (visit(head[headLength - 1 - k], k) === false) return false
  }
  const from = Math.max(start, headLength)
  const to = Math.min(end, rootEnd)
  if (from < to && !visitForward(tree.root, headLength, from, to, visit)) return false
  for (let k = Math.max(start, rootEnd); k < end; k++) {
    if (visit(tail[k - rootEnd], k) === false) return false
  }
  return true
}

/**
 * Calls `visit` on the elements at [start, end) from the last to the first,
 * with their index; stops early when `visit` returns false. Returns false when stopped early.
 */
export const forEachReversed = <A>(
  tree: BTree<A>,
  visit: (element: A, index: number) => boolean | void,
  start = 0,
  end = tree.size
): boolean => {
  checkRange(start, end, tree.size)
  const { head, headLength, tail } = tree
  const rootEnd = headLength + tree.rootSize
  for (let k = end - 1; k >= Math.max(start, rootEnd); k--) {
    if (visit(tail[k - rootEnd], k) === false) return false
  }
  const from = Math.max(start, headLength)
  const to = Math.min(end, rootEnd)
  if (from < to && !visitBackward(tree.root, headLength, from, to, visit)) return false
  for (let k = Math.min(end, headLength) - 1; k >= start; k--) {
    if (visit(head[headLength - 1 - k], k) === false) return false
  }
  return true
}

/** The elements at [start, end) in order. */
export const toArray = <A>(tree: BTree<A>, start = 0, end = tree.size): Array<A> => {
  const out: Array<A> = []
  forEach(tree, (element) => {
    out.push(element)
  }, start, end)
  return out
}

/** The elements at [start, end) from the last to the first. */
export const toArrayReversed = <A>(tree: BTree<A>, start = 0, end = tree.size): Array<A> => {
  const out: Array<A> = []
  forEachReversed(tree, (element) => {
    out.push(element)
  }, start, end)
  return out
}

// ---------------------------------------------------------------------------
// Pushes and pops at the ends (buffers)

/** The tree with `element` after its last element (RPUSH). */
export const append = <A>(tree: BTree<A>, element: A): BTree<A> => {
  const { capacity: cap, tail, tailLength } = tree
  if (tailLength > 0 && tailLength < cap.leafMax && tail.length === tailLength) {
    pushInPlace(tail, element)
    return new BTree(tree.root, tree.size + 1, cap, tree.head, tree.headLength, tail, tailLength + 1)
  }
  if (tailLength < cap.leafMax) {
    const grown = tail.slice(0, tailLength)
    grown.push(element)
    return new BTree(tree.root, tree.size + 1, cap, tree.head, tree.headLength, grown, tailLength + 1)
  }
  const root = rootOf(appendChunk(tree.root, tail.slice(0, tailLength), cap))
  return new BTree(root, tree.size + 1, cap, tree.head, tree.headLength, [element], 1)
}

/** The tree with `element` before its first element (LPUSH). */
export const prepend = <A>(tree: BTree<A>, element: A): BTree<A> => {
  const { capacity: cap, head, headLength } = tree
  if (headLength > 0 && headLength < cap.leafMax && head.length === headLength) {
    pushInPlace(head, element)
    return new BTree(tree.root, tree.size + 1, cap, head, headLength + 1, tree.tail, tree.tailLength)
  }
  if (headLength < cap.leafMax) {
    const grown = head.slice(0, headLength)
    grown.push(element)
    return new BTree(tree.root, tree.size + 1, cap, grown, headLength + 1, tree.tail, tree.tailLength)
  }
  const root = rootOf(prependChunk(tree.root, head.slice(0, headLength).reverse(), cap))
  return new BTree(root, tree.size + 1, cap, [element], 1, tree.tail, tree.tailLength)
}

/**
 * The one write into an array that versions share: past the end of every
 * version's view of it (see the module's comment), so no version sees it.
 */
const pushInPlace = <A>(buffer: ReadonlyArray<A>, element: A): void => {
  Array.prototype.push.call(buffer, element)
}

/** The tree without its last element (RPOP). */
export const removeLast = <A>(tree: BTree<A>): BTree<A> => {
  checkIndex(0, tree.size)
  const { capacity: cap, head, headLength, tailLength } = tree
  if (tailLength > 0) return new BTree(tree.root, tree.size - 1, cap, head, headLength, tree.tail, tailLength - 1)
  const { root } = tree
  if (tree.rootSize === 0) {
    // Only the head is left: its first entry is the last element.
    return new BTree(root, tree.size - 1, cap, head.slice(1, headLength), headLength - 1)
  }
  // The last leaf becomes the tail, viewed one short: its array is longer than the view, so it is never pushed into.
  if (!(root instanceof Branch)) return new BTree<A>([], tree.size - 1, cap, head, headLength, root, root.length - 1)
  const detached = detachEdgeLeaf(root, true, cap)
  const leaf = detached.leaf
  return new BTree(rootOf(detached.rest), tree.size - 1, cap, head, headLength, leaf, leaf.length - 1)
}

/** The tree without its first element (LPOP). */
export const removeFirst = <A>(tree: BTree<A>): BTree<A> => {
  checkIndex(0, tree.size)
  const { capacity: cap, headLength, tail, tailLength } = tree
  if (headLength > 0) return new BTree(tree.root, tree.size - 1, cap, tree.head, headLength - 1, tail, tailLength)
  const { root } = tree
  if (tree.rootSize === 0) {
    return new BTree(root, tree.size - 1, cap, noElements, 0, tail.slice(1, tailLength), tailLength - 1)
  }
  // The first leaf, reversed, becomes the head, viewed one short.
  const detached = root instanceof Branch ? detachEdgeLeaf(root, false, cap) : new Detached<A>([], root)
  const reversed = detached.leaf.slice().reverse()
  return new BTree(rootOf(detached.rest), tree.size - 1, cap, reversed, reversed.length - 1, tail, tailLength)
}

/** The same sequence with both buffers moved into the nodes, for edits that work on nodes only. */
const settled = <A>(tree: BTree<A>): BTree<A> => {
  if (tree.headLength === 0 && tree.tailLength === 0) return tree
  const cap = tree.capacity
  let root = tree.root
  if (tree.tailLength > 0) root = rootOf(appendChunk(root, tree.tail.slice(0, tree.tailLength), cap))
  if (tree.headLength > 0) root = rootOf(prependChunk(root, tree.head.slice(0, tree.headLength).reverse(), cap))
  return new BTree(root, tree.size, cap)
}

// ---------------------------------------------------------------------------
// Edits anywhere (path copying)

/** The tree with `element` at `index` instead (LSET). */
export const set = <A>(tree: BTree<A>, index: number, element: A): BTree<A> => {
  checkIndex(index, tree.size)
  const plain = settled(tree)
  return new BTree(setIn(plain.root, index, element), plain.size, plain.capacity)
}

/** The tree with `element` inserted before position `index` (`index === size` appends). */
export const insert = <A>(tree: BTree<A>, index: number, element: A): BTree<A> => {
  checkIndex(index, tree.size + 1)
  const plain = settled(tree)
  return new BTree(rootOf(insertIn(plain.root, index, element, plain.capacity)), plain.size + 1, plain.capacity)
}

/** The tree without the element at `index`. */
export const remove = <A>(tree: BTree<A>, index: number): BTree<A> => {
  checkIndex(index, tree.size)
  const plain = settled(tree)
  return new BTree(rootOf(removeIn(plain.root, index, plain.capacity)), plain.size - 1, plain.capacity)
}

/**
 * Rebuilding the kept elements costs a few ns each, removing one by one a
 * path copy (~0.3 µs) each: rebuild unless far more is kept than removed.
 */
const rebuildIsCheaper = (kept: number, removed: number): boolean => kept <= removed * 32

/** The tree without the elements at [start, end) (ZREMRANGEBYRANK). */
export const removeRange = <A>(tree: BTree<A>, start: number, end: number): BTree<A> => {
  checkRange(start, end, tree.size)
  const removed = end - start
  if (removed === 0) return tree
  if (rebuildIsCheaper(tree.size - removed, removed)) {
    return fromArray(toArray(tree, 0, start).concat(toArray(tree, end, tree.size)), tree.capacity)
  }
  let result = tree
  if (start === 0) for (let n = 0; n < removed; n++) result = removeFirst(result)
  else if (end === tree.size) for (let n = 0; n < removed; n++) result = removeLast(result)
  else for (let n = 0; n < removed; n++) result = remove(result, start)
  return result
}

/** The tree of the elements at [start, end) only (LTRIM). */
export const slice = <A>(tree: BTree<A>, start: number, end: number): BTree<A> => {
  checkRange(start, end, tree.size)
  const kept = end - start
  if (rebuildIsCheaper(kept, tree.size - kept)) return fromArray(toArray(tree, start, end), tree.capacity)
  return removeRange(removeRange(tree, end, tree.size), 0, start)
}

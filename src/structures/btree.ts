/**
 * A persistent B+tree with subtree counts: an immutable sequence with O(log n)
 * access, update, insertion and removal at any position, under both lists and
 * sorted sets (the ordered layer, `btree-ordered.ts`, is comparator searches
 * over these positions).
 *
 * Leaves hold up to `leafMax` elements in a plain array; branches hold up to
 * `branchMax` children and the cumulative element counts of their children, so
 * a position is found by binary search at each level. Every edit copies only
 * the path from the root to the edited leaf (path copying): an old tree never
 * changes and shares every untouched node with the new one.
 *
 * Balance: all leaves are at the same depth, and every node but the root has
 * at least a quarter of its capacity (`leafMin`, `branchMin`). A quarter,
 * rather than the textbook half, lets a node that overflows at the end of the
 * sequence split unevenly (full on the inner side, `min` on the outer side):
 * pushes at either end then leave nodes about 3/4 full instead of half full.
 *
 * Positions are 0-based; ranges are half-open `[start, end)` as `Array.slice`.
 * Functions that take a position require it to be in range (a caller's bug
 * otherwise: they throw a RangeError).
 */

/** Node capacities of a tree; `defaultCapacity` unless a test wants tiny nodes to reach every case quickly. */
export interface Capacity {
  readonly leafMax: number
  readonly leafMin: number
  readonly branchMax: number
  readonly branchMin: number
}

/** A capacity with minimums at a quarter of the maximums (leaves at least 1, branches at least 2 children). */
export const capacity = (leafMax: number, branchMax: number): Capacity => {
  if (leafMax < 2 || branchMax < 4) throw new RangeError("B+tree capacity: leafMax >= 2 and branchMax >= 4")
  return {
    leafMax,
    leafMin: Math.max(1, leafMax >> 2),
    branchMax,
    branchMin: Math.max(2, branchMax >> 2)
  }
}

/** 64 elements per leaf, 32 children per branch: measured in bench/structures-btree.mjs. */
export const defaultCapacity: Capacity = capacity(64, 32)

/** A leaf: the elements themselves. Never mutated once in a tree. */
export type Leaf<A> = ReadonlyArray<A>

/** A branch: its children and, at `sizes[j]`, the number of elements in children 0..j. */
export class Branch<A> {
  constructor(
    readonly children: ReadonlyArray<Node<A>>,
    readonly sizes: ReadonlyArray<number>
  ) {}
}

export type Node<A> = Leaf<A> | Branch<A>

/** A tree: its root, its element count and its node capacities. */
export class BTree<A> implements Iterable<A> {
  constructor(
    readonly root: Node<A>,
    readonly size: number,
    readonly capacity: Capacity
  ) {}

  [Symbol.iterator](): Iterator<A> {
    return elementsOf(this.root)
  }
}

// ---------------------------------------------------------------------------
// Node helpers

function* elementsOf<A>(node: Node<A>): Generator<A> {
  if (node instanceof Branch) for (const child of node.children) yield* elementsOf(child)
  else yield* node
}

export const sizeOfNode = <A>(node: Node<A>): number =>
  node instanceof Branch ? node.sizes[node.sizes.length - 1] : node.length

const widthOf = <A>(node: Node<A>): number => node instanceof Branch ? node.children.length : node.length

/** Index of the child holding position `index` (the last child when `index` is the size, for appends). */
const childAt = (sizes: ReadonlyArray<number>, index: number): number => {
  let low = 0
  let high = sizes.length - 1
  while (low < high) {
    const middle = (low + high) >> 1
    if (sizes[middle] > index) high = middle
    else low = middle + 1
  }
  return low
}

const cumulativeSizes = <A>(children: ReadonlyArray<Node<A>>): Array<number> => {
  const sizes = new Array<number>(children.length)
  let total = 0
  for (let j = 0; j < children.length; j++) {
    total += sizeOfNode(children[j])
    sizes[j] = total
  }
  return sizes
}

const branchOf = <A>(children: ReadonlyArray<Node<A>>): Branch<A> => new Branch(children, cumulativeSizes(children))

// Copies by loops into arrays of the final length: measured faster than slice + splice, which also
// leaves spare capacity behind in the copy.

const withInserted = <T>(items: ReadonlyArray<T>, index: number, element: T): Array<T> => {
  const length = items.length
  const out = new Array<T>(length + 1)
  for (let i = 0; i < index; i++) out[i] = items[i]
  out[index] = element
  for (let i = index; i < length; i++) out[i + 1] = items[i]
  return out
}

const withoutAt = <T>(items: ReadonlyArray<T>, index: number): Array<T> => {
  const length = items.length - 1
  const out = new Array<T>(length)
  for (let i = 0; i < index; i++) out[i] = items[i]
  for (let i = index; i < length; i++) out[i] = items[i + 1]
  return out
}

/** Cumulative sizes with `delta` added from child `from` on. */
const shifted = (sizes: ReadonlyArray<number>, from: number, delta: number): Array<number> => {
  const out = new Array<number>(sizes.length)
  for (let k = 0; k < from; k++) out[k] = sizes[k]
  for (let k = from; k < sizes.length; k++) out[k] = sizes[k] + delta
  return out
}

/** Two nodes where one was: a node that overflowed, or two siblings too big to merge. */
class Pair<A> {
  constructor(readonly left: Node<A>, readonly right: Node<A>) {}
}

/**
 * Where a node of `width` entries (one over capacity) splits: unevenly when
 * the overflow came at its outer end, so that runs of pushes fill nodes.
 */
const splitPoint = (width: number, atStart: boolean, atEnd: boolean, min: number): number =>
  atEnd ? width - min : atStart ? min : width >> 1

// ---------------------------------------------------------------------------
// Construction and reading

export const empty = <A>(cap: Capacity = defaultCapacity): BTree<A> => new BTree<A>([], 0, cap)

/** Groups `items` into ceil(n / max) runs of near-equal length (each at least max/2 when there are two or more). */
const evenRuns = <T>(items: ReadonlyArray<T>, max: number): Array<Array<T>> => {
  const count = Math.ceil(items.length / max)
  const runs = new Array<Array<T>>(count)
  let from = 0
  for (let r = 0; r < count; r++) {
    const to = Math.round(((r + 1) * items.length) / count)
    runs[r] = items.slice(from, to)
    from = to
  }
  return runs
}

/** The tree of `items` in order, in O(n): full-width levels built bottom-up. */
export const fromArray = <A>(items: ReadonlyArray<A>, cap: Capacity = defaultCapacity): BTree<A> => {
  if (items.length <= cap.leafMax) return new BTree<A>(items.slice(), items.length, cap)
  let level: Array<Node<A>> = evenRuns(items, cap.leafMax)
  while (level.length > 1) level = evenRuns(level, cap.branchMax).map(branchOf)
  return new BTree(level[0], items.length, cap)
}

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

/** The element at `index`, or undefined when out of range. */
export const get = <A>(tree: BTree<A>, index: number): A | undefined =>
  index >= 0 && index < tree.size ? elementAt(tree.root, index) : undefined

/** The element at `index`, which must be in range. */
export const at = <A>(tree: BTree<A>, index: number): A => {
  checkIndex(index, tree.size)
  return elementAt(tree.root, index)
}

const elementAt = <A>(root: Node<A>, index: number): A => {
  let node = root
  let local = index
  while (node instanceof Branch) {
    const j = childAt(node.sizes, local)
    if (j > 0) local -= node.sizes[j - 1]
    node = node.children[j]
  }
  return node[local]
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
  return start === end || visitForward(tree.root, 0, start, end, visit)
}

const visitForward = <A>(
  node: Node<A>,
  offset: number,
  start: number,
  end: number,
  visit: (element: A, index: number) => boolean | void
): boolean => {
  if (!(node instanceof Branch)) {
    const to = Math.min(end - offset, node.length)
    for (let i = Math.max(start - offset, 0); i < to; i++) {
      if (visit(node[i], offset + i) === false) return false
    }
    return true
  }
  const { children, sizes } = node
  for (let j = start > offset ? childAt(sizes, start - offset) : 0; j < children.length; j++) {
    const childOffset = j > 0 ? offset + sizes[j - 1] : offset
    if (childOffset >= end) break
    if (!visitForward(children[j], childOffset, start, end, visit)) return false
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
  return start === end || visitBackward(tree.root, 0, start, end, visit)
}

const visitBackward = <A>(
  node: Node<A>,
  offset: number,
  start: number,
  end: number,
  visit: (element: A, index: number) => boolean | void
): boolean => {
  if (!(node instanceof Branch)) {
    const from = Math.max(start - offset, 0)
    for (let i = Math.min(end - offset, node.length) - 1; i >= from; i--) {
      if (visit(node[i], offset + i) === false) return false
    }
    return true
  }
  const { children, sizes } = node
  for (let j = childAt(sizes, end - 1 - offset); j >= 0; j--) {
    const childOffset = j > 0 ? offset + sizes[j - 1] : offset
    if (childOffset + sizeOfNode(children[j]) <= start) break
    if (!visitBackward(children[j], childOffset, start, end, visit)) return false
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
// Editing (path copying)

/** The tree with `element` at `index` instead. */
export const set = <A>(tree: BTree<A>, index: number, element: A): BTree<A> => {
  checkIndex(index, tree.size)
  return new BTree(setIn(tree.root, index, element), tree.size, tree.capacity)
}

const setIn = <A>(node: Node<A>, index: number, element: A): Node<A> => {
  if (!(node instanceof Branch)) {
    const items = node.slice()
    items[index] = element
    return items
  }
  const j = childAt(node.sizes, index)
  const children = node.children.slice()
  children[j] = setIn(children[j], j > 0 ? index - node.sizes[j - 1] : index, element)
  // Counts are unchanged: the new branch shares its sizes array with the old one.
  return new Branch(children, node.sizes)
}

/** The tree with `element` inserted before position `index` (`index === size` appends). */
export const insert = <A>(tree: BTree<A>, index: number, element: A): BTree<A> => {
  checkIndex(index, tree.size + 1)
  const grown = insertIn(tree.root, index, element, tree.capacity)
  const root = grown instanceof Pair ? branchOf([grown.left, grown.right]) : grown
  return new BTree(root, tree.size + 1, tree.capacity)
}

export const prepend = <A>(tree: BTree<A>, element: A): BTree<A> => insert(tree, 0, element)

export const append = <A>(tree: BTree<A>, element: A): BTree<A> => insert(tree, tree.size, element)

const insertIn = <A>(node: Node<A>, index: number, element: A, cap: Capacity): Node<A> | Pair<A> => {
  if (!(node instanceof Branch)) {
    const items = withInserted(node, index, element)
    if (items.length <= cap.leafMax) return items
    const cut = splitPoint(items.length, index === 0, index === node.length, cap.leafMin)
    return new Pair(items.slice(0, cut), items.slice(cut))
  }
  const j = childAt(node.sizes, index)
  const before = j > 0 ? node.sizes[j - 1] : 0
  const grown = insertIn(node.children[j], index - before, element, cap)
  const sizes = shifted(node.sizes, j, 1)
  const children = node.children.slice()
  if (!(grown instanceof Pair)) {
    children[j] = grown
    return new Branch(children, sizes)
  }
  children.splice(j, 1, grown.left, grown.right)
  sizes.splice(j, 0, before + sizeOfNode(grown.left))
  if (children.length <= cap.branchMax) return new Branch(children, sizes)
  const cut = splitPoint(children.length, j === 0, j === node.children.length - 1, cap.branchMin)
  const leftSize = sizes[cut - 1]
  return new Pair(
    new Branch(children.slice(0, cut), sizes.slice(0, cut)),
    new Branch(children.slice(cut), sizes.slice(cut).map((size) => size - leftSize))
  )
}

/** The tree without the element at `index`. */
export const remove = <A>(tree: BTree<A>, index: number): BTree<A> => {
  checkIndex(index, tree.size)
  let root = removeIn(tree.root, index, tree.capacity)
  while (root instanceof Branch && root.children.length === 1) root = root.children[0]
  return new BTree(root, tree.size - 1, tree.capacity)
}

export const removeFirst = <A>(tree: BTree<A>): BTree<A> => remove(tree, 0)

export const removeLast = <A>(tree: BTree<A>): BTree<A> => remove(tree, tree.size - 1)

/** The node without the element at `index`; it may be under its minimum, which its parent repairs. */
const removeIn = <A>(node: Node<A>, index: number, cap: Capacity): Node<A> => {
  if (!(node instanceof Branch)) {
    return withoutAt(node, index)
  }
  const j = childAt(node.sizes, index)
  const shrunk = removeIn(node.children[j], j > 0 ? index - node.sizes[j - 1] : index, cap)
  const sizes = shifted(node.sizes, j, -1)
  const children = node.children.slice()
  children[j] = shrunk
  const min = shrunk instanceof Branch ? cap.branchMin : cap.leafMin
  if (widthOf(shrunk) >= min) return new Branch(children, sizes)
  // Below its minimum: merge with a sibling, or share evenly with it when both do not fit in one node.
  const left = j > 0 ? j - 1 : j
  const joined = join(children[left], children[left + 1], cap)
  if (joined instanceof Pair) {
    children[left] = joined.left
    children[left + 1] = joined.right
    sizes[left] = (left > 0 ? sizes[left - 1] : 0) + sizeOfNode(joined.left)
  } else {
    children.splice(left, 2, joined)
    sizes.splice(left, 1)
  }
  return new Branch(children, sizes)
}

/** Two adjacent siblings as one node, or as two even halves when they do not fit in one. */
const join = <A>(left: Node<A>, right: Node<A>, cap: Capacity): Node<A> | Pair<A> => {
  if (left instanceof Branch && right instanceof Branch) {
    const children = left.children.concat(right.children)
    if (children.length <= cap.branchMax) return branchOf(children)
    const half = children.length >> 1
    return new Pair(branchOf(children.slice(0, half)), branchOf(children.slice(half)))
  }
  if (left instanceof Branch || right instanceof Branch) throw new Error("B+tree: siblings at different depths")
  const items = left.concat(right)
  if (items.length <= cap.leafMax) return items
  const half = items.length >> 1
  return new Pair(items.slice(0, half), items.slice(half))
}

/**
 * Rebuilding the kept elements costs a few ns each, removing one by one a
 * path copy (~0.3 µs) each: rebuild unless far more is kept than removed.
 */
const rebuildIsCheaper = (kept: number, removed: number): boolean => kept <= removed * 32

/** The tree without the elements at [start, end) (LREM-free trims, ZREMRANGEBYRANK). */
export const removeRange = <A>(tree: BTree<A>, start: number, end: number): BTree<A> => {
  checkRange(start, end, tree.size)
  const removed = end - start
  if (removed === 0) return tree
  if (rebuildIsCheaper(tree.size - removed, removed)) {
    return fromArray(toArray(tree, 0, start).concat(toArray(tree, end, tree.size)), tree.capacity)
  }
  let result = tree
  for (let n = 0; n < removed; n++) result = remove(result, start)
  return result
}

/** The tree of the elements at [start, end) only (LTRIM). */
export const slice = <A>(tree: BTree<A>, start: number, end: number): BTree<A> => {
  checkRange(start, end, tree.size)
  const kept = end - start
  if (rebuildIsCheaper(kept, tree.size - kept)) return fromArray(toArray(tree, start, end), tree.capacity)
  return removeRange(removeRange(tree, end, tree.size), 0, start)
}

/**
 * The nodes of the persistent B+tree (`btree.ts`) and the path-copying edits on them.
 *
 * Leaves hold up to `leafMax` elements in a plain array; branches hold up to
 * `branchMax` children and the cumulative element counts of their children, so
 * a position is found by binary search at each level. Every edit copies only
 * the path from the root to the edited leaf: an old node never changes.
 *
 * Balance: all leaves are at the same depth, and every node but the root has
 * at least a quarter of its capacity (`leafMin`, `branchMin`). A quarter,
 * rather than the textbook half, lets a node that overflows at the end of the
 * sequence split unevenly (full on the inner side, `min` on the outer side):
 * inserts at either end then leave nodes about 3/4 full instead of half full.
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

/** 64 elements per leaf, 32 children per branch (a choice, not yet swept: bench/structures-btree.mjs measures it). */
export const defaultCapacity: Capacity = capacity(64, 32)

/** A leaf: the elements themselves. Never mutated once in a tree. */
export type Leaf<A> = ReadonlyArray<A>

/**
 * A branch: its children; at `sizes[j]`, the number of elements in children
 * 0..j; at `firsts[j]`, the first element of child j (the ordered layer's
 * search keys, so that a comparator search reads one array per level; an edit
 * that keeps a child's first element shares the array).
 */
export class Branch<A> {
  constructor(
    readonly children: ReadonlyArray<Node<A>>,
    readonly sizes: ReadonlyArray<number>,
    readonly firsts: ReadonlyArray<A>
  ) {}
}

export type Node<A> = Leaf<A> | Branch<A>

// ---------------------------------------------------------------------------
// Node helpers

export function* elementsOf<A>(node: Node<A>): Generator<A> {
  if (node instanceof Branch) for (const child of node.children) yield* elementsOf(child)
  else yield* node
}

export const sizeOfNode = <A>(node: Node<A>): number =>
  node instanceof Branch ? node.sizes[node.sizes.length - 1] : node.length

const widthOf = <A>(node: Node<A>): number => node instanceof Branch ? node.children.length : node.length

/** Index of the child holding position `index` (the last child when `index` is the size, for appends). */
export const childAt = (sizes: ReadonlyArray<number>, index: number): number => {
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

export const branchOf = <A>(children: ReadonlyArray<Node<A>>): Branch<A> =>
  new Branch(children, cumulativeSizes(children), children.map(firstOf))

/** The first element of a node (undefined only for an empty root leaf, which has no parent to record it). */
export const firstOf = <A>(node: Node<A>): A => node instanceof Branch ? node.firsts[0] : node[0]

/** `firsts` with child j's first element taken from `child`: the same array when it did not change. */
export const withFirstOf = <A>(firsts: ReadonlyArray<A>, j: number, child: Node<A>): ReadonlyArray<A> => {
  const first = firstOf(child)
  if (first === firsts[j]) return firsts
  const out = firsts.slice()
  out[j] = first
  return out
}

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
export class Pair<A> {
  constructor(readonly left: Node<A>, readonly right: Node<A>) {}
}

/**
 * Where a node of `width` entries (one over capacity) splits: unevenly when
 * the overflow came at its outer end, so that runs of pushes fill nodes.
 */
const splitPoint = (width: number, atStart: boolean, atEnd: boolean, min: number): number =>
  atEnd ? width - min : atStart ? min : width >> 1

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

/** The node of `items` in order, in O(n): full-width levels built bottom-up. */
export const nodeFromArray = <A>(items: ReadonlyArray<A>, cap: Capacity): Node<A> => {
  if (items.length <= cap.leafMax) return items.slice()
  let level: Array<Node<A>> = evenRuns(items, cap.leafMax)
  while (level.length > 1) level = evenRuns(level, cap.branchMax).map(branchOf)
  return level[0]
}

/** A root from an edit's result: a pair grows a level, a branch of one child loses one. */
export const rootOf = <A>(grown: Node<A> | Pair<A>): Node<A> => {
  let root = grown instanceof Pair ? branchOf([grown.left, grown.right]) : grown
  while (root instanceof Branch && root.children.length === 1) root = root.children[0]
  return root
}

export const elementAt = <A>(root: Node<A>, index: number): A => {
  let node = root
  let local = index
  while (node instanceof Branch) {
    const j = childAt(node.sizes, local)
    if (j > 0) local -= node.sizes[j - 1]
    node = node.children[j]
  }
  return node[local]
}

export const visitForward = <A>(
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

export const visitBackward = <A>(
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

export const setIn = <A>(node: Node<A>, index: number, element: A): Node<A> => {
  if (!(node instanceof Branch)) {
    const items = node.slice()
    items[index] = element
    return items
  }
  const j = childAt(node.sizes, index)
  const children = node.children.slice()
  children[j] = setIn(children[j], j > 0 ? index - node.sizes[j - 1] : index, element)
  // Counts are unchanged: the new branch shares its sizes array with the old one.
  return new Branch(children, node.sizes, withFirstOf(node.firsts, j, children[j]))
}

export const insertIn = <A>(node: Node<A>, index: number, element: A, cap: Capacity): Node<A> | Pair<A> => {
  if (!(node instanceof Branch)) {
    const items = withInserted(node, index, element)
    if (items.length <= cap.leafMax) return items
    const cut = splitPoint(items.length, index === 0, index === node.length, cap.leafMin)
    return new Pair(items.slice(0, cut), items.slice(cut))
  }
  const j = childAt(node.sizes, index)
  const before = j > 0 ? node.sizes[j - 1] : 0
  return withGrownChild(node, j, insertIn(node.children[j], index - before, element, cap), cap)
}

/** `node` with child j replaced by `grown` (one element more), split when it overflows. */
export const withGrownChild = <A>(node: Branch<A>, j: number, grown: Node<A> | Pair<A>, cap: Capacity): Node<A> | Pair<A> => {
  const before = j > 0 ? node.sizes[j - 1] : 0
  const sizes = shifted(node.sizes, j, 1)
  const children = node.children.slice()
  if (!(grown instanceof Pair)) {
    children[j] = grown
    return new Branch(children, sizes, withFirstOf(node.firsts, j, grown))
  }
  children.splice(j, 1, grown.left, grown.right)
  sizes.splice(j, 0, before + sizeOfNode(grown.left))
  const firsts = node.firsts.slice()
  firsts.splice(j, 1, firstOf(grown.left), firstOf(grown.right))
  if (children.length <= cap.branchMax) return new Branch(children, sizes, firsts)
  const cut = splitPoint(children.length, j === 0, j === node.children.length - 1, cap.branchMin)
  const leftSize = sizes[cut - 1]
  return new Pair(
    new Branch(children.slice(0, cut), sizes.slice(0, cut), firsts.slice(0, cut)),
    new Branch(children.slice(cut), sizes.slice(cut).map((size) => size - leftSize), firsts.slice(cut))
  )
}

/** The node without the element at `index`; it may be under its minimum, which its parent repairs. */
export const removeIn = <A>(node: Node<A>, index: number, cap: Capacity): Node<A> => {
  if (!(node instanceof Branch)) {
    return withoutAt(node, index)
  }
  const j = childAt(node.sizes, index)
  return withShrunkChild(node, j, removeIn(node.children[j], j > 0 ? index - node.sizes[j - 1] : index, cap), cap)
}

/** `node` with child j replaced by `shrunk` (one element less), repaired when it is under its minimum. */
export const withShrunkChild = <A>(node: Branch<A>, j: number, shrunk: Node<A>, cap: Capacity): Node<A> => {
  const sizes = shifted(node.sizes, j, -1)
  const children = node.children.slice()
  children[j] = shrunk
  const min = shrunk instanceof Branch ? cap.branchMin : cap.leafMin
  if (widthOf(shrunk) >= min) return new Branch(children, sizes, withFirstOf(node.firsts, j, shrunk))
  // Below its minimum: merge with a sibling, or share evenly with it when both do not fit in one node.
  const left = j > 0 ? j - 1 : j
  const joined = join(children[left], children[left + 1], cap)
  if (joined instanceof Pair) {
    children[left] = joined.left
    children[left + 1] = joined.right
  } else {
    children.splice(left, 2, joined)
  }
  return branchOf(children)
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


/** The node with `chunk` (a leaf of at most `leafMax` elements) after its last element. */
export const appendChunk = <A>(node: Node<A>, chunk: Leaf<A>, cap: Capacity): Node<A> | Pair<A> =>
  addChunk(node, chunk, true, cap)

/** The node with `chunk` (a leaf of at most `leafMax` elements) before its first element. */
export const prependChunk = <A>(node: Node<A>, chunk: Leaf<A>, cap: Capacity): Node<A> | Pair<A> =>
  addChunk(node, chunk, false, cap)

const addChunk = <A>(node: Node<A>, chunk: Leaf<A>, atEnd: boolean, cap: Capacity): Node<A> | Pair<A> => {
  if (!(node instanceof Branch)) {
    // A chunk and an edge leaf that are both big enough stay as they are: no copy of either.
    if (node.length >= cap.leafMin && chunk.length >= cap.leafMin) {
      return atEnd ? new Pair(node, chunk) : new Pair(chunk, node)
    }
    return atEnd ? join(node, chunk, cap) : join(chunk, node, cap)
  }
  const { children } = node
  const edge = atEnd ? children.length - 1 : 0
  const grown = addChunk(children[edge], chunk, atEnd, cap)
  const parts = grown instanceof Pair ? [grown.left, grown.right] : [grown]
  const all = atEnd ? children.slice(0, edge).concat(parts) : parts.concat(children.slice(1))
  if (all.length <= cap.branchMax) return branchOf(all)
  const cut = atEnd ? all.length - cap.branchMin : cap.branchMin
  return new Pair(branchOf(all.slice(0, cut)), branchOf(all.slice(cut)))
}

/** A branch split into its last (or first) leaf and the rest, rebalanced (the rest may be a root of one child). */
export class Detached<A> {
  constructor(readonly rest: Node<A>, readonly leaf: Leaf<A>) {}
}

export const detachEdgeLeaf = <A>(node: Branch<A>, atEnd: boolean, cap: Capacity): Detached<A> => {
  const { children } = node
  const child = children[atEnd ? children.length - 1 : 0]
  // A branch has at least two children (the root as well), so `others` is never empty.
  const others = atEnd ? children.slice(0, -1) : children.slice(1)
  if (!(child instanceof Branch)) return new Detached(branchOf(others), child)
  const inner = detachEdgeLeaf(child, atEnd, cap)
  const rest = inner.rest
  if (widthOf(rest) >= cap.branchMin) {
    return new Detached(branchOf(atEnd ? others.concat([rest]) : [rest].concat(others)), inner.leaf)
  }
  const joined = atEnd ? join(others[others.length - 1], rest, cap) : join(rest, others[0], cap)
  const parts = joined instanceof Pair ? [joined.left, joined.right] : [joined]
  const kept = atEnd ? others.slice(0, -1).concat(parts) : parts.concat(others.slice(1))
  return new Detached(branchOf(kept), inner.leaf)
}

export const lastOfNode = <A>(node: Node<A>): A => {
  let current = node
  while (current instanceof Branch) current = current.children[current.children.length - 1]
  return current[current.length - 1]
}

/**
 * The first index in `node` whose element satisfies `reached`, a predicate
 * false then true along the sequence; the node's size when none does.
 * The search compares against the first element of each candidate child (`firsts`).
 */
export const firstIndexInNode = <A>(root: Node<A>, reached: (element: A) => boolean): number => {
  let node = root
  let offset = 0
  while (node instanceof Branch) {
    const { children, firsts, sizes } = node
    // The first child j >= 1 whose first element is reached: the answer is in child j - 1 (or starts child j).
    let low = 1
    let high = children.length
    while (low < high) {
      const middle = (low + high) >> 1
      if (reached(firsts[middle])) high = middle
      else low = middle + 1
    }
    if (low > 1) offset += sizes[low - 2]
    node = children[low - 1]
  }
  return offset + firstIndexIn(node.length, (i) => reached(node[i]))
}

/** The first i in [0, length) with `reached(i)` (monotone), or `length`. */
export const firstIndexIn = (length: number, reached: (index: number) => boolean): number => {
  let low = 0
  let high = length
  while (low < high) {
    const middle = (low + high) >> 1
    if (reached(middle)) high = middle
    else low = middle + 1
  }
  return low
}

/**
 * The B+tree as a sorted sequence: searches by comparator over the positional
 * core (`btree.ts`), for sorted sets ordered by (score, member).
 *
 * The search keys are the first elements each branch records of its children
 * (`firstIndexInNode`), so a search reads one array per level. Insert and
 * remove by element are one descent each, choosing the child by those keys
 * and copying the path on the way back up (no separate rank search first); a
 * replacement that stays between the same neighbours in its leaf (a small
 * score change) is one descent that copies the path without resizing.
 *
 * Every function assumes the tree is sorted by the `order` it is given, and
 * holds no two elements that `order` calls equal (a set).
 */
import { at, BTree, set } from "./btree.js"
import {
  Branch,
  type Capacity,
  firstIndexIn,
  firstIndexInNode,
  insertIn,
  lastOfNode,
  type Node,
  type Pair,
  removeIn,
  rootOf,
  withFirstOf,
  withGrownChild,
  withShrunkChild
} from "./btree-node.js"

/** A total order: negative when `a` sorts before `b`, 0 when equal, positive after. */
export type Order<A> = (a: A, b: A) => number

/**
 * The first index whose element satisfies `reached`, a predicate that is false
 * then true along the sequence (monotone); the size when none does.
 * ZRANGEBYSCORE's bounds are `(e) => e.score >= min` or `(e) => e.score > min`.
 */
export const firstIndexWhere = <A>(tree: BTree<A>, reached: (element: A) => boolean): number => {
  const { head, headLength, tail, tailLength } = tree
  if (headLength > 0 && reached(head[0])) return firstIndexIn(headLength, (k) => reached(head[headLength - 1 - k]))
  const rootSize = tree.rootSize
  if (rootSize > 0 && reached(lastOfNode(tree.root))) return headLength + firstIndexInNode(tree.root, reached)
  return headLength + rootSize + firstIndexIn(tailLength, (k) => reached(tail[k]))
}

/** The first index whose element is >= `bound` (the size when none is). */
export const lowerBound = <A>(tree: BTree<A>, bound: A, order: Order<A>): number =>
  firstIndexWhere(tree, (element) => order(element, bound) >= 0)

/** The first index whose element is > `bound` (the size when none is). */
export const upperBound = <A>(tree: BTree<A>, bound: A, order: Order<A>): number =>
  firstIndexWhere(tree, (element) => order(element, bound) > 0)

/** The index of `element` (ZRANK), or undefined when it is not in the tree. */
export const rankOf = <A>(tree: BTree<A>, element: A, order: Order<A>): number | undefined => {
  const index = lowerBound(tree, element, order)
  return index < tree.size && order(at(tree, index), element) === 0 ? index : undefined
}

/** Whether an element equal to `element` is in the tree. */
export const has = <A>(tree: BTree<A>, element: A, order: Order<A>): boolean =>
  rankOf(tree, element, order) !== undefined

// ---------------------------------------------------------------------------
// Edits by element: one descent each

/**
 * The same sequence with no elements in the end buffers (which only pushes and
 * pops at the ends fill: a sorted set's pops): `set` settles them into the
 * nodes, here rewriting the first element with itself.
 */
const settled = <A>(tree: BTree<A>): BTree<A> =>
  tree.headLength === 0 && tree.tailLength === 0 ? tree : set(tree, 0, at(tree, 0))

/** The child of `branch` where `element` belongs: the last whose first element is not after it (0 when none). */
const childFor = <A>(branch: Branch<A>, element: A, order: Order<A>): number => {
  const { firsts } = branch
  let low = 1
  let high = firsts.length
  while (low < high) {
    const middle = (low + high) >> 1
    if (order(firsts[middle], element) > 0) high = middle
    else low = middle + 1
  }
  return low - 1
}

/** Index of the first element of `leaf` not before `element`. */
const leafLowerBound = <A>(leaf: ReadonlyArray<A>, element: A, order: Order<A>): number =>
  firstIndexIn(leaf.length, (i) => order(leaf[i], element) >= 0)

/** The node with `element` inserted, or undefined when an equal element is there. */
const insertOrderedIn = <A>(node: Node<A>, element: A, order: Order<A>, cap: Capacity): Node<A> | Pair<A> | undefined => {
  if (!(node instanceof Branch)) {
    const index = leafLowerBound(node, element, order)
    if (index < node.length && order(node[index], element) === 0) return undefined
    return insertIn(node, index, element, cap)
  }
  const j = childFor(node, element, order)
  const grown = insertOrderedIn(node.children[j], element, order, cap)
  return grown === undefined ? undefined : withGrownChild(node, j, grown, cap)
}

/** The node without the element equal to `element`, or undefined when there is none. */
const removeOrderedIn = <A>(node: Node<A>, element: A, order: Order<A>, cap: Capacity): Node<A> | undefined => {
  if (!(node instanceof Branch)) {
    const index = leafLowerBound(node, element, order)
    if (index === node.length || order(node[index], element) !== 0) return undefined
    return removeIn(node, index, cap)
  }
  const j = childFor(node, element, order)
  const shrunk = removeOrderedIn(node.children[j], element, order, cap)
  return shrunk === undefined ? undefined : withShrunkChild(node, j, shrunk, cap)
}

/**
 * The node with `replacement` where `element` was, when `replacement` sorts
 * strictly between the neighbours of `element` inside its leaf (so no count
 * and no branch key changes); undefined otherwise.
 */
const replaceInPlace = <A>(node: Node<A>, element: A, replacement: A, order: Order<A>): Node<A> | undefined => {
  if (!(node instanceof Branch)) {
    const index = leafLowerBound(node, element, order)
    if (index === 0 || index >= node.length - 1 || order(node[index], element) !== 0) return undefined
    if (order(node[index - 1], replacement) >= 0 || order(replacement, node[index + 1]) >= 0) return undefined
    const items = node.slice()
    items[index] = replacement
    return items
  }
  const j = childFor(node, element, order)
  const child = replaceInPlace(node.children[j], element, replacement, order)
  if (child === undefined) return undefined
  const children = node.children.slice()
  children[j] = child
  return new Branch(children, node.sizes, withFirstOf(node.firsts, j, child))
}

/** The tree with `element` in its place; the same tree when an equal element is already there. */
export const insertSorted = <A>(tree: BTree<A>, element: A, order: Order<A>): BTree<A> => {
  const plain = settled(tree)
  const grown = insertOrderedIn(plain.root, element, order, plain.capacity)
  return grown === undefined ? tree : new BTree(rootOf(grown), plain.size + 1, plain.capacity)
}

/** The tree without the element equal to `element`; the same tree when there is none. */
export const removeSorted = <A>(tree: BTree<A>, element: A, order: Order<A>): BTree<A> => {
  if (tree.size === 0) return tree
  const plain = settled(tree)
  const shrunk = removeOrderedIn(plain.root, element, order, plain.capacity)
  return shrunk === undefined ? tree : new BTree(rootOf(shrunk), plain.size - 1, plain.capacity)
}

/**
 * The tree with `replacement` instead of `element` (a score update: ZADD,
 * ZINCRBY), which must be in the tree while `replacement` is not: one descent
 * when it stays between the same neighbours in its leaf, else a removal and an insertion.
 */
export const replaceSorted = <A>(tree: BTree<A>, element: A, replacement: A, order: Order<A>): BTree<A> => {
  const plain = settled(tree)
  const inPlace = replaceInPlace(plain.root, element, replacement, order)
  if (inPlace !== undefined) return new BTree(inPlace, plain.size, plain.capacity)
  return insertSorted(removeSorted(plain, element, order), replacement, order)
}

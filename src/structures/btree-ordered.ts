/**
 * The B+tree as a sorted sequence: searches by comparator over the positional
 * core (`btree.ts`), for sorted sets ordered by (score, member).
 *
 * The search keys are the first elements each branch records of its children
 * (`firstIndexInNode`), so a search reads one array per level; insert and
 * delete are a search and then a positional edit.
 *
 * Every function assumes the tree is sorted by the `order` it is given, and
 * holds no two elements that `order` calls equal (a set).
 */
import { at, type BTree, insert, remove } from "./btree.js"
import { firstIndexIn, firstIndexInNode, lastOfNode } from "./btree-node.js"

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

/** The tree with `element` in its place; the same tree when an equal element is already there. */
export const insertSorted = <A>(tree: BTree<A>, element: A, order: Order<A>): BTree<A> => {
  const index = lowerBound(tree, element, order)
  if (index < tree.size && order(at(tree, index), element) === 0) return tree
  return insert(tree, index, element)
}

/** The tree without the element equal to `element`; the same tree when there is none. */
export const removeSorted = <A>(tree: BTree<A>, element: A, order: Order<A>): BTree<A> => {
  const index = rankOf(tree, element, order)
  return index === undefined ? tree : remove(tree, index)
}

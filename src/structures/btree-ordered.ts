/**
 * The B+tree as a sorted sequence: searches by comparator over the positional
 * core (`btree.ts`), for sorted sets ordered by (score, member).
 *
 * Branches keep no keys, only counts: a search compares against the first
 * element of each candidate child, reached down the child's leftmost path.
 * That keeps lists free of key upkeep on every edit and costs a few pointer
 * hops per level, which the benchmark measures (bench/structures-btree.mjs).
 *
 * Every function assumes the tree is sorted by the `order` it is given, and
 * holds no two elements that `order` calls equal (a set).
 */
import { at, Branch, type BTree, insert, type Node, remove } from "./btree.js"

/** A total order: negative when `a` sorts before `b`, 0 when equal, positive after. */
export type Order<A> = (a: A, b: A) => number

const firstOfNode = <A>(node: Node<A>): A => {
  let current = node
  while (current instanceof Branch) current = current.children[0]
  return current[0]
}

/**
 * The first index whose element satisfies `reached`, a predicate that is false
 * then true along the sequence (monotone); the size when none does.
 * ZRANGEBYSCORE's bounds are `(e) => e.score >= min` or `(e) => e.score > min`.
 */
export const firstIndexWhere = <A>(tree: BTree<A>, reached: (element: A) => boolean): number => {
  let node = tree.root
  let offset = 0
  while (node instanceof Branch) {
    const { children, sizes } = node
    // The first child j >= 1 whose first element is reached; the answer is in child j - 1 (or starts child j).
    let low = 1
    let high = children.length
    while (low < high) {
      const middle = (low + high) >> 1
      if (reached(firstOfNode(children[middle]))) high = middle
      else low = middle + 1
    }
    if (low > 1) offset += sizes[low - 2]
    node = children[low - 1]
  }
  let low = 0
  let high = node.length
  while (low < high) {
    const middle = (low + high) >> 1
    if (reached(node[middle])) high = middle
    else low = middle + 1
  }
  return offset + low
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

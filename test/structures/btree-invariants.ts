/** Structural invariants of a B+tree, checked by the tests after every operation. */
import { Branch, type BTree, type Capacity, type Node, sizeOfNode } from "../../src/structures/btree.js"
import { firstOf } from "../../src/structures/btree-node.js"

/** A description of the first broken invariant, or undefined when the tree is well formed. */
export const invariantViolation = <A>(tree: BTree<A>): string | undefined => {
  const depths = new Set<number>()
  const problem = nodeViolation(tree.root, tree.capacity, true, 0, depths)
  if (problem !== undefined) return problem
  if (depths.size > 1) return `leaves at depths ${[...depths].join(", ")}`
  const { capacity: cap, head, headLength, tail, tailLength } = tree
  if (headLength > cap.leafMax || tailLength > cap.leafMax) return `buffers of ${headLength} and ${tailLength}`
  if (head.length < headLength || tail.length < tailLength) return "a buffer's view is past its array"
  if (headLength + sizeOfNode(tree.root) + tailLength !== tree.size) {
    return `size ${tree.size} but buffers and root hold ${headLength} + ${sizeOfNode(tree.root)} + ${tailLength}`
  }
  if (tree.root instanceof Branch && tree.root.children.length < 2) return "root branch with one child"
  return undefined
}

const nodeViolation = <A>(
  node: Node<A>,
  cap: Capacity,
  isRoot: boolean,
  depth: number,
  depths: Set<number>
): string | undefined => {
  if (!(node instanceof Branch)) {
    depths.add(depth)
    if (node.length > cap.leafMax) return `leaf of ${node.length} > ${cap.leafMax}`
    if (!isRoot && node.length < cap.leafMin) return `leaf of ${node.length} < ${cap.leafMin}`
    return undefined
  }
  const { children, sizes } = node
  if (children.length !== sizes.length || children.length !== node.firsts.length) {
    return "children, sizes and firsts differ in length"
  }
  if (children.length > cap.branchMax) return `branch of ${children.length} > ${cap.branchMax}`
  if (!isRoot && children.length < cap.branchMin) return `branch of ${children.length} < ${cap.branchMin}`
  let total = 0
  for (let j = 0; j < children.length; j++) {
    total += sizeOfNode(children[j])
    if (sizes[j] !== total) return `sizes[${j}] = ${sizes[j]}, children hold ${total}`
    if (node.firsts[j] !== firstOf(children[j])) return `firsts[${j}] is not child ${j}'s first element`
    const problem = nodeViolation(children[j], cap, false, depth + 1, depths)
    if (problem !== undefined) return problem
  }
  return undefined
}

/** The depth of the tree's leaves (0 for a root leaf). */
export const depthOf = <A>(tree: BTree<A>): number => {
  let depth = 0
  let node: Node<A> = tree.root
  while (node instanceof Branch) {
    node = node.children[0]
    depth++
  }
  return depth
}

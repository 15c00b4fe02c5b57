/**
 * The Redis sorted set type (t_zset.c), immutable and structurally shared:
 * an order-statistic tree of (score, member) pairs (the counted persistent
 * B+tree of structures/btree.ts, sorted by structures/btree-ordered.ts) for
 * ranks and ranges, beside a member -> score map (the CHAMP map of
 * structures/hamt.ts) for ZSCORE and membership, as Redis's skiplist sits
 * beside its dict. A write makes a new version in O(log n) and a SAVE
 * snapshot shares the old one unchanged.
 *
 * Order: by score, then by member's bytes (zslInsert's `sdscmp`); member
 * strings hold one byte per char, so JavaScript's string order is memcmp's.
 *
 * OBJECT ENCODING is remembered as Redis 7.0 holds it: `listpack` while the
 * set has at most `zset-max-listpack-entries` members and none longer than
 * `zset-max-listpack-value` bytes, `skiplist` from the first write that
 * breaks either (zsetAdd's zsetConvert), and never back, but for the sets a
 * command builds whole (the *STORE results: zsetConvertToListpackIfNeeded)
 * or the RDB loader reads, which take the encoding their content implies.
 */
import * as BTree from "../structures/btree.js"
import * as Ordered from "../structures/btree-ordered.js"
import * as Hamt from "../structures/hamt.js"
import type { StoredValue } from "./types.js"

/** A member with its score, as the tree holds it. */
export type Scored = readonly [score: number, member: string]

/** zslInsert's order: score, then the member's bytes. */
export const byScoreThenMember: Ordered.Order<Scored> = (a, b) =>
  a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0

export type ZSetEncoding = "listpack" | "skiplist"

/** `zset-max-listpack-entries` and `zset-max-listpack-value`, read live from CONFIG by the commands. */
export interface ZSetLimits {
  readonly maxListpackEntries: number
  readonly maxListpackValue: number
}

/** Redis 7.0's defaults (config.c): where no live CONFIG is at hand (the RDB loader, AOF replay without a server). */
export const defaultZSetLimits: ZSetLimits = { maxListpackEntries: 128, maxListpackValue: 64 }

/** A sorted set: its order, its scores, and the encoding Redis would hold it in. Never empty when stored. */
export class ZSetValue {
  readonly _tag = "ZSet"
  constructor(
    readonly tree: BTree.BTree<Scored>,
    readonly scores: Hamt.HamtMap<number>,
    readonly encoding: ZSetEncoding
  ) {}

  get size(): number {
    return this.tree.size
  }
}

export const emptyZSet = new ZSetValue(BTree.empty(), Hamt.empty(), "listpack")

export const isZSet = (value: StoredValue): value is ZSetValue => value instanceof ZSetValue

export const scoreOf = (zset: ZSetValue, member: string): number | undefined => Hamt.get(zset.scores, member)

/** ZRANK: the member's 0-based rank by ascending score, or undefined when it is not a member. */
export const rankOf = (zset: ZSetValue, member: string): number | undefined => {
  const score = scoreOf(zset, member)
  return score === undefined ? undefined : Ordered.rankOf(zset.tree, [score, member], byScoreThenMember)
}

export const entryAt = (zset: ZSetValue, rank: number): Scored => BTree.at(zset.tree, rank)

/** The entries at ranks [start, end), ascending, or descending when `reversed`. */
export const entriesIn = (zset: ZSetValue, start: number, end: number, reversed = false): Array<Scored> =>
  reversed ? BTree.toArrayReversed(zset.tree, start, end) : BTree.toArray(zset.tree, start, end)

/** The first rank whose entry satisfies `reached` (monotone along the order); the size when none does. */
export const firstRankWhere = (zset: ZSetValue, reached: (entry: Scored) => boolean): number =>
  Ordered.firstIndexWhere(zset.tree, reached)

/** Whether a member of `length` bytes keeps a set in a listpack. */
const fitsListpack = (length: number, limits: ZSetLimits): boolean => length <= limits.maxListpackValue

/**
 * A score as a listpack holds it: -0 is stored as the integer 0 (zzlInsertAt
 * writes an integral score as an integer), so it reads back as 0; a skiplist
 * keeps -0.
 */
const inListpack = (score: number): number => (score === 0 ? 0 : score)

/** A changing version of a sorted set: the writes of one command, batched on the map with an edit token. */
export class ZSetBuilder {
  private tree: BTree.BTree<Scored>
  private scores: Hamt.HamtMap<number>
  private encoding: ZSetEncoding
  private readonly edit = Hamt.beginEdit()

  constructor(from: ZSetValue, private readonly limits: ZSetLimits) {
    this.tree = from.tree
    this.scores = from.scores
    this.encoding = from.encoding
  }

  get size(): number {
    return this.tree.size
  }

  score(member: string): number | undefined {
    return Hamt.get(this.scores, member)
  }

  /**
   * Sets `member`'s score (zsetAdd's insert or update): a new member past the
   * entries limit, or longer than the value limit, converts to a skiplist.
   */
  set(member: string, given: number): void {
    const previous = Hamt.get(this.scores, member)
    if (previous === undefined && (this.tree.size + 1 > this.limits.maxListpackEntries || !fitsListpack(member.length, this.limits))) {
      this.encoding = "skiplist"
    }
    const score = this.encoding === "listpack" ? inListpack(given) : given
    if (previous === undefined) {
      this.tree = Ordered.insertSorted(this.tree, [score, member], byScoreThenMember)
    } else {
      if (previous === score) return
      this.tree = Ordered.replaceSorted(this.tree, [previous, member], [score, member], byScoreThenMember)
    }
    this.scores = Hamt.set(this.scores, member, score, this.edit)
  }

  /** Removes `member`; whether it was one. */
  remove(member: string): boolean {
    const score = Hamt.get(this.scores, member)
    if (score === undefined) return false
    this.tree = Ordered.removeSorted(this.tree, [score, member], byScoreThenMember)
    this.scores = Hamt.remove(this.scores, member, this.edit)
    return true
  }

  /** Removes the members at ranks [start, end); returns them. */
  removeRanks(start: number, end: number): Array<Scored> {
    const removed = BTree.toArray(this.tree, start, end)
    this.tree = BTree.removeRange(this.tree, start, end)
    for (const [, member] of removed) this.scores = Hamt.remove(this.scores, member, this.edit)
    return removed
  }

  /** The sorted set now, or undefined when it is empty (empty sorted sets never exist). */
  done(): ZSetValue | undefined {
    Hamt.endEdit(this.edit)
    return this.tree.size === 0 ? undefined : new ZSetValue(this.tree, this.scores, this.encoding)
  }
}

/** A new builder over `zset` (an empty one when missing, where ZADD starts a key). */
export const edit = (zset: ZSetValue | undefined, limits: ZSetLimits): ZSetBuilder =>
  new ZSetBuilder(zset ?? emptyZSet, limits)

/**
 * A sorted set built whole from distinct members (a *STORE result, a loaded
 * RDB value): a listpack when its size and members allow
 * (zsetConvertToListpackIfNeeded), else a skiplist. Undefined when empty.
 */
export const fromEntries = (entries: ReadonlyArray<Scored>, limits: ZSetLimits): ZSetValue | undefined => {
  if (entries.length === 0) return undefined
  const listpack = entries.length <= limits.maxListpackEntries && entries.every(([, member]) => fitsListpack(member.length, limits))
  const normalised = listpack ? entries.map(([score, member]) => [inListpack(score), member] as const) : entries
  const sorted = normalised.slice().sort(byScoreThenMember)
  const scores = Hamt.fromEntries(sorted.map(([score, member]) => [member, score] as const))
  return new ZSetValue(BTree.fromArray(sorted), scores, listpack ? "listpack" : "skiplist")
}

/** Every entry ascending. */
export const allEntries = (zset: ZSetValue): Array<Scored> => BTree.toArray(zset.tree)

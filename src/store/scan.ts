/**
 * SCAN over an immutable HashMap without sorting the keyspace.
 *
 * Each key has a fixed position: the 32-bit hash of its name. A cursor is a
 * position; a page returns the `count` keys at or after the cursor with the
 * smallest positions (chosen in one pass with a bounded max-heap, O(n log count)),
 * extended to every key sharing the last position, and the next cursor is that
 * position + 1 (0 when nothing is left). Positions never change, so every key
 * present for the whole iteration has a position some page covers: Redis's
 * guarantee holds whatever is added or removed meanwhile, and no key is
 * returned twice unless the client restarts.
 */
import { Hash } from "effect"
import type { ByteString } from "../resp/values.js"

/** A key's position in SCAN order. */
export const scanPosition = (key: ByteString): number => Hash.string(key) >>> 0

const positionLimit = 2 ** 32

export interface ScanPage {
  readonly next: number
  readonly keys: ReadonlyArray<ByteString>
}

/** A max-heap of positions holding the `capacity` smallest seen; its first element is their maximum. */
const smallestPositions = (positions: Iterable<number>, capacity: number): ReadonlyArray<number> => {
  const heap: Array<number> = []
  const swap = (i: number, j: number) => {
    const held = heap[i]
    heap[i] = heap[j]
    heap[j] = held
  }
  const siftDown = (start: number) => {
    let i = start
    for (;;) {
      const [left, right] = [2 * i + 1, 2 * i + 2]
      let largest = i
      if (left < heap.length && heap[left] > heap[largest]) largest = left
      if (right < heap.length && heap[right] > heap[largest]) largest = right
      if (largest === i) return
      swap(i, largest)
      i = largest
    }
  }
  for (const position of positions) {
    if (heap.length < capacity) {
      heap.push(position)
      for (let i = heap.length - 1; i > 0 && heap[(i - 1) >> 1] < heap[i]; i = (i - 1) >> 1) swap(i, (i - 1) >> 1)
    } else if (position < heap[0]) {
      heap[0] = position
      siftDown(0)
    }
  }
  return heap
}

/** One SCAN page over `keys` from `cursor`, visiting about `count` keys. */
export const scanPage = (keys: Iterable<ByteString>, cursor: number, count: number): ScanPage => {
  if (cursor >= positionLimit) return { next: 0, keys: [] }
  const positioned = Array.from(keys, (key) => [scanPosition(key), key] as const).filter(([p]) => p >= cursor)
  const chosen = smallestPositions(positioned.map(([p]) => p), count)
  if (chosen.length === 0) return { next: 0, keys: [] }
  const last = chosen[0]
  const page = positioned.filter(([p]) => p <= last).map(([, key]) => key)
  const more = positioned.some(([p]) => p > last)
  return { next: more ? last + 1 : 0, keys: page }
}

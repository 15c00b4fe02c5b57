/**
 * LZF, the compression Redis uses for long strings in RDB files
 * (src/lzf_d.c, src/lzf_c.c). The compressed stream is a sequence of:
 *
 * - literal run:   `000LLLLL` then L+1 bytes copied as is (1..32 bytes);
 * - back reference: `LLLooooo oooooooo` (L in 1..6), or
 *                   `111ooooo LLLLLLLL oooooooo` (length byte added to 7):
 *                   copy L+2 bytes from `offset+1` bytes back in the output
 *                   (offset is 13 bits, so up to 8192 bytes back).
 */

const maxLiteralRun = 32
const maxOffset = 1 << 13
/** Longest back reference: 7 + 255 in the length fields, plus the implicit 2. */
const maxMatch = 7 + 255 + 2
const minMatch = 3
const hashBits = 14

/**
 * Decompresses `input` into exactly `outputLength` bytes, or returns undefined
 * when the stream is corrupt (a reference before the start, output overflow,
 * a truncated run) or does not produce exactly `outputLength` bytes.
 */
export const decompress = (input: Uint8Array, outputLength: number): Uint8Array | undefined => {
  const output = new Uint8Array(outputLength)
  return decompressInto(input, 0, input.length, output, outputLength) ? output : undefined
}

/**
 * Decompresses `input[start, end)` into the first `outputLength` bytes of
 * `output` (at least that long); false when the stream is corrupt or does not
 * produce exactly `outputLength` bytes. Lets a reader reuse one buffer.
 */
export const decompressInto = (
  input: Uint8Array,
  start: number,
  end: number,
  output: Uint8Array,
  outputLength: number
): boolean => {
  let ip = start
  let op = 0
  while (ip < end) {
    const ctrl = input[ip++]
    if (ctrl < maxLiteralRun) {
      const run = ctrl + 1
      if (op + run > outputLength || ip + run > end) return false
      for (const runEnd = ip + run; ip < runEnd; ) output[op++] = input[ip++]
      continue
    }
    let length = ctrl >> 5
    if (length === 7) {
      if (ip >= end) return false
      length += input[ip++]
    }
    length += 2
    if (ip >= end) return false
    let ref = op - ((ctrl & 0x1f) << 8) - input[ip++] - 1
    if (ref < 0 || op + length > outputLength) return false
    // Byte by byte: the source may overlap the bytes being written (runs).
    for (const copyEnd = op + length; op < copyEnd; ) output[op++] = output[ref++]
  }
  return op === outputLength
}

/** Hash positions by their next three bytes; entries from earlier calls are harmless (matches are verified). */
const positionsByHash = new Int32Array(1 << hashBits).fill(-1)

const hashAt = (input: Uint8Array, i: number): number =>
  Math.imul((input[i] << 16) | (input[i + 1] << 8) | input[i + 2], 0x9e3779b1) >>> (32 - hashBits)

/**
 * Compresses `input`, or returns undefined when the result would be longer
 * than `maxOutputLength` bytes (as lzf_compress returns 0 when the output
 * buffer is too small). The default bound always fits.
 */
export const compress = (
  input: Uint8Array,
  maxOutputLength: number = input.length + Math.ceil(input.length / maxLiteralRun) + 1
): Uint8Array | undefined => {
  const output = new Uint8Array(compressionSpace(maxOutputLength))
  const length = compressInto(input, input.length, output, maxOutputLength)
  return length === undefined ? undefined : output.slice(0, length)
}

/** How long the output buffer of compressInto must be for a `maxOutputLength` bound. */
export const compressionSpace = (maxOutputLength: number): number => maxOutputLength + 4

/**
 * Compresses the first `inputLength` bytes of `input` into `output` (at least
 * compressionSpace(maxOutputLength) long) and returns the compressed length,
 * or undefined when it would exceed `maxOutputLength`. Lets a writer reuse
 * its buffers.
 */
export const compressInto = (
  input: Uint8Array,
  inputLength: number,
  output: Uint8Array,
  maxOutputLength: number
): number | undefined => {
  // Each step below writes at most 4 bytes before the bound is checked.
  let op = 0
  let runStart = op++ // where the control byte of the current literal run goes
  let runLength = 0
  let ip = 0
  while (ip < inputLength) {
    const candidate = ip + minMatch <= inputLength ? findCandidate(input, ip) : -1
    if (candidate < 0) {
      output[op++] = input[ip++]
      runLength++
      if (runLength === maxLiteralRun) {
        output[runStart] = runLength - 1
        runStart = op++
        runLength = 0
      }
    } else {
      const matchLength = commonLength(input, inputLength, candidate, ip)
      const offset = ip - candidate - 1
      if (runLength > 0) output[runStart] = runLength - 1
      else op-- // drop the unused control byte
      const lengthCode = matchLength - 2
      if (lengthCode < 7) {
        output[op++] = (lengthCode << 5) | (offset >> 8)
      } else {
        output[op++] = (7 << 5) | (offset >> 8)
        output[op++] = lengthCode - 7
      }
      output[op++] = offset & 0xff
      ip += matchLength
      runStart = op++
      runLength = 0
    }
    if (op > maxOutputLength) return undefined
  }
  if (runLength > 0) output[runStart] = runLength - 1
  else op--
  return op > maxOutputLength ? undefined : op
}

/**
 * An earlier position (within reach of a back reference) whose next three
 * bytes equal those at `ip`, or -1; records `ip` in the hash table.
 */
const findCandidate = (input: Uint8Array, ip: number): number => {
  const hash = hashAt(input, ip)
  const candidate = positionsByHash[hash]
  positionsByHash[hash] = ip
  const usable = candidate >= 0 && candidate < ip && ip - candidate <= maxOffset &&
    input[candidate] === input[ip] && input[candidate + 1] === input[ip + 1] && input[candidate + 2] === input[ip + 2]
  return usable ? candidate : -1
}

/** How many bytes from `candidate` repeat at `ip` (at least 3, at most one back reference). */
const commonLength = (input: Uint8Array, inputLength: number, candidate: number, ip: number): number => {
  const limit = Math.min(maxMatch, inputLength - ip)
  let matched = minMatch
  while (matched < limit && input[candidate + matched] === input[ip + matched]) matched++
  return matched
}

/** lzf_c.c as Redis builds it (lzfP.h: HLOG 16, VERY_FAST, no ULTRA_FAST). */
const redisHashSize = 1 << 16
const redisMaxReference = (1 << 8) + (1 << 3)

/** lzf_c.c's IDX: a slot for the three bytes held in the low 24 bits of `h` (unsigned 32-bit arithmetic). */
const redisSlot = (h: number): number => ((h >>> 8) - Math.imul(h, 5)) & (redisHashSize - 1)

/**
 * Redis's own lzf_compress, step for step, so that what it writes is byte for
 * byte what redis-server writes (FUNCTION DUMP must be; compressInto above is
 * a faster compressor whose output differs). Returns the compressed length in
 * `output`, or 0 when it does not fit in `outputLength` bytes, as lzf_compress
 * does (including its conservative end test). Redis leaves its hash table
 * uninitialised (INIT_HTAB 0); here it starts empty, which is what a table
 * with no pointer into this input amounts to.
 */
export const compressAsRedis = (input: Uint8Array, output: Uint8Array, outputLength: number): number => {
  const inputLength = input.length
  if (inputLength === 0 || outputLength === 0) return 0
  const table = new Int32Array(redisHashSize).fill(-1)
  let ip = 0
  let op = 1 // the first literal run's control byte
  let literals = 0
  let h = ((input[0] << 8) | input[1]) >>> 0
  while (ip < inputLength - 2) {
    h = ((h << 8) | input[ip + 2]) >>> 0
    const slot = redisSlot(h)
    const ref = table[slot]
    table[slot] = ip
    const offset = ip - ref - 1
    if (ref > 0 && offset < maxOffset && input[ref + 2] === input[ip + 2] && input[ref] === input[ip] && input[ref + 1] === input[ip + 1]) {
      let length = 2
      const maxLength = Math.min(inputLength - ip - length, redisMaxReference)
      if (op + 3 + 1 >= outputLength && op - (literals === 0 ? 1 : 0) + 3 + 1 >= outputLength) return 0
      output[op - literals - 1] = literals - 1
      if (literals === 0) op--
      // The unrolled first sixteen steps compare without the maxLength bound (lzf_c.c), then the bounded loop.
      let mismatched = false
      if (maxLength > 16) {
        for (let step = 0; step < 16 && !mismatched; step++) {
          length++
          mismatched = input[ref + length] !== input[ip + length]
        }
      }
      if (!mismatched) {
        do length++
        while (length < maxLength && input[ref + length] === input[ip + length])
      }
      length -= 2
      ip++
      if (length < 7) output[op++] = (offset >> 8) + (length << 5)
      else {
        output[op++] = (offset >> 8) + (7 << 5)
        output[op++] = length - 7
      }
      output[op++] = offset & 0xff
      literals = 0
      op++
      ip += length + 1
      if (ip >= inputLength - 2) break
      ip -= 2
      h = ((input[ip] << 8) | input[ip + 1]) >>> 0
      h = ((h << 8) | input[ip + 2]) >>> 0
      table[redisSlot(h)] = ip
      ip++
      h = ((h << 8) | input[ip + 2]) >>> 0
      table[redisSlot(h)] = ip
      ip++
    } else {
      if (op >= outputLength) return 0
      literals++
      output[op++] = input[ip++]
      if (literals === maxLiteralRun) {
        output[op - literals - 1] = literals - 1
        literals = 0
        op++
      }
    }
  }
  if (op + 3 > outputLength) return 0
  while (ip < inputLength) {
    literals++
    output[op++] = input[ip++]
    if (literals === maxLiteralRun) {
      output[op - literals - 1] = literals - 1
      literals = 0
      op++
    }
  }
  output[op - literals - 1] = literals - 1
  if (literals === 0) op--
  return op
}

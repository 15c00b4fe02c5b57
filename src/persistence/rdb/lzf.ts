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

/**
 * Compresses `input`, or returns undefined when the result would be longer
 * than `maxOutputLength` bytes (as lzf_compress returns 0 when the output
 * buffer is too small). The default bound always fits.
 */
export const compress = (
  input: Uint8Array,
  maxOutputLength: number = input.length + Math.ceil(input.length / maxLiteralRun) + 4
): Uint8Array | undefined => {
  if (input.length === 0) return new Uint8Array(0)
  const output = new Uint8Array(compressionSpace(maxOutputLength))
  const length = compressInto(input, input.length, output, maxOutputLength)
  return length === undefined ? undefined : output.slice(0, length)
}

/** How long the output buffer of compressInto must be for a `maxOutputLength` bound. */
export const compressionSpace = (maxOutputLength: number): number => maxOutputLength + 4

/** lzf_c.c's settings as Redis builds it (lzfP.h): HLOG 16, VERY_FAST, no table initialisation. */
const hashLog = 16
const maxBackOffset = 1 << 13
const maxReference = (1 << 8) + (1 << 3)

/**
 * lzf_compress's hash table (LZF_STATE): input offsets by hash, 0 for none.
 * Redis's lives on the stack uninitialised (INIT_HTAB 0), so a call meets the
 * offsets an earlier call left there; this one is kept across calls alike
 * (a stale offset is used only where the bytes there match, as in Redis).
 */
const offsetsByHash = new Uint32Array(1 << hashLog)

/** IDX under VERY_FAST: ((h >> (3*8 - HLOG)) - h*5) & (HSIZE - 1), in unsigned 32-bit arithmetic. */
const slotOf = (hash: number): number => ((hash >>> (24 - hashLog)) - Math.imul(hash, 5)) & ((1 << hashLog) - 1)

/** NEXT: the byte two ahead of `ip` shifted into the hash (unsigned 32 bits: the byte before `ip` stays in). */
const nextHash = (hash: number, input: Uint8Array, ip: number): number => ((hash << 8) | input[ip + 2]) >>> 0

/** Ends the literal run whose control byte is `literal + 1` bytes back (`op[-lit-1] = lit-1`). */
const closeRun = (output: Uint8Array, op: number, literal: number): void => {
  output[op - literal - 1] = (literal - 1) & 0xff
}

/**
 * Compresses the first `inputLength` bytes of `input` into `output` (at least
 * compressionSpace(maxOutputLength) long) and returns the compressed length,
 * or undefined when lzf_compress gives up on `maxOutputLength` bytes of room
 * (it checks before each back reference and literal, so it may give up where
 * the result would just fit). Follows lzf_c.c (Redis 7.0) step for step, so
 * RDB and DUMP bytes are redis-server's: no back reference to offset 0, a
 * match stops two bytes before the end unless the 16-byte unrolled compare
 * ran past that, and the two positions before a match's end are hashed.
 */
export const compressInto = (
  input: Uint8Array,
  inputLength: number,
  output: Uint8Array,
  maxOutputLength: number
): number | undefined => {
  if (inputLength === 0 || maxOutputLength === 0) return undefined
  const inEnd = inputLength
  const outEnd = maxOutputLength
  let ip = 0
  let op = 1 // start run
  let literal = 0
  let hash = (input[0] << 8) | (inputLength > 1 ? input[1] : 0)
  while (ip < inEnd - 2) {
    hash = nextHash(hash, input, ip)
    const slot = slotOf(hash)
    const ref = offsetsByHash[slot]
    offsetsByHash[slot] = ip
    const offset = ip - ref - 1
    const matches = ref > 0 && ref < ip && offset < maxBackOffset &&
      input[ref + 2] === input[ip + 2] && input[ref] === input[ip] && input[ref + 1] === input[ip + 1]
    if (!matches) {
      if (op >= outEnd) return undefined
      literal++
      output[op++] = input[ip++]
      if (literal === maxLiteralRun) {
        closeRun(output, op, literal)
        literal = 0
        op++
      }
      continue
    }
    let length = 2
    const maxLength = Math.min(inEnd - ip - length, maxReference)
    if (op + 3 + 1 >= outEnd && op - (literal === 0 ? 1 : 0) + 3 + 1 >= outEnd) return undefined
    closeRun(output, op, literal)
    if (literal === 0) op-- // undo the run: it is empty
    compare: {
      if (maxLength > 16) {
        for (let unrolled = 0; unrolled < 16; unrolled++) {
          length++
          if (input[ref + length] !== input[ip + length]) break compare
        }
      }
      do length++
      while (length < maxLength && input[ref + length] === input[ip + length])
    }
    length -= 2 // the format stores octets - 2
    ip++
    if (length < 7) {
      output[op++] = (offset >> 8) + (length << 5)
    } else {
      output[op++] = (offset >> 8) + (7 << 5)
      output[op++] = length - 7
    }
    output[op++] = offset & 0xff
    literal = 0
    op++ // start run
    ip += length + 1
    if (ip >= inEnd - 2) break
    // VERY_FAST: hash the two positions before the match's end
    ip -= 2
    hash = nextHash((input[ip] << 8) | input[ip + 1], input, ip)
    offsetsByHash[slotOf(hash)] = ip
    ip++
    hash = nextHash(hash, input, ip)
    offsetsByHash[slotOf(hash)] = ip
    ip++
  }
  if (op + 3 > outEnd) return undefined
  while (ip < inEnd) {
    literal++
    output[op++] = input[ip++]
    if (literal === maxLiteralRun) {
      closeRun(output, op, literal)
      literal = 0
      op++
    }
  }
  closeRun(output, op, literal)
  if (literal === 0) op--
  return op
}

/**
 * Redis's intset blob (intset.c), as RDB_TYPE_SET_INTSET carries it inside
 * one RDB string: a uint32 encoding (2, 4 or 8: the byte width of every
 * member), a uint32 member count, then the members, signed, ascending,
 * little-endian, all of that width. Pure functions over byte strings (one
 * char per byte, as RDB strings reach a value type).
 */
import { Either } from "effect"

const headerBytes = 8
const widths: ReadonlyArray<number> = [2, 4, 8]

/**
 * The members of an intset blob, ascending; or why it is invalid (intsetValidateIntegrity
 * with deep checks: known width, size matching the count, strictly ascending members).
 */
export const decodeIntset = (blob: string): Either.Either<BigInt64Array, string> => {
  if (blob.length < headerBytes) return Either.left("intset shorter than its header")
  const bytes = Buffer.from(blob, "latin1")
  const width = bytes.readUInt32LE(0)
  const count = bytes.readUInt32LE(4)
  if (!widths.includes(width)) return Either.left(`intset with unknown encoding ${width}`)
  if (headerBytes + count * width !== bytes.length) return Either.left("intset size does not match its count")
  const members = new BigInt64Array(count)
  for (let i = 0; i < count; i++) {
    const offset = headerBytes + i * width
    members[i] = width === 2
      ? BigInt(bytes.readInt16LE(offset))
      : width === 4
      ? BigInt(bytes.readInt32LE(offset))
      : bytes.readBigInt64LE(offset)
    if (i > 0 && members[i] <= members[i - 1]) return Either.left("intset members not strictly ascending")
  }
  return Either.right(members)
}

/** The narrowest width holding every member (_intsetValueEncoding). */
export const intsetWidth = (members: BigInt64Array): number => {
  if (members.length === 0) return 2
  const [low, high] = [members[0], members[members.length - 1]]
  if (low >= -32768n && high <= 32767n) return 2
  return low >= -2147483648n && high <= 2147483647n ? 4 : 8
}

/** The intset blob of ascending distinct `members`, at the narrowest width. */
export const encodeIntset = (members: BigInt64Array): string => {
  const width = intsetWidth(members)
  const bytes = Buffer.alloc(headerBytes + members.length * width)
  bytes.writeUInt32LE(width, 0)
  bytes.writeUInt32LE(members.length, 4)
  members.forEach((member, i) => {
    const offset = headerBytes + i * width
    if (width === 2) bytes.writeInt16LE(Number(member), offset)
    else if (width === 4) bytes.writeInt32LE(Number(member), offset)
    else bytes.writeBigInt64LE(member, offset)
  })
  return bytes.toString("latin1")
}

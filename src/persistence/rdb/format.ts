/** Constants of the RDB file format (Redis's src/rdb.h). */

export const magic = "REDIS"
/** The version we write: Redis 7.0's. */
export const writtenVersion = 10
/** The newest version we read: Redis 7.2's. */
export const newestReadableVersion = 11
/** Files from version 5 on end with a CRC-64 of everything before it. */
export const firstVersionWithChecksum = 5
/** The Redis version whose file layout we write, reported in the `redis-ver` aux field. */
export const writtenRedisVersion = "7.0.15"

export const Opcode = {
  function2: 245,
  functionPreGa: 246,
  moduleAux: 247,
  idle: 248,
  freq: 249,
  aux: 250,
  resizeDb: 251,
  expireTimeMs: 252,
  expireTime: 253,
  selectDb: 254,
  eof: 255
} as const

/** Value types up to RDB version 11, by number (8 was never used). */
export const valueTypeNames: ReadonlyMap<number, string> = new Map([
  [0, "string"],
  [1, "list"],
  [2, "set"],
  [3, "zset"],
  [4, "hash"],
  [5, "zset (version 2)"],
  [6, "module (pre-GA)"],
  [7, "module"],
  [9, "hash (zipmap)"],
  [10, "list (ziplist)"],
  [11, "set (intset)"],
  [12, "zset (ziplist)"],
  [13, "hash (ziplist)"],
  [14, "list (quicklist)"],
  [15, "stream"],
  [16, "hash (listpack)"],
  [17, "zset (listpack)"],
  [18, "list (quicklist 2)"],
  [19, "stream (version 2)"],
  [20, "set (listpack)"],
  [21, "stream (version 3)"]
])

/** First byte of a length: the top two bits say how the length is stored. */
export const Length = {
  bits6: 0,
  bits14: 1,
  /** 0x80: a 32-bit big-endian length follows. */
  bits32: 0x80,
  /** 0x81: a 64-bit big-endian length follows. */
  bits64: 0x81,
  /** Top bits 11: a special string encoding, in the low six bits. */
  encoded: 3
} as const

export const StringEncoding = { int8: 0, int16: 1, int32: 2, lzf: 3 } as const

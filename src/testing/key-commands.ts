/**
 * fast-check command vectors for the key commands that cross databases and
 * names (COPY, MOVE, SWAPDB, TOUCH), GETSET, SUBSTR, and DUMP / RESTORE with
 * valid, corrupted and foreign payloads, over three keys in databases 0 and 1.
 * No DUMP: its LZF bytes may differ from redis-server's for the same string
 * (both valid; persistence/rdb/lzf.ts is not a port of lzf_c.c's choices), so
 * DUMP is tested by moving payloads both ways (test/commands/dump-interop.test.ts).
 */
import fc from "fast-check"
import { dumpPayload } from "../commands/dump.js"
import type { ByteString, Command } from "../resp/values.js"
import { fresh } from "../values/string.js"
import { byteString } from "./arbitraries.js"
import { integerArgument, rangeArgument } from "./commands.js"

const keys: ReadonlyArray<ByteString> = ["a", "b", "c"]
const key = fc.constantFrom(...keys)

/** A string of each RDB form: integers (int8/16/32 and beyond), short, long and compressible (LZF). */
const dumpedValue: fc.Arbitrary<ByteString> = fc.oneof(
  integerArgument,
  byteString(16),
  byteString(60),
  fc.tuple(fc.constantFrom("x", "ab", "0123456789"), fc.integer({ min: 3, max: 40 })).map(([unit, n]) => unit.repeat(n))
)

/** A database argument: 0, 1, out of range or not an integer. */
const database = fc.oneof({ weight: 6, arbitrary: fc.constantFrom("0", "1") }, { weight: 1, arbitrary: fc.constantFrom("16", "-1", "x", "4294967296") })

/** A RESTORE payload: a valid DUMP of a string, one with a flipped byte or a newer version, or junk. */
const payload: fc.Arbitrary<ByteString> = fc.oneof(
  { weight: 5, arbitrary: dumpedValue.map((value) => dumpPayload(fresh(value))) },
  { weight: 1, arbitrary: fc.tuple(dumpedValue, fc.nat()).map(([value, at]) => {
    const valid = dumpPayload(fresh(value))
    const index = at % valid.length
    return valid.slice(0, index) + String.fromCharCode(valid.charCodeAt(index) ^ 1) + valid.slice(index + 1)
  }) },
  { weight: 1, arbitrary: byteString(12) }
)

/** RESTORE's TTL: none, a day, absolute in 2100 or in the past (with ABSTTL), negative or junk. */
const restoreTtl = fc.oneof(
  { weight: 4, arbitrary: fc.constant(["0"]) },
  { weight: 2, arbitrary: fc.constant(["86400000"]) },
  { weight: 2, arbitrary: fc.constantFrom(["4102444800000", "ABSTTL"], ["1000", "ABSTTL"]) },
  { weight: 1, arbitrary: fc.constantFrom(["-1"], ["x"]) }
)

const restoreOption = fc.oneof(
  fc.constant(["REPLACE"]),
  fc.constantFrom(["IDLETIME", "10"], ["IDLETIME", "-1"], ["FREQ", "5"], ["FREQ", "256"], ["FREQ", "x"], ["IDLETIME"], ["foo"])
)

const copyOption = fc.oneof(
  fc.constant(["REPLACE"]),
  database.map((db) => ["DB", db]),
  fc.constantFrom(["DB"], ["foo"])
)

/** One command of the family, or a SET / SELECT / EXPIRE to give it something to work on. */
export const keyTransferCommand: fc.Arbitrary<Command> = fc.oneof(
  { weight: 4, arbitrary: fc.tuple(key, dumpedValue).map(([k, value]) => ["SET", k, value]) },
  { weight: 2, arbitrary: fc.tuple(key, dumpedValue).map(([k, value]) => ["GETSET", k, value]) },
  { weight: 1, arbitrary: fc.tuple(key, rangeArgument, rangeArgument).map(([k, start, end]) => ["SUBSTR", k, start, end]) },
  { weight: 3, arbitrary: fc.tuple(key, key, fc.array(copyOption, { maxLength: 2 })).map(([source, destination, options]) =>
    ["COPY", source, destination, ...options.flat()]) },
  { weight: 2, arbitrary: fc.tuple(key, database).map(([k, db]) => ["MOVE", k, db]) },
  { weight: 1, arbitrary: fc.tuple(database, database).map(([first, second]) => ["SWAPDB", first, second]) },
  { weight: 2, arbitrary: fc.constantFrom("0", "1").map((db) => ["SELECT", db]) },
  { weight: 1, arbitrary: fc.array(key, { minLength: 1, maxLength: 4 }).map((touched) => ["TOUCH", ...touched]) },
  { weight: 4, arbitrary: fc.tuple(key, restoreTtl, payload, fc.array(restoreOption, { maxLength: 2 })).map(
    ([k, ttl, body, options]) => ["RESTORE", k, ttl[0], body, ...ttl.slice(1), ...options.flat()]) },
  { weight: 1, arbitrary: key.map((k) => ["EXPIRE", k, "86400"]) },
  { weight: 2, arbitrary: key.map((k) => ["GET", k]) },
  { weight: 1, arbitrary: key.map((k) => ["PEXPIRETIME", k]) },
  { weight: 1, arbitrary: key.map((k) => ["OBJECT", "ENCODING", k]) },
  { weight: 1, arbitrary: fc.constant(["DBSIZE"]) }
)

/**
 * fast-check arbitraries for set command vectors (SADD ... SSCAN), over the
 * same small keyspace as the other families so that set and string commands
 * collide (WRONGTYPE).
 *
 * Members are integers (the intset encoding: canonical int64 text), integer
 * look-alikes Redis does not take as integers ("01", "-0", "+1", "1.0"),
 * and short byte strings. With `integerMembers`, only small canonical
 * integers: every set stays an intset, whose member order Redis defines
 * (ascending), so replies compare exactly.
 *
 * Only the deterministic forms of SPOP are generated (a count of 0 or at
 * least the set's size): any other pops different members on two servers.
 */
import fc from "fast-check"
import type { ByteString, Command } from "../resp/values.js"
import { byteString } from "./arbitraries.js"
import { type CommandVectorOptions, globPattern, keyName } from "./commands.js"

/** Options of the set command arbitraries. */
export interface SetCommandOptions extends CommandVectorOptions {
  /** Only small canonical integers as members (every set an intset). Default false. */
  readonly integerMembers?: boolean
}

const smallInteger = fc.integer({ min: -20, max: 20 }).map(String)

/** A member: integers (small and int64 edges), integer look-alikes, letters and bytes. */
export const setMember = (integerMembers = false): fc.Arbitrary<ByteString> =>
  integerMembers ? smallInteger : fc.oneof(
    { weight: 4, arbitrary: smallInteger },
    { weight: 1, arbitrary: fc.constantFrom("9223372036854775807", "-9223372036854775808", "9223372036854775808", "4294967296", "-70000") },
    { weight: 1, arbitrary: fc.constantFrom("01", "-0", "+1", "1.0", " 1", "", "0x1") },
    { weight: 3, arbitrary: fc.constantFrom("a", "b", "c", "d", "e") },
    { weight: 1, arbitrary: byteString(4) }
  )

/** Random upper/lower case of a command name. */
const anyCase = (word: string): fc.Arbitrary<string> => fc.boolean().map((upper) => (upper ? word.toUpperCase() : word.toLowerCase()))

const vector = (...parts: Array<fc.Arbitrary<ByteString> | fc.Arbitrary<ReadonlyArray<ByteString>>>): fc.Arbitrary<Command> =>
  fc.tuple(...parts).map((pieces) => pieces.flatMap((piece) => (typeof piece === "string" ? [piece] : [...piece])))

const optional = <T>(arbitrary: fc.Arbitrary<ReadonlyArray<T>>): fc.Arbitrary<ReadonlyArray<T>> =>
  fc.option(arbitrary, { nil: undefined }).map((value) => value ?? [])

/** SADD of a run of 400 to 600 consecutive integers: past set-max-intset-entries (512) or just under. */
const bigSadd = (key: fc.Arbitrary<ByteString>): fc.Arbitrary<Command> =>
  fc.tuple(anyCase("sadd"), key, fc.integer({ min: -50, max: 50 }), fc.integer({ min: 400, max: 600 })).map(
    ([name, k, start, length]) => [name, k, ...Array.from({ length }, (_, i) => String(start + i))]
  )

/** A well-formed set command (and the few string and key commands that mix types in). */
export const setCommand = (options: SetCommandOptions = {}): fc.Arbitrary<Command> => {
  const key = keyName(options.keys)
  const member = setMember(options.integerMembers)
  const members = fc.array(member, { minLength: 1, maxLength: 6 })
  const keys = fc.array(key, { minLength: 1, maxLength: 3 })
  const sscanOptions = fc.tuple(
    optional(globPattern.map((pattern) => ["MATCH", pattern])),
    optional(fc.integer({ min: 1, max: 1000 }).map((count) => ["COUNT", String(count)]))
  ).map((groups) => groups.flat())
  const randomCount = fc.oneof(fc.integer({ min: -6, max: 6 }), fc.constantFrom(1000, -1000)).map(String)
  const commands: Array<fc.Arbitrary<Command>> = [
    vector(anyCase("sadd"), key, members),
    vector(anyCase("sadd"), key, members),
    vector(anyCase("srem"), key, members),
    vector(anyCase("sismember"), key, member),
    vector(anyCase("smismember"), key, members),
    vector(anyCase("scard"), key),
    vector(anyCase("smembers"), key),
    vector(anyCase("srandmember"), key, optional(randomCount.map((count) => [count]))),
    vector(anyCase("spop"), key, fc.constantFrom("0", "100000")),
    vector(anyCase("smove"), key, key, member),
    vector(anyCase("sinter"), keys),
    keys.chain((names) =>
      vector(anyCase("sintercard"), fc.constant(String(names.length)), fc.constant(names),
        optional(fc.integer({ min: 0, max: 4 }).map((limit) => ["LIMIT", String(limit)])))),
    vector(anyCase("sinterstore"), key, keys),
    vector(anyCase("sunion"), keys),
    vector(anyCase("sunionstore"), key, keys),
    vector(anyCase("sdiff"), keys),
    vector(anyCase("sdiffstore"), key, keys),
    vector(anyCase("sscan"), key, fc.constant("0"), sscanOptions),
    vector(anyCase("set"), key, fc.constantFrom("x", "12")),
    vector(anyCase("del"), key),
    vector(anyCase("type"), key),
    vector(fc.constant("object"), fc.constant("encoding"), key)
  ]
  return options.integerMembers === true ? fc.oneof(...commands) : fc.oneof(
    { weight: 30, arbitrary: fc.oneof(...commands) },
    { weight: 1, arbitrary: bigSadd(key) }
  )
}

/** Set commands with arguments Redis refuses: bad counts, numkeys, LIMIT, cursors and SSCAN options. */
export const malformedSetCommand = (options: CommandVectorOptions = {}): fc.Arbitrary<Command> => {
  const key = keyName(options.keys)
  const badNumber = fc.constantFrom("abc", "", "-1", "0", "1.5", "-9223372036854775808", "9223372036854775808", "01")
  return fc.oneof(
    fc.tuple(key, badNumber, optional(fc.constant(["extra"]))).map(([k, count, extra]) => ["srandmember", k, count, ...extra]),
    fc.tuple(key, badNumber, optional(fc.constant(["extra"]))).map(([k, count, extra]) => ["spop", k, count, ...extra]),
    fc.tuple(badNumber, fc.array(key, { maxLength: 2 })).map(([numkeys, names]) => ["sintercard", numkeys, ...names]),
    fc.tuple(key, fc.array(fc.constantFrom("LIMIT", "limit", "-1", "abc", "3", "FOO"), { minLength: 1, maxLength: 3 })).map(
      ([k, rest]) => ["sintercard", "1", k, ...rest]),
    fc.tuple(key, fc.constantFrom("0", "abc", "-1", "18446744073709551616", ""), fc.array(
      fc.constantFrom("MATCH", "COUNT", "TYPE", "0", "-1", "abc", "*", "set", "10"), { maxLength: 4 })).map(
      ([k, cursor, rest]) => ["sscan", k, cursor, ...rest]),
    fc.tuple(fc.constantFrom("sadd", "srem", "smismember", "sismember", "smove", "sinterstore", "scard", "smembers"),
      fc.array(key, { maxLength: 2 })).map(([name, args]) => [name, ...args])
  )
}

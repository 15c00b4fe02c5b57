/**
 * Transaction scenarios for differential tests: MULTI ... EXEC / DISCARD
 * blocks of data commands, with the errors Redis answers while queueing
 * (unknown commands, wrong arity, commands refused inside MULTI, nested
 * MULTI, WATCH inside MULTI) and while running (WRONGTYPE, bad numbers), and
 * WATCH races: a second connection writes between WATCH and EXEC.
 *
 * A scenario is a list of steps, each sent on one of two connections
 * (0: the transaction's, 1: the other client's); replies come one per step.
 */
import fc from "fast-check"
import type { ByteString, Command } from "../resp/values.js"
import { type CommandVectorOptions, keyName, keyspaceCommand, stringCommand } from "./commands.js"
import { hashCommand } from "./hash-commands.js"
import { setCommand } from "./set-commands.js"

export interface TransactionStep {
  /** 0: the connection running the transaction; 1: another client. */
  readonly connection: 0 | 1
  readonly command: Command
}

/**
 * Commands whose reply order Redis leaves undefined (or whose reply depends
 * on the clock): an EXEC reply holding one could not be compared byte for
 * byte; and OBJECT, for a strings difference of its own.
 */
const unordered: ReadonlySet<string> = new Set([
  "keys", "scan", "randomkey", "ttl", "pttl", "expiretime", "pexpiretime",
  "hkeys", "hvals", "hgetall", "hrandfield", "hscan",
  "smembers", "srandmember", "spop", "sinter", "sunion", "sdiff", "sscan",
  // not a transaction matter: INCRBYFLOAT's integer-looking result is embstr in Redis, int in effect-kv
  "object"
])

const deterministic = (command: Command): boolean => !unordered.has(command[0].toLowerCase())

/** Data commands of every family with a deterministic reply: strings, keys, hashes, sets. */
export const transactionDataCommand = (options: CommandVectorOptions = {}): fc.Arbitrary<Command> =>
  fc.oneof(
    { weight: 4, arbitrary: stringCommand(options) },
    { weight: 2, arbitrary: keyspaceCommand(options) },
    { weight: 2, arbitrary: hashCommand(options) },
    { weight: 2, arbitrary: setCommand(options) }
  ).filter(deterministic)

/** Commands refused while queueing: each makes EXEC answer EXECABORT (or is refused without flagging). */
const queueingError = (key: fc.Arbitrary<ByteString>): fc.Arbitrary<Command> =>
  fc.oneof(
    fc.constant(["nosuchcommand", "x"]),
    fc.constant(["get"]),
    key.map((k) => ["set", k]),
    key.map((k) => ["incr", k, "x"]),
    fc.constant(["multi"]),
    key.map((k) => ["watch", k]),
    fc.constant(["save"]),
    fc.constant(["client", "nosuchsubcommand"]),
    fc.constant(["config", "get"])
  )

/** What may be queued: mostly data commands, some connection and transaction commands. */
const queuedCommand = (data: fc.Arbitrary<Command>, key: fc.Arbitrary<ByteString>): fc.Arbitrary<Command> =>
  fc.oneof(
    { weight: 12, arbitrary: data },
    { weight: 1, arbitrary: queueingError(key) },
    { weight: 1, arbitrary: fc.constantFrom(["select", "1"], ["select", "0"], ["ping"], ["echo", "e"], ["unwatch"]) }
  )

const onMain = (command: Command): TransactionStep => ({ connection: 0, command })
const onOther = (command: Command): TransactionStep => ({ connection: 1, command })

/**
 * One block: optionally WATCH some keys, optionally another client's writes,
 * MULTI, queued commands (the other client may write in between), then EXEC
 * (mostly), DISCARD, or a second EXEC / DISCARD outside MULTI.
 */
export const transactionBlock = (
  data: fc.Arbitrary<Command>,
  options: CommandVectorOptions = {}
): fc.Arbitrary<ReadonlyArray<TransactionStep>> => {
  const key = keyName(options.keys)
  const watch = fc.option(fc.array(key, { minLength: 1, maxLength: 3 }).map((keys) => [onMain(["watch", ...keys])]), {
    nil: []
  })
  const otherWrite = fc.oneof(
    { weight: 8, arbitrary: data },
    { weight: 1, arbitrary: fc.constantFrom(["flushdb"], ["flushall"], ["swapdb", "0", "1"]) }
  ).map(onOther)
  const others = fc.array(otherWrite, { maxLength: 2 })
  const queued = fc.array(
    fc.oneof({ weight: 5, arbitrary: queuedCommand(data, key).map(onMain) }, { weight: 1, arbitrary: otherWrite }),
    { maxLength: 6 }
  )
  const ending = fc.oneof(
    { weight: 6, arbitrary: fc.constant([onMain(["exec"])]) },
    { weight: 1, arbitrary: fc.constant([onMain(["discard"])]) },
    { weight: 1, arbitrary: fc.constant([onMain(["exec"]), onMain(["exec"])]) },
    { weight: 1, arbitrary: fc.constant([onMain(["discard"]), onMain(["discard"])]) },
    { weight: 1, arbitrary: fc.constant([onMain(["exec", "extra"])]) }
  )
  return fc.tuple(watch, others, fc.boolean(), queued, ending).map(([watching, before, unwatch, steps, end]) => [
    ...watching,
    ...before,
    ...(unwatch && watching.length > 0 ? [onMain(["unwatch"])] : []),
    onMain(["multi"]),
    ...steps,
    ...end
  ])
}

/**
 * A scenario: blocks separated by plain commands on either connection (and
 * SELECT, so that WATCH is seen per database).
 */
export const transactionScenario = (
  data: fc.Arbitrary<Command> = transactionDataCommand(),
  options: CommandVectorOptions = {}
): fc.Arbitrary<ReadonlyArray<TransactionStep>> => {
  const plain = fc.oneof(
    { weight: 4, arbitrary: data.map(onMain) },
    { weight: 2, arbitrary: data.map(onOther) },
    { weight: 1, arbitrary: fc.constantFrom(["select", "0"], ["select", "1"]).map(onOther) },
    { weight: 1, arbitrary: fc.constantFrom(["select", "0"], ["select", "1"]).map(onMain) }
  )
  const part = fc.oneof(
    { weight: 2, arbitrary: transactionBlock(data, options) },
    { weight: 1, arbitrary: fc.array(plain, { minLength: 1, maxLength: 4 }) }
  )
  return fc.array(part, { minLength: 1, maxLength: 6 }).map((parts) => parts.flat())
}

/**
 * A model keyspace for the bit commands' tests: string keys in a Map, one key
 * (`list`) created as a list, and SET/GET/DEL besides the commands under test,
 * all answered through src/commands/bits/commands.ts as a handler would.
 */
import { Either } from "effect"
import {
  bitcountCommand,
  bitfieldCommand,
  bitopCommand,
  bitposCommand,
  type CommandResult,
  getbitCommand,
  lcsCommand,
  setbitCommand,
  type StringSlot
} from "../../../src/commands/bits/commands.js"
import { wrongType } from "../../../src/errors.js"
import { bulk, error, integer, nullBulk, ok, type ByteString, type RespValue } from "../../../src/resp/values.js"

export const listKey = "list"

export interface ModelKeyspace {
  readonly run: (args: ReadonlyArray<ByteString>) => RespValue
}

export const modelKeyspace = (): ModelKeyspace => {
  const strings = new Map<ByteString, ByteString>()
  // A list's elements do not matter here: only that it is not a string.
  const lists = new Set<ByteString>([listKey])
  const lookup = (key: ByteString): StringSlot => {
    if (lists.has(key)) return { _tag: "WrongType" }
    const value = strings.get(key)
    return value === undefined ? { _tag: "Missing" } : { _tag: "String", value }
  }
  const apply = (result: CommandResult): RespValue => {
    for (const write of result.writes) {
      lists.delete(write.key)
      if (write.value === undefined) strings.delete(write.key)
      else strings.set(write.key, write.value)
    }
    return Either.match(result.reply, { onLeft: (failure) => error(failure.message), onRight: (reply) => reply })
  }
  const run = (args: ReadonlyArray<ByteString>): RespValue => {
    switch (args[0].toUpperCase()) {
      case "SET":
        lists.delete(args[1])
        strings.set(args[1], args[2])
        return ok
      case "GET": {
        const slot = lookup(args[1])
        return slot._tag === "WrongType" ? error(wrongType) : slot._tag === "String" ? bulk(slot.value) : nullBulk
      }
      case "DEL":
        return integer(strings.delete(args[1]) || lists.delete(args[1]) ? 1 : 0)
      case "SETBIT": return apply(setbitCommand(args, lookup))
      case "GETBIT": return apply(getbitCommand(args, lookup))
      case "BITCOUNT": return apply(bitcountCommand(args, lookup))
      case "BITPOS": return apply(bitposCommand(args, lookup))
      case "BITOP": return apply(bitopCommand(args, lookup))
      case "BITFIELD": return apply(bitfieldCommand(args, lookup, false))
      case "BITFIELD_RO": return apply(bitfieldCommand(args, lookup, true))
      case "LCS": return apply(lcsCommand(args, lookup))
      default: throw new Error(`the model does not run ${args[0]}`)
    }
  }
  return { run }
}

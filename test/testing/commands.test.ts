import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { resolveCommand } from "../../src/commands/dispatch.js"
import { commandTable, keyspaceCommands, stringCommands } from "../../src/commands/table.js"
import { commandVector, connectionCommand, keyspaceCommand, stringCommand } from "../../src/testing/commands.js"

describe("command vector arbitraries", () => {
  it("generate known commands with an arity the command table accepts", () => {
    fc.assert(
      fc.property(commandVector(), (command) => {
        expect(resolveCommand(commandTable, command)._tag).toBe("Run")
      }),
      { seed: 4, numRuns: 2000 }
    )
  })

  it("cover every string and keyspace command but FLUSHDB and FLUSHALL, and PING ECHO SELECT", () => {
    const names = (arbitrary: fc.Arbitrary<ReadonlyArray<string>>) =>
      new Set(fc.sample(arbitrary, { seed: 7, numRuns: 3000 }).map((command) => command[0].toLowerCase()))
    expect(names(stringCommand())).toEqual(new Set(stringCommands.map((spec) => spec.name)))
    expect(names(keyspaceCommand())).toEqual(
      new Set(keyspaceCommands.map((spec) => spec.name).filter((name) => !name.startsWith("flush")))
    )
    expect(names(connectionCommand)).toEqual(new Set(["ping", "echo", "select"]))
  })

  it("use only the keys given", () => {
    const keys = ["only"]
    fc.assert(
      fc.property(stringCommand({ keys }), (command) => {
        if (["get", "strlen", "incr", "decr", "getdel"].includes(command[0].toLowerCase())) expect(command[1]).toBe("only")
      }),
      { seed: 1, numRuns: 500 }
    )
  })
})

import { describe, expect, it } from "vitest"
import { fromCommandError } from "../../src/api/errors.js"
import * as Errors from "../../src/errors.js"
import { CommandError } from "../../src/errors.js"

describe("fromCommandError", () => {
  it.each([
    [Errors.wrongType, "WrongTypeError"],
    [Errors.notInteger, "NotAnIntegerError"],
    [Errors.overflow, "OverflowError"],
    [Errors.decrementOverflow, "OverflowError"],
    [Errors.invalidExpireTime("set"), "InvalidExpireTimeError"],
    [Errors.invalidExpireTime("pexpire"), "InvalidExpireTimeError"],
    [Errors.syntaxError, "InvalidArgumentError"],
    [Errors.expireGtLtConflict, "InvalidArgumentError"]
  ])("%s -> %s, keeping the message", (message, tag) => {
    const error = fromCommandError(new CommandError({ message }))
    expect(error._tag).toBe(tag)
    expect(error.message).toBe(message)
  })
})

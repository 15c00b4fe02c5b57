import { describe, expect, it } from "vitest"
import { fromCommandError } from "../../src/api/errors.js"
import * as Errors from "../../src/errors.js"
import { commandError } from "../../src/errors.js"

describe("fromCommandError", () => {
  it.each([
    [Errors.wrongType, "WrongType", "WrongTypeError"],
    [Errors.notInteger, "NotInteger", "NotAnIntegerError"],
    [Errors.overflow, "Overflow", "OverflowError"],
    [Errors.decrementOverflow, "Overflow", "OverflowError"],
    [Errors.invalidExpireTime("set"), "InvalidExpireTime", "InvalidExpireTimeError"],
    [Errors.invalidExpireTime("pexpire"), "InvalidExpireTime", "InvalidExpireTimeError"],
    [Errors.syntaxError, "Other", "InvalidArgumentError"],
    [Errors.expireGtLtConflict, "Other", "InvalidArgumentError"]
  ] as const)("%s (%s) -> %s, keeping the message", (message, reason, tag) => {
    const error = fromCommandError(commandError(message, reason))
    expect(error._tag).toBe(tag)
    expect(error.message).toBe(message)
  })
})

/**
 * The typed errors of the in-process API. Each carries Redis's error string as
 * `message` (the reply a client would get for the same command), and comes
 * from the CommandError the command's own logic failed with.
 */
import { Data, Effect } from "effect"
import type { CommandError } from "../errors.js"

/** WRONGTYPE: the key holds a value of another kind. */
export class WrongTypeError extends Data.TaggedError("WrongTypeError")<{ readonly message: string }> {}

/** The stored value, or a number passed in, is not an integer in int64 range. */
export class NotAnIntegerError extends Data.TaggedError("NotAnIntegerError")<{ readonly message: string }> {}

/** An increment would leave the int64 range. */
export class OverflowError extends Data.TaggedError("OverflowError")<{ readonly message: string }> {}

/** An expiry time is not positive, or overflows once made absolute. */
export class InvalidExpireTimeError extends Data.TaggedError("InvalidExpireTimeError")<{ readonly message: string }> {}

/** Options that do not go together (e.g. `nx` with `xx`), or a database number out of range. */
export class InvalidArgumentError extends Data.TaggedError("InvalidArgumentError")<{ readonly message: string }> {}

/** Every error the API fails with. */
export type KvError = WrongTypeError | NotAnIntegerError | OverflowError | InvalidExpireTimeError | InvalidArgumentError

/** The typed error for a command's Redis error, by the reason it carries. */
export const fromCommandError = ({ message, reason }: CommandError): KvError => {
  switch (reason) {
    case "WrongType":
      return new WrongTypeError({ message })
    case "NotInteger":
      return new NotAnIntegerError({ message })
    case "Overflow":
      return new OverflowError({ message })
    case "InvalidExpireTime":
      return new InvalidExpireTimeError({ message })
    case "Other":
      return new InvalidArgumentError({ message })
  }
}

const hasTag = <T extends KvError["_tag"]>(
  error: KvError,
  tags: ReadonlyArray<T>
): error is Extract<KvError, { readonly _tag: T }> => tags.some((tag) => tag === error._tag)

/**
 * Narrows an operation's errors to those it can fail with (`tags`); any other
 * one means the API built a command wrongly, a defect.
 */
export const failsWith = <T extends KvError["_tag"]>(...tags: ReadonlyArray<T>) =>
<A>(effect: Effect.Effect<A, KvError>): Effect.Effect<A, Extract<KvError, { readonly _tag: T }>> =>
  Effect.catchAll(effect, (error) => hasTag(error, tags) ? Effect.fail(error) : Effect.die(error))

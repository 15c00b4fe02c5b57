/**
 * The append-only file's format: one RESP multibulk per command, as Redis's
 * catAppendOnlyGenericCommand writes and loadSingleAppendOnlyFile reads it.
 * Reading tells a file cut short in its last command (aof-load-truncated:
 * the caller cuts it off) from one that is corrupt (the start stops).
 *
 * Between commands a line starting with `#` is an annotation, which Redis's
 * loader skips. effect-kv writes `#TS-MS:<unix ms>` before a command run at
 * another millisecond than the one before: replaying each command at the time
 * it ran makes keys that expired in between expire at the same point of the
 * replay as they did live (Redis gets there by logging a DEL for every key it
 * expires; this log has none).
 */
import { Data, Either } from "effect"
import type { Command } from "../../resp/values.js"

/** `*<n>\r\n` then `$<len>\r\n<bytes>\r\n` per argument. */
export const encodeCommand = (args: Command): Buffer => {
  let text = `*${args.length}\r\n`
  for (const arg of args) text += `$${arg.length}\r\n${arg}\r\n`
  return Buffer.from(text, "latin1")
}

const timestampPrefix = "#TS-MS:"

/** The annotation saying the commands after it ran at `ms` (unix milliseconds). */
export const encodeTimestamp = (ms: number): Buffer => Buffer.from(`${timestampPrefix}${ms}\r\n`, "latin1")

export class AofCorrupt extends Data.TaggedError("AofCorrupt")<{ readonly offset: number; readonly reason: string }> {
  override get message(): string {
    return `Bad file format reading the append only file at offset ${this.offset}: ${this.reason}`
  }
}

/** A command read back, with the time the last `#TS-MS` annotation before it gave (none: undefined). */
export interface LoggedCommand {
  readonly args: Command
  readonly atMs: number | undefined
}

export interface ParsedAof {
  readonly commands: ReadonlyArray<LoggedCommand>
  /** Where the last complete command ends: shorter than the file when its tail is cut short. */
  readonly validLength: number
}

/** Thrown inside the parser when the bytes end before the command does. */
class EndOfFile {}

/** Parses a whole AOF; a command or annotation cut short at the end is left out (validLength says where it began). */
export const parseAof = (bytes: Uint8Array): Either.Either<ParsedAof, AofCorrupt> => {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const commands: Array<LoggedCommand> = []
  let atMs: number | undefined = undefined
  let position = 0
  let commandStart = 0

  const readLine = (): string => {
    const end = buffer.indexOf("\r\n", position, "latin1")
    if (end < 0) throw new EndOfFile()
    const line = buffer.latin1Slice(position, end)
    position = end + 2
    return line
  }
  const readCount = (prefix: "*" | "$", what: string): number => {
    const lineStart = position
    const line = readLine()
    const count = /^[0-9]+$/.test(line.slice(1)) ? Number(line.slice(1)) : Number.NaN
    if (line[0] !== prefix || !Number.isSafeInteger(count) || (prefix === "*" && count < 1)) {
      throw new AofCorrupt({ offset: lineStart, reason: `expected ${what}` })
    }
    return count
  }

  try {
    while (position < buffer.length) {
      commandStart = position
      if (buffer[position] === 0x23) {
        const annotation = readLine()
        const time = annotation.slice(timestampPrefix.length)
        if (annotation.startsWith(timestampPrefix) && /^[0-9]{1,15}$/.test(time)) atMs = Number(time)
        continue
      }
      const argc = readCount("*", "a multibulk count")
      const args: Array<string> = []
      for (let i = 0; i < argc; i++) {
        const length = readCount("$", "a bulk length")
        if (position + length + 2 > buffer.length) throw new EndOfFile()
        if (buffer[position + length] !== 13 || buffer[position + length + 1] !== 10) {
          throw new AofCorrupt({ offset: position + length, reason: "expected CRLF after a bulk string" })
        }
        args.push(buffer.latin1Slice(position, position + length))
        position += length + 2
      }
      commands.push({ args, atMs })
    }
    return Either.right({ commands, validLength: buffer.length })
  } catch (failure) {
    if (failure instanceof EndOfFile) return Either.right({ commands, validLength: commandStart })
    if (failure instanceof AofCorrupt) return Either.left(failure)
    throw failure
  }
}

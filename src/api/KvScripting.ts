/**
 * `kv.eval(script, keys, args)`, `kv.evalsha(...)` and `kv.fcall(...)` in
 * process: the same handlers a client's EVAL / EVALSHA / FCALL run
 * (commands/scripting.ts, commands/functions.ts), so the same conversions;
 * the reply as a plain value (`ScriptValue`), a Redis error as
 * `ScriptError` carrying Redis's message. Its layer needs the command
 * services (the server's); keys, arguments and bulk replies are UTF-8 text.
 */
import { Context, Data, Effect, Layer } from "effect"
import { functionCommands } from "../commands/functions.js"
import { scriptingCommands } from "../commands/scripting.js"
import type { CommandServices } from "../commands/table.js"
import type { Handler } from "../commands/types.js"
import type { ByteString, RespValue } from "../resp/values.js"
import { internalSession } from "../state/Session.js"
import { type Input, toByteString, toText } from "./bytes.js"

/** A script's reply: bulk strings as text, integers, nil as null, arrays; a status reply as `{ status }`. */
export type ScriptValue =
  | string
  | number
  | bigint
  | boolean
  | null
  | { readonly status: string }
  | ReadonlyArray<ScriptValue>
  | ReadonlyMap<ScriptValue, ScriptValue>

/** The script failed, or answered an error reply: Redis's message. */
export class ScriptError extends Data.TaggedError("ScriptError")<{ readonly message: string }> {}

export interface KvScriptingService {
  /** EVAL: runs `script` (cached by its SHA-1) with KEYS and ARGV, on database `db` (0 by default). */
  readonly eval: (script: Input, keys?: ReadonlyArray<Input>, args?: ReadonlyArray<Input>, db?: number) => Effect.Effect<ScriptValue, ScriptError>
  /** EVALSHA: a script cached before (by eval or SCRIPT LOAD). */
  readonly evalsha: (sha: string, keys?: ReadonlyArray<Input>, args?: ReadonlyArray<Input>, db?: number) => Effect.Effect<ScriptValue, ScriptError>
  /** FCALL: a function of a library loaded with FUNCTION LOAD. */
  readonly fcall: (name: string, keys?: ReadonlyArray<Input>, args?: ReadonlyArray<Input>, db?: number) => Effect.Effect<ScriptValue, ScriptError>
}

/** A reply as a plain value (RESP3 shapes included: maps, sets as arrays, doubles and booleans). */
export const scriptValue = (reply: RespValue): ScriptValue | ScriptError => {
  switch (reply._tag) {
    case "BulkString":
    case "Verbatim":
      return toText(reply.value)
    case "Integer":
    case "Double":
    case "Boolean":
    case "BigNumber":
      return reply.value
    case "SimpleString":
      return { status: reply.value }
    case "Null":
    case "NullArray":
      return null
    case "Error":
      return new ScriptError({ message: reply.message })
    case "Array":
    case "Set":
    case "Push": {
      const items: Array<ScriptValue> = []
      for (const item of reply.items) {
        const value = scriptValue(item)
        // A nested error reply (a pcall's result returned as is) stays in the array as its message.
        items.push(value instanceof ScriptError ? value.message : value)
      }
      return items
    }
    case "Map": {
      const entries = new Map<ScriptValue, ScriptValue>()
      for (const [field, value] of reply.entries) {
        const key = scriptValue(field)
        const item = scriptValue(value)
        entries.set(key instanceof ScriptError ? key.message : key, item instanceof ScriptError ? item.message : item)
      }
      return entries
    }
  }
}

const handlerOf = (name: string): Handler<CommandServices> => {
  const row = [...scriptingCommands, ...functionCommands].find((spec) => spec.name === name)
  if (row === undefined) throw new Error(`effect-kv: no ${name} command`)
  return row.handler
}

export class KvScripting extends Context.Tag("effect-kv/KvScripting")<KvScripting, KvScriptingService>() {
  /** Over the server's command services (the Scripting service included): `Layer.provide(...)` them. */
  static readonly layer: Layer.Layer<KvScripting, never, CommandServices> = Layer.effect(
    this,
    Effect.map(Effect.runtime<CommandServices>(), (runtime): KvScriptingService => {
      const run = (name: string, target: ByteString, keys: ReadonlyArray<Input>, args: ReadonlyArray<Input>, db: number) =>
        Effect.suspend(() => {
          const request = [name, target, String(keys.length), ...keys.map(toByteString), ...args.map(toByteString)]
          return Effect.provide(handlerOf(name.toLowerCase())(request, internalSession(db, name.toLowerCase())), runtime)
        }).pipe(
          Effect.catchTag("CommandError", (failure) => Effect.fail(new ScriptError({ message: failure.message }))),
          Effect.flatMap((reply) => {
            const value = scriptValue(reply)
            return value instanceof ScriptError ? Effect.fail(value) : Effect.succeed(value)
          })
        )
      return {
        eval: (script, keys = [], args = [], db = 0) => run("EVAL", toByteString(script), keys, args, db),
        evalsha: (sha, keys = [], args = [], db = 0) => run("EVALSHA", sha, keys, args, db),
        fcall: (name, keys = [], args = [], db = 0) => run("FCALL", toByteString(name), keys, args, db)
      }
    })
  )
}


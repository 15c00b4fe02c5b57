/**
 * The function libraries as persistence sees them: each library's code (what
 * FUNCTION LOAD was given), in load order. SAVE / BGSAVE write them as
 * FUNCTION2 records (rdb.c rdbSaveFunctions) and the AOF rewrite as FUNCTION
 * LOAD commands (aof.c rewriteFunctions); at start they are what the RDB file
 * held, which the Scripting service loads into its engine. The Scripting
 * service keeps `codes` in step with its libraries (their compiled form lives
 * there): persistence sits below scripting, so it reads this instead.
 */
import { Context, Effect, Layer, Option } from "effect"

export interface FunctionCodesService {
  codes: ReadonlyArray<string>
}

export class FunctionCodes extends Context.Tag("effect-kv/FunctionCodes")<FunctionCodes, FunctionCodesService>() {
  static readonly layer = (codes: ReadonlyArray<string> = []): Layer.Layer<FunctionCodes> =>
    Layer.sync(this, () => ({ codes }))
}

/**
 * A reader of the libraries' code, for a service built over the store: it
 * reads the FunctionCodes service given at its construction, and answers none
 * when there is no such service (a store embedded without scripting).
 */
export const functionCodesReader: Effect.Effect<() => ReadonlyArray<string>> = Effect.map(
  Effect.serviceOption(FunctionCodes),
  Option.match({ onNone: () => () => [], onSome: (service) => () => service.codes })
)

/**
 * The configuration parameters as Redis names them (config.c): how each is
 * parsed from its arguments (config file, command line, CONFIG SET), shown
 * by CONFIG GET, and whether CONFIG SET may change it. Pure functions only.
 */
import { Either } from "effect"
import { parseInt64 } from "../int64.js"
import type {
  AppendFsync, LogLevelName, MaxmemoryPolicy, OutputBufferClass, OutputBufferLimit, SaveRule, ServerConfig
} from "./config.js"
import { parameterAliases, type RememberedKind, rememberedParameters } from "./redis-parameters.js"
import {
  shownKeyspaceEvents,
  storedKeyspaceEvents,
  parseKeyspaceEvents,
  parseLatencyPercentiles,
  parseMaxmemoryClients,
  parseMemory,
  parseOomScoreAdjValues
} from "./parameter-syntax.js"

/** Redis's config flags: IMMUTABLE_CONFIG and PROTECTED_CONFIG refuse CONFIG SET. */
export type Mutability = "mutable" | "immutable" | "protected"

export interface Parameter {
  /** Redis's name (lower case). */
  readonly name: string
  readonly mutability: Mutability
  /** CONFIG GET's text of the current value. */
  readonly format: (config: ServerConfig) => string
  /** Applies the directive's arguments; Left is Redis's reason text ("argument must be ..."). */
  readonly apply: (config: ServerConfig, args: ReadonlyArray<string>) => Either.Either<ServerConfig, string>
  /** Whether the directive accepts this many arguments (most take exactly one). */
  readonly acceptsArgCount: (count: number) => boolean
}

const intMax = 2147483647
const longMax = 9223372036854775807n

const mustBeYesNo = "argument must be 'yes' or 'no'"
const mustBeInteger = "argument couldn't be parsed into an integer"
const mustBeMemory = "argument must be a memory value"
const invalidSave = "Invalid save parameters"
const outOfRange = (min: bigint, max: bigint) => `argument must be between ${min} and ${max} inclusive`

/** yesnotoi: "yes" or "no", any case. */
export const parseYesNo = (text: string): boolean | undefined => {
  const lower = text.toLowerCase()
  return lower === "yes" ? true : lower === "no" ? false : undefined
}

export const formatYesNo = (value: boolean): string => (value ? "yes" : "no")

export { parseMemory }

/**
 * The `save` arguments: pairs of `<seconds> <changes>`, given as several
 * arguments or as one space-separated string; `""` alone means no rules.
 */
export const parseSaveRules = (args: ReadonlyArray<string>): ReadonlyArray<SaveRule> | undefined => {
  const words = args.length === 1 ? args[0].split(" ").filter((word) => word.length > 0) : args
  if (words.length % 2 !== 0) return undefined
  const rules: Array<SaveRule> = []
  for (let i = 0; i < words.length; i += 2) {
    const seconds = parseInt64(words[i])
    const changes = parseInt64(words[i + 1])
    if (seconds === undefined || changes === undefined || seconds < 1n || changes < 0n) return undefined
    rules.push({ seconds: Number(seconds), changes: Number(changes) })
  }
  return rules
}

export const formatSaveRules = (rules: ReadonlyArray<SaveRule>): string =>
  rules.map((rule) => `${rule.seconds} ${rule.changes}`).join(" ")

const exactlyOne = (count: number) => count === 1

const bufferLimitArgCount = "Wrong number of arguments in buffer limit configuration."
const bufferLimitClass = "Invalid client class specified in buffer limit configuration."
const bufferLimitValues = "Error in hard, soft or soft_seconds setting in buffer limit configuration."

/** getClientTypeByName: `replica` is another name of the `slave` class; `master` has no limits to set. */
const outputBufferClass = (name: string): OutputBufferClass | undefined => {
  const lower = name.toLowerCase()
  return lower === "normal" || lower === "pubsub" || lower === "slave" ? lower : lower === "replica" ? "slave" : undefined
}

/**
 * config.c setConfigClientOutputBufferLimitOption: groups of `<class> <hard> <soft> <soft seconds>`,
 * as several arguments or one space-separated string; each group replaces its class's limits.
 */
export const applyOutputBufferLimits = (
  limits: ServerConfig["clientOutputBufferLimit"],
  args: ReadonlyArray<string>
): Either.Either<ServerConfig["clientOutputBufferLimit"], string> => {
  const words = args.length === 1 ? args[0].split(" ").filter((word) => word.length > 0) : args
  if (words.length === 0 || words.length % 4 !== 0) return Either.left(bufferLimitArgCount)
  let next = limits
  for (let i = 0; i < words.length; i += 4) {
    const kind = outputBufferClass(words[i])
    if (kind === undefined) return Either.left(bufferLimitClass)
    const hard = parseMemory(words[i + 1])
    const soft = parseMemory(words[i + 2])
    const seconds = parseInt64(words[i + 3])
    if (hard === undefined || soft === undefined || seconds === undefined || seconds < 0n) {
      return Either.left(bufferLimitValues)
    }
    const limit: OutputBufferLimit = { hardBytes: Number(hard), softBytes: Number(soft), softSeconds: Number(seconds) }
    next = { ...next, [kind]: limit }
  }
  return Either.right(next)
}

const outputBufferClasses: ReadonlyArray<OutputBufferClass> = ["normal", "slave", "pubsub"]

export const formatOutputBufferLimits = (limits: ServerConfig["clientOutputBufferLimit"]): string =>
  outputBufferClasses.map((kind) => `${kind} ${limits[kind].hardBytes} ${limits[kind].softBytes} ${limits[kind].softSeconds}`)
    .join(" ")

type Setter<A> = (config: ServerConfig, value: A) => ServerConfig

const boolean = (name: string, mutability: Mutability, get: (c: ServerConfig) => boolean, set: Setter<boolean>): Parameter => ({
  name, mutability, acceptsArgCount: exactlyOne,
  format: (config) => formatYesNo(get(config)),
  apply: (config, [text]) => {
    const value = parseYesNo(text)
    return value === undefined ? Either.left(mustBeYesNo) : Either.right(set(config, value))
  }
})

/** An integer parameter; `memory` ones read units (memtoull) as Redis's MEMORY_CONFIG. */
const numeric = (
  name: string,
  range: { readonly min: bigint; readonly max: bigint; readonly memory?: boolean },
  get: (c: ServerConfig) => number,
  set: Setter<number>
): Parameter => ({
  name, mutability: "mutable", acceptsArgCount: exactlyOne,
  format: (config) => String(get(config)),
  apply: (config, [text]) => {
    const value = range.memory === true ? parseMemory(text) : parseInt64(text)
    if (value === undefined) return Either.left(range.memory === true ? mustBeMemory : mustBeInteger)
    if (value < range.min || value > range.max) return Either.left(outOfRange(range.min, range.max))
    return Either.right(set(config, Number(value)))
  }
})

const choice = <A extends string>(
  name: string,
  values: ReadonlyArray<A>,
  get: (c: ServerConfig) => A,
  set: Setter<A>
): Parameter => ({
  name, mutability: "mutable", acceptsArgCount: exactlyOne,
  format: get,
  apply: (config, [text]) => {
    const value = values.find((candidate) => candidate === text.toLowerCase())
    return value === undefined
      ? Either.left(`argument(s) must be one of the following: ${values.join(", ")}`)
      : Either.right(set(config, value))
  }
})

const text = (
  name: string,
  mutability: Mutability,
  get: (c: ServerConfig) => string,
  set: Setter<string>,
  validate: (value: string) => string | undefined = () => undefined
): Parameter => ({
  name, mutability, acceptsArgCount: exactlyOne,
  format: get,
  apply: (config, [value]) => {
    const problem = validate(value)
    return problem === undefined ? Either.right(set(config, value)) : Either.left(problem)
  }
})

/** Redis's isValidDBfilename / isValidAOFfilename: a name, not a path. */
const plainFileName = (name: string) => (value: string): string | undefined =>
  value.includes("/") || value === "." || value === ".." ? `${name} can't be a path, just a filename` : undefined

export const logLevels: ReadonlyArray<LogLevelName> = ["debug", "verbose", "notice", "warning"]
const fsyncPolicies: ReadonlyArray<AppendFsync> = ["always", "everysec", "no"]
export const maxmemoryPolicies: ReadonlyArray<MaxmemoryPolicy> = [
  "volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl",
  "allkeys-lru", "allkeys-lfu", "allkeys-random", "noeviction"
]

/** Every parameter effect-kv reads, by Redis's name, in CONFIG GET's order. */
export const parameters: ReadonlyArray<Parameter> = [
  // Redis lets CONFIG SET move the listener; effect-kv does not, so port and bind are immutable here.
  { ...numeric("port", { min: 0n, max: 65535n }, (c) => c.port, (c, port) => ({ ...c, port })), mutability: "immutable" },
  text("bind", "immutable", (c) => c.bind, (c, bind) => ({ ...c, bind })),
  text("dir", "protected", (c) => c.dir, (c, dir) => ({ ...c, dir })),
  text("dbfilename", "protected", (c) => c.dbfilename, (c, dbfilename) => ({ ...c, dbfilename }), plainFileName("dbfilename")),
  choice("loglevel", logLevels, (c) => c.loglevel, (c, loglevel) => ({ ...c, loglevel })),
  {
    name: "save", mutability: "mutable", acceptsArgCount: (count) => count >= 1,
    format: (config) => formatSaveRules(config.save),
    apply: (config, args) => {
      const save = parseSaveRules(args)
      return save === undefined ? Either.left(invalidSave) : Either.right({ ...config, save })
    }
  },
  boolean("appendonly", "mutable", (c) => c.appendonly, (c, appendonly) => ({ ...c, appendonly })),
  text("appendfilename", "immutable", (c) => c.appendfilename, (c, appendfilename) => ({ ...c, appendfilename }),
    plainFileName("appendfilename")),
  choice("appendfsync", fsyncPolicies, (c) => c.appendfsync, (c, appendfsync) => ({ ...c, appendfsync })),
  text("requirepass", "mutable", (c) => c.requirepass ?? "",
    (c, password) => ({ ...c, requirepass: password.length === 0 ? undefined : password })),
  boolean("protected-mode", "mutable", (c) => c.protectedMode, (c, protectedMode) => ({ ...c, protectedMode })),
  numeric("maxclients", { min: 1n, max: 4294967295n }, (c) => c.maxclients, (c, maxclients) => ({ ...c, maxclients })),
  numeric("timeout", { min: 0n, max: BigInt(intMax) }, (c) => c.timeout, (c, timeout) => ({ ...c, timeout })),
  numeric("maxmemory", { min: 0n, max: 18446744073709551615n, memory: true }, (c) => c.maxmemory,
    (c, maxmemory) => ({ ...c, maxmemory })),
  choice("maxmemory-policy", maxmemoryPolicies, (c) => c.maxmemoryPolicy, (c, maxmemoryPolicy) => ({ ...c, maxmemoryPolicy })),
  boolean("stop-writes-on-bgsave-error", "mutable", (c) => c.stopWritesOnBgsaveError,
    (c, stopWritesOnBgsaveError) => ({ ...c, stopWritesOnBgsaveError })),
  numeric("proto-max-bulk-len", { min: 1024n * 1024n, max: longMax, memory: true }, (c) => c.protoMaxBulkLen,
    (c, protoMaxBulkLen) => ({ ...c, protoMaxBulkLen })),
  numeric("client-query-buffer-limit", { min: 1024n * 1024n, max: longMax, memory: true }, (c) => c.clientQueryBufferLimit,
    (c, clientQueryBufferLimit) => ({ ...c, clientQueryBufferLimit })),
  numeric("slowlog-log-slower-than", { min: -1n, max: longMax }, (c) => c.slowlogLogSlowerThan,
    (c, slowlogLogSlowerThan) => ({ ...c, slowlogLogSlowerThan })),
  numeric("slowlog-max-len", { min: 0n, max: longMax }, (c) => c.slowlogMaxLen, (c, slowlogMaxLen) => ({ ...c, slowlogMaxLen })),
  {
    name: "client-output-buffer-limit", mutability: "mutable", acceptsArgCount: (count) => count >= 1,
    format: (config) => formatOutputBufferLimits(config.clientOutputBufferLimit),
    apply: (config, args) =>
      Either.map(applyOutputBufferLimits(config.clientOutputBufferLimit, args),
        (clientOutputBufferLimit) => ({ ...config, clientOutputBufferLimit }))
  }
]

/** A remembered parameter's text, validated as Redis validates its type. */
const checkRemembered = (kind: RememberedKind, value: string): Either.Either<string, string> => {
  switch (kind.type) {
    case "fixed":
    case "anyText":
      return Either.right(value)
    case "yesNo": {
      const flag = parseYesNo(value)
      return flag === undefined ? Either.left(mustBeYesNo) : Either.right(formatYesNo(flag))
    }
    case "integer":
    case "memory": {
      const number = kind.type === "memory" ? parseMemory(value) : parseInt64(value)
      if (number === undefined) return Either.left(kind.type === "memory" ? mustBeMemory : mustBeInteger)
      return number < kind.min || number > kind.max ? Either.left(outOfRange(kind.min, kind.max)) : Either.right(String(number))
    }
    case "oneOf": {
      const choice = kind.values.find((candidate) => candidate === value.toLowerCase())
      return choice === undefined
        ? Either.left(`argument(s) must be one of the following: ${kind.values.join(", ")}`)
        : Either.right(choice)
    }
  }
}

/** A parameter kept as CONFIG GET's text in `remembered`; `check` validates and normalises a new value. */
const remembered = (name: string, mutability: Mutability, check: (value: string) => Either.Either<string, string>): Parameter => ({
  name, mutability, acceptsArgCount: exactlyOne,
  format: (config) => config.remembered[name] ?? "",
  apply: (config, [value]) =>
    Either.map(check(value), (text) => ({ ...config, remembered: { ...config.remembered, [name]: text } }))
})

/** A text parameter with its own syntax (Left: Redis's reason; Right: CONFIG GET's text). */
const syntax = (
  name: string,
  parse: (value: string, config: ServerConfig) => Either.Either<string, string>,
  get: (c: ServerConfig) => string,
  set: Setter<string>
): Parameter => ({
  name, mutability: "mutable", acceptsArgCount: exactlyOne,
  format: get,
  apply: (config, [value]) => Either.map(parse(value, config), (text) => set(config, text))
})

/**
 * What effect-kv reads beyond the parameters above: the database count, the
 * keyspace notification classes and the encodings' thresholds (read by the
 * value modules). oom-score-adj-values,
 * latency-tracking-info-percentiles and maxmemory-clients are validated and
 * remembered with Redis's syntax but have no effect.
 */
const readParameters: ReadonlyArray<Parameter> = [
  { ...numeric("databases", { min: 1n, max: BigInt(intMax) }, (c) => c.databases, (c, databases) => ({ ...c, databases })),
    mutability: "immutable" },
  syntax("notify-keyspace-events", (value) => Either.map(parseKeyspaceEvents(value), storedKeyspaceEvents),
    (c) => shownKeyspaceEvents(c.notifyKeyspaceEvents), (c, notifyKeyspaceEvents) => ({ ...c, notifyKeyspaceEvents })),
  numeric("hash-max-listpack-entries", { min: 0n, max: longMax }, (c) => c.hashMaxListpackEntries,
    (c, hashMaxListpackEntries) => ({ ...c, hashMaxListpackEntries })),
  numeric("hash-max-listpack-value", { min: 0n, max: longMax, memory: true }, (c) => c.hashMaxListpackValue,
    (c, hashMaxListpackValue) => ({ ...c, hashMaxListpackValue })),
  numeric("set-max-intset-entries", { min: 0n, max: longMax }, (c) => c.setMaxIntsetEntries,
    (c, setMaxIntsetEntries) => ({ ...c, setMaxIntsetEntries })),
  numeric("zset-max-listpack-entries", { min: 0n, max: longMax }, (c) => c.zsetMaxListpackEntries,
    (c, zsetMaxListpackEntries) => ({ ...c, zsetMaxListpackEntries })),
  numeric("zset-max-listpack-value", { min: 0n, max: longMax, memory: true }, (c) => c.zsetMaxListpackValue,
    (c, zsetMaxListpackValue) => ({ ...c, zsetMaxListpackValue })),
  numeric("list-max-listpack-size", { min: -2147483648n, max: BigInt(intMax) }, (c) => c.listMaxListpackSize,
    (c, listMaxListpackSize) => ({ ...c, listMaxListpackSize })),
  numeric("list-compress-depth", { min: 0n, max: BigInt(intMax) }, (c) => c.listCompressDepth,
    (c, listCompressDepth) => ({ ...c, listCompressDepth })),
  remembered("oom-score-adj-values", "mutable", parseOomScoreAdjValues),
  remembered("latency-tracking-info-percentiles", "mutable", parseLatencyPercentiles),
  remembered("maxmemory-clients", "mutable", parseMaxmemoryClients)
]

const ownParameters: ReadonlyArray<Parameter> = [
  ...parameters,
  ...readParameters,
  ...rememberedParameters.map(([name, , kind]) =>
    remembered(name, kind.type === "fixed" ? "immutable" : "mutable", (value) => checkRemembered(kind, value)))
]

const byOwnName: ReadonlyMap<string, Parameter> = new Map(ownParameters.map((parameter) => [parameter.name, parameter]))

/** Every parameter CONFIG GET * lists (Redis 7.0.15's, aliases included). */
export const allParameters: ReadonlyArray<Parameter> = [
  ...ownParameters,
  ...parameterAliases.flatMap(([alias, name]) => {
    const parameter = byOwnName.get(name)
    return parameter === undefined ? [] : [{ ...parameter, name: alias }]
  })
]

const byName: ReadonlyMap<string, Parameter> = new Map(allParameters.map((parameter) => [parameter.name, parameter]))

/** The parameter a directive names (any case). */
export const findParameter = (name: string): Parameter | undefined => byName.get(name.toLowerCase())

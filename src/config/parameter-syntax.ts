/**
 * The parameters whose values have their own syntax (config.c and notify.c):
 * each parser answers Redis's reason text (Left) or CONFIG GET's text of the
 * value (Right). Pure functions.
 */
import { Either } from "effect"

const memoryUnits: Readonly<Record<string, bigint>> = {
  "": 1n, b: 1n, k: 1000n, kb: 1024n, m: 1000n ** 2n, mb: 1024n ** 2n, g: 1000n ** 3n, gb: 1024n ** 3n
}

/**
 * memtoull: digits with an optional unit, any case: b, k (1000), kb (1024),
 * m, mb, g, gb. `100mb` is 104857600. Undefined for anything else.
 */
export const parseMemory = (text: string): bigint | undefined => {
  const match = /^(\d+)([a-zA-Z]*)$/.exec(text)
  if (match === null) return undefined
  const unit = memoryUnits[match[2].toLowerCase()]
  return unit === undefined ? undefined : BigInt(match[1]) * unit
}

const words = (value: string): ReadonlyArray<string> => value.split(" ").filter((word) => word.length > 0)

/** notify.c: the class characters and what `A` stands for (every class but key misses and `n`ew keys). */
const eventClasses = "g$lshzxetd"
const eventCharacters = new Set([..."A" + eventClasses + "KEmn"])

/** keyspaceEventsStringToFlags: the set of classes, `A` expanded. */
export const parseKeyspaceEvents = (value: string): Either.Either<ReadonlySet<string>, string> => {
  const flags = new Set<string>()
  for (const character of value) {
    if (!eventCharacters.has(character)) return Either.left("Invalid event class character. Use 'Ag$lshzxeKEtmdn'.")
    if (character === "A") for (const each of eventClasses) flags.add(each)
    else flags.add(character)
  }
  return Either.right(flags)
}

/** keyspaceEventsFlagsToString: `A` when every class is on, else the classes (and `n`) in Redis's order; then K, E, m. */
export const formatKeyspaceEvents = (flags: ReadonlySet<string>): string => {
  const classes = [...eventClasses].every((each) => flags.has(each))
    ? "A"
    : [...eventClasses + "n"].filter((each) => flags.has(each)).join("")
  return classes + [..."KEm"].filter((each) => flags.has(each)).join("")
}

/**
 * The flags as stored (ServerConfig.notifyKeyspaceEvents): every character on,
 * `A` expanded, in one fixed order. Lossless, unlike CONFIG GET's text, which
 * drops `n` next to `A` as Redis 7.0 does while `new` events still go out.
 */
export const storedKeyspaceEvents = (flags: ReadonlySet<string>): string =>
  [...eventClasses + "nKEm"].filter((each) => flags.has(each)).join("")

/** CONFIG GET's text of a stored value (keyspaceEventsFlagsToString). */
export const shownKeyspaceEvents = (stored: string): string =>
  Either.match(parseKeyspaceEvents(stored), { onLeft: () => stored, onRight: formatKeyspaceEvents })

const bufferClasses = ["normal", "slave", "pubsub"] as const
const bufferClassOf = (name: string): number =>
  ({ normal: 0, slave: 1, replica: 1, pubsub: 2 } as Readonly<Record<string, number>>)[name.toLowerCase()] ?? -1

/**
 * updateClientOutputBufferLimit: `<class> <hard> <soft> <seconds>` groups
 * replace those classes in `current`; the rest stay. Memory values in bytes.
 */
export const parseClientOutputBufferLimit = (value: string, current: string): Either.Either<string, string> => {
  const args = words(value)
  if (args.length % 4 !== 0) return Either.left("Wrong number of arguments in buffer limit configuration.")
  const limits = bufferClasses.map((_, i) => words(current).slice(i * 4 + 1, i * 4 + 4))
  for (let j = 0; j < args.length; j += 4) {
    const index = bufferClassOf(args[j])
    if (index < 0) return Either.left("Invalid client class specified in buffer limit configuration.")
    const hard = parseMemory(args[j + 1])
    const soft = parseMemory(args[j + 2])
    if (hard === undefined || soft === undefined || !/^\d+$/.test(args[j + 3])) {
      return Either.left("Error in hard, soft or soft_seconds setting in buffer limit configuration.")
    }
    limits[index] = [String(hard), String(soft), String(BigInt(args[j + 3]))]
  }
  return Either.right(bufferClasses.map((name, i) => [name, ...limits[i]].join(" ")).join(" "))
}

/** oom-score-adj-values: three integers in [-2000, 2000]. */
export const parseOomScoreAdjValues = (value: string): Either.Either<string, string> => {
  const values = words(value)
  if (values.length !== 3) return Either.left("wrong number of arguments")
  if (values.some((each) => !/^-?\d+$/.test(each) || Math.abs(Number(each)) > 2000)) {
    return Either.left("Invalid oom-score-adj-values, elements must be between -2000 and 2000.")
  }
  return Either.right(values.map((each) => String(Number(each))).join(" "))
}

/** latency-tracking-info-percentiles: numbers in [0, 100], possibly none. */
export const parseLatencyPercentiles = (value: string): Either.Either<string, string> => {
  const values = words(value)
  if (values.some((each) => each.trim() === "" || !Number.isFinite(Number(each)))) {
    return Either.left("Invalid latency-tracking-info-percentiles parameters")
  }
  if (values.some((each) => Number(each) < 0 || Number(each) > 100)) {
    return Either.left("latency-tracking-info-percentiles parameters should sit between [0.0,100.0]")
  }
  return Either.right(values.map((each) => String(Number(each))).join(" "))
}

/** maxmemory-clients: a memory value, or a percentage of maxmemory (`10%`). */
export const parseMaxmemoryClients = (value: string): Either.Either<string, string> => {
  const percent = /^(\d+)%$/.exec(value)
  if (percent !== null) {
    return Number(percent[1]) > 100
      ? Either.left("percentage argument must be less or equal to 100")
      : Either.right(`${Number(percent[1])}%`)
  }
  const bytes = parseMemory(value)
  return bytes === undefined ? Either.left("argument must be a memory or percent value") : Either.right(String(bytes))
}

/**
 * Kv: the store's typed in-process API, no socket involved. Every method runs
 * the same command handler a client's request runs (strings.ts, keys.ts), so
 * options, edge cases and errors are Redis's; the reply is read back as a
 * typed result and a Redis error as a typed error (errors.ts).
 *
 * Keys and values are `string` (stored as UTF-8 bytes) or `Uint8Array`;
 * values come back as UTF-8 text, or as bytes from the `...Bytes` variants
 * (see bytes.ts for the byte-string convention).
 */
import { Chunk, Context, Duration, Effect, Layer, Option, Stream } from "effect"
import * as Keys from "../commands/keys.js"
import * as Strings from "../commands/strings.js"
import { type Handler } from "../commands/types.js"
import { internalSession, type Session } from "../state/Session.js"
import * as Errors from "../errors.js"
import { AppendOnly, type AppendOnlyService } from "../persistence/aof/AppendOnly.js"
import type { ByteString, RespValue } from "../resp/values.js"
import { databaseCount } from "../store/entry.js"
import { Store, type StoreService } from "../store/Store.js"
import { type Input, toByteString, toBytes, toText } from "./bytes.js"
import {
  failsWith,
  fromCommandError,
  InvalidArgumentError,
  type InvalidExpireTimeError,
  type KvError,
  type NotAnIntegerError,
  type OverflowError,
  type WrongTypeError
} from "./errors.js"
import * as Replies from "./replies.js"
import { type KvSetOperations, setOperations } from "./KvSets.js"
import { hashMethods, type KvHashMethods } from "./KvHashes.js"
import { type KvListMethods, listMethods } from "./KvLists.js"
import { type KvSortedSetMethods, sortedSetMethods } from "./KvSortedSets.js"

/** SET's options. Conflicting ones (`nx` with `xx`, two expiries, an expiry with `keepTtl`) fail as Redis's syntax error. */
export interface SetOptions {
  /** Expire after this many seconds (EX). */
  readonly ex?: number
  /** Expire after this many milliseconds (PX). */
  readonly px?: number
  /** Expire at this unix time in seconds (EXAT). */
  readonly exat?: number
  /** Expire at this unix time in milliseconds (PXAT). */
  readonly pxat?: number
  /** Only set a key that does not exist (NX). */
  readonly nx?: boolean
  /** Only set a key that exists (XX). */
  readonly xx?: boolean
  /** Keep the key's current expiry (KEEPTTL). */
  readonly keepTtl?: boolean
}

/** EXPIRE's conditions: NX (no expiry yet), XX (has one), GT / LT (later / earlier than the current one). */
export interface ExpireOptions {
  readonly nx?: boolean
  readonly xx?: boolean
  readonly gt?: boolean
  readonly lt?: boolean
}

/** SCAN's options: a glob to match and a hint of how many keys to visit per step. */
export interface ScanOptions {
  readonly match?: string
  readonly count?: number
}

type SetError = InvalidExpireTimeError | NotAnIntegerError | InvalidArgumentError
type CounterError = WrongTypeError | NotAnIntegerError | OverflowError

/** One database's operations (the set methods: KvSets.ts; the hash methods: KvHashes.ts). */
export interface KvDatabase extends KvSetOperations, KvHashMethods, KvListMethods, KvSortedSetMethods {
  /** The value as UTF-8 text, or none. */
  readonly get: (key: Input) => Effect.Effect<Option.Option<string>, WrongTypeError>
  /** The value's bytes, or none. */
  readonly getBytes: (key: Input) => Effect.Effect<Option.Option<Uint8Array>, WrongTypeError>
  /**
   * SET. Returns whether the value was written (false when `nx` / `xx` refused);
   * with `get: true`, returns the previous value instead (SET ... GET).
   */
  readonly set: {
    (key: Input, value: Input, options: SetOptions & { readonly get: true }): Effect.Effect<
      Option.Option<string>,
      SetError | WrongTypeError
    >
    (key: Input, value: Input, options?: SetOptions & { readonly get?: false }): Effect.Effect<boolean, SetError>
  }
  /** Removes the keys; returns how many existed. */
  readonly del: (...keys: ReadonlyArray<Input>) => Effect.Effect<number>
  /** How many of the keys exist (a key named twice counts twice). */
  readonly exists: (...keys: ReadonlyArray<Input>) => Effect.Effect<number>
  /**
   * Sets the key to expire after `duration` (PEXPIRE, whole milliseconds);
   * returns false when the key is missing or a condition refused. A duration
   * of zero deletes the key.
   */
  readonly expire: (
    key: Input,
    duration: Duration.DurationInput,
    options?: ExpireOptions
  ) => Effect.Effect<boolean, InvalidExpireTimeError | NotAnIntegerError | InvalidArgumentError>
  /** Seconds left (rounded), -1 for a key without expiry, -2 for a missing key (TTL). */
  readonly ttl: (key: Input) => Effect.Effect<number>
  /** Milliseconds left, -1 for a key without expiry, -2 for a missing key (PTTL). */
  readonly pttl: (key: Input) => Effect.Effect<number>
  /** Removes the key's expiry; returns whether it had one. */
  readonly persist: (key: Input) => Effect.Effect<boolean>
  /** INCR: adds one to the integer at `key` (0 when missing), keeping its expiry. */
  readonly incr: (key: Input) => Effect.Effect<bigint, CounterError>
  /** INCRBY: adds `amount`, an integer. */
  readonly incrBy: (key: Input, amount: number | bigint) => Effect.Effect<bigint, CounterError>
  /** The values of `keys` as UTF-8 text, none where missing. */
  readonly mget: (...keys: ReadonlyArray<Input>) => Effect.Effect<ReadonlyArray<Option.Option<string>>>
  /** The values of `keys` as bytes, none where missing. */
  readonly mgetBytes: (...keys: ReadonlyArray<Input>) => Effect.Effect<ReadonlyArray<Option.Option<Uint8Array>>>
  /** Sets every pair at once, with no expiry (MSET). */
  readonly mset: (entries: Iterable<readonly [Input, Input]> | Readonly<Record<string, Input>>) => Effect.Effect<void>
  /** Every key matching the glob (KEYS), as UTF-8 text. */
  readonly keys: (pattern?: Input) => Effect.Effect<ReadonlyArray<string>>
  /**
   * Every key (matching `match`), as UTF-8 text, by SCAN steps: a key present
   * throughout is emitted at least once; one added or removed meanwhile may or may not be.
   */
  readonly scan: (options?: ScanOptions) => Stream.Stream<string>
  /** How many keys the database holds (DBSIZE: expired keys not yet reclaimed included). */
  readonly dbSize: Effect.Effect<number>
  /** Removes every key of this database (FLUSHDB). */
  readonly flushDb: Effect.Effect<void>
}

/** One database's operations, and FLUSHALL. */
interface DatabaseWithFlushAll extends KvDatabase {
  readonly flushAll: Effect.Effect<void>
}

/** The API on database 0, plus the other databases and FLUSHALL. */
export interface KvService extends KvDatabase {
  /** Database `index` (0 to 15), as SELECT picks it. */
  readonly db: (index: number) => Effect.Effect<KvDatabase, InvalidArgumentError>
  /** Removes every key of every database (FLUSHALL). */
  readonly flushAll: Effect.Effect<void>
}

/**
 * The typed API service. Its layer needs the Store: `Kv.layer.pipe(Layer.provide(Store.layer))`.
 * Built beside a server (`Layer.provideMerge(serverLayer(config))`), its writes
 * are also appended to the server's AOF when `appendonly` is on.
 */
export class Kv extends Context.Tag("effect-kv/Kv")<Kv, KvService>() {
  static readonly layer: Layer.Layer<Kv, never, Store> = Layer.effect(
    this,
    Effect.all([Store, Effect.serviceOption(AppendOnly)]).pipe(Effect.map(([store, appendOnly]) => make(store, appendOnly)))
  )
}

/** The session a handler runs under: only `db` matters to the store's commands. */
const embeddedSession = (db: number): Session => internalSession(db, "")

const isIterable = (value: object): value is Iterable<readonly [Input, Input]> => Symbol.iterator in value

const pairsOf = (entries: Iterable<readonly [Input, Input]> | Readonly<Record<string, Input>>) =>
  isIterable(entries) ? Array.from(entries) : Object.entries(entries)

const setArguments = (options: SetOptions & { readonly get?: boolean }): ReadonlyArray<ByteString> => [
  ...(options.ex === undefined ? [] : ["EX", String(options.ex)]),
  ...(options.px === undefined ? [] : ["PX", String(options.px)]),
  ...(options.exat === undefined ? [] : ["EXAT", String(options.exat)]),
  ...(options.pxat === undefined ? [] : ["PXAT", String(options.pxat)]),
  ...(options.nx === true ? ["NX"] : []),
  ...(options.xx === true ? ["XX"] : []),
  ...(options.keepTtl === true ? ["KEEPTTL"] : []),
  ...(options.get === true ? ["GET"] : [])
]

/** A duration as PEXPIRE's argument; an infinite one is not an integer. */
const wholeMilliseconds = (duration: Duration.DurationInput): ByteString => String(Math.trunc(Duration.toMillis(duration)))

const expireArguments = (options: ExpireOptions): ReadonlyArray<ByteString> =>
  (["nx", "xx", "gt", "lt"] as const).filter((flag) => options[flag] === true).map((flag) => flag.toUpperCase())

const database = (store: StoreService, appendOnly: Option.Option<AppendOnlyService>, db: number): DatabaseWithFlushAll => {
  const session = embeddedSession(db)
  const run = (handler: Handler<Store>, name: string, ...args: ReadonlyArray<ByteString>): Effect.Effect<RespValue, KvError> =>
    handler([name, ...args], session).pipe(Effect.mapError(fromCommandError), Effect.provideService(Store, store))
  /** A write command: logged to the AOF, when there is one, as a client's would be. */
  const write = (handler: Handler<Store>, name: string, ...args: ReadonlyArray<ByteString>): Effect.Effect<RespValue, KvError> =>
    Option.match(appendOnly, {
      onNone: () => run(handler, name, ...args),
      onSome: (log) => log.logged(db, [name, ...args], run(handler, name, ...args)).pipe(Effect.zipLeft(log.flush))
    })
  const text = (value: Option.Option<ByteString>) => Option.map(value, toText)
  const bytes = (value: Option.Option<ByteString>) => Option.map(value, toBytes)
  const keyList = (keys: ReadonlyArray<Input>) => keys.map(toByteString)

  function set(
    key: Input,
    value: Input,
    options: SetOptions & { readonly get: true }
  ): Effect.Effect<Option.Option<string>, SetError | WrongTypeError>
  function set(key: Input, value: Input, options?: SetOptions & { readonly get?: false }): Effect.Effect<boolean, SetError>
  function set(key: Input, value: Input, options: SetOptions & { readonly get?: boolean } = {}) {
    const written = write(Strings.set, "SET", toByteString(key), toByteString(value), ...setArguments(options))
    return options.get === true
      ? written.pipe(
        Effect.flatMap(Replies.bulkOrNull),
        Effect.map(text),
        failsWith("InvalidExpireTimeError", "NotAnIntegerError", "InvalidArgumentError", "WrongTypeError")
      )
      : written.pipe(
        Effect.flatMap(Replies.okOrNull),
        failsWith("InvalidExpireTimeError", "NotAnIntegerError", "InvalidArgumentError")
      )
  }

  const getRaw = (key: Input) =>
    run(Strings.get, "GET", toByteString(key)).pipe(Effect.flatMap(Replies.bulkOrNull), failsWith("WrongTypeError"))
  const mgetRaw = (keys: ReadonlyArray<Input>) =>
    run(Strings.mget, "MGET", ...keyList(keys)).pipe(Effect.flatMap(Replies.bulkOrNullArray), Effect.orDie)
  const incrBy = (key: Input, amount: number | bigint) =>
    write(Strings.incrby, "INCRBY", toByteString(key), String(amount)).pipe(
      Effect.flatMap(Replies.bigInteger),
      failsWith("WrongTypeError", "NotAnIntegerError", "OverflowError")
    )
  const scanArguments = (options: ScanOptions): ReadonlyArray<ByteString> => [
    ...(options.match === undefined ? [] : ["MATCH", toByteString(options.match)]),
    ...(options.count === undefined ? [] : ["COUNT", String(options.count)])
  ]
  /** One SCAN step from `cursor`: its keys, and the next cursor unless the scan is over. */
  const scanStep = (options: ScanOptions) => (cursor: ByteString) =>
    run(Keys.scan, "SCAN", cursor, ...scanArguments(options)).pipe(
      Effect.flatMap(Replies.scanPage),
      Effect.map(([next, keys]) =>
        [Chunk.fromIterable(keys.map(toText)), next === "0" ? Option.none() : Option.some(next)] as const
      ),
      Effect.orDie
    )

  return {
    ...setOperations(run, write),
    get: (key) => Effect.map(getRaw(key), text),
    getBytes: (key) => Effect.map(getRaw(key), bytes),
    set,
    del: (...keys) => write(Keys.del, "DEL", ...keyList(keys)).pipe(Effect.flatMap(Replies.integer), Effect.orDie),
    exists: (...keys) => run(Keys.exists, "EXISTS", ...keyList(keys)).pipe(Effect.flatMap(Replies.integer), Effect.orDie),
    expire: (key, duration, options = {}) =>
      write(Keys.pexpire, "PEXPIRE", toByteString(key), wholeMilliseconds(duration), ...expireArguments(options)).pipe(
        Effect.flatMap(Replies.flag),
        failsWith("InvalidExpireTimeError", "NotAnIntegerError", "InvalidArgumentError")
      ),
    ttl: (key) => run(Keys.ttl, "TTL", toByteString(key)).pipe(Effect.flatMap(Replies.integer), Effect.orDie),
    pttl: (key) => run(Keys.pttl, "PTTL", toByteString(key)).pipe(Effect.flatMap(Replies.integer), Effect.orDie),
    persist: (key) => write(Keys.persist, "PERSIST", toByteString(key)).pipe(Effect.flatMap(Replies.flag), Effect.orDie),
    incr: (key) => incrBy(key, 1),
    incrBy,
    mget: (...keys) => Effect.map(mgetRaw(keys), (values) => values.map(text)),
    mgetBytes: (...keys) => Effect.map(mgetRaw(keys), (values) => values.map(bytes)),
    mset: (entries) =>
      write(Strings.mset, "MSET", ...pairsOf(entries).flatMap(([key, value]) => [toByteString(key), toByteString(value)])).pipe(
        Effect.flatMap(Replies.status),
        Effect.asVoid,
        Effect.orDie
      ),
    keys: (pattern = "*") =>
      run(Keys.keys, "KEYS", toByteString(pattern)).pipe(
        Effect.flatMap(Replies.bulkArray),
        Effect.map((keys) => keys.map(toText)),
        Effect.orDie
      ),
    scan: (options = {}) => Stream.paginateChunkEffect("0", scanStep(options)),
    dbSize: run(Keys.dbsize, "DBSIZE").pipe(Effect.flatMap(Replies.integer), Effect.orDie),
    flushDb: write(Keys.flushdb, "FLUSHDB").pipe(Effect.flatMap(Replies.status), Effect.asVoid, Effect.orDie),
    flushAll: write(Keys.flushall, "FLUSHALL").pipe(Effect.flatMap(Replies.status), Effect.asVoid, Effect.orDie),
    ...hashMethods(run, write),
    ...listMethods(run, write),
    ...sortedSetMethods(run, write)
  }
}

const make = (store: StoreService, appendOnly: Option.Option<AppendOnlyService>): KvService => {
  const databases = Array.from({ length: databaseCount }, (_, index) => database(store, appendOnly, index))
  return {
    ...databases[0],
    db: (index) =>
      Number.isInteger(index) && index >= 0 && index < databases.length
        ? Effect.succeed(databases[index])
        : Effect.fail(new InvalidArgumentError({ message: Errors.dbIndexOutOfRange })),
    flushAll: databases[0].flushAll
  }
}

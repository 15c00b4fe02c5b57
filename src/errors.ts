/**
 * Every Redis error string effect-kv sends, in one place. Clients and test
 * suites compare these byte for byte: copy them from Redis's source, never
 * paraphrase. Messages are without the leading `-` and trailing CRLF.
 */
import { Data, Either } from "effect"

// Protocol (networking.c)
export const protocolInvalidBulkLength = "ERR Protocol error: invalid bulk length"
export const protocolInvalidMultibulkLength = "ERR Protocol error: invalid multibulk length"
export const protocolUnbalancedQuotes = "ERR Protocol error: unbalanced quotes in request"
export const protocolTooBigInlineRequest = "ERR Protocol error: too big inline request"
export const protocolTooBigMultibulkCount = "ERR Protocol error: too big mbulk count string"
export const protocolTooBigBulkCount = "ERR Protocol error: too big bulk count string"
export const protocolUnauthenticatedMultibulkLength = "ERR Protocol error: unauthenticated multibulk length"
export const protocolUnauthenticatedBulkLength = "ERR Protocol error: unauthenticated bulk length"
export const protocolExpectedDollar = (got: string): string => `ERR Protocol error: expected '$', got '${got}'`

// Dispatch (server.c)
export const unknownCommand = (name: string, argsPreview: string): string =>
  `ERR unknown command '${name}', with args beginning with: ${argsPreview}`
export const wrongArity = (name: string): string => `ERR wrong number of arguments for '${name}' command`
export const unknownSubcommand = (subcommand: string, command: string): string =>
  `ERR unknown subcommand '${subcommand}'. Try ${command} HELP.`

// Generic (server.c shared objects)
export const syntaxError = "ERR syntax error"
export const wrongType = "WRONGTYPE Operation against a key holding the wrong kind of value"
export const notInteger = "ERR value is not an integer or out of range"
export const notFloat = "ERR value is not a valid float"
export const outOfRangeIndex = "ERR index out of range"
/** getRangeLongFromObjectOrReply's reply for an integer outside [min, max] (getIntFromObjectOrReply: C int bounds). */
export const valueOutOfRange = (min: bigint, max: bigint): string => `ERR value is out of range, value must between ${min} and ${max}`
export const noSuchKey = "ERR no such key"
export const dbIndexOutOfRange = "ERR DB index is out of range"
export const overflow = "ERR increment or decrement would overflow"
export const decrementOverflow = "ERR decrement would overflow"
export const incrementNanOrInfinity = "ERR increment would produce NaN or Infinity"
export const invalidExpireTime = (command: string): string => `ERR invalid expire time in '${command}' command`
export const stringTooLong = "ERR string exceeds maximum allowed size (proto-max-bulk-len)"
export const offsetOutOfRange = "ERR offset is out of range"
export const noAuth = "NOAUTH Authentication required."
export const wrongPass = "WRONGPASS invalid username-password pair or user is disabled."
export const authWithoutPassword =
  "ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?"
export const helloNoAuth =
  "NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time"

// Admission and limits (networking.c acceptCommonHandler and clientAcceptHandler, server.c processCommand)
export const maxClientsReached = "ERR max number of clients reached"
export const protectedModeDenied =
  "DENIED Redis is running in protected mode because protected mode is enabled and no password is set for the default user. In this mode connections are only accepted from the loopback interface. If you want to connect from external computers to Redis you may adopt one of the following solutions: 1) Just disable protected mode sending the command 'CONFIG SET protected-mode no' from the loopback interface by connecting to Redis from the same host the server is running, however MAKE SURE Redis is not publicly accessible from internet if you do so. Use CONFIG REWRITE to make this change permanent. 2) Alternatively you can just disable the protected mode by editing the Redis configuration file, and setting the protected mode option to 'no', and then restarting the server. 3) If you started the server manually just for testing, restart it with the '--protected-mode no' option. 4) Setup a an authentication password for the default user. NOTE: You only need to do one of the above things in order for the server to start accepting connections from the outside."
export const outOfMemory = "OOM command not allowed when used memory > 'maxmemory'."

/** A command failed with a Redis error reply; `message` is one of the strings above. */
/**
 * What a command's error means, beside Redis's string: the typed API
 * (api/errors.ts) switches on it. "Other" for every error it does not tell apart.
 */
export type CommandErrorReason = "WrongType" | "NotInteger" | "Overflow" | "InvalidExpireTime" | "Other"

export class CommandError extends Data.TaggedError("CommandError")<{
  readonly message: string
  readonly reason: CommandErrorReason
}> {}

/** A command's error: Redis's `message`, and its `reason` when the typed API tells it apart. */
export const commandError = (message: string, reason: CommandErrorReason = "Other"): CommandError =>
  new CommandError({ message, reason })

/**
 * The one `fail` of the commands: a failed command, as an Either, which is
 * both a handler's Effect and a keyspace step's Outcome.
 */
export const fail = (message: string, reason?: CommandErrorReason): Either.Either<never, CommandError> =>
  Either.left(commandError(message, reason))

/** The request stream broke the protocol; the connection answers `message` and closes. */
export class ProtocolError extends Data.TaggedError("ProtocolError")<{ readonly message: string }> {}

// Connection (networking.c, server.c)
export const noProto = "NOPROTO unsupported protocol version"
export const helloProtocolNotInteger = "ERR Protocol version is not an integer or out of range"
export const helloSyntax = (option: string): string => `ERR Syntax error in HELLO option '${cString(option)}'`
export const invalidClientName = "ERR Client names cannot contain spaces, newlines or special characters."
export const invalidClientAttribute = (attribute: string): string =>
  `ERR ${attribute} cannot contain spaces, newlines or special characters.`
export const unrecognizedOption = (option: string): string => `ERR Unrecognized option '${option}'`
export const invalidCommandSpecified = "ERR Invalid command specified"
export const invalidArgumentsForCommand = "ERR Invalid number of arguments specified for command"
export const commandHasNoKeyArguments = "ERR The command has no key arguments"

// Reply decoding (effect-kv's client-side RESP decoder; not sent by Redis)
export const malformedReply = (detail: string): string => `Protocol error: malformed reply: ${detail}`

// Persistence (server.c shared.bgsaveerr, rdb.c, aof.c, server.c shutdownCommand)
export const saveFailed = "ERR"
export const debugReloadOptions = "ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options."
export const backgroundSaveInProgress = "ERR Background save already in progress"
export const childProcessActive =
  "ERR Another child process is active (AOF?): can't BGSAVE right now. Use BGSAVE SCHEDULE in order to schedule a BGSAVE whenever possible."
export const rewriteInProgress = "ERR Background append only file rewriting already in progress"
export const bgsaveError =
  "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk. Commands that may modify the data set are disabled, because this instance is configured to report errors during writes if RDB snapshotting fails (stop-writes-on-bgsave-error option). Please check the Redis logs for details about the RDB error."
export const aofWriteError = (reason: string): string => `MISCONF Errors writing to the AOF file: ${reason}`
export const shutdownFailed = "ERR Errors trying to SHUTDOWN. Check logs."
export const noShutdownInProgress = "ERR No shutdown in progress."

// Keyspace (expire.c, db.c)
export const expireNxConflict = "ERR NX and XX, GT or LT options at the same time are not compatible"
export const expireGtLtConflict = "ERR GT and LT options at the same time are not compatible"
/** A byte string as C's `%s` prints it: up to its first NUL byte. */
export const cString = (text: string): string => {
  const nul = text.indexOf("\0")
  return nul === -1 ? text : text.slice(0, nul)
}
export const unsupportedOption = (option: string): string => `ERR Unsupported option ${cString(option)}`
export const invalidCursor = "ERR invalid cursor"

// Server introspection (config.c, object.c, debug.c, networking.c)
export const configSetFailed = (parameter: string, reason: string): string =>
  `ERR CONFIG SET failed (possibly related to argument '${parameter}') - ${reason}`
export const configSetUnknown = (parameter: string): string =>
  `ERR Unknown option or number of arguments for CONFIG SET - '${parameter}'`
export const cantSetProtectedConfig = "can't set protected config"
export const cantSetImmutableConfig = "can't set immutable config"
export const duplicateParameter = "duplicate parameter"
export const noConfigFile = "ERR The server is running without a config file"
export const lfuNotSelected =
  "ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust."
export const lfuSelected =
  "ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust."
export const noSuchClient = "ERR No such client"
export const timeoutNotInteger = "ERR timeout is not an integer or out of range"
export const timeoutNegative = "ERR timeout is negative"
export const timeoutOutOfRange = "ERR timeout is out of range"
export const clientPauseMode = "ERR CLIENT PAUSE mode must be WRITE or ALL"
/** addReplySubcommandSyntaxError: a known subcommand given arguments it does not take. */
export const subcommandSyntax = (subcommand: string, command: string): string =>
  `ERR unknown subcommand or wrong number of arguments for '${subcommand}'. Try ${command} HELP.`
export const slowlogCountRange = "ERR count should be greater than or equal to -1"
export const clientIdOutOfRange = "ERR client-id should be greater than 0"

// Sets (t_set.c)
export const numkeysNotPositive = "ERR numkeys should be greater than 0"
export const numkeysTooMany = "ERR Number of keys can't be greater than number of args"
export const limitNegative = "ERR LIMIT can't be negative"
/** getPositiveLongFromObjectOrReply's reply without a message of the caller's (SPOP's count). */
export const valueMustBePositive = "ERR value is out of range, must be positive"

// Pub/sub (pubsub.c, server.c processCommand)
/** A RESP2 client in subscribed mode ran another command (server.c processCommand). */
export const onlyPubSubAllowed = (fullName: string): string =>
  `ERR Can't execute '${fullName}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context`

// Bitmaps and BITFIELD (bitops.c)
export const bitOffsetNotInteger = "ERR bit offset is not an integer or out of range"
export const bitValueNotInteger = "ERR bit is not an integer or out of range"
export const bitArgumentNotBinary = "ERR The bit argument must be 1 or 0."
export const bitopNotSingleSource = "ERR BITOP NOT must be called with a single source key."
export const invalidBitfieldType =
  "ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is."
export const invalidOverflowType = "ERR Invalid OVERFLOW type specified"
export const bitfieldReadOnlyGetOnly = "ERR BITFIELD_RO only supports the GET subcommand"

// LCS (t_string.c lcsCommand)
export const lcsKeysNotStrings = "ERR The specified keys must contain string values"
export const lcsLenWithIdx = "ERR If you want both the length and indexes, please just use IDX."
export const lcsTableTooLarge = "ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len"

// Keys across databases, DUMP / RESTORE (db.c copyCommand, moveCommand, swapdbCommand; cluster.c restoreCommand)
export const sameObject = "ERR source and destination objects are the same"
export const invalidFirstDbIndex = "ERR invalid first DB index"
export const invalidSecondDbIndex = "ERR invalid second DB index"
export const busyKey = "BUSYKEY Target key name already exists."
export const invalidTtl = "ERR Invalid TTL value, must be >= 0"
export const invalidIdletime = "ERR Invalid IDLETIME value, must be >= 0"
export const invalidFreq = "ERR Invalid FREQ value, must be >= 0 and <= 255"
export const dumpPayloadWrong = "ERR DUMP payload version or checksum are wrong"
export const badDataFormat = "ERR Bad data format"

// Hashes (t_hash.c)
export const hashNotInteger = "ERR hash value is not an integer"
export const hashNotFloat = "ERR hash value is not a float"
export const valueNanOrInfinity = "ERR value is NaN or Infinity"
/** hrandfieldCommand: a WITHVALUES count outside [-LONG_MAX/2, LONG_MAX/2]. */
export const countOutOfRange = "ERR value is out of range"

// MIGRATE (cluster.c migrateCommand, migrateGetSocket)
export const migrateKeysNeedEmptyKey =
  "ERR When using MIGRATE KEYS option, the key argument must be set to the empty string"
export const migrateConnectFailed = "IOERR error or timeout connecting to the client"
export const migrateIoFailed = (writing: boolean): string =>
  `IOERR error or timeout ${writing ? "writing" : "reading"} to target instance`
/** The target's error line, without its "-". */
export const migrateTargetError = (targetError: string): string => `ERR Target instance replied with error: ${targetError}`

// Transactions (multi.c) and CLIENT REPLY / RESET (networking.c).
export const multiNested = "ERR MULTI calls can not be nested"
export const execWithoutMulti = "ERR EXEC without MULTI"
export const discardWithoutMulti = "ERR DISCARD without MULTI"
export const watchInsideMulti = "ERR WATCH inside MULTI is not allowed"
export const notAllowedInMulti = "ERR Command not allowed inside a transaction"
export const execAbort = "EXECABORT Transaction discarded because of previous errors."
export const monitorDenyBlocking = "ERR MONITOR isn't allowed for DENY BLOCKING client"
/** execCommandAbort: EXEC itself refused (its arity, OOM, MISCONF); an `ERR` code is dropped as Redis's reason has none. */
export const execAbortBecause = (reason: string): string =>
  `EXECABORT Transaction discarded because of: ${reason.startsWith("ERR ") ? reason.slice(4) : reason}`

// Lists and blocking (t_list.c, timeout.c, blocked.c)
export const countNotPositive = "ERR count should be greater than 0"
export const lposRankZero =
  "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list"
export const lposCountNegative = "ERR COUNT can't be negative"
export const lposMaxlenNegative = "ERR MAXLEN can't be negative"
export const timeoutNotFloat = "ERR timeout is not a float or out of range"
/** CLIENT UNBLOCK ... ERROR: the blocked client's reply (blocked.c unblockClientOnError). */
export const unblockedByClientUnblock = "UNBLOCKED client unblocked via CLIENT UNBLOCK"
export const clientUnblockReason = "ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR"

// Sorted sets (t_zset.c)
export const zsetNanResult = "ERR resulting score is not a number (NaN)"
export const zsetNxXxIncompatible = "ERR XX and NX options at the same time are not compatible"
export const zsetGtLtNxIncompatible = "ERR GT, LT, and/or NX options at the same time are not compatible"
export const zsetIncrSinglePair = "ERR INCR option supports a single increment-element pair"
export const zsetMinMaxNotFloat = "ERR min or max is not a float"
export const zsetMinMaxNotStringRange = "ERR min or max not valid string range item"
export const zsetLimitNeedsByScoreOrLex = "ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX"
export const zsetWithScoresWithByLex = "ERR syntax error, WITHSCORES not supported in combination with BYLEX"
export const zsetWeightNotFloat = "ERR weight value is not a float"
export const zsetCountNotPositive = "ERR count should be greater than 0"
/** zunionInterDiffGenericCommand: numkeys below 1, for the command `name`. */
export const zsetNoInputKeys = (name: string): string => `ERR at least 1 input key is needed for '${name}' command`
/** getTimeoutFromObjectOrReply (timeout.c) for the blocking pops: not a long double. */
export const zsetTimeoutNotFloat = "ERR timeout is not a float or out of range"

// Scripting (eval.c, script.c, script_lua.c, functions.c, function_lua.c)
export const scriptUnknownCommand = "Unknown Redis command called from script"
export const scriptWrongArity = "Wrong number of args calling Redis command from script"
export const scriptCommandNotAllowed = "This Redis command is not allowed from script"
export const scriptWriteInReadOnly = "Write commands are not allowed from read-only scripts."
export const scriptOutOfMemory = "-OOM command not allowed when used memory > 'maxmemory'."
export const noScript = "NOSCRIPT No matching script. Please use EVAL."
export const negativeNumkeys = "ERR Number of keys can't be negative"
export const tooManyNumkeys = "ERR Number of keys can't be greater than number of args"
export const compileError = (message: string): string => `ERR Error compiling script (new function): ${message}`
export const busyEval = "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE."
export const busyFunction = "BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE."
export const notBusy = "NOTBUSY No scripts in execution right now."
export const unkillable =
  "UNKILLABLE Sorry the script already executed write commands against the dataset. You can either wait the script termination or kill the server in a hard way using the SHUTDOWN NOSAVE command."
export const scriptFlushOption = "ERR SCRIPT FLUSH only support SYNC|ASYNC option"
export const functionFlushOption = "ERR FUNCTION FLUSH only supports SYNC|ASYNC option"
export const functionNotFound = "ERR Function not found"
export const libraryNotFound = "ERR Library not found"
export const libraryExists = (name: string): string => `ERR Library '${name}' already exists`
export const engineNotFound = (engine: string): string => `ERR Engine '${engine}' not found`
export const noFunctionsRegistered = "ERR No functions registered"
export const writeFunctionInReadOnlyCall = "ERR Can not execute a script with write flag using *_ro command."
export const functionRestorePolicy = "ERR Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE."
export const functionNameInvalid =
  "ERR Function names can only contain letters, numbers, or underscores(_) and must be at least one character long"
export const libraryNameInvalid =
  "ERR Library names can only contain letters, numbers, or underscores(_) and must be at least one character long"

// ---------------------------------------------------------------- client tracking (networking.c clientCommand)
export const trackingSingleRedirect = "ERR A client can only redirect to a single other client"
export const trackingRedirectMissing = "ERR The client ID you want redirect to does not exist"
export const trackingPrefixNeedsBcast = "ERR PREFIX option requires BCAST mode to be enabled"
export const trackingBcastSwitch =
  "ERR You can't switch BCAST mode on/off before disabling tracking for this client, and then re-enabling it with a different mode."
export const trackingOptBcast = "ERR OPTIN and OPTOUT are not compatible with BCAST"
export const trackingOptinOptout = "ERR You can't specify both OPTIN mode and OPTOUT mode"
export const trackingOptSwitch =
  "ERR You can't switch OPTIN/OPTOUT mode before disabling tracking for this client, and then re-enabling it with a different mode."
export const trackingPrefixOverlapsExisting = (prefix: string, existing: string): string =>
  `ERR Prefix '${prefix}' overlaps with an existing prefix '${existing}'. Prefixes for a single client must not overlap.`
export const trackingPrefixOverlapsProvided = (prefix: string, other: string): string =>
  `ERR Prefix '${prefix}' overlaps with another provided prefix '${other}'. Prefixes for a single client must not overlap.`
export const trackingCachingNotTracking =
  "ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or OPTOUT mode enabled"
export const trackingCachingYes = "ERR CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode."
export const trackingCachingNo = "ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode."

// SORT and SORT_RO (sort.c)
export const sortScoreNotDouble = "ERR One or more scores can't be converted into double"

// Script shebangs (eval.c evalExtractShebangFlags)
export const shebangInvalid = "ERR Invalid script shebang"
export const shebangInvalidEngine = "ERR Invalid engine in script shebang"
export const shebangUnexpectedEngine = (engine: string): string => `ERR Unexpected engine in script shebang: ${engine}`
export const shebangUnexpectedFlag = (flag: string): string => `ERR Unexpected flag in script shebang: ${flag}`
export const shebangUnknownOption = (option: string): string => `ERR Unknown lua shebang option: ${option}`

// Streams (t_stream.c, without consumer groups)
export const streamInvalidId = "ERR Invalid stream ID specified as stream command argument"
export const streamXaddIdZero = "ERR The ID specified in XADD must be greater than 0-0"
export const streamExhausted = "ERR The stream has exhausted the last possible ID, unable to add more items"
export const streamXaddIdTooSmall = "ERR The ID specified in XADD is equal or smaller than the target stream top item"
export const streamElementsTooLarge = "ERR Elements are too large to be stored"
export const streamMaxlenAndMinid = "ERR syntax error, MAXLEN and MINID options at the same time are not compatible"
export const streamMaxlenNegative = "ERR The MAXLEN argument must be >= 0."
export const streamLimitNegative = "ERR The LIMIT argument must be >= 0."
export const streamLimitWithoutStrategy = "ERR syntax error, LIMIT cannot be used without specifying a trimming strategy"
export const streamXtrimWithoutStrategy = "ERR syntax error, XTRIM must be called with a trimming strategy"
export const streamLimitWithoutApprox = "ERR syntax error, LIMIT cannot be used without the special ~ option"
export const streamInvalidStart = "ERR invalid start ID for the interval"
export const streamInvalidEnd = "ERR invalid end ID for the interval"
export const streamXreadUnbalanced =
  "ERR Unbalanced XREAD list of streams: for each stream key an ID or '$' must be specified."
export const streamXreadGroupOption = "ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead."
export const streamXreadNoackOption = "ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead."
export const streamXreadGreaterId =
  "ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> <consumer> option."
export const streamXsetidEntriesAddedNegative = "ERR entries_added must be positive"
export const streamXsetidBelowMaxDeleted = "ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id"
export const streamXsetidBelowTop = "ERR The ID specified in XSETID is smaller than the target stream top item"
export const streamXsetidBelowLength = "ERR The entries_added specified in XSETID is smaller than the target stream length"

/**
 * `effect-kv/testing`: fast-check arbitraries for RESP values, frames and
 * command vectors, for property-based tests of RESP clients and servers.
 */
export * from "./arbitraries.js"
export * from "./commands.js"
export * from "./set-commands.js"
export * from "./pubsub-commands.js"
export * from "./key-commands.js"
export * from "./hash-commands.js"
export * from "./transaction-commands.js"
export * from "./notification-commands.js"
export * from "./list-commands.js"
export * from "./zset-commands.js"
export * from "./script-commands.js"
export * from "./sort-commands.js"
export * from "./stream-commands.js"

/** effect-kv's own version (package.json). */
export const effectKvVersion = "0.1.0"

/** The Redis version whose behaviour effect-kv follows; HELLO and INFO report it. */
export const redisCompatibleVersion = "7.0.15"

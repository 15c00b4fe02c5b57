/**
 * The settings that decide when a small collection's compact encoding
 * converts (for good) to the large one: Redis's `hash-max-listpack-entries`,
 * `hash-max-listpack-value` (aliases `hash-max-ziplist-*`) and
 * `set-max-intset-entries`, read live from server.* at every write
 * (t_hash.c hashTypeTryConversion, t_set.c setTypeAdd). The store hands the
 * current ones to every transition; CONFIG SET changes them.
 */
import type { ServerConfig } from "../config/config.js"

export interface EncodingLimits {
  readonly hashMaxListpackEntries: number
  readonly hashMaxListpackValue: number
  readonly setMaxIntsetEntries: number
}

/** Redis 7.0's compiled-in defaults (config.c), what redis-server 7.0.15 reports without a config file. */
export const defaultEncodingLimits: EncodingLimits = {
  hashMaxListpackEntries: 512,
  hashMaxListpackValue: 64,
  setMaxIntsetEntries: 512
}

/** The limits a server's settings give. */
export const encodingLimitsOf = (config: ServerConfig): EncodingLimits => ({
  hashMaxListpackEntries: config.hashMaxListpackEntries,
  hashMaxListpackValue: config.hashMaxListpackValue,
  setMaxIntsetEntries: config.setMaxIntsetEntries
})

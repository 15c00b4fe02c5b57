/**
 * The byte-string convention at the API's edge. Inside the store every key and
 * value is a "byte string": a JS string with one char per byte (latin1), see
 * resp/values.ts. The API takes `string` (encoded as UTF-8) or `Uint8Array`
 * (taken byte for byte), and gives values back as UTF-8 text or as bytes.
 */
import type { ByteString } from "../resp/values.js"

/** A key or value as the API accepts it: text (stored as its UTF-8 bytes) or raw bytes. */
export type Input = string | Uint8Array

/** The stored bytes of `input`: a string's UTF-8 encoding, or a Uint8Array's bytes. */
export const toByteString = (input: Input): ByteString =>
  typeof input === "string"
    ? Buffer.from(input, "utf8").toString("latin1")
    : Buffer.from(input.buffer, input.byteOffset, input.byteLength).toString("latin1")

/** Stored bytes read as UTF-8 text (invalid sequences become U+FFFD). */
export const toText = (bytes: ByteString): string => Buffer.from(bytes, "latin1").toString("utf8")

/** Stored bytes as a fresh Uint8Array. */
export const toBytes = (bytes: ByteString): Uint8Array => new Uint8Array(Buffer.from(bytes, "latin1"))

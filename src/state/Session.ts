/**
 * A connection's state, as Redis's `client` struct holds it (server.h): the
 * selected database, the protocol, the name, and what CLIENT LIST reports.
 */
import type { ByteString, ProtocolVersion } from "../resp/values.js"
import { type ClientTransaction, makeClientTransaction } from "./Transaction.js"

/**
 * The per-connection state a handler may read and change (SELECT, HELLO,
 * CLIENT SETNAME). Owned by one connection's fiber, so plain fields suffice.
 */
export interface Session {
  readonly id: number
  db: number
  protocol: ProtocolVersion
  name: ByteString | undefined
  libName: string | undefined
  libVersion: string | undefined
  authenticated: boolean
  /** Set by QUIT: the connection closes after this reply is written. */
  closeAfterReply: boolean
  readonly createdAt: number
  /** When the last command started (unix ms) and its full name, for CLIENT LIST. */
  lastCommandAt: number
  lastCommand: string
  readonly remoteAddress: string
  readonly localAddress: string
  /** MULTI's queue, the watched keys and CLIENT REPLY (state/Transaction.ts). */
  readonly transaction: ClientTransaction
}

/** What differs between sessions when one is made; every other field starts as Redis's createClient sets it. */
export interface SessionStart {
  readonly id: number
  readonly db: number
  readonly authenticated: boolean
  readonly createdAt: number
  readonly lastCommand: string
  readonly remoteAddress: string
  readonly localAddress: string
}

/** The one Session constructor: a client connection's and an internal one alike. */
export const makeSession = (start: SessionStart): Session => ({
  id: start.id,
  db: start.db,
  protocol: 2,
  name: undefined,
  libName: undefined,
  libVersion: undefined,
  authenticated: start.authenticated,
  closeAfterReply: false,
  createdAt: start.createdAt,
  lastCommandAt: start.createdAt,
  lastCommand: start.lastCommand,
  remoteAddress: start.remoteAddress,
  localAddress: start.localAddress,
  transaction: makeClientTransaction()
})

/**
 * A session with no client behind it: the AOF replay, the in-process API and
 * tests run commands under one. Only `db` matters to the data commands.
 */
export const internalSession = (db: number, lastCommand = "NULL"): Session =>
  makeSession({ id: 0, db, authenticated: true, createdAt: 0, lastCommand, remoteAddress: "", localAddress: "" })

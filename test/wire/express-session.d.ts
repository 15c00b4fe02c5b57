/**
 * express-session 1.19.0 ships no types (and @types/express-session is not a
 * dependency): the part of its API the connect-redis test and connect-redis's
 * own declarations use.
 */
declare module "express-session" {
  import type { IncomingMessage, ServerResponse } from "node:http"
  export interface SessionData {
    readonly cookie: { readonly maxAge?: number | null }
    views?: number
  }
  export interface Session extends SessionData {
    readonly id: string
    destroy(callback: (error?: unknown) => void): this
  }
  export class Store {}
  /** A request once the middleware has run: `session` is set. */
  export type SessionRequest = IncomingMessage & { session?: Session }
  export interface SessionOptions {
    readonly store: Store
    readonly secret: string
    readonly resave: boolean
    readonly saveUninitialized: boolean
    readonly cookie?: { readonly maxAge?: number }
  }
  export default function session(
    options: SessionOptions
  ): (request: SessionRequest, response: ServerResponse, next: (error?: unknown) => void) => void
}

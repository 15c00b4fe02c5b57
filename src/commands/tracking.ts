/**
 * CLIENT TRACKING, CACHING, GETREDIR and TRACKINGINFO (networking.c
 * clientCommand, tracking.c); the tracking itself is state/Tracking.ts.
 */
import { Effect, Either, Option } from "effect"
import * as Errors from "../errors.js"
import { fail } from "../errors.js"
import { parseInt64 } from "../int64.js"
import * as Resp from "../resp/values.js"
import type { ByteString } from "../resp/values.js"
import { Clients } from "../state/Clients.js"
import { type ClientTracking, prefixesOverlap, Tracking, type TrackingOptions } from "../state/Tracking.js"
import { command, noKeys } from "./row.js"
import type { Handler } from "./types.js"

interface Parsed {
  readonly on: boolean
  readonly options: TrackingOptions
}

/** clientCommand's TRACKING parsing, in its order: the options, then ON or OFF. */
const parseTracking = (args: ReadonlyArray<string>, exists: (id: number) => boolean): Either.Either<Parsed, string> => {
  let redirect = 0
  let bcast = false
  let optin = false
  let optout = false
  let noloop = false
  const prefixes: Array<ByteString> = []
  for (let j = 3; j < args.length; j++) {
    const option = args[j].toLowerCase()
    const more = j + 1 < args.length
    if (option === "redirect" && more) {
      j++
      if (redirect !== 0) return Either.left(Errors.trackingSingleRedirect)
      const id = parseInt64(args[j])
      if (id === undefined) return Either.left(Errors.notInteger)
      if (id <= 0n || id > BigInt(Number.MAX_SAFE_INTEGER) || !exists(Number(id))) {
        return Either.left(Errors.trackingRedirectMissing)
      }
      redirect = Number(id)
    } else if (option === "bcast") bcast = true
    else if (option === "optin") optin = true
    else if (option === "optout") optout = true
    else if (option === "noloop") noloop = true
    else if (option === "prefix" && more) {
      j++
      prefixes.push(args[j])
    } else return Either.left(Errors.syntaxError)
  }
  const mode = args[2].toLowerCase()
  if (mode !== "on" && mode !== "off") return Either.left(Errors.syntaxError)
  return Either.right({ on: mode === "on", options: { redirect, bcast, optin, optout, noloop, prefixes } })
}

/** The ON checks (clientCommand, checkPrefixCollisionsOrReply): an error string, or none. */
const refusal = (options: TrackingOptions, current: ClientTracking | undefined): string | undefined => {
  if (!options.bcast && options.prefixes.length > 0) return Errors.trackingPrefixNeedsBcast
  if (current !== undefined && current.options.bcast !== options.bcast) return Errors.trackingBcastSwitch
  if (options.bcast && (options.optin || options.optout)) return Errors.trackingOptBcast
  if (options.optin && options.optout) return Errors.trackingOptinOptout
  if (current !== undefined && ((options.optin && current.options.optout) || (options.optout && current.options.optin))) {
    return Errors.trackingOptSwitch
  }
  if (!options.bcast) return undefined
  for (const [i, prefix] of options.prefixes.entries()) {
    for (const existing of current?.prefixes ?? []) {
      if (prefixesOverlap(prefix, existing)) return Errors.trackingPrefixOverlapsExisting(prefix, existing)
    }
    for (const other of options.prefixes.slice(i + 1)) {
      if (prefixesOverlap(prefix, other)) return Errors.trackingPrefixOverlapsProvided(prefix, other)
    }
  }
  return undefined
}

/**
 * The Tracking service, when the server runs one (the TCP server does; the
 * embedded API has no connections to invalidate, so none).
 */
const trackingService = Effect.map(Effect.serviceOption(Tracking), Option.getOrUndefined)

/** CLIENT TRACKING ON|OFF [REDIRECT id] [PREFIX p ...] [BCAST] [OPTIN] [OPTOUT] [NOLOOP]. */
export const clientTracking: Handler<Clients> = (args, session) =>
  Effect.gen(function*() {
    const tracking = yield* trackingService
    const sessions = yield* (yield* Clients).all
    const parsed = parseTracking(args, (id) => sessions.some((other) => other.id === id))
    if (Either.isLeft(parsed)) return yield* fail(parsed.left)
    if (!parsed.right.on) {
      tracking?.disable(session.id)
      return Resp.ok
    }
    const refused = refusal(parsed.right.options, tracking?.of(session.id))
    if (refused !== undefined) return yield* fail(refused)
    tracking?.enable(session.id, parsed.right.options)
    return Resp.ok
  })

/** CLIENT CACHING YES|NO: whether the next command's keys are remembered (OPTIN / OPTOUT). */
export const clientCaching: Handler<never> = (args, session) =>
  Effect.gen(function*() {
    const state = (yield* trackingService)?.of(session.id)
    if (state === undefined) return yield* fail(Errors.trackingCachingNotTracking)
    const answer = args[2].toLowerCase()
    if (answer === "yes") {
      if (!state.options.optin) return yield* fail(Errors.trackingCachingYes)
    } else if (answer === "no") {
      if (!state.options.optout) return yield* fail(Errors.trackingCachingNo)
    } else return yield* fail(Errors.syntaxError)
    state.caching = true
    return Resp.ok
  })

/** CLIENT GETREDIR: the redirect id, 0 when tracking without one, -1 when not tracking. */
export const clientGetRedir: Handler<never> = (_args, session) =>
  Effect.map(trackingService, (tracking) => Resp.integer(tracking?.of(session.id)?.options.redirect ?? -1))

/** CLIENT TRACKINGINFO's flags, in clientCommand's order. */
export const trackingFlags = (state: ClientTracking | undefined): ReadonlyArray<string> => {
  if (state === undefined) return ["off"]
  const { bcast, optin, optout, noloop } = state.options
  return [
    "on",
    ...(bcast ? ["bcast"] : []),
    ...(optin ? ["optin", ...(state.caching ? ["caching-yes"] : [])] : []),
    ...(optout ? ["optout", ...(state.caching ? ["caching-no"] : [])] : []),
    ...(noloop ? ["noloop"] : []),
    ...(state.brokenRedirect ? ["broken_redirect"] : [])
  ]
}

/** CLIENT TRACKINGINFO: flags (a set), redirect and prefixes (in the prefix table's sorted order), as a map. */
export const clientTrackingInfo: Handler<never> = (_args, session) =>
  Effect.map(trackingService, (tracking) => {
    const state = tracking?.of(session.id)
    return Resp.map([
      [Resp.bulk("flags"), Resp.set(trackingFlags(state).map(Resp.bulk))],
      [Resp.bulk("redirect"), Resp.integer(state?.options.redirect ?? -1)],
      [Resp.bulk("prefixes"), Resp.array(Array.from(state?.prefixes ?? []).sort().map(Resp.bulk))]
    ])
  })

/** The rows added to CLIENT's subcommands (Redis 7.0's COMMAND INFO and COMMAND DOCS facts). */
export const trackingSubcommands = [
  command({ name: "tracking", arity: -3, flags: ["noscript", "loading", "stale"], keys: noKeys,
    summary: "Enable or disable server assisted client side caching support", since: "6.0.0", group: "connection",
    handler: clientTracking }),
  command({ name: "caching", arity: 3, flags: ["noscript", "loading", "stale"], keys: noKeys,
    summary: "Instruct the server about tracking or not keys in the next request", since: "6.0.0",
    group: "connection", handler: clientCaching }),
  command({ name: "getredir", arity: 2, flags: ["noscript", "loading", "stale"], keys: noKeys,
    summary: "Get tracking notifications redirection client ID if any", since: "6.0.0", group: "connection",
    handler: clientGetRedir }),
  command({ name: "trackinginfo", arity: 2, flags: ["noscript", "loading", "stale"], keys: noKeys,
    summary: "Return information about server assisted client side caching for the current connection",
    since: "6.2.0", group: "connection", handler: clientTrackingInfo })
]

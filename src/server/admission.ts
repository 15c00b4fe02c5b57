/**
 * Whether a new connection may stay (networking.c acceptCommonHandler and
 * clientAcceptHandler): past `maxclients` it gets Redis's error and is closed;
 * in protected mode without a password, a client from anywhere but the
 * loopback address gets the DENIED explanation and is closed.
 */
import { Effect } from "effect"
import type { Session } from "../state/Session.js"
import * as Errors from "../errors.js"
import { Clients } from "../state/Clients.js"
import type { ServerConfig } from "../config/config.js"
import { LiveConfig } from "../config/LiveConfig.js"

/**
 * Redis 7.0's test for a local peer compares the address text with
 * "127.0.0.1" and "::1" exactly (other 127.x addresses are refused, as
 * redis-server 7.0.15 does). IPv4 peers on a dual-stack socket show as
 * "::ffff:127.0.0.1" in Node.
 */
export const isLoopbackPeer = (address: string | undefined): boolean =>
  address === undefined || address === "127.0.0.1" || address === "::1" || address === "::ffff:127.0.0.1"

/**
 * The error a new connection is refused with, if any. `connectedClients`
 * counts the clients already connected, this one excluded.
 */
export const admissionRefusal = (
  config: ServerConfig,
  connectedClients: number,
  peerAddress: string | undefined
): string | undefined => {
  if (connectedClients >= config.maxclients) return Errors.maxClientsReached
  if (config.protectedMode && config.requirepass === undefined && !isLoopbackPeer(peerAddress)) {
    return Errors.protectedModeDenied
  }
  return undefined
}

/** The refusal for a connection just registered as `session`, if any (the others are counted). */
export const admissionCheck = (session: Session, peerAddress: string | undefined) =>
  Effect.gen(function*() {
    const config = yield* Effect.flatMap(LiveConfig, (live) => live.get)
    const connected = yield* Effect.flatMap(Clients, (clients) => clients.all)
    const others = connected.filter((other) => other.id !== session.id).length
    return admissionRefusal(config, others, peerAddress)
  })

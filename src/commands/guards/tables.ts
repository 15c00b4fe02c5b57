/**
 * The guards: wrappers around the command table that apply Redis's
 * processCommand checks (server.c) before a handler runs: authentication,
 * maxmemory, MISCONF and the AOF, client pause.
 *
 * THE GUARD RULE: a guard with nothing to do (idle) must return the
 * handler's effect itself, not an effect wrapped around it. A connection
 * recognises a `KeyspaceStep` by its class to run a batch of them under one
 * Store update, and while the guards are idle it runs the `direct` table (the
 * guards that can be idle left out): both only hold if an idle guard passes
 * the handler's effect through untouched, so the direct table answers exactly
 * as the guarded one. test/commands/guards.test.ts checks the two alike.
 */
import type { ClientPauseService } from "../../state/ClientPause.js"
import type { CommandTable } from "../dispatch.js"
import { withAuthentication } from "./auth.js"
import { withMemoryLimit } from "./memory.js"
import { withClientPause } from "./pause.js"
import { withPersistence } from "./persistence.js"
import { withSubscribedMode } from "./subscribed.js"
import type { PubSubService } from "../../state/PubSub.js"
import { withRefusalsFlagged, withTransactions } from "./multi.js"
import type { WatchRegistry } from "../../state/Transaction.js"

/**
 * Every guard, in processCommand's order: authentication, then OOM and
 * MISCONF, subscribed mode, the pause, then MULTI's queueing innermost
 * (processCommand queues last); refusals while MULTI is open flag the
 * transaction (outermost).
 */
export const guardedTable = (pause: ClientPauseService, pubsub: PubSubService, watches: WatchRegistry) =>
<R>(table: CommandTable<R>) =>
  withRefusalsFlagged(withAuthentication(withMemoryLimit(withPersistence(
    withSubscribedMode(pubsub)(withClientPause(pause)(withTransactions(watches)(table)))
  ))))

/** The guards that are cheap when idle (authentication once given, not subscribed, a pause not in force) only. */
export const directTable = (pause: ClientPauseService, pubsub: PubSubService, watches: WatchRegistry) =>
<R>(table: CommandTable<R>) =>
  withRefusalsFlagged(withAuthentication(withSubscribedMode(pubsub)(withClientPause(pause)(withTransactions(watches)(table)))))

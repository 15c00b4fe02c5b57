/**
 * The whole server as one Layer: store, command services and the TCP
 * listener, from a ServerConfig.
 */
import { Layer } from "effect"
import { Store } from "../store/Store.js"
import type { ServerConfig } from "./config.js"
import { loggerLayer } from "./logger.js"
import * as Server from "./Server.js"

/** Everything a running server needs, built from its settings. Gives the listening address. */
export const serverLayer = (config: ServerConfig) =>
  Server.layer({ host: config.bind, port: config.port }).pipe(
    Layer.provide(Store.layer),
    Layer.provide(loggerLayer(config.loglevel))
  )

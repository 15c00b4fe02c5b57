#!/usr/bin/env node
/**
 * `effect-kv [--port N] [--bind ADDR] [--dir DIR] [--dbfilename FILE] [--loglevel LEVEL]`:
 * starts the server. Flags are named as redis-server's.
 */
import { Command, Options } from "@effect/cli"
import { NodeContext, NodeRuntime } from "@effect/platform-node"
import { Effect, Layer } from "effect"
import { defaultServerConfig } from "../server/config.js"
import { serverLayer } from "../server/program.js"
import { effectKvVersion } from "../version.js"

const port = Options.integer("port").pipe(
  Options.withDefault(defaultServerConfig.port),
  Options.withDescription("TCP port to listen on (0 picks a free port)")
)
const bind = Options.text("bind").pipe(
  Options.withDefault(defaultServerConfig.bind),
  Options.withDescription("Address to listen on")
)
const dir = Options.text("dir").pipe(
  Options.withDefault(defaultServerConfig.dir),
  Options.withDescription("Directory for the dump file and the append-only log")
)
const dbfilename = Options.text("dbfilename").pipe(
  Options.withDefault(defaultServerConfig.dbfilename),
  Options.withDescription("Name of the RDB dump file in --dir")
)
const loglevel = Options.choice("loglevel", ["debug", "verbose", "notice", "warning"]).pipe(
  Options.withDefault(defaultServerConfig.loglevel),
  Options.withDescription("Log verbosity")
)

const effectKv = Command.make("effect-kv", { port, bind, dir, dbfilename, loglevel }, (config) =>
  Layer.launch(serverLayer({ ...defaultServerConfig, ...config })))

const cli = Command.run(effectKv, { name: "effect-kv", version: effectKvVersion })

cli(process.argv).pipe(Effect.provide(NodeContext.layer), NodeRuntime.runMain({ disablePrettyLogger: true }))

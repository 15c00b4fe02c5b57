/**
 * The data directory (`dir`). redis-server chdir()s into an existing one and
 * stops if it is missing (server.c, main: "Can't chdir to ..."); effect-kv
 * creates it, with its parents, so that a first start can save.
 */
import * as FileSystem from "@effect/platform/FileSystem"
import type { PlatformError } from "@effect/platform/Error"
import { Effect } from "effect"

/** Creates `dir` and its parents when missing; an existing directory is left as it is. */
export const makeDataDirectory = (dir: string): Effect.Effect<void, PlatformError, FileSystem.FileSystem> =>
  Effect.flatMap(FileSystem.FileSystem, (fs) => fs.makeDirectory(dir, { recursive: true }))

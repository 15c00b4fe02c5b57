#!/usr/bin/env node
/**
 * `npm run fuzz:diff -- [--runs N] [--seed S]`: the differential tests with N
 * sequences per property (FUZZ_RUNS) and, to replay a failure, seed S (FUZZ_SEED).
 */
import { spawnSync } from "node:child_process"
import { parseArgs } from "node:util"

const { values } = parseArgs({ options: { runs: { type: "string" }, seed: { type: "string" } } })
const env = { ...process.env }
if (values.runs !== undefined) env.FUZZ_RUNS = values.runs
if (values.seed !== undefined) env.FUZZ_SEED = values.seed
const run = spawnSync("npx", ["vitest", "run", "test/differential"], { stdio: "inherit", env })
process.exit(run.status ?? 1)

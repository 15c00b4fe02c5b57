// CPU-profiles effect-kv under one pipelined redis-benchmark run and prints
// the top self-time frames. See bench/README.md.
//
//   node bench/profile.mjs [--requests N] [--pipeline P] [--tests set,get] [--top 25]
//   node bench/profile.mjs --analyze <file.cpuprofile> [--top 25]
//
// EFFECT_KV_ENTRY overrides the script run under `node --cpu-prof` (default dist/cli/main.js).
import fs from "node:fs";
import path from "node:path";
import { REPO_ROOT, freePorts, makeTempDir, runRedisBenchmark, startServer, stopServer } from "./lib.mjs";
import { serverFlags } from "./servers.mjs";

const USAGE = "usage: node bench/profile.mjs [--requests N] [--pipeline P] [--tests set,get] [--top N] | --analyze <file.cpuprofile> [--top N]";

const parseOptions = (argv) => {
  const options = { requests: 2_000_000, pipeline: 16, tests: "set,get", top: 25, analyze: undefined };
  const positiveInteger = (flag, text) => {
    const value = Number(text);
    if (!Number.isInteger(value) || value <= 0) throw new Error(`${flag} needs a positive integer, got ${text}\n${USAGE}`);
    return value;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--requests") options.requests = positiveInteger(arg, argv[++i]);
    else if (arg === "--pipeline") options.pipeline = positiveInteger(arg, argv[++i]);
    else if (arg === "--top") options.top = positiveInteger(arg, argv[++i]);
    else if (arg === "--tests") options.tests = argv[++i];
    else if (arg === "--analyze") options.analyze = argv[++i];
    else if (arg === "--help" || arg === "-h") {
      console.log(USAGE);
      process.exit(0);
    } else throw new Error(`unknown argument ${arg}\n${USAGE}`);
  }
  return options;
};

// ---------------------------------------------------------------------------
// .cpuprofile analysis

const shortUrl = (url) => {
  if (url === "") return "";
  const filePrefix = `file://${REPO_ROOT}/`;
  return url.startsWith(filePrefix) ? url.slice(filePrefix.length) : url;
};

/**
 * Aggregates self time by function name + url + line. A node's self time is
 * its hitCount times the mean sampling interval; positionTicks give the
 * hottest source line inside each function.
 */
const topSelfFrames = (profile, top) => {
  const totalSamples = profile.nodes.reduce((sum, node) => sum + (node.hitCount ?? 0), 0);
  const intervalMs = totalSamples === 0 ? 0 : (profile.endTime - profile.startTime) / 1000 / totalSamples;
  const frames = new Map();
  for (const node of profile.nodes) {
    const hits = node.hitCount ?? 0;
    if (hits === 0) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    const name = functionName === "" ? "(anonymous)" : functionName;
    const location = url === "" ? "" : `${shortUrl(url)}:${lineNumber + 1}`;
    const key = `${name}\u0000${location}`;
    const frame = frames.get(key) ?? { name, location, hits: 0, lineTicks: new Map() };
    frame.hits += hits;
    for (const { line, ticks } of node.positionTicks ?? []) frame.lineTicks.set(line, (frame.lineTicks.get(line) ?? 0) + ticks);
    frames.set(key, frame);
  }
  const idleHits = frames.get("(idle)\u0000")?.hits ?? 0;
  const busySamples = totalSamples - idleHits;
  const ranked = [...frames.values()]
    .filter((frame) => frame.name !== "(idle)")
    .sort((a, b) => b.hits - a.hits)
    .slice(0, top)
    .map((frame) => {
      const [hotLine, hotTicks] = [...frame.lineTicks.entries()].sort((a, b) => b[1] - a[1])[0] ?? [null, 0];
      return {
        name: frame.name,
        location: frame.location,
        selfMs: frame.hits * intervalMs,
        selfPercent: busySamples === 0 ? 0 : (frame.hits / busySamples) * 100,
        hotLine,
        hotLinePercent: frame.hits === 0 ? 0 : (hotTicks / frame.hits) * 100,
      };
    });
  return { totalMs: totalSamples * intervalMs, busyMs: busySamples * intervalMs, frames: ranked };
};

const printTopFrames = (profile, top) => {
  const { totalMs, busyMs, frames } = topSelfFrames(profile, top);
  console.log(`profile: ${totalMs.toFixed(0)} ms sampled, ${busyMs.toFixed(0)} ms not idle; top ${frames.length} self-time frames (% of non-idle):`);
  const rows = frames.map((frame, i) => [
    String(i + 1).padStart(2),
    `${frame.selfMs.toFixed(1)} ms`.padStart(10),
    `${frame.selfPercent.toFixed(1)}%`.padStart(6),
    frame.name,
    frame.location + (frame.hotLine === null || frame.location === "" ? "" : `  (hot line ${frame.hotLine}: ${frame.hotLinePercent.toFixed(0)}%)`),
  ]);
  const nameWidth = Math.max(...rows.map((row) => row[3].length), 8);
  for (const row of rows) console.log(`${row[0]}  ${row[1]}  ${row[2]}  ${row[3].padEnd(nameWidth)}  ${row[4]}`);
};

// ---------------------------------------------------------------------------

const profileRun = async (options) => {
  const entry = process.env.EFFECT_KV_ENTRY ?? "dist/cli/main.js";
  if (!fs.existsSync(path.resolve(REPO_ROOT, entry))) throw new Error(`${entry} not found: run \`npm run build\` (or set EFFECT_KV_ENTRY)`);
  const [port] = await freePorts(1);
  const dir = makeTempDir("profile");
  const profileDir = path.join(dir, "cpuprofile");
  const server = await startServer({
    name: "effect-kv",
    command: process.execPath,
    args: ["--cpu-prof", "--cpu-prof-dir", profileDir, entry, ...serverFlags(port, dir)],
    port,
    dir,
  });
  const run = { tests: options.tests, clients: 50, pipeline: options.pipeline, random: 1_000_000, requests: options.requests, timeoutMs: 600_000 };
  console.log(`redis-benchmark -t ${run.tests} -c ${run.clients} -P ${run.pipeline} -r ${run.random} -n ${run.requests} against effect-kv (pid ${server.pid})`);
  try {
    const rows = await runRedisBenchmark(port, run);
    for (const [test, row] of Object.entries(rows)) console.log(`  ${test}: ${Math.round(row.rps).toLocaleString("en-US")} rps, p50 ${row.p50Ms} ms, p99 ${row.p99Ms} ms`);
  } finally {
    // --cpu-prof writes the profile only on a normal exit: SIGINT lets the server shut down cleanly.
    await stopServer(server, 15_000, "SIGINT");
  }
  const written = fs.existsSync(profileDir) ? fs.readdirSync(profileDir).filter((name) => name.endsWith(".cpuprofile")) : [];
  if (written.length === 0) throw new Error("no .cpuprofile written: the server must exit normally (process exit, not killed) on SIGINT");
  const resultsDir = path.join(REPO_ROOT, "bench", "results");
  fs.mkdirSync(resultsDir, { recursive: true });
  const kept = path.join(resultsDir, `profile-${new Date().toISOString().replace(/:/g, "-")}.cpuprofile`);
  fs.copyFileSync(path.join(profileDir, written[0]), kept);
  console.log(`profile kept at ${path.relative(REPO_ROOT, kept)} (open in Chrome DevTools > Performance, or re-run with --analyze)\n`);
  return kept;
};

const main = async () => {
  const options = parseOptions(process.argv.slice(2));
  const profilePath = options.analyze ?? (await profileRun(options));
  printTopFrames(JSON.parse(fs.readFileSync(profilePath, "utf8")), options.top);
};

await main();

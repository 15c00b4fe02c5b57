// effect-kv vs redis-server benchmark harness. See bench/README.md.
//
//   npm run bench -- [--rounds N] [--quick] [--seconds S]
//                    [--no-throughput] [--no-memory] [--no-scaling] [--no-idle]
//
// EFFECT_KV_CMD overrides the effect-kv command prefix (default
// "node dist/cli/main.js"); "--port P --bind 127.0.0.1 --dir D --save ''" is appended.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import {
  REPO_ROOT,
  effectKvCommand,
  freePorts,
  isRespError,
  loadKeys,
  median,
  readCpuMs,
  readRssBytes,
  runRedisBenchmark,
  sendCommand,
  sleep,
  startEffectKv,
  startRedis,
  stopAndClean,
  withTimeout,
} from "./lib.mjs";

// ---------------------------------------------------------------------------
// Options

const USAGE = `usage: node bench/run.mjs [--rounds N] [--quick] [--seconds S] [--no-throughput] [--no-memory] [--no-scaling] [--no-idle]`;

const parseOptions = (argv) => {
  const options = { rounds: 3, quick: false, seconds: undefined, throughput: true, memory: true, scaling: true, idle: true };
  const positiveNumber = (flag, text) => {
    const value = Number(text);
    if (!Number.isFinite(value) || value <= 0) throw new Error(`${flag} needs a positive number, got ${text}\n${USAGE}`);
    return value;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--rounds") options.rounds = Math.round(positiveNumber(arg, argv[++i]));
    else if (arg === "--seconds") options.seconds = positiveNumber(arg, argv[++i]);
    else if (arg === "--quick") options.quick = true;
    else if (arg === "--no-throughput") options.throughput = false;
    else if (arg === "--no-memory") options.memory = false;
    else if (arg === "--no-scaling") options.scaling = false;
    else if (arg === "--no-idle") options.idle = false;
    else if (arg === "--help" || arg === "-h") {
      console.log(USAGE);
      process.exit(0);
    } else throw new Error(`unknown argument ${arg}\n${USAGE}`);
  }
  return options;
};

/** Sizes of every section; --quick shrinks them to a smoke run. */
const planFor = (options) => {
  const full = {
    secondsPerTest: 5,
    memoryKeys: 1_000_000,
    scalingKeyCounts: [10_000, 1_000_000, 5_000_000],
    idleKeys: 1_000_000,
    idleWindowMs: 10_000,
  };
  const quick = {
    secondsPerTest: 0.5,
    memoryKeys: 100_000,
    scalingKeyCounts: [10_000, 100_000, 300_000],
    idleKeys: 100_000,
    idleWindowMs: 2_000,
  };
  const plan = options.quick ? quick : full;
  return { ...plan, secondsPerTest: options.seconds ?? plan.secondsPerTest };
};

// Expected redis-server throughput, used only to size -n for ~secondsPerTest per test.
const EXPECTED_RPS = {
  1: { set: 100_000, get: 100_000, incr: 100_000, mset: 50_000 },
  16: { set: 1_000_000, get: 1_000_000, incr: 1_000_000, mset: 150_000 },
};
const TESTS = ["set", "get", "incr", "mset"];
const PIPELINES = [1, 16];
const CLIENTS = 50;
const RANDOM_KEYS = 1_000_000;
const HOUR_SECONDS = 3600;

const requestsFor = (rps, seconds) => Math.max(1_000, Math.round(rps * seconds));
// Generous: effect-kv may be many times slower than the redis-based estimate.
const benchmarkTimeoutMs = (seconds) => 30_000 + seconds * 30_000;
// Loading must sustain at least 20k keys/s.
const loadTimeoutMs = (keys) => 60_000 + (keys / 20_000) * 1_000;

// ---------------------------------------------------------------------------
// Formatting

const formatRps = (rps) => (rps === null ? "n/a" : Math.round(rps).toLocaleString("en-US"));
const formatMs = (ms) => (ms === null ? "n/a" : ms.toFixed(3));
const formatRatio = (ratio) => (ratio === null ? "n/a" : ratio.toFixed(2));
const formatMiB = (bytes) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
const ratioOf = (a, b) => (a === null || b === null || b === 0 ? null : a / b);

const printTable = (header, rows) => {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => String(row[column]).length)));
  const line = (cells) => cells.map((cell, column) => (column === 0 ? String(cell).padEnd(widths[column]) : String(cell).padStart(widths[column]))).join("  ");
  console.log(line(header));
  console.log(widths.map((width) => "-".repeat(width)).join("  "));
  for (const row of rows) console.log(line(row));
};

const section = (title) => console.log(`\n== ${title} ==`);

// ---------------------------------------------------------------------------
// Servers

const startPair = async () => {
  const [effectKvPort, redisPort] = await freePorts(2);
  const effectKv = await startEffectKv(effectKvPort);
  try {
    const redis = await startRedis(redisPort);
    return { effectKv, redis };
  } catch (error) {
    await stopAndClean(effectKv);
    throw error;
  }
};

const stopPair = async ({ effectKv, redis }) => {
  await Promise.all([stopAndClean(effectKv), stopAndClean(redis)]);
};

/** Runs body with a fresh pair of servers, always stopping them afterwards. */
const withPair = async (body) => {
  const pair = await startPair();
  try {
    return await body(pair);
  } finally {
    await stopPair(pair);
  }
};

const dbsize = async (server) => {
  const reply = await sendCommand(server.port, ["DBSIZE"]);
  if (typeof reply !== "number") throw new Error(`${server.name}: DBSIZE replied ${JSON.stringify(reply)}`);
  return reply;
};

const loadAndCheck = async (server, load) => {
  const ms = await withTimeout(loadKeys(server.port, load), loadTimeoutMs(load.to - (load.from ?? 0)), `${server.name}: loading keys`);
  const size = await dbsize(server);
  if (size !== load.to) throw new Error(`${server.name}: DBSIZE ${size} after loading ${load.to} keys`);
  return ms;
};

/** The two servers in alternating order, so neither always runs first. */
const inTurn = (pair, round) => (round % 2 === 0 ? [pair.effectKv, pair.redis] : [pair.redis, pair.effectKv]);

const sideKey = (server) => (server.name === "effect-kv" ? "effectKv" : "redis");

const answersPing = (server) =>
  sendCommand(server.port, ["PING"], 2_000).then(
    (reply) => reply === "PONG",
    () => false,
  );

/** One redis-benchmark run; after a failure a server that no longer answers PING is skipped from then on. */
const benchmarkSample = async (server, run) => {
  if (server.unresponsive) return { error: "skipped: server stopped answering PING" };
  try {
    const rows = await runRedisBenchmark(server.port, run);
    return Object.fromEntries(Object.entries(rows).map(([test, row]) => [test, { rps: row.rps, p50Ms: row.p50Ms, p99Ms: row.p99Ms }]));
  } catch (error) {
    console.log(`  ${server.name}: ${error.message}`);
    if (!(await answersPing(server))) {
      console.log(`  ${server.name}: no longer answers PING, skipping its remaining runs in this section`);
      server.unresponsive = true;
    }
    return { error: error.message };
  }
};

const summarize = (samples) => ({
  rps: median(samples.map((sample) => sample?.rps)),
  p50Ms: median(samples.map((sample) => sample?.p50Ms)),
  p99Ms: median(samples.map((sample) => sample?.p99Ms)),
  rounds: samples,
});

// ---------------------------------------------------------------------------
// Sections

const throughputSection = async (options, plan) => {
  section(`Throughput: redis-benchmark -c ${CLIENTS} -r ${RANDOM_KEYS}, ${options.rounds} rounds, median`);
  return withPair(async (pair) => {
    const samples = {}; // "test/pipeline" -> { effectKv: [], redis: [] }
    for (let round = 0; round < options.rounds; round++) {
      console.log(`round ${round + 1}/${options.rounds}`);
      for (const pipeline of PIPELINES) {
        for (const test of TESTS) {
          const run = {
            tests: test,
            clients: CLIENTS,
            pipeline,
            random: RANDOM_KEYS,
            requests: requestsFor(EXPECTED_RPS[pipeline][test], plan.secondsPerTest),
            timeoutMs: benchmarkTimeoutMs(plan.secondsPerTest),
          };
          const entry = (samples[`${test}/${pipeline}`] ??= { test, pipeline, effectKv: [], redis: [] });
          for (const server of inTurn(pair, round)) {
            const result = await benchmarkSample(server, run);
            const row = result.error === undefined ? Object.values(result)[0] : result;
            entry[sideKey(server)].push(row);
          }
        }
      }
    }
    const results = Object.values(samples).map(({ test, pipeline, effectKv, redis }) => {
      const ekv = summarize(effectKv);
      const rds = summarize(redis);
      return { test: test.toUpperCase(), pipeline, effectKv: ekv, redis: rds, ratio: ratioOf(ekv.rps, rds.rps) };
    });
    console.log();
    printTable(
      ["test", "P", "effect-kv rps", "redis rps", "ratio", "ekv p50 ms", "ekv p99 ms", "redis p50 ms", "redis p99 ms"],
      results.map((r) => [r.test, r.pipeline, formatRps(r.effectKv.rps), formatRps(r.redis.rps), formatRatio(r.ratio), formatMs(r.effectKv.p50Ms), formatMs(r.effectKv.p99Ms), formatMs(r.redis.p50Ms), formatMs(r.redis.p99Ms)]),
    );
    return results;
  });
};

const measureMemory = async (server, keys) => {
  await sleep(500);
  const baselineRss = readRssBytes(server.pid);
  const loadMs = await loadAndCheck(server, { to: keys, ttlSecondsFor: (i) => (i % 2 === 0 ? HOUR_SECONDS : undefined) });
  await sleep(500);
  const loadedRss = readRssBytes(server.pid);
  return { keys, baselineRss, loadedRss, bytesPerKey: (loadedRss - baselineRss) / keys, loadMs, loadKeysPerSec: keys / (loadMs / 1000) };
};

const timeSave = async (server) => {
  const started = performance.now();
  try {
    const reply = await sendCommand(server.port, ["SAVE"], 300_000);
    const ms = performance.now() - started;
    if (isRespError(reply)) return { ms: null, error: reply.message };
    const rdbPath = path.join(server.dir, "dump.rdb");
    return { ms, rdbBytes: fs.existsSync(rdbPath) ? fs.statSync(rdbPath).size : null };
  } catch (error) {
    return { ms: null, error: error.message };
  }
};

const memorySection = async (plan) => {
  section(`Memory: ${plan.memoryKeys.toLocaleString("en-US")} keys (16-byte keys, 32-byte values, half with EX ${HOUR_SECONDS}), then SAVE`);
  return withPair(async (pair) => {
    const effectKv = await measureMemory(pair.effectKv, plan.memoryKeys);
    const redis = await measureMemory(pair.redis, plan.memoryKeys);
    effectKv.save = await timeSave(pair.effectKv);
    redis.save = await timeSave(pair.redis);
    const ratio = ratioOf(effectKv.bytesPerKey, redis.bytesPerKey);
    const saveCell = (save) => (save.ms === null ? `n/a (${save.error})` : `${save.ms.toFixed(0)} ms`);
    printTable(
      ["server", "baseline RSS", "loaded RSS", "bytes/key", "load keys/s", "SAVE", "rdb bytes"],
      [
        ["effect-kv", effectKv],
        ["redis", redis],
      ].map(([name, m]) => [name, formatMiB(m.baselineRss), formatMiB(m.loadedRss), m.bytesPerKey.toFixed(1), formatRps(m.loadKeysPerSec), saveCell(m.save), m.save.rdbBytes ?? "n/a"]),
    );
    console.log(`bytes/key ratio (effect-kv / redis): ${formatRatio(ratio)}`);
    const saveRatio = ratioOf(effectKv.save.ms, redis.save.ms);
    console.log(`SAVE time ratio (effect-kv / redis): ${formatRatio(saveRatio)}`);
    return { effectKv, redis, bytesPerKeyRatio: ratio, saveTimeRatio: saveRatio };
  });
};

const scalingSection = async (options, plan) => {
  const pipeline = 16;
  const tests = ["SET", "GET"];
  section(`Scaling: SET/GET at ${plan.scalingKeyCounts.map((n) => n.toLocaleString("en-US")).join(", ")} keys (-c ${CLIENTS} -P ${pipeline}, -r = key count), ${options.rounds} rounds, median`);
  return withPair(async (pair) => {
    const results = [];
    const failed = new Set();
    let loaded = 0;
    for (const keys of plan.scalingKeyCounts) {
      const row = { keys, pipeline, effectKv: {}, redis: {} };
      const samples = { effectKv: [], redis: [] };
      for (const server of [pair.effectKv, pair.redis]) {
        const side = sideKey(server);
        if (failed.has(side)) continue;
        try {
          row[side].loadMs = await loadAndCheck(server, { from: loaded, to: keys });
        } catch (error) {
          console.log(`  ${server.name}: ${error.message}`);
          failed.add(side);
          row[side].error = error.message;
        }
      }
      loaded = keys;
      const run = {
        tests: "set,get",
        clients: CLIENTS,
        pipeline,
        random: keys,
        requests: requestsFor(EXPECTED_RPS[pipeline].set, plan.secondsPerTest),
        timeoutMs: 2 * benchmarkTimeoutMs(plan.secondsPerTest),
      };
      for (let round = 0; round < options.rounds; round++) {
        for (const server of inTurn(pair, round)) {
          if (!failed.has(sideKey(server))) samples[sideKey(server)].push(await benchmarkSample(server, run));
        }
      }
      for (const side of ["effectKv", "redis"]) {
        for (const test of tests) row[side][test] = summarize(samples[side].map((sample) => sample[test] ?? sample));
      }
      results.push(row);
    }
    const cell = (row, side, test, field) => row[side][test]?.[field] ?? null;
    printTable(
      ["keys", "test", "effect-kv rps", "redis rps", "ratio", "ekv p99 ms", "redis p99 ms"],
      results.flatMap((row) =>
        tests.map((test) => [
          row.keys.toLocaleString("en-US"),
          test,
          formatRps(cell(row, "effectKv", test, "rps")),
          formatRps(cell(row, "redis", test, "rps")),
          formatRatio(ratioOf(cell(row, "effectKv", test, "rps"), cell(row, "redis", test, "rps"))),
          formatMs(cell(row, "effectKv", test, "p99Ms")),
          formatMs(cell(row, "redis", test, "p99Ms")),
        ]),
      ),
    );
    return results;
  });
};

const idleSection = async (plan) => {
  section(`Idle CPU: ${plan.idleKeys.toLocaleString("en-US")} keys all with EX ${HOUR_SECONDS}, ${plan.idleWindowMs / 1000} s idle window`);
  return withPair(async (pair) => {
    const servers = [pair.effectKv, pair.redis];
    for (const server of servers) await loadAndCheck(server, { to: plan.idleKeys, ttlSecondsFor: () => HOUR_SECONDS });
    await sleep(1_000);
    const before = servers.map((server) => readCpuMs(server.pid));
    await sleep(plan.idleWindowMs);
    const after = servers.map((server) => readCpuMs(server.pid));
    const measured = servers.map((server, i) => {
      const cpuMs = after[i] - before[i];
      return { cpuMs, percentOfCore: (cpuMs / plan.idleWindowMs) * 100 };
    });
    const [effectKv, redis] = measured;
    printTable(
      ["server", "CPU ms", "% of one core"],
      [
        ["effect-kv", effectKv.cpuMs.toFixed(0), effectKv.percentOfCore.toFixed(2)],
        ["redis", redis.cpuMs.toFixed(0), redis.percentOfCore.toFixed(2)],
      ],
    );
    return { keys: plan.idleKeys, windowMs: plan.idleWindowMs, effectKv, redis };
  });
};

/** Runs a section; a failure is reported and recorded, and the next section still runs. */
const runSection = async (name, body) => {
  try {
    return await body();
  } catch (error) {
    console.log(`${name} failed: ${error.message}`);
    return { error: error.message };
  }
};

// ---------------------------------------------------------------------------

const writeResults = (results) => {
  const dir = path.join(REPO_ROOT, "bench", "results");
  fs.mkdirSync(dir, { recursive: true });
  const json = `${JSON.stringify(results, null, 2)}\n`;
  const datedPath = path.join(dir, `${results.startedAt.replace(/:/g, "-")}.json`);
  fs.writeFileSync(datedPath, json);
  fs.writeFileSync(path.join(dir, "latest.json"), json);
  return datedPath;
};

const main = async () => {
  const options = parseOptions(process.argv.slice(2));
  const plan = planFor(options);
  const results = {
    startedAt: new Date().toISOString(),
    environment: {
      node: process.version,
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model,
      redisServer: execFileSync("redis-server", ["--version"], { encoding: "utf8" }).trim(),
      effectKvCommand: effectKvCommand().join(" "),
    },
    options,
    plan,
  };
  console.log(`effect-kv: ${results.environment.effectKvCommand}`);
  console.log(`redis:     ${results.environment.redisServer}`);
  console.log(`plan:      ${JSON.stringify(plan)}`);
  if (options.throughput) results.throughput = await runSection("throughput", () => throughputSection(options, plan));
  if (options.memory) results.memory = await runSection("memory", () => memorySection(plan));
  if (options.scaling) results.scaling = await runSection("scaling", () => scalingSection(options, plan));
  if (options.idle) results.idleCpu = await runSection("idle CPU", () => idleSection(plan));
  results.finishedAt = new Date().toISOString();
  console.log(`\nresults: ${path.relative(REPO_ROOT, writeResults(results))} (and bench/results/latest.json)`);
};

await main();

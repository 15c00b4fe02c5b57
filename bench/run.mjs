// effect-kv vs a minimal Node server vs redis-server benchmark harness. See bench/README.md.
//
//   npm run bench -- [--rounds N] [--quick] [--seconds S]
//                    [--no-memory] [--no-throughput] [--no-scan] [--no-scaling] [--no-idle]
//
// EFFECT_KV_CMD overrides the effect-kv command prefix (default
// "node dist/cli/main.js"); "--port P --bind 127.0.0.1 --dir D --save ''" is appended.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { REPO_ROOT, median, readCpuMs, runRedisBenchmark, sendCommand, sleep } from "./lib.mjs";
import { memoryPart } from "./memory.mjs";
import { HOUR_SECONDS, SIDE_NAMES, effectKvCommand, loadAndCheck, sideKey, startPair, startTrio, withServers } from "./servers.mjs";
import { pingWhileScanning, timePerCall } from "./probes.mjs";
import { formatMs, formatRatio, formatRps, formatUs, printTable, ratioOf, reportTargets, section } from "./report.mjs";

// ---------------------------------------------------------------------------
// Options

const USAGE = `usage: node bench/run.mjs [--rounds N] [--quick] [--seconds S] [--no-memory] [--no-throughput] [--no-scan] [--no-scaling] [--no-idle]`;

const parseOptions = (argv) => {
  const options = { rounds: 3, quick: false, seconds: undefined, throughput: true, memory: true, scan: true, scaling: true, idle: true };
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
    else if (arg === "--no-scan") options.scan = false;
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
    secondsPerTest: 3,
    memoryKeys: 1_000_000,
    scanBudgetMs: 10_000,
    callBudgetMs: 2_000,
    scalingKeyCounts: [10_000, 1_000_000, 5_000_000],
    idleKeys: 1_000_000,
    idleWindowMs: 10_000,
  };
  const quick = {
    secondsPerTest: 0.5,
    memoryKeys: 100_000,
    scanBudgetMs: 2_000,
    callBudgetMs: 300,
    scalingKeyCounts: [10_000, 100_000, 300_000],
    idleKeys: 100_000,
    idleWindowMs: 2_000,
  };
  const plan = options.quick ? quick : full;
  return { ...plan, secondsPerTest: options.seconds ?? plan.secondsPerTest };
};

// Expected redis-server throughput, used only to size -n of the first round (see requestsForRun).
const EXPECTED_RPS = {
  1: { set: 100_000, get: 100_000, incr: 100_000, mset: 50_000 },
  16: { set: 1_000_000, get: 1_000_000, incr: 1_000_000, mset: 150_000 },
};
const EXPECTED_NEW_CONNECTIONS_PER_SEC = 1_000;
const TESTS = ["set", "get", "incr", "mset"];
const PIPELINES = [1, 16];
const CLIENTS = 50;
const RANDOM_KEYS = 1_000_000;

const requestsFor = (rps, seconds) => Math.max(200, Math.round(rps * seconds));
// Generous: effect-kv may be many times slower than the redis-based estimate.
const benchmarkTimeoutMs = (seconds) => 30_000 + seconds * 30_000;

// ---------------------------------------------------------------------------
// Servers

/** The servers in a rotating order, so none always runs first. */
const inTurn = (servers, round) => {
  const list = Object.values(servers);
  return list.map((_, i) => list[(i + round) % list.length]);
};


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
    return Object.fromEntries(Object.entries(rows).map(([test, row]) => [test, { rps: row.rps, p50Ms: row.p50Ms, p99Ms: row.p99Ms, requests: run.requests }]));
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

/**
 * -n for one run: in the first round a quarter of the expected redis rate (a server many times
 * slower still finishes), afterwards the server's own median rate so far, for ~seconds per run.
 */
const requestsForRun = (expectedRps, seconds, samples) => {
  const measured = median(samples.map((sample) => sample?.rps));
  return requestsFor(measured ?? expectedRps / 4, seconds);
};

// ---------------------------------------------------------------------------
// The 1M-key section: memory, SAVE, load at start, throughput, PING during SCAN

const throughputPart = async (servers, options, plan) => {
  section(`Throughput: redis-benchmark -c ${CLIENTS} -r ${RANDOM_KEYS} on ${plan.memoryKeys.toLocaleString("en-US")} preloaded keys, ${options.rounds} rounds, median`);
  const runs = [
    ...PIPELINES.flatMap((pipeline) => TESTS.map((test) => ({ key: `${test}/${pipeline}`, test, pipeline, keepAlive: true, expectedRps: EXPECTED_RPS[pipeline][test] }))),
    { key: "connections", test: "get", pipeline: 1, keepAlive: false, expectedRps: EXPECTED_NEW_CONNECTIONS_PER_SEC },
  ];
  const samples = Object.fromEntries(runs.map((run) => [run.key, { effectKv: [], minimal: [], redis: [] }]));
  for (let round = 0; round < options.rounds; round++) {
    console.log(`round ${round + 1}/${options.rounds}`);
    for (const run of runs) {
      for (const server of inTurn(servers, round)) {
        const own = samples[run.key][sideKey(server)];
        const result = await benchmarkSample(server, {
          tests: run.test,
          clients: CLIENTS,
          pipeline: run.pipeline,
          random: RANDOM_KEYS,
          keepAlive: run.keepAlive,
          requests: requestsForRun(run.expectedRps, plan.secondsPerTest, own),
          timeoutMs: benchmarkTimeoutMs(plan.secondsPerTest),
        });
        own.push(result.error === undefined ? Object.values(result)[0] : result);
      }
    }
  }
  const summarizeRun = (run) => {
    const [effectKv, minimal, redis] = ["effectKv", "minimal", "redis"].map((side) => summarize(samples[run.key][side]));
    return { test: run.test.toUpperCase(), pipeline: run.pipeline, keepAlive: run.keepAlive, effectKv, minimal, redis, ratioToMinimal: ratioOf(effectKv.rps, minimal.rps), ratioToRedis: ratioOf(effectKv.rps, redis.rps) };
  };
  const rows = runs.filter((run) => run.keepAlive).map(summarizeRun);
  const connections = summarizeRun(runs.at(-1));
  console.log();
  printTable(
    ["test", "P", "effect-kv rps", "minimal rps", "redis rps", "ekv/minimal", "ekv/redis", "ekv p50 ms", "ekv p99 ms", "minimal p99 ms", "redis p99 ms"],
    [...rows, { ...connections, test: "GET -k 0" }].map((r) => [r.test, r.pipeline, formatRps(r.effectKv.rps), formatRps(r.minimal.rps), formatRps(r.redis.rps), formatRatio(r.ratioToMinimal), formatRatio(r.ratioToRedis), formatMs(r.effectKv.p50Ms), formatMs(r.effectKv.p99Ms), formatMs(r.minimal.p99Ms), formatMs(r.redis.p99Ms)]),
  );
  console.log("GET -k 0: a new connection per request (redis-benchmark -k 0), rps = connections per second");
  return { rows, connections };
};

const scanPart = async (servers, plan) => {
  section(`PING while another client runs SCAN 0 COUNT 10 over ${plan.memoryKeys.toLocaleString("en-US")} keys (stopped after ${plan.scanBudgetMs / 1000} s)`);
  const measured = {};
  for (const side of ["effectKv", "redis"]) measured[side] = await pingWhileScanning(servers[side].port, { budgetMs: plan.scanBudgetMs });
  printTable(
    ["server", "scan", "SCAN calls", "keys seen", "scan ms", "PINGs", "PING p50 ms", "PING p99 ms", "PING max ms"],
    Object.entries(measured).map(([side, m]) => [SIDE_NAMES[side], m.complete ? "complete" : "stopped", m.calls, m.keys, m.scanMs.toFixed(0), m.pings, formatMs(m.pingP50Ms), formatMs(m.pingP99Ms), formatMs(m.pingMaxMs)]),
  );
  return measured;
};

const CALL_PROBES = ["SCAN", "RANDOMKEY"];

const scalingSection = async (options, plan) => {
  const pipeline = 16;
  const tests = ["SET", "GET"];
  section(`Scaling: SET/GET at ${plan.scalingKeyCounts.map((n) => n.toLocaleString("en-US")).join(", ")} keys (-c ${CLIENTS} -P ${pipeline}, -r = key count), ${options.rounds} rounds, median; SCAN COUNT 10 and RANDOMKEY time per call`);
  return withServers(startPair, async (pair) => {
    const results = [];
    const failed = new Set();
    const lastRps = { effectKv: [], redis: [] }; // the slower of SET/GET per run, sizes the next run's -n
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
      for (const server of [pair.effectKv, pair.redis]) {
        const side = sideKey(server);
        if (failed.has(side)) continue;
        row[side].calls = {};
        for (const command of CALL_PROBES) {
          // A probe that times out is recorded; the server still gets its SET/GET runs at this size.
          row[side].calls[command] = await timePerCall(server.port, command, { budgetMs: plan.callBudgetMs }).catch((error) => {
            console.log(`  ${server.name}: ${error.message}`);
            return { error: error.message };
          });
        }
      }
      for (let round = 0; round < options.rounds; round++) {
        for (const server of inTurn(pair, round)) {
          const side = sideKey(server);
          if (failed.has(side)) continue;
          const run = {
            tests: "set,get",
            clients: CLIENTS,
            pipeline,
            random: keys,
            requests: requestsForRun(EXPECTED_RPS[pipeline].set, plan.secondsPerTest / 2, lastRps[side].slice(-options.rounds)),
            timeoutMs: 2 * benchmarkTimeoutMs(plan.secondsPerTest),
          };
          const sample = await benchmarkSample(server, run);
          samples[side].push(sample);
          if (sample.error === undefined) lastRps[side].push({ rps: Math.min(...tests.map((test) => sample[test]?.rps ?? Infinity)) });
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
    console.log();
    const perCall = (row, side, command) => row[side].calls?.[command]?.usPerCall ?? null;
    printTable(
      ["keys", "command", "effect-kv / call", "calls", "redis / call", "calls", "ratio"],
      results.flatMap((row) =>
        CALL_PROBES.map((command) => [
          row.keys.toLocaleString("en-US"),
          command === "SCAN" ? "SCAN COUNT 10" : command,
          formatUs(perCall(row, "effectKv", command)),
          row.effectKv.calls?.[command]?.calls ?? "n/a",
          formatUs(perCall(row, "redis", command)),
          row.redis.calls?.[command]?.calls ?? "n/a",
          formatRatio(ratioOf(perCall(row, "effectKv", command), perCall(row, "redis", command))),
        ]),
      ),
    );
    return results;
  });
};

/** Memory, SAVE, load at start, throughput and PING during SCAN share one trio of servers holding memoryKeys keys. */
const keyspaceSection = async (options, plan) =>
  withServers(startTrio, async (servers) => {
    const results = {};
    if (options.memory) results.memory = await runSection("memory", () => memoryPart(servers, plan));
    else {
      section(`Preloading ${plan.memoryKeys.toLocaleString("en-US")} keys`);
      for (const server of Object.values(servers)) await loadAndCheck(server, { to: plan.memoryKeys, ttlSecondsFor: (i) => (i % 2 === 0 ? HOUR_SECONDS : undefined) });
    }
    // Before throughput: its INCR runs add up to 1M counter:* keys.
    if (options.scan) results.scan = await runSection("scan", () => scanPart(servers, plan));
    if (options.throughput) results.throughput = await runSection("throughput", () => throughputPart(servers, options, plan));
    return results;
  });

const idleSection = async (plan) => {
  section(`Idle CPU: ${plan.idleKeys.toLocaleString("en-US")} keys all with EX ${HOUR_SECONDS}, ${plan.idleWindowMs / 1000} s idle window`);
  return withServers(startPair, async (pair) => {
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
  console.log(`minimal:   node bench/minimal-server.mjs`);
  console.log(`redis:     ${results.environment.redisServer}`);
  console.log(`plan:      ${JSON.stringify(plan)}`);
  if (options.memory || options.throughput || options.scan) Object.assign(results, await runSection("keyspace", () => keyspaceSection(options, plan)));
  if (options.scaling) results.scaling = await runSection("scaling", () => scalingSection(options, plan));
  if (options.idle) results.idleCpu = await runSection("idle CPU", () => idleSection(plan));
  results.targets = reportTargets(results);
  results.finishedAt = new Date().toISOString();
  console.log(`\nresults: ${path.relative(REPO_ROOT, writeResults(results))} (and bench/results/latest.json)`);
};

await main();

// EVALSHA of a 3-call script (SET, GET, INCR) against effect-kv and redis-server, one after the
// other (the machine has 2 cores), a few rounds, medians (issue 17's speed figure).
//
//   npm run build && node bench/script-evalsha.mjs [--rounds 5] [--requests 5000] [--clients 50]
//
// EFFECT_KV_CMD replaces the effect-kv command prefix, as for bench/run.mjs (e.g. a build of
// another commit: EFFECT_KV_CMD="node /tmp/base/dist/cli/main.js").
import { spawnSync } from "node:child_process";
import { freePorts, median, sendCommand } from "./lib.mjs";
import { startEffectKv, startRedis, stopAndClean } from "./servers.mjs";

const option = (name, fallback) => {
  const at = process.argv.indexOf(`--${name}`);
  return at === -1 ? fallback : Number(process.argv[at + 1]);
};
const rounds = option("rounds", 5);
const requests = option("requests", 5000);
const clients = option("clients", 50);

const script = "redis.call('SET',KEYS[1],ARGV[1]); redis.call('GET',KEYS[1]); return redis.call('INCR',KEYS[2])";

/** requests/s of one redis-benchmark run of the EVALSHA. */
const evalshaRate = (port, sha) => {
  const run = spawnSync("redis-benchmark", ["-h", "127.0.0.1", "-p", String(port), "-n", String(requests), "-c", String(clients), "-q",
    "evalsha", sha, "2", "k1", "k2", "v"], { encoding: "utf8", timeout: 300_000 });
  const match = /([\d.]+) requests per second/.exec(run.stdout.split("\r").pop() ?? "");
  if (match === null) throw new Error(`redis-benchmark: ${run.stdout} ${run.stderr}`);
  return Number(match[1]);
};

const measure = async (start) => {
  const [port] = await freePorts(1);
  const server = await start(port);
  try {
    const sha = await sendCommand(port, ["SCRIPT", "LOAD", script]);
    // k2 must hold an integer for INCR: the script sets k1 only.
    await sendCommand(port, ["DEL", "k2"]);
    evalshaRate(port, sha); // warm-up (JIT)
    return evalshaRate(port, sha);
  } finally {
    await stopAndClean(server);
  }
};

const results = { effectKv: [], redis: [] };
for (let round = 0; round < rounds; round++) {
  results.effectKv.push(await measure(startEffectKv));
  results.redis.push(await measure(startRedis));
  console.log(`round ${round + 1}: effect-kv ${results.effectKv[round]} req/s, redis-server ${results.redis[round]} req/s`);
}
const effectKv = median(results.effectKv);
const redis = median(results.redis);
console.log(`median: effect-kv ${effectKv} req/s, redis-server ${redis} req/s, ratio ${(redis / effectKv).toFixed(2)}x`);

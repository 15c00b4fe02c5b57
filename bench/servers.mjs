// The servers under test (effect-kv, the minimal Node server, redis-server), started and
// stopped together, and the keyspace loads the sections share.
import fs from "node:fs";
import path from "node:path";
import { HOST, REPO_ROOT, loadKeys, makeTempDir, removeTempDir, sendCommand, startServer, stopServer, withTimeout, freePorts } from "./lib.mjs";

export const HOUR_SECONDS = 3600;
export const SIDE_NAMES = { effectKv: "effect-kv", minimal: "minimal", redis: "redis" };
const SIDE_KEYS = { "effect-kv": "effectKv", minimal: "minimal", redis: "redis" };
export const sideKey = (server) => SIDE_KEYS[server.name];

/** EFFECT_KV_CMD is a whitespace-separated command prefix; the redis-server style flags are appended. */
export const effectKvCommand = () => (process.env.EFFECT_KV_CMD ?? "node dist/cli/main.js").trim().split(/\s+/);

export const serverFlags = (port, dir) => ["--port", String(port), "--bind", HOST, "--dir", dir, "--save", ""];

export const startEffectKv = async (port, commandPrefix = effectKvCommand()) => {
  const [command, ...prefixArgs] = commandPrefix;
  if (process.env.EFFECT_KV_CMD === undefined && !fs.existsSync(path.join(REPO_ROOT, "dist/cli/main.js"))) {
    throw new Error("dist/cli/main.js not found: run `npm run build` (or set EFFECT_KV_CMD)");
  }
  const dir = makeTempDir("effect-kv");
  return startServer({ name: "effect-kv", command, args: [...prefixArgs, ...serverFlags(port, dir)], port, dir, pollMs: 10 });
};

/** bench/minimal-server.mjs: node:net and a mutable Map, the ceiling for any Node server. */
export const startMinimal = async (port) => {
  const dir = makeTempDir("minimal");
  return startServer({ name: "minimal", command: process.execPath, args: [path.join(REPO_ROOT, "bench", "minimal-server.mjs"), "--port", String(port), "--bind", HOST], port, dir, pollMs: 10 });
};

export const startRedis = async (port) => {
  const dir = makeTempDir("redis");
  return startServer({ name: "redis", command: "redis-server", args: [...serverFlags(port, dir), "--appendonly", "no"], port, dir, pollMs: 10 });
};

export const stopAndClean = async (server) => {
  await stopServer(server);
  removeTempDir(server.dir);
};

export const startTrio = async () => {
  const [effectKvPort, minimalPort, redisPort] = await freePorts(3);
  const started = [];
  try {
    for (const start of [() => startEffectKv(effectKvPort), () => startMinimal(minimalPort), () => startRedis(redisPort)]) started.push(await start());
  } catch (error) {
    await Promise.all(started.map(stopAndClean));
    throw error;
  }
  const [effectKv, minimal, redis] = started;
  return { effectKv, minimal, redis };
};

export const startPair = async () => {
  const [effectKvPort, redisPort] = await freePorts(2);
  const effectKv = await startEffectKv(effectKvPort);
  try {
    return { effectKv, redis: await startRedis(redisPort) };
  } catch (error) {
    await stopAndClean(effectKv);
    throw error;
  }
};

/** Runs body with fresh servers, always stopping them afterwards (body may replace entries, e.g. after a restart). */
export const withServers = async (start, body) => {
  const servers = await start();
  try {
    return await body(servers);
  } finally {
    await Promise.all(Object.values(servers).map(stopAndClean));
  }
};

export const dbsize = async (server) => {
  const reply = await sendCommand(server.port, ["DBSIZE"]);
  if (typeof reply !== "number") throw new Error(`${server.name}: DBSIZE replied ${JSON.stringify(reply)}`);
  return reply;
};

// Loading must sustain at least 10k keys/s (a slow effect-kv on a busy 2-core machine loads 5M keys at ~15-25k/s).
const loadTimeoutMs = (keys) => 60_000 + (keys / 10_000) * 1_000;

export const loadAndCheck = async (server, load) => {
  const ms = await withTimeout(loadKeys(server.port, load), loadTimeoutMs(load.to - (load.from ?? 0)), `${server.name}: loading keys`);
  const size = await dbsize(server);
  if (size !== load.to) throw new Error(`${server.name}: DBSIZE ${size} after loading ${load.to} keys`);
  return ms;
};


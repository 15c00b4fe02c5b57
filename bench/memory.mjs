// Memory at N keys (half with a TTL), SAVE, and the load of that RDB at start, on the three servers.
import fs from "node:fs";
import path from "node:path";
import { freePorts, isRespError, makeTempDir, readRssBytes, restartServer, sendCommand, sleep, startServer } from "./lib.mjs";
import { formatMiB, formatRatio, formatRps, printTable, ratioOf, section } from "./report.mjs";
import { HOUR_SECONDS, SIDE_NAMES, dbsize, loadAndCheck, sideKey, stopAndClean } from "./servers.mjs";

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

/** Time from spawn to the first PONG of the same command on a fresh empty dir and another port (warm caches). */
const timeEmptyStart = async (server) => {
  const [port] = await freePorts(1);
  const dir = makeTempDir(`${server.name}-empty`);
  const args = server.args.map((arg) => (arg === String(server.port) ? String(port) : arg === server.dir ? dir : arg));
  const empty = await startServer({ name: server.name, command: server.command, args, port, dir, pollMs: 10 });
  await stopAndClean(empty);
  return empty.startMs;
};

/**
 * Restarts the server on its dir, which now holds dump.rdb: the time to the first PONG minus the
 * time an empty start takes is the load time. Returns the restarted server and the figures.
 */
const timeLoadAtStart = async (server, keys) => {
  const emptyStartMs = await timeEmptyStart(server);
  const restarted = await restartServer(server);
  const loaded = await dbsize(restarted);
  const loadMs = restarted.startMs - emptyStartMs;
  return { server: restarted, figures: { emptyStartMs, startWithRdbMs: restarted.startMs, keysLoaded: loaded, loadMs, keysPerSec: loaded === keys && loadMs > 0 ? keys / (loadMs / 1000) : null } };
};

export const memoryPart = async (servers, plan) => {
  section(`Memory: ${plan.memoryKeys.toLocaleString("en-US")} keys (16-byte keys, 32-byte values, half with EX ${HOUR_SECONDS}), then SAVE and a restart that loads the RDB`);
  const measured = {};
  for (const server of Object.values(servers)) measured[sideKey(server)] = await measureMemory(server, plan.memoryKeys);
  for (const side of ["effectKv", "redis"]) {
    measured[side].save = await timeSave(servers[side]);
    if (measured[side].save.ms === null) {
      measured[side].loadAtStart = { error: "no SAVE" };
      continue;
    }
    const { server, figures } = await timeLoadAtStart(servers[side], plan.memoryKeys);
    servers[side] = server;
    measured[side].loadAtStart = figures;
    if (figures.keysLoaded !== plan.memoryKeys) await loadAndCheck(server, { to: plan.memoryKeys, ttlSecondsFor: (i) => (i % 2 === 0 ? HOUR_SECONDS : undefined) });
  }
  const saveCell = (save) => (save === undefined ? "-" : save.ms === null ? `n/a (${save.error})` : `${save.ms.toFixed(0)} ms`);
  const startCell = (load) => (load === undefined ? "-" : load.error !== undefined ? "n/a" : `${load.startWithRdbMs.toFixed(0)} ms (empty ${load.emptyStartMs.toFixed(0)})`);
  const rows = Object.entries(measured);
  printTable(
    ["server", "baseline RSS", "loaded RSS", "bytes/key", "loader keys/s", "SAVE", "rdb bytes", "start with RDB", "load keys/s"],
    rows.map(([side, m]) => [SIDE_NAMES[side], formatMiB(m.baselineRss), formatMiB(m.loadedRss), m.bytesPerKey.toFixed(1), formatRps(m.loadKeysPerSec), saveCell(m.save), m.save?.rdbBytes ?? "-", startCell(m.loadAtStart), formatRps(m.loadAtStart?.keysPerSec)]),
  );
  const { effectKv, minimal, redis } = measured;
  const figures = {
    ...measured,
    rssRatio: ratioOf(effectKv.loadedRss, redis.loadedRss),
    rssRatioToMinimal: ratioOf(effectKv.loadedRss, minimal.loadedRss),
    bytesPerKeyRatio: ratioOf(effectKv.bytesPerKey, redis.bytesPerKey),
    bytesPerKeyRatioToMinimal: ratioOf(effectKv.bytesPerKey, minimal.bytesPerKey),
    saveTimeRatio: ratioOf(effectKv.save.ms, redis.save.ms),
    loadAtStartRatio: ratioOf(effectKv.loadAtStart?.keysPerSec, redis.loadAtStart?.keysPerSec),
  };
  console.log(`effect-kv / redis: loaded RSS ${formatRatio(figures.rssRatio)}, bytes/key ${formatRatio(figures.bytesPerKeyRatio)}, SAVE time ${formatRatio(figures.saveTimeRatio)}, load at start keys/s ${formatRatio(figures.loadAtStartRatio)}`);
  console.log(`effect-kv / minimal: loaded RSS ${formatRatio(figures.rssRatioToMinimal)}, bytes/key ${formatRatio(figures.bytesPerKeyRatioToMinimal)}`);
  return figures;
};



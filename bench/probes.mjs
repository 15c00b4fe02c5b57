// Latency probes over one connection each: time per call of a command that
// should not depend on the keyspace's size (SCAN COUNT 10, RANDOMKEY), and a
// PING's latency while another client walks the whole keyspace with SCAN.
import { RespClient, isRespError, median, sleep, withTimeout } from "./lib.mjs";

const CALL_TIMEOUT_MS = 60_000;

const percentile = (sorted, p) => (sorted.length === 0 ? null : sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))]);

const call = async (client, args) => {
  const reply = await withTimeout(client.command(...args), CALL_TIMEOUT_MS, args[0]);
  if (isRespError(reply)) throw new Error(`${args.join(" ")}: ${reply.message}`);
  return reply;
};

/** SCAN's next cursor from a reply [cursor, keys]. */
const scanStep = (reply) => ({ cursor: reply[0], keys: reply[1].length });

/**
 * Calls the command one at a time (at least once, at most maxCalls, until budgetMs has passed)
 * and returns the mean microseconds per call. SCAN follows its cursor, so successive calls walk on.
 */
export const timePerCall = async (port, command, { maxCalls = 1_000, budgetMs }) => {
  const client = await RespClient.connect(port);
  try {
    let cursor = "0";
    let calls = 0;
    const started = performance.now();
    while (calls < maxCalls && (calls === 0 || performance.now() - started < budgetMs)) {
      if (command === "SCAN") cursor = scanStep(await call(client, ["SCAN", cursor, "COUNT", "10"])).cursor;
      else await call(client, [command]);
      calls++;
    }
    return { calls, usPerCall: ((performance.now() - started) * 1000) / calls };
  } finally {
    client.close();
  }
};

/**
 * One client runs SCAN 0 COUNT 10 ... until the cursor is 0 again (or budgetMs has passed);
 * another sends a PING, waits for its reply, pauses 1 ms, and again, for as long as the scan
 * runs. Returns the scan's progress and the PING latency percentiles in ms.
 */
export const pingWhileScanning = async (port, { budgetMs }) => {
  const scanner = await RespClient.connect(port);
  const pinger = await RespClient.connect(port);
  try {
    let scanning = true;
    const scan = (async () => {
      const started = performance.now();
      let cursor = "0";
      let calls = 0;
      let keys = 0;
      try {
        do {
          const step = scanStep(await call(scanner, ["SCAN", cursor, "COUNT", "10"]));
          cursor = step.cursor;
          keys += step.keys;
          calls++;
        } while (cursor !== "0" && performance.now() - started < budgetMs);
        return { complete: cursor === "0", calls, keys, scanMs: performance.now() - started };
      } finally {
        scanning = false;
      }
    })();
    const latencies = [];
    while (scanning) {
      const sent = performance.now();
      await call(pinger, ["PING"]);
      latencies.push(performance.now() - sent);
      await sleep(1);
    }
    const scanResult = await scan;
    latencies.sort((a, b) => a - b);
    return { ...scanResult, pings: latencies.length, pingP50Ms: median(latencies), pingP99Ms: percentile(latencies, 99), pingMaxMs: latencies.at(-1) ?? null };
  } finally {
    scanner.close();
    pinger.close();
  }
};

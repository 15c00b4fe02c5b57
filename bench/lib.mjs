// Shared plumbing for the benchmark scripts: child processes that are always
// cleaned up, free loopback ports, a minimal RESP client, a pipelined key
// loader, /proc readers and a redis-benchmark runner.
import { spawn, execFileSync } from "node:child_process";
import net from "node:net";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const HOST = "127.0.0.1";
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

// ---------------------------------------------------------------------------
// Cleanup: every child we spawn and every temp dir we create is removed on
// exit, including Ctrl-C, SIGTERM and uncaught errors.

const liveChildren = new Set();
const tempDirs = new Set();

const cleanup = () => {
  for (const child of liveChildren) {
    try {
      child.kill("SIGKILL");
    } catch {
      // already gone
    }
  }
  liveChildren.clear();
  for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
  tempDirs.clear();
};

process.on("exit", cleanup);
process.on("SIGINT", () => process.exit(130));
process.on("SIGTERM", () => process.exit(143));
process.on("uncaughtException", (error) => {
  console.error(error);
  process.exit(1);
});
process.on("unhandledRejection", (error) => {
  console.error(error);
  process.exit(1);
});

export const makeTempDir = (label) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `effect-kv-bench-${label}-`));
  tempDirs.add(dir);
  return dir;
};

export const removeTempDir = (dir) => {
  fs.rmSync(dir, { recursive: true, force: true });
  tempDirs.delete(dir);
};

export const spawnTracked = (command, args, options) => {
  const child = spawn(command, args, options);
  liveChildren.add(child);
  child.on("exit", () => liveChildren.delete(child));
  child.on("error", () => liveChildren.delete(child));
  return child;
};

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export const withTimeout = (promise, ms, what) => {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
};

// ---------------------------------------------------------------------------
// Ports

const listenOnPortZero = () =>
  new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, HOST, () => resolve(server));
  });

/** Distinct free loopback ports: all listeners are held open until every port is known. */
export const freePorts = async (count) => {
  const servers = [];
  for (let i = 0; i < count; i++) servers.push(await listenOnPortZero());
  const ports = servers.map((server) => server.address().port);
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  return ports;
};

// ---------------------------------------------------------------------------
// RESP

const CRLF = "\r\n";

export const encodeCommand = (args) => {
  let out = `*${args.length}${CRLF}`;
  for (const arg of args) out += `$${Buffer.byteLength(arg, "latin1")}${CRLF}${arg}${CRLF}`;
  return out;
};

const NEED_MORE = Symbol("need more");

class RespError {
  constructor(message) {
    this.message = message;
  }
}

export const isRespError = (value) => value instanceof RespError;

/** Parses one reply at offset; returns [value, nextOffset] or NEED_MORE. */
const parseReply = (buf, offset) => {
  if (offset >= buf.length) return NEED_MORE;
  const lineEnd = buf.indexOf(CRLF, offset, "latin1");
  if (lineEnd === -1) return NEED_MORE;
  const type = String.fromCharCode(buf[offset]);
  const line = buf.toString("latin1", offset + 1, lineEnd);
  const afterLine = lineEnd + 2;
  switch (type) {
    case "+":
      return [line, afterLine];
    case "-":
      return [new RespError(line), afterLine];
    case ":":
      return [Number(line), afterLine];
    case "$": {
      const length = Number(line);
      if (length < 0) return [null, afterLine];
      if (buf.length < afterLine + length + 2) return NEED_MORE;
      return [buf.toString("latin1", afterLine, afterLine + length), afterLine + length + 2];
    }
    case "*": {
      const length = Number(line);
      if (length < 0) return [null, afterLine];
      const items = [];
      let next = afterLine;
      for (let i = 0; i < length; i++) {
        const parsed = parseReply(buf, next);
        if (parsed === NEED_MORE) return NEED_MORE;
        items.push(parsed[0]);
        next = parsed[1];
      }
      return [items, next];
    }
    default:
      throw new Error(`unexpected RESP type byte ${JSON.stringify(type)}`);
  }
};

/**
 * A minimal pipelining RESP client. `sendRaw(bytes, replyCount)` resolves once
 * that many replies have arrived, with the number of error replies and the
 * first error message; `command(...args)` resolves with one parsed reply.
 */
export class RespClient {
  static connect(port) {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: HOST, port });
      socket.once("error", reject);
      socket.once("connect", () => {
        socket.off("error", reject);
        resolve(new RespClient(socket));
      });
    });
  }

  constructor(socket) {
    this.socket = socket;
    this.pending = Buffer.alloc(0);
    this.waiting = [];
    socket.setNoDelay(true);
    socket.on("data", (chunk) => this.onData(chunk));
    socket.on("error", (error) => this.failAll(error));
    socket.on("close", () => this.failAll(new Error("connection closed")));
  }

  onData(chunk) {
    const buf = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    let offset = 0;
    for (;;) {
      const parsed = parseReply(buf, offset);
      if (parsed === NEED_MORE) break;
      offset = parsed[1];
      this.deliver(parsed[0]);
    }
    this.pending = buf.subarray(offset);
  }

  deliver(value) {
    const head = this.waiting[0];
    if (head === undefined) return;
    if (isRespError(value)) {
      head.errors++;
      head.firstError ??= value.message;
    }
    head.last = value;
    head.remaining--;
    if (head.remaining === 0) {
      this.waiting.shift();
      head.resolve(head);
    }
  }

  failAll(error) {
    for (const waiter of this.waiting.splice(0)) waiter.reject(error);
  }

  async sendRaw(bytes, replyCount) {
    const done = new Promise((resolve, reject) => {
      this.waiting.push({ remaining: replyCount, errors: 0, firstError: undefined, last: undefined, resolve, reject });
    });
    if (!this.socket.write(bytes)) await new Promise((resolve) => this.socket.once("drain", resolve));
    return done;
  }

  async command(...args) {
    const result = await this.sendRaw(Buffer.from(encodeCommand(args), "latin1"), 1);
    return result.last;
  }

  close() {
    this.socket.destroy();
  }
}

// ---------------------------------------------------------------------------
// Keyspace loading. Keys use redis-benchmark's own format (key:%012d), so a
// prefilled keyspace of N keys is exactly what `redis-benchmark -r N` hits.

export const keyName = (i) => `key:${String(i).padStart(12, "0")}`; // 16 bytes
export const valueFor = (i) => `value:${String(i).padStart(26, "0")}`; // 32 bytes

const buildBatch = (from, to, ttlSecondsFor) => {
  let out = "";
  for (let i = from; i < to; i++) {
    const ttl = ttlSecondsFor(i);
    out += encodeCommand(ttl === undefined ? ["SET", keyName(i), valueFor(i)] : ["SET", keyName(i), valueFor(i), "EX", String(ttl)]);
  }
  return Buffer.from(out, "latin1");
};

/**
 * Writes SETs for keys [from, to) as raw RESP over one socket, `batchSize`
 * commands per write, with at most `window` batches awaiting replies.
 * Throws if any reply is an error. Resolves with the elapsed milliseconds.
 */
export const loadKeys = async (port, { from = 0, to, ttlSecondsFor = () => undefined, batchSize = 10_000, window = 4 }) => {
  const client = await RespClient.connect(port);
  const started = performance.now();
  try {
    const inFlight = [];
    let errors = 0;
    let firstError;
    const settle = (result) => {
      errors += result.errors;
      firstError ??= result.firstError;
    };
    for (let start = from; start < to; start += batchSize) {
      const end = Math.min(to, start + batchSize);
      inFlight.push(client.sendRaw(buildBatch(start, end, ttlSecondsFor), end - start));
      if (inFlight.length >= window) settle(await inFlight.shift());
    }
    for (const pending of inFlight) settle(await pending);
    if (errors > 0) throw new Error(`loading keys: ${errors} error replies, first: ${firstError}`);
    return performance.now() - started;
  } finally {
    client.close();
  }
};

export const sendCommand = async (port, args, timeoutMs = 10_000) => {
  const client = await RespClient.connect(port);
  try {
    return await withTimeout(client.command(...args), timeoutMs, args[0]);
  } finally {
    client.close();
  }
};

// ---------------------------------------------------------------------------
// /proc readers

/** Resident set size in bytes (VmRSS). */
export const readRssBytes = (pid) => {
  const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
  const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  if (match === null) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(match[1]) * 1024;
};

const clockTicksPerSecond = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim());

/** utime + stime of a process, in milliseconds. */
export const readCpuMs = (pid) => {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
  // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const ticks = Number(fields[11]) + Number(fields[12]);
  return (ticks * 1000) / clockTicksPerSecond;
};

// ---------------------------------------------------------------------------
// Servers

const pingOnce = (port) =>
  sendCommand(port, ["PING"], 1_000).then(
    (reply) => reply === "PONG",
    () => false,
  );

/**
 * Starts a server process (no shell, so child.pid is the server itself),
 * logging to <dir>/server.log, and waits until it answers PING.
 */
export const startServer = async ({ name, command, args, port, dir, startTimeoutMs = 120_000, pollMs = 100 }) => {
  const started = performance.now();
  const logPath = path.join(dir, "server.log");
  const logFd = fs.openSync(logPath, "a");
  const child = spawnTracked(command, args, { cwd: REPO_ROOT, stdio: ["ignore", logFd, logFd] });
  fs.closeSync(logFd);
  let exited = false;
  child.on("exit", () => (exited = true));
  const spawnError = new Promise((_, reject) => child.once("error", reject));
  spawnError.catch(() => {}); // surfaced through the race below
  const deadline = Date.now() + startTimeoutMs;
  const logTail = () => fs.readFileSync(logPath, "utf8").split("\n").slice(-15).join("\n");
  for (;;) {
    const answered = await Promise.race([pingOnce(port), spawnError]);
    if (answered) break;
    if (exited) throw new Error(`${name} exited before answering PING; log:\n${logTail()}`);
    if (Date.now() > deadline) throw new Error(`${name} did not answer PING within ${startTimeoutMs} ms; log:\n${logTail()}`);
    await sleep(pollMs);
  }
  return { name, port, pid: child.pid, dir, child, command, args, startMs: performance.now() - started };
};

/** Starts the same command again (same port and dir, so an RDB it saved is loaded), polling PING every 10 ms. */
export const restartServer = async (server) => {
  await stopServer(server);
  return startServer({ name: server.name, command: server.command, args: server.args, port: server.port, dir: server.dir, pollMs: 10 });
};

/** Sends signal (SIGTERM by default), then SIGKILL after a grace period. */
export const stopServer = async (server, graceMs = 5_000, signal = "SIGTERM") => {
  const { child } = server;
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill(signal);
  const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
  await exited;
  clearTimeout(timer);
};

// ---------------------------------------------------------------------------
// redis-benchmark

const parseCsvLine = (line) => [...line.matchAll(/"([^"]*)"/g)].map((match) => match[1]);

/**
 * Parses redis-benchmark 7's --csv output:
 * "test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms","max_latency_ms"
 * into { [test]: { rps, avgMs, minMs, p50Ms, p95Ms, p99Ms, maxMs } }.
 */
export const parseBenchmarkCsv = (text) => {
  const lines = text.split(/\r?\n/).filter((line) => line.startsWith('"'));
  const [header, ...rows] = lines.map(parseCsvLine);
  if (header === undefined || header[0] !== "test") throw new Error(`no CSV header in redis-benchmark output:\n${text}`);
  const column = (name) => {
    const index = header.indexOf(name);
    if (index === -1) throw new Error(`redis-benchmark CSV has no ${name} column`);
    return index;
  };
  const columns = {
    rps: column("rps"),
    avgMs: column("avg_latency_ms"),
    minMs: column("min_latency_ms"),
    p50Ms: column("p50_latency_ms"),
    p95Ms: column("p95_latency_ms"),
    p99Ms: column("p99_latency_ms"),
    maxMs: column("max_latency_ms"),
  };
  const results = {};
  for (const row of rows) {
    results[row[0]] = Object.fromEntries(Object.entries(columns).map(([key, index]) => [key, Number(row[index])]));
  }
  return results;
};

/** Runs redis-benchmark --csv against a port, killed after timeoutMs. */
export const runRedisBenchmark = (port, { tests, clients = 50, pipeline, random, requests, keepAlive = true, timeoutMs }) =>
  new Promise((resolve, reject) => {
    const args = ["-h", HOST, "-p", String(port), "-t", tests, "-c", String(clients), "-P", String(pipeline), "-r", String(random), "-n", String(requests), ...(keepAlive ? [] : ["-k", "0"]), "--csv"];
    const child = spawnTracked("redis-benchmark", args, { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.once("error", reject);
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      if (signal === "SIGKILL") return reject(new Error(`redis-benchmark ${args.join(" ")}: killed after ${timeoutMs} ms`));
      if (code !== 0) return reject(new Error(`redis-benchmark ${args.join(" ")} exited ${code}: ${stderr.trim()}`));
      try {
        resolve(parseBenchmarkCsv(stdout));
      } catch (error) {
        reject(error);
      }
    });
  });

export const median = (values) => {
  const sorted = values.filter((value) => typeof value === "number" && Number.isFinite(value)).sort((a, b) => a - b);
  if (sorted.length === 0) return null;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

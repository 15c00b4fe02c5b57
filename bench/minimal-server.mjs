// The ceiling for any Node RESP server: node:net, a mutable Map, no Effect.
// Speaks just what the benchmarks send (PING, GET, SET [EX s], INCR, MSET,
// DBSIZE, FLUSHALL, CONFIG GET for redis-benchmark's start-up probe).
//   node bench/minimal-server.mjs --port P [--bind 127.0.0.1] (other flags ignored)
import net from "node:net";

const flag = (name, fallback) => {
  const index = process.argv.indexOf(name);
  return index === -1 ? fallback : process.argv[index + 1];
};
const values = new Map();
const expiries = new Map(); // key -> unix ms; only stored, never reaped (a ceiling, not a server)
const bulk = (s) => (s === undefined ? "$-1\r\n" : `$${Buffer.byteLength(s, "latin1")}\r\n${s}\r\n`);

const execute = (args) => {
  const name = args[0].toUpperCase();
  if (name === "GET") return bulk(values.get(args[1]));
  if (name === "SET") {
    values.set(args[1], args[2]);
    if (args.length >= 5 && args[3].toUpperCase() === "EX") expiries.set(args[1], Date.now() + Number(args[4]) * 1000);
    else expiries.delete(args[1]);
    return "+OK\r\n";
  }
  if (name === "INCR") {
    const next = Number(values.get(args[1]) ?? 0) + 1;
    values.set(args[1], String(next));
    return `:${next}\r\n`;
  }
  if (name === "MSET") {
    for (let i = 1; i + 1 < args.length; i += 2) values.set(args[i], args[i + 1]), expiries.delete(args[i]);
    return "+OK\r\n";
  }
  if (name === "PING") return "+PONG\r\n";
  if (name === "DBSIZE") return `:${values.size}\r\n`;
  if (name === "FLUSHALL") return values.clear(), expiries.clear(), "+OK\r\n";
  if (name === "CONFIG") return `*2\r\n${bulk(args[2] ?? "")}${bulk("")}`;
  return `-ERR unknown command '${args[0]}'\r\n`;
};

/** Parses one multibulk command at offset: [args, next] or undefined when incomplete. */
const parseCommand = (buf, offset) => {
  let end = buf.indexOf("\r\n", offset, "latin1");
  if (end === -1) return undefined;
  const count = Number(buf.toString("latin1", offset + 1, end));
  const args = [];
  let at = end + 2;
  for (let i = 0; i < count; i++) {
    end = buf.indexOf("\r\n", at, "latin1");
    if (end === -1) return undefined;
    const length = Number(buf.toString("latin1", at + 1, end));
    if (buf.length < end + 2 + length + 2) return undefined;
    args.push(buf.toString("latin1", end + 2, end + 2 + length));
    at = end + 2 + length + 2;
  }
  return [args, at];
};

net
  .createServer((socket) => {
    socket.setNoDelay(true);
    let pending = Buffer.alloc(0);
    socket.on("data", (chunk) => {
      const buf = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      let offset = 0;
      let out = "";
      for (let parsed; offset < buf.length && (parsed = parseCommand(buf, offset)) !== undefined; offset = parsed[1]) out += execute(parsed[0]);
      pending = buf.subarray(offset);
      if (out !== "") socket.write(out, "latin1");
    });
    socket.on("error", () => socket.destroy());
  })
  .listen(Number(flag("--port", "6379")), flag("--bind", "127.0.0.1"));

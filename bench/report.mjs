// Formatting of the benchmark tables, and the targets evaluated from one run's results.

export const formatRps = (rps) => (rps === null || rps === undefined ? "n/a" : Math.round(rps).toLocaleString("en-US"));
export const formatMs = (ms) => (ms === null || ms === undefined ? "n/a" : ms.toFixed(3));
export const formatRatio = (ratio) => (ratio === null || ratio === undefined ? "n/a" : ratio.toFixed(2));
export const formatMiB = (bytes) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
export const formatUs = (us) => (us === null || us === undefined ? "n/a" : us >= 10_000 ? `${(us / 1000).toFixed(0)} ms` : `${us.toFixed(1)} µs`);
export const ratioOf = (a, b) => (a === null || a === undefined || b === null || b === undefined || b === 0 ? null : a / b);

export const printTable = (header, rows) => {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => String(row[column]).length)));
  const line = (cells) => cells.map((cell, column) => (column === 0 ? String(cell).padEnd(widths[column]) : String(cell).padStart(widths[column]))).join("  ");
  console.log(line(header));
  console.log(widths.map((width) => "-".repeat(width)).join("  "));
  for (const row of rows) console.log(line(row));
};

export const section = (title) => console.log(`\n== ${title} ==`);

// ---------------------------------------------------------------------------
// Targets (issue 13). Each reads one figure from the results; a missing figure is "n/a".

const throughputRatio = (results, test, pipeline) => results.throughput?.rows?.find((row) => row.test === test && row.pipeline === pipeline)?.ratioToMinimal ?? null;

/** Scaling rows from the smallest size to the largest one effect-kv reached (it may have failed to load the last). */
const scalingSpan = (results, pick) => {
  const rows = (Array.isArray(results.scaling) ? results.scaling : []).filter((row) => typeof pick(row) === "number");
  return rows.length < 2 ? null : { first: rows[0], last: rows.at(-1), planned: results.plan?.scalingKeyCounts?.at(-1) };
};

const keysLabel = (n) => (n >= 1_000_000 ? `${n / 1_000_000}M` : `${n / 1_000}k`);

const scalingTarget = (results, what, pick, goal) => {
  const span = scalingSpan(results, pick);
  if (span === null) return { name: `effect-kv ${what}, largest / smallest keyspace`, figure: null, ...goal };
  const note = span.last.keys === span.planned ? "" : `no effect-kv figure at ${keysLabel(span.planned)} keys (load or probe failed)`;
  return { name: `effect-kv ${what} at ${keysLabel(span.last.keys)} / at ${keysLabel(span.first.keys)}`, figure: ratioOf(pick(span.last), pick(span.first)), note, ...goal };
};

const targets = (results) => [
  { name: "SET -P 1, effect-kv / minimal", figure: throughputRatio(results, "SET", 1), atLeast: 0.8 },
  { name: "GET -P 1, effect-kv / minimal", figure: throughputRatio(results, "GET", 1), atLeast: 0.8 },
  { name: "SET -P 16, effect-kv / minimal", figure: throughputRatio(results, "SET", 16), atLeast: 0.6 },
  { name: "GET -P 16, effect-kv / minimal", figure: throughputRatio(results, "GET", 16), atLeast: 0.6 },
  { name: "new connection rate (-k 0), effect-kv / minimal", figure: results.throughput?.connections?.ratioToMinimal ?? null, atLeast: 0.5 },
  { name: "RSS with the keys loaded, effect-kv / redis", figure: results.memory?.rssRatio ?? null, atMost: 2 },
  { name: "SAVE time, effect-kv / redis", figure: results.memory?.saveTimeRatio ?? null, atMost: 1.5 },
  { name: "load at start keys/s, effect-kv / redis", figure: results.memory?.loadAtStartRatio ?? null, atLeast: 0.5 },
  scalingTarget(results, "SET rps (-P 16)", (row) => row.effectKv.SET?.rps, { atLeast: 0.7 }),
  scalingTarget(results, "SCAN COUNT 10 time/call", (row) => row.effectKv.calls?.SCAN?.usPerCall, { atMost: 2 }),
  scalingTarget(results, "RANDOMKEY time/call", (row) => row.effectKv.calls?.RANDOMKEY?.usPerCall, { atMost: 2 }),
  { name: "PING p99 ms during a full SCAN, effect-kv", figure: results.scan?.effectKv?.pingP99Ms ?? null, below: 5, note: results.scan?.effectKv?.complete === false ? "scan did not finish in its time budget" : "" },
];

const verdict = (target) => {
  const { figure } = target;
  if (figure === null) return "n/a";
  const pass = target.atLeast !== undefined ? figure >= target.atLeast : target.atMost !== undefined ? figure <= target.atMost : figure < target.below;
  return pass ? "PASS" : "FAIL";
};

const goal = (target) => (target.atLeast !== undefined ? `>= ${target.atLeast}` : target.atMost !== undefined ? `<= ${target.atMost}` : `< ${target.below}`);

/** Prints the targets table and returns its rows for the JSON. */
export const reportTargets = (results) => {
  section("Targets (issue 13)");
  const rows = targets(results).map((target) => ({ name: target.name, figure: target.figure, target: goal(target), verdict: verdict(target), note: target.note ?? "" }));
  printTable(
    ["target", "figure", "goal", "", "note"],
    rows.map((row) => [row.name, row.figure === null ? "n/a" : row.figure.toFixed(3), row.target, row.verdict, row.note]),
  );
  return rows;
};

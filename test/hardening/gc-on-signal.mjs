// Preloaded into a server process started with --expose-gc (node --import):
// on SIGUSR2, run a full garbage collection and print the live heap, so a
// test can compare memory before and after a load without waiting for V8.
process.on("SIGUSR2", () => {
  globalThis.gc?.()
  globalThis.gc?.()
  const { heapUsed, external, rss } = process.memoryUsage()
  process.stdout.write(`heap after gc: heapUsed=${heapUsed} external=${external} rss=${rss}\n`)
})

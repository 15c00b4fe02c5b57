/**
 * BullMQ 5 (on ioredis) against effect-kv, unchanged: a job added is
 * processed by a Worker and completes with its return value; a delayed job
 * does not run before its delay; a job whose processor throws once is
 * retried (attempts: 2) and completes, the worker raising `failed` then
 * `completed`; a QueueEvents listener hears `added`, `active` and
 * `completed` from the queue's event stream.
 *
 * BullMQ's scripts write every state change to a stream (XADD with
 * MAXLEN ~, XTRIM MAXLEN ~), its Worker blocks on BZPOPMIN for its marker
 * key, and QueueEvents reads the stream with XREAD BLOCK.
 */
import { type Job, Queue, QueueEvents, Worker } from "bullmq"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type RunningServer, startServer } from "../../src/index.js"

let kv: RunningServer

beforeAll(async () => {
  kv = await startServer({ port: 0 })
})

afterAll(async () => {
  await kv.close()
})

const connection = () => ({ host: "127.0.0.1", port: kv.port })

/** A queue and a worker running `processor` on it; `close` closes both. */
const queueWithWorker = async <A, R>(name: string, processor: (job: Job<A, R>) => Promise<R>) => {
  const queue = new Queue<A, R>(name, { connection: connection() })
  const worker = new Worker<A, R>(name, processor, { connection: connection() })
  await worker.waitUntilReady()
  return {
    queue,
    worker,
    close: async () => {
      await worker.close()
      await queue.close()
    }
  }
}

describe("BullMQ on effect-kv", () => {
  it("a job added is processed by a Worker and completes with its return value", async () => {
    const { queue, worker, close } = await queueWithWorker<{ readonly n: number }, number>(
      "bullmq-complete",
      async (job) => job.data.n * 2
    )
    try {
      const completed = new Promise<[Job, number]>((resolve) =>
        worker.once("completed", (job, result) => resolve([job, result]))
      )
      const added = await queue.add("double", { n: 21 })
      const [job, result] = await completed
      expect(job.id).toBe(added.id)
      expect(result).toBe(42)
      const stored = await queue.getJob(added.id ?? "")
      expect(stored?.returnvalue).toBe(42)
      expect(stored?.finishedOn).toBeGreaterThanOrEqual(stored?.processedOn ?? Infinity)
      expect(await stored?.getState()).toBe("completed")
      expect(await queue.getJobCounts("completed", "waiting", "active", "failed")).toMatchObject({
        completed: 1,
        waiting: 0,
        active: 0,
        failed: 0
      })
    } finally {
      await close()
    }
  }, 20_000)

  it("a delayed job does not run before its delay", async () => {
    const delayMs = 300
    const startedAt = new Map<string, number>()
    const { queue, worker, close } = await queueWithWorker<Record<string, never>, string>(
      "bullmq-delayed",
      async (job) => {
        startedAt.set(job.id ?? "", Date.now())
        return "late"
      }
    )
    try {
      const completed = new Promise<Job>((resolve) => worker.once("completed", (job) => resolve(job)))
      const added = await queue.add("later", {}, { delay: delayMs })
      expect(await added.getState()).toBe("delayed")
      const job = await completed
      expect(job.id).toBe(added.id)
      expect(startedAt.get(job.id ?? "")).toBeGreaterThanOrEqual(added.timestamp + delayMs)
      expect(job.returnvalue).toBe("late")
    } finally {
      await close()
    }
  }, 20_000)

  it("a job whose processor throws once is retried and completes (failed, then completed)", async () => {
    let calls = 0
    const { queue, worker, close } = await queueWithWorker<Record<string, never>, string>(
      "bullmq-retry",
      async () => {
        calls += 1
        if (calls === 1) throw new Error("first attempt fails")
        return "second attempt"
      }
    )
    try {
      const events: Array<string> = []
      worker.on("failed", (_job, error) => events.push(`failed: ${error.message}`))
      const completed = new Promise<Job>((resolve) =>
        worker.on("completed", (job) => {
          events.push("completed")
          resolve(job)
        })
      )
      const added = await queue.add("flaky", {}, { attempts: 2 })
      const job = await completed
      expect(job.id).toBe(added.id)
      expect(events).toEqual(["failed: first attempt fails", "completed"])
      const stored = await queue.getJob(added.id ?? "")
      expect(stored?.attemptsMade).toBe(2)
      expect(stored?.returnvalue).toBe("second attempt")
      expect(await stored?.getState()).toBe("completed")
    } finally {
      await close()
    }
  }, 20_000)

  it("a QueueEvents listener hears added, active and completed (XREAD BLOCK on the event stream)", async () => {
    const name = "bullmq-events"
    const events = new QueueEvents(name, { connection: connection() })
    await events.waitUntilReady()
    const { queue, close } = await queueWithWorker<Record<string, never>, string>(name, async () => "done")
    try {
      const heard: Array<string> = []
      events.on("added", ({ jobId }) => heard.push(`added ${jobId}`))
      events.on("active", ({ jobId }) => heard.push(`active ${jobId}`))
      const completed = new Promise<{ readonly jobId: string; readonly returnvalue: unknown }>((resolve) =>
        events.on("completed", (args) => resolve(args))
      )
      const added = await queue.add("heard", {})
      const done = await completed
      expect(done).toEqual({ jobId: added.id, returnvalue: "done", prev: "active" })
      expect(heard).toEqual([`added ${added.id}`, `active ${added.id}`])
      // the same job waited on through the listener
      const again = await queue.add("awaited", {})
      expect(await again.waitUntilFinished(events, 5_000)).toBe("done")
    } finally {
      await close()
      await events.close()
    }
  }, 20_000)
})

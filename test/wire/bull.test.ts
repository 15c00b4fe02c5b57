/**
 * Bull 4 (the classic queue, on ioredis and Lua scripts) against effect-kv,
 * unchanged: a job added is processed by the queue's worker and completes
 * with its return value; a job whose processor throws once is retried
 * (attempts: 2) and completes on its second attempt, raising `failed` then
 * `completed`. Bull blocks on BRPOPLPUSH for new jobs and hears of them on
 * pub/sub, so this exercises scripts, blocking lists and pub/sub together.
 */
import Queue from "bull"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type RunningServer, startServer } from "../../src/index.js"

let kv: RunningServer

beforeAll(async () => {
  kv = await startServer({ port: 0 })
})

afterAll(async () => {
  await kv.close()
})

/** A Bull queue on effect-kv, ready (its clients connected). */
const queueNamed = async (name: string): Promise<Queue.Queue> => {
  const queue = new Queue(name, { redis: { host: "127.0.0.1", port: kv.port } })
  await queue.isReady()
  return queue
}

/** Resolves with the first `event` the queue emits. */
const once = <A extends ReadonlyArray<unknown>>(queue: Queue.Queue, event: "completed" | "failed"): Promise<A> =>
  new Promise((resolve) => queue.once(event, (...args: ReadonlyArray<unknown>) => resolve(args as unknown as A)))

describe("Bull on effect-kv", () => {
  it("a job added is processed and completes with its return value", async () => {
    const queue = await queueNamed("bull-complete")
    try {
      const completed = once<[Queue.Job, unknown]>(queue, "completed")
      void queue.process(async (job: Queue.Job<{ readonly n: number }>) => job.data.n * 2)
      const added = await queue.add({ n: 21 })
      const [job, result] = await completed
      expect(job.id).toBe(added.id)
      expect(result).toBe(42)
      const stored = await queue.getJob(added.id)
      expect(stored?.returnvalue).toBe(42)
      expect(await stored?.getState()).toBe("completed")
      expect(stored?.finishedOn).toBeGreaterThan(0)
      expect(await queue.getJobCounts()).toMatchObject({ completed: 1, waiting: 0, active: 0, failed: 0 })
    } finally {
      await queue.close()
    }
  }, 20_000)

  it("a job whose processor throws once is retried and completes (failed, then completed)", async () => {
    const queue = await queueNamed("bull-retry")
    try {
      const events: Array<string> = []
      queue.on("failed", (_job: Queue.Job, error: Error) => events.push(`failed: ${error.message}`))
      const completed = new Promise<Queue.Job>((resolve) =>
        queue.on("completed", (job: Queue.Job) => {
          events.push("completed")
          resolve(job)
        })
      )
      let calls = 0
      void queue.process(async () => {
        calls += 1
        if (calls === 1) throw new Error("first attempt fails")
        return "second attempt"
      })
      const added = await queue.add({}, { attempts: 2 })
      const job = await completed
      expect(job.id).toBe(added.id)
      expect(events).toEqual(["failed: first attempt fails", "completed"])
      const stored = await queue.getJob(added.id)
      // Bull counts failed attempts only (Job#moveToFailed)
      expect(stored?.attemptsMade).toBe(1)
      expect(stored?.returnvalue).toBe("second attempt")
      expect(await stored?.getState()).toBe("completed")
    } finally {
      await queue.close()
    }
  }, 20_000)
})

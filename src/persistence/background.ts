/**
 * One background job at a time, as Redis runs one child process for BGSAVE
 * and one for BGREWRITEAOF: a fiber forked in a scope, that a second start
 * finds running, that can be awaited and stopped.
 */
import { Effect, type Exit, Fiber, Option, Ref, type Scope } from "effect"

/** What a start request did. */
export type BackgroundStart = "started" | "already-running"

/** The job to fork, and what to do when it ends (its slot is freed after that). */
export interface BackgroundRun<E> {
  readonly run: Effect.Effect<void, E>
  readonly finished: (exit: Exit.Exit<void, E>) => Effect.Effect<void>
}

export interface BackgroundJob<E> {
  readonly running: Effect.Effect<boolean>
  /** Unless a job runs, runs `begin` and forks the job it gives; `begin` does not run otherwise. */
  readonly start: (begin: Effect.Effect<BackgroundRun<E>>) => Effect.Effect<BackgroundStart>
  /** Waits for the running job, if any, to end. */
  readonly await: Effect.Effect<void>
  /** Interrupts the running job, if any. */
  readonly interrupt: Effect.Effect<void>
}

/** A slot for one background job, whose fibers live in `scope`. */
export const makeBackgroundJob = <E>(scope: Scope.Scope): Effect.Effect<BackgroundJob<E>> =>
  Effect.map(Ref.make(Option.none<Fiber.RuntimeFiber<void, E>>()), (slot) => {
    const start = (begin: Effect.Effect<BackgroundRun<E>>): Effect.Effect<BackgroundStart> =>
      Effect.flatMap(Ref.get(slot), (current) =>
        Option.isSome(current)
          ? Effect.succeed("already-running")
          : Effect.flatMap(begin, ({ finished, run }) =>
            run.pipe(
              Effect.onExit((exit) => Effect.zipRight(finished(exit), Ref.set(slot, Option.none()))),
              Effect.interruptible,
              Effect.forkIn(scope),
              Effect.flatMap((fiber) => Ref.set(slot, Option.some(fiber))),
              Effect.as("started" as const)
            )))
    const job: BackgroundJob<E> = {
      running: Effect.map(Ref.get(slot), Option.isSome),
      start,
      await: Effect.flatMap(Ref.get(slot), (fiber) => Option.isSome(fiber) ? Effect.asVoid(Fiber.await(fiber.value)) : Effect.void),
      interrupt: Effect.flatMap(Ref.get(slot), (fiber) => Option.isSome(fiber) ? Fiber.interrupt(fiber.value) : Effect.void)
    }
    return job
  })

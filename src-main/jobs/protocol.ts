/** Messages between the job manager and its worker threads (the request a worker starts with: job-types.ts). */
export type WorkerMessage =
  | { type: 'progress'; fraction: number; stage: string; figures?: Record<string, number> }
  /** A question for the main thread (the kind's `answer`, task-definition.ts), e.g. one date of holdings. */
  | { type: 'ask'; id: number; question: unknown }
  | { type: 'result'; value: unknown }
  | { type: 'error'; message: string };

/** What a task running in a worker can do. */
export interface TaskReporter {
  /** `figures` are counts so far (e.g. scenarios cleared); the manager sums them over a job's shards. */
  progress(fraction: number, stage: string, figures?: Record<string, number>): void;
}

/** The main thread's reply to an `ask`: the answer (its typed arrays transferred, not copied), or why not. */
export type ManagerMessage =
  | { type: 'answer'; id: number; value: unknown }
  | { type: 'answer'; id: number; error: string };

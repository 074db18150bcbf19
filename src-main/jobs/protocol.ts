/** Messages between the job manager and its worker threads (the request a worker starts with: job-types.ts). */
export type WorkerMessage =
  | { type: 'progress'; fraction: number; stage: string; figures?: Record<string, number> }
  | { type: 'result'; value: unknown }
  | { type: 'error'; message: string };

/** What a task running in a worker can do. */
export interface TaskReporter {
  /** `figures` are counts so far (e.g. scenarios cleared); the manager sums them over a job's shards. */
  progress(fraction: number, stage: string, figures?: Record<string, number>): void;
}

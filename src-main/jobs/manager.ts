/**
 * Jobs: long work in worker threads. A job is planned in the main thread (inputs read from the store), split
 * into shards that run in parallel workers, merged, and saved in one transaction when every shard succeeded.
 * Cancelling terminates the workers; a cancelled or crashed job writes nothing to the store. At most `maxRunning`
 * jobs (the cores) and `maxThreads` worker threads run at once; later jobs wait, first come first served, with
 * status 'queued' and a stage that says how many jobs are ahead; cancelling a waiting job starts no worker. A
 * running worker may ask the main thread for inputs too large to hand over at once (its kind's `answer`).
 */
import { randomUUID } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { z } from 'zod';
import { AppError, describeIssues } from '../../src-shared/errors';
import { issuesInWords } from '../../src-shared/format/labels';
import { jobParamSchemas, waitingStage, type JobEvent, type JobKind } from '../../src-shared/jobs';
import type { JobInput, JobParams } from '../../src-shared/run-kinds';
import type { Db } from '../store/db';
import type { JobPartial, JobQuestion } from './job-types';
import type { ManagerMessage, WorkerMessage } from './protocol';
import { taskDefinitions } from './tasks';
import { workerScript } from '../io/worker-script';

/** Each kind's schema, seen as a parser from the kind's input to its parameters (checked per kind, no cast). */
const paramSchemas: { [K in JobKind]: z.ZodType<JobParams<K>, JobInput<K>> } = jobParamSchemas;

/**
 * A job of some kind, its kind's types closed over when it was planned (`start<K>`): the manager keeps jobs of every
 * kind in one queue, so a Job holds only what needs no kind — the shards' worker requests and `finish`, which
 * merges the shards' results and saves the run with the kind's own definition.
 */
interface Job {
  event: JobEvent;
  /** One worker's request per shard (workerData of worker-entry.ts: a WorkerRequest of the job's kind). */
  requests: Array<{ kind: JobKind; input: unknown }>;
  /** Merges the partial results (in shard order) and saves the run; returns the run id. */
  finish(parts: unknown[], timing: { startedAt: string; durationMs: number }): number;
  /** Answers a worker's question (the kind's `answer`), or undefined for kinds that ask nothing. */
  answer?(question: unknown): unknown;
  workers: Worker[];
  /** Resolves once the job is over (succeeded, failed, or cancelled — queued or running). */
  settled: Promise<void>;
  settle: () => void;
}

/** How much runs at once; the rest waits in FIFO order. */
export interface JobLimits {
  /** Jobs running at once (default: the cores, availableParallelism()). */
  maxRunning: number;
  /** Worker threads of all running jobs together (default: the cores, or the shards per job when more). */
  maxThreads: number;
  /** Jobs waiting at once; one more is refused. */
  maxQueued: number;
}

export class JobManager {
  private readonly jobs = new Map<string, Job>();
  private readonly queue: Job[] = [];
  private readonly running = new Set<Job>();
  private readonly limits: JobLimits;

  /**
   * `maxWorkers`: the shards (worker threads) one job is split into at most; `limits`: how many jobs and threads
   * run at once and how many may wait.
   */
  constructor(
    private readonly db: Db,
    private readonly emit: (event: JobEvent) => void,
    private readonly maxWorkers = Math.max(1, availableParallelism()),
    limits: Partial<JobLimits> = {},
  ) {
    const cores = Math.max(1, availableParallelism());
    this.limits = { maxRunning: cores, maxThreads: Math.max(cores, maxWorkers), maxQueued: 64, ...limits };
  }

  list(): JobEvent[] {
    return [...this.jobs.values()].map((job) => ({ ...job.event }));
  }

  /**
   * Validates the parameters and plans the job synchronously (bad input fails here), then runs it — at once when
   * fewer than `maxRunning` jobs run and their threads leave room, else after the jobs queued before it.
   */
  start<K extends JobKind>(kind: K, rawParams: unknown): { jobId: string; done: Promise<JobEvent> } {
    const parsed = paramSchemas[kind].safeParse(rawParams);
    if (!parsed.success) {
      const { field } = describeIssues(parsed.error.issues);
      throw new AppError('invalid_input', issuesInWords(parsed.error.issues), field ? `params.${field}` : 'params');
    }
    if (this.queue.length >= this.limits.maxQueued) {
      throw new AppError(
        'conflict',
        `${this.queue.length} jobs are already waiting; cancel one or let them finish first`,
      );
    }
    const definition = taskDefinitions[kind];
    const plan = definition.plan(this.db, parsed.data, Math.min(this.maxWorkers, this.limits.maxThreads));
    const requests = plan.shards.map((input) => ({ kind, input }));
    // The erasure point of the job boundary: a worker's result arrives by postMessage as `unknown` (a structured
    // clone of what workerTasks[kind] returned for this kind's shard, worker-tasks.ts), so it is taken as the kind's
    // partial result here. Everything before (parameters, plan, shards) and after (merge, save) is typed by the kind.
    const finish = (parts: unknown[], timing: { startedAt: string; durationMs: number }) =>
      definition.save(this.db, plan, definition.merge(parts as Array<JobPartial<K>>, plan), timing);
    // Likewise a worker's question arrives as `unknown`: it is what the kind's worker asked (JobQuestion<K>).
    const answerQuestion = definition.answer
      ? (question: unknown) => definition.answer!(this.db, plan, question as JobQuestion<K>)
      : undefined;
    const jobId = randomUUID();
    let settle = () => {};
    const settled = new Promise<void>((resolve) => (settle = resolve));
    const job: Job = {
      event: { jobId, kind, status: 'queued', fraction: 0, stage: '' },
      requests,
      finish,
      answer: answerQuestion,
      workers: [],
      settled,
      settle,
    };
    this.jobs.set(jobId, job);
    this.queue.push(job);
    if (!this.pump().includes(job)) {
      Object.assign(job.event, { stage: waitingStage(this.ahead(job)), ahead: this.ahead(job) });
      this.emit({ ...job.event });
    }
    return { jobId, done: settled.then(() => ({ ...job.event })) };
  }

  /** Jobs that run or wait before `job` (a queued one). */
  private ahead(job: Job): number {
    return this.running.size + this.queue.indexOf(job);
  }

  /** Starts the jobs at the head of the queue while there is room; returns those started. */
  private pump(): Job[] {
    const started: Job[] = [];
    while (this.queue.length > 0) {
      const next = this.queue[0]!;
      const threads = [...this.running].reduce((sum, job) => sum + job.requests.length, 0);
      const room =
        this.running.size === 0 ||
        (this.running.size < this.limits.maxRunning && threads + next.requests.length <= this.limits.maxThreads);
      if (!room) break;
      this.queue.shift();
      this.run(next);
      started.push(next);
    }
    // Those still waiting are told how many jobs are ahead of them now.
    for (const job of this.queue) {
      const ahead = this.ahead(job);
      if (job.event.ahead !== ahead && job.event.stage) this.update(job, { stage: waitingStage(ahead), ahead });
    }
    return started;
  }

  private run(job: Job): void {
    const { requests } = job;
    this.running.add(job);
    delete job.event.ahead;
    this.update(job, { status: 'running', fraction: 0, stage: 'starting' });

    const startedAt = new Date();
    const fractions = requests.map(() => 0);
    // Figures of each shard (counts so far): the job reports their sums.
    const shardFigures: Array<Record<string, number>> = requests.map(() => ({}));
    const shardResults = requests.map(
      (request, index) =>
        new Promise<unknown>((resolve, reject) => {
          const script = workerScript('worker-entry', 'worker');
          // a job of fewer shards than cores lends each shard's dense kernels the cores left (kernel-threads.ts)
          const kernelThreads = Math.max(1, Math.floor(this.maxWorkers / requests.length));
          const worker = new Worker(script.file, {
            workerData: { ...script.workerData, request, kernelThreads },
          });
          job.workers.push(worker);
          worker.on('message', (message: WorkerMessage) => {
            // a cancelled job's workers may still have messages on their way: none of them changes what it shows
            if (job.event.status !== 'running') return;
            if (message.type === 'progress') {
              fractions[index] = message.fraction;
              shardFigures[index] = message.figures ?? {};
              const figures: Record<string, number> = {};
              for (const part of shardFigures) {
                for (const [key, value] of Object.entries(part)) figures[key] = (figures[key] ?? 0) + value;
              }
              this.update(job, {
                fraction: fractions.reduce((a, b) => a + b, 0) / fractions.length,
                stage: message.stage,
                figures,
              });
            } else if (message.type === 'ask') {
              void this.reply(job, worker, message.id, message.question);
            } else if (message.type === 'result') {
              resolve(message.value);
            } else {
              reject(new Error(message.message));
            }
          });
          worker.on('error', reject);
          worker.on('exit', (code) => reject(new Error(`worker stopped (exit code ${code})`)));
        }),
    );

    Promise.all(shardResults)
      .then((parts) => {
        if (job.event.status !== 'running') return;
        this.update(job, { stage: 'saving' });
        const runId = this.db.transaction(() =>
          job.finish(parts, { startedAt: startedAt.toISOString(), durationMs: Date.now() - startedAt.getTime() }),
        )();
        this.update(job, { status: 'succeeded', fraction: 1, stage: 'done', runId });
      })
      .catch((error: unknown) => {
        if (job.event.status !== 'running') return;
        this.update(job, { status: 'failed', stage: 'failed', error: (error as Error).message });
      })
      .then(() => this.stopWorkers(job))
      .catch(() => {})
      .finally(() => {
        this.running.delete(job);
        job.settle();
        this.pump();
      });
  }

  /** Answers a worker's question; the answer's typed arrays are moved to the worker, not copied. */
  private async reply(job: Job, worker: Worker, id: number, question: unknown): Promise<void> {
    let message: ManagerMessage;
    const transfer: ArrayBuffer[] = [];
    try {
      if (!job.answer) throw new Error(`a ${job.event.kind} job answers no questions`);
      const value = await job.answer(question);
      for (const part of Object.values(value as object))
        if (ArrayBuffer.isView(part) && part.buffer instanceof ArrayBuffer) transfer.push(part.buffer);
      message = { type: 'answer', id, value };
    } catch (error) {
      message = { type: 'answer', id, error: (error as Error).message };
    }
    if (job.event.status === 'running') worker.postMessage(message, transfer);
  }

  /** Stops a running job, or takes a queued one off the queue; `{ cancelled: false }` when it had already finished. */
  async cancel(jobId: string): Promise<{ cancelled: boolean }> {
    const job = this.jobs.get(jobId);
    if (!job) throw new AppError('not_found', `no job with id ${jobId}`, 'jobId');
    if (job.event.status === 'queued') {
      this.queue.splice(this.queue.indexOf(job), 1);
      delete job.event.ahead;
      this.update(job, { status: 'cancelled', stage: 'cancelled' });
      job.settle();
      this.pump();
      return { cancelled: true };
    }
    if (job.event.status !== 'running') return { cancelled: false };
    this.update(job, { status: 'cancelled', stage: 'cancelled' });
    await this.stopWorkers(job);
    await job.settled;
    return { cancelled: true };
  }

  /** Cancels the waiting jobs first (so none starts as the running ones stop), then the running ones. */
  async cancelAll(): Promise<void> {
    for (const job of [...this.queue].reverse()) await this.cancel(job.event.jobId);
    await Promise.all([...this.running].map((job) => this.cancel(job.event.jobId)));
  }

  private update(job: Job, change: Partial<JobEvent>): void {
    Object.assign(job.event, change);
    this.emit({ ...job.event });
  }

  private async stopWorkers(job: Job): Promise<void> {
    await Promise.all(job.workers.map((worker) => worker.terminate()));
  }
}

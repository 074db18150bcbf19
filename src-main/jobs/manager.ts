/**
 * Jobs: long work in worker threads. A job is planned in the main thread (inputs read from the store), split
 * into shards that run in parallel workers, merged, and saved in one transaction when every shard succeeded.
 * Cancelling terminates the workers; a cancelled or crashed job writes nothing to the store.
 */
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { AppError, describeIssues } from '../../src-shared/errors';
import { jobParamSchemas, type JobEvent, type JobKind } from '../../src-shared/jobs';
import type { Db } from '../store/db';
import type { WorkerMessage } from './protocol';
import { taskDefinitions, type TaskDefinition } from './tasks';

interface RunningJob {
  event: JobEvent;
  workers: Worker[];
  settled: Promise<void>;
}

/** The worker script: the bundled `worker.js` beside the Electron main bundle, or tsx over the sources. */
function workerScript(): { file: string; workerData: Record<string, unknown> } {
  const here = fileURLToPath(new URL('.', import.meta.url));
  const sourceEntry = join(here, 'worker-entry.ts');
  if (existsSync(sourceEntry)) {
    return { file: join(here, 'worker-bootstrap.mjs'), workerData: { entryUrl: pathToFileURL(sourceEntry).href } };
  }
  // Bundled: this code sits in out/main/ or out/main/chunks/, the worker bundle in out/main/worker.js.
  const bundled = [join(here, 'worker.js'), join(here, '..', 'worker.js')].find((file) => existsSync(file));
  if (!bundled) throw new Error(`job worker bundle not found near ${here}`);
  return { file: bundled, workerData: {} };
}

export class JobManager {
  private readonly jobs = new Map<string, RunningJob>();

  constructor(
    private readonly db: Db,
    private readonly emit: (event: JobEvent) => void,
    private readonly maxWorkers = Math.max(1, availableParallelism()),
  ) {}

  list(): JobEvent[] {
    return [...this.jobs.values()].map((job) => ({ ...job.event }));
  }

  /** Validates the parameters and plans the job synchronously (bad input fails here), then runs it. */
  start(kind: JobKind, rawParams: unknown): { jobId: string; done: Promise<JobEvent> } {
    const parsed = jobParamSchemas[kind].safeParse(rawParams);
    if (!parsed.success) {
      const { message, field } = describeIssues(parsed.error.issues);
      throw new AppError('invalid_input', message, field ? `params.${field}` : 'params');
    }
    const definition: TaskDefinition<JobKind, never, never> = taskDefinitions[kind];
    const plan = definition.plan(this.db, parsed.data as never, this.maxWorkers);
    const jobId = randomUUID();
    const event: JobEvent = { jobId, kind, status: 'running', fraction: 0, stage: 'starting' };
    const job: RunningJob = { event, workers: [], settled: Promise.resolve() };
    this.jobs.set(jobId, job);
    this.emit({ ...event });

    const startedAt = new Date();
    const fractions = plan.shards.map(() => 0);
    // Figures of each shard (counts so far): the job reports their sums.
    const shardFigures: Array<Record<string, number>> = plan.shards.map(() => ({}));
    const script = workerScript();
    const shardResults = plan.shards.map(
      (input, index) =>
        new Promise<unknown>((resolve, reject) => {
          const worker = new Worker(script.file, {
            workerData: { ...script.workerData, request: { kind, input } },
          });
          job.workers.push(worker);
          worker.on('message', (message: WorkerMessage) => {
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

    const done = Promise.all(shardResults)
      .then((parts) => {
        if (job.event.status !== 'running') return;
        this.update(job, { stage: 'saving' });
        const runId = this.db.transaction(() =>
          definition.save(this.db, plan as never, definition.merge(parts as never[], plan as never), {
            startedAt: startedAt.toISOString(),
            durationMs: Date.now() - startedAt.getTime(),
          }),
        )();
        this.update(job, { status: 'succeeded', fraction: 1, stage: 'done', runId });
      })
      .catch((error: unknown) => {
        if (job.event.status !== 'running') return;
        this.update(job, { status: 'failed', stage: 'failed', error: (error as Error).message });
      })
      .finally(() => this.stopWorkers(job));
    job.settled = done;
    return { jobId, done: done.then(() => ({ ...job.event })) };
  }

  /** Stops a running job; `{ cancelled: false }` when it had already finished. */
  async cancel(jobId: string): Promise<{ cancelled: boolean }> {
    const job = this.jobs.get(jobId);
    if (!job) throw new AppError('not_found', `no job with id ${jobId}`, 'jobId');
    if (job.event.status !== 'running') return { cancelled: false };
    this.update(job, { status: 'cancelled', stage: 'cancelled' });
    await this.stopWorkers(job);
    await job.settled;
    return { cancelled: true };
  }

  async cancelAll(): Promise<void> {
    await Promise.all([...this.jobs.keys()].map((id) => this.cancel(id)));
  }

  private update(job: RunningJob, change: Partial<JobEvent>): void {
    Object.assign(job.event, change);
    this.emit({ ...job.event });
  }

  private async stopWorkers(job: RunningJob): Promise<void> {
    await Promise.all(job.workers.map((worker) => worker.terminate()));
  }
}

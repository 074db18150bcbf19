/**
 * The shape of a job kind's main-thread side: `plan` reads the inputs from the store and splits the work into
 * shards (one per worker), `merge` combines the shards' results exactly, `save` writes the run inside one
 * transaction (docs/architecture.md, "Jobs: shards and merge"). The registry of kinds is tasks.ts; the types of
 * each kind's shards, partial and merged results are in job-types.ts.
 */
import type { JobKind } from '../../src-shared/jobs';
import type { JobParams } from '../../src-shared/run-kinds';
import type { Db } from '../store/db';
import type { JobAnswer, JobInputs, JobMerged, JobPartial, JobQuestion, JobShard, JobTypes } from './job-types';

/** The parameters and the shards; for kinds with `inputs`, what the merge reads that no worker needs (never sent). */
export type JobPlan<K extends JobKind> = { params: JobParams<K>; shards: Array<JobShard<K>> } & (JobTypes[K] extends {
  inputs: unknown;
}
  ? { inputs: JobInputs<K> }
  : object);

/** A job kind's main-thread side, typed by its entry in JobTypes (job-types.ts). */
export interface TaskDefinition<K extends JobKind> {
  plan(db: Db, params: JobParams<K>, maxShards: number): JobPlan<K>;
  merge(parts: Array<JobPartial<K>>, plan: JobPlan<K>): JobMerged<K>;
  save(db: Db, plan: JobPlan<K>, merged: JobMerged<K>, timing: { startedAt: string; durationMs: number }): number;
  /** Answers a worker's question while the job runs, from the store (kinds whose inputs do not fit a shard). */
  answer?(db: Db, plan: JobPlan<K>, question: JobQuestion<K>): JobAnswer<K> | Promise<JobAnswer<K>>;
}

/** Splits `total` items into at most `parts` contiguous ranges of near-equal size. */
export function splitRange(total: number, parts: number): Array<{ first: number; count: number }> {
  const n = Math.max(1, Math.min(parts, total));
  return Array.from({ length: n }, (_, index) => {
    const first = Math.floor((index * total) / n);
    return { first, count: Math.floor(((index + 1) * total) / n) - first };
  });
}

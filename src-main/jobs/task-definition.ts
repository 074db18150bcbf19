/**
 * The shape of a job kind's main-thread side: `plan` reads the inputs from the store and splits the work into
 * shards (one per worker), `merge` combines the shards' results exactly, `save` writes the run inside one
 * transaction (docs/architecture.md, "Jobs: shards and merge"). The registry of kinds is tasks.ts.
 */
import type { z } from 'zod';
import type { JobKind, jobParamSchemas } from '../../src-shared/jobs';
import type { Db } from '../store/db';

export interface JobPlan<Params, ShardInput> {
  params: Params;
  shards: ShardInput[];
}

export interface TaskDefinition<K extends JobKind, ShardInput, Part> {
  plan(db: Db, params: z.output<(typeof jobParamSchemas)[K]>, maxShards: number): JobPlan<z.output<(typeof jobParamSchemas)[K]>, ShardInput>;
  merge(parts: Part[], plan: JobPlan<z.output<(typeof jobParamSchemas)[K]>, ShardInput>): unknown;
  save(
    db: Db,
    plan: JobPlan<z.output<(typeof jobParamSchemas)[K]>, ShardInput>,
    merged: unknown,
    timing: { startedAt: string; durationMs: number },
  ): number;
}

/** Splits `total` items into at most `parts` contiguous ranges of near-equal size. */
export function splitRange(total: number, parts: number): Array<{ first: number; count: number }> {
  const n = Math.max(1, Math.min(parts, total));
  return Array.from({ length: n }, (_, index) => {
    const first = Math.floor((index * total) / n);
    return { first, count: Math.floor(((index + 1) * total) / n) - first };
  });
}

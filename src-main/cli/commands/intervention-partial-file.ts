/**
 * Intervention studies split over machines: `cwb intervention-study ECONOMY.json … --shard K/N --out PART.json` runs
 * shard K of N of the scenario study as the job's worker threads split it (studyShard: scenarios K−1, K−1+N, …,
 * each from its own random stream (seed, s); the displayed intervention and tail sampling on shard 1) and writes
 * its part (`contagion-workbench/intervention-partial@1`, through safe-write) with the economy file's SHA-256 and
 * the study's parameters; `cwb merge PART.json…` (stress-merge.ts) checks the parts belong together and merges them
 * with the job's merge (economyStudyResults).
 */
import { z } from 'zod';
import { economyInterventionSchema } from '../../../src-shared/results/intervention';
import type { JobParams } from '../../../src-shared/run-kinds';
import type { InterventionPart } from '../../jobs/intervention-worker';
import type { StudyPartial } from '../../engines/intervention-study';
import { ImportError } from '../../io/import-error';
import { parseJsonDocument } from '../../io/network-json';
import { partialJson, writePartialFile } from './stress-partial-file';

export const INTERVENTION_PARTIAL_FORMAT = 'contagion-workbench/intervention-partial@1';

export type StudyParams = Omit<Extract<JobParams<'intervention'>, { target: 'economy' }>, 'versionId'>;

/** What a shard of a study was asked to do, kept with its part so that the merge can check the parts belong together. */
export interface StudyShardRun {
  /** The economy's name, as its file gives it. */
  economy: string;
  /** SHA-256 of the economy file the shard read: the identity of the stored dataset. */
  economySha256: string;
  firms: number;
  params: StudyParams;
  shard: { index: number; count: number };
}

/** A shard's part: the worker's part (display and tail on shard 1) and the firms' ids. */
export type StudyShardPart = InterventionPart & { ids: string[]; assetValues: Float64Array; partial: StudyPartial };

export function writeStudyPartial(
  path: string,
  run: StudyShardRun,
  part: StudyShardPart,
  flags: Record<string, string | true>,
): void {
  writePartialFile(path, partialJson({ format: INTERVENTION_PARTIAL_FORMAT, run, part }), flags);
}

const numbers = z.array(z.number());
const count = z.number().int().min(0);
const partFileSchema = z.object({
  format: z.literal(INTERVENTION_PARTIAL_FORMAT),
  run: z.object({
    economy: z.string(),
    economySha256: z.string().regex(/^[0-9a-f]{64}$/),
    firms: count,
    params: economyInterventionSchema.omit({ versionId: true }),
    shard: z.object({ index: count, count }),
  }),
  part: z.object({
    ids: z.array(z.string()),
    assetValues: numbers,
    display: z.looseObject({ method: z.string() }).optional(),
    tail: z.looseObject({}).optional(),
    partial: z.object({
      firstScenario: count,
      count,
      stride: count,
      failedBefore: numbers,
      valueLostBefore: numbers,
      failedAfter: numbers,
      valueSaved: numbers,
      supportCount: numbers,
      supportAmount: numbers,
    }),
  }),
});

/** Reads one part file back into typed arrays; one-line refusal naming the file otherwise. */
export function parseStudyPartial(bytes: Uint8Array, fileName: string): { run: StudyShardRun; part: StudyShardPart } {
  const { run, part } = parseJsonDocument(partFileSchema, bytes, fileName);
  const { index, count: shards } = run.shard;
  const p = part.partial;
  const width = run.params.budgetCount + 1;
  const n = run.firms;
  const fits =
    index >= 1 &&
    index <= shards &&
    part.ids.length === n &&
    part.assetValues.length === n &&
    p.firstScenario === index - 1 &&
    p.stride === shards &&
    p.count === Math.ceil((run.params.scenarios - index + 1) / shards) &&
    [p.failedBefore, p.valueLostBefore].every((a) => a.length === p.count) &&
    [p.failedAfter, p.valueSaved].every((a) => a.length === p.count * width) &&
    [p.supportCount, p.supportAmount].every((a) => a.length === n) &&
    (index === 1) === (part.display !== undefined);
  if (!fits) throw new ImportError(`${fileName}: the part does not hold shard ${index}/${shards} of its study`);
  const typed = (values: number[]) => Float64Array.from(values);
  return {
    run,
    part: {
      ...(part as unknown as InterventionPart),
      ids: part.ids,
      assetValues: typed(part.assetValues),
      partial: {
        ...p,
        failedBefore: typed(p.failedBefore),
        valueLostBefore: typed(p.valueLostBefore),
        failedAfter: typed(p.failedAfter),
        valueSaved: typed(p.valueSaved),
        supportCount: typed(p.supportCount),
        supportAmount: typed(p.supportAmount),
      },
    },
  };
}

const scenariosOf = (index: number, shards: number) =>
  `scenarios ${index - 1}, ${index - 1 + shards}, ${index - 1 + 2 * shards}, …`;

/** The parts must share everything but the shard index, and hold shards 1 … N once each. */
export function checkStudyShardsBelongTogether(parts: Array<{ run: StudyShardRun; file: string }>): void {
  const first = parts[0]!;
  const same = (run: StudyShardRun) => JSON.stringify({ ...run, shard: run.shard.count });
  for (const part of parts) {
    if (same(part.run) !== same(first.run)) {
      throw new ImportError(
        `${part.file} comes from a different intervention study than ${first.file} (economy, parameters, seed or shard count differ)`,
      );
    }
  }
  const shards = first.run.shard.count;
  const seen = new Map<number, string>();
  for (const part of parts) {
    const { index } = part.run.shard;
    if (seen.has(index))
      throw new ImportError(
        `${part.file} repeats shard ${index}/${shards} (${scenariosOf(index, shards)}) of ${seen.get(index)} (a shard given twice?)`,
      );
    seen.set(index, part.file);
  }
  for (let index = 1; index <= shards; index++) {
    if (!seen.has(index))
      throw new ImportError(`shard ${index}/${shards} (${scenariosOf(index, shards)}) is missing (a shard not given?)`);
  }
}

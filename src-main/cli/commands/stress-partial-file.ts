/**
 * Stress tests split over machines: `cwb stress NETWORK.json … --shard K/N --out PART.json` clears shard K of N
 * (scenarios ⌊(K−1)·S/N⌋ … ⌊K·S/N⌋ − 1 of S, scenario k always from random stream (seed, k)) and writes its
 * mergeable partial (`contagion-workbench/stress-partial@1`, written through safe-write); `cwb stress-merge
 * PART.json…` (stress-merge.ts) checks that the parts come from one network, seed, shock model and recovery rates and cover every
 * scenario exactly once, merges them (mergeStressPartials) and prints the summary of the whole run. Counts,
 * default probabilities and loss quantiles equal a single run's exactly; sums (expected loss, shortfall) equal
 * them up to the order of floating-point additions (relative 1e-15).
 */
import { z } from 'zod';
import { defaultDataDir } from '../../app';
import type { LossSketch } from '../../engines/loss-sketch';
import type { ShockModel } from '../../engines/shocks';
import type { StressPartial } from '../../engines/stress';
import { ImportError } from '../../io/import-error';
import { parseJsonDocument } from '../../io/network-json';
import { checkWriteTarget, safeWriteFile, type WriteTargetOptions } from '../../io/safe-write';
import { UsageError } from '../command';

export const STRESS_PARTIAL_FORMAT = 'contagion-workbench/stress-partial@1';

/** What a shard was asked to do, kept with its partial so that the merge can check the parts belong together. */
export interface ShardRun {
  network: string;
  /** SHA-256 of the network file the shard read: the identity of the stored dataset (absent in parts of older cwb). */
  networkSha256?: string;
  banks: number;
  shockModel: ShockModel;
  seed: number;
  samples: number;
  alpha: number;
  beta: number;
  shard: { index: number; count: number };
}

/** "K/N" → shard K of N (1 ≤ K ≤ N) and its scenario range among `samples` (`what`: the flag that gives them). */
export function shardRange(
  text: string,
  samples: number,
  what = 'samples',
): { index: number; count: number; first: number; size: number } {
  const match = /^(\d+)\/(\d+)$/.exec(text);
  const index = match ? Number(match[1]) : NaN;
  const count = match ? Number(match[2]) : NaN;
  if (!(index >= 1 && index <= count && count <= samples)) {
    throw new UsageError(`--shard must be K/N with 1 ≤ K ≤ N ≤ the number of ${what} (${samples}), got "${text}"`);
  }
  const first = Math.floor(((index - 1) * samples) / count);
  return { index, count, first, size: Math.floor((index * samples) / count) - first };
}

const finite = (value: number): number | null => (Number.isFinite(value) ? value : null);

/** A partial file's JSON text: typed arrays written as arrays (JSON numbers read back bit-identical). */
export const partialJson = (value: unknown): string =>
  `${JSON.stringify(value, (_key, item: unknown) => (item instanceof Float64Array ? Array.from(item) : item))}\n`;

/** The partial as JSON (typed arrays as arrays; ±∞ of an empty sketch as null). */
export function serialiseStressPartial(run: ShardRun, partial: StressPartial): string {
  const { sketch } = partial;
  return partialJson({
    format: STRESS_PARTIAL_FORMAT,
    run,
    partial: {
      ...partial,
      sketch: {
        ...sketch,
        underflowMax: finite(sketch.underflowMax),
        min: finite(sketch.min),
        max: finite(sketch.max),
      },
    },
  });
}

const numbers = z.array(z.number());
const count = z.number().int().min(0);
const partialFileSchema = z.object({
  format: z.literal(STRESS_PARTIAL_FORMAT),
  run: z.object({
    network: z.string(),
    networkSha256: z
      .string()
      .regex(/^[0-9a-f]{64}$/)
      .optional(),
    banks: count,
    shockModel: z.looseObject({ kind: z.string() }),
    seed: count,
    samples: count,
    alpha: z.number(),
    beta: z.number(),
    shard: z.object({ index: count, count }),
  }),
  partial: z.looseObject({
    ids: z.array(z.string()),
    nBanks: count,
    seed: count,
    modelKind: z.string(),
    ranges: z.array(z.object({ first: count, count })),
    scenarios: count,
    defaultCounts: numbers,
    exceedanceCounts: numbers,
    lossContribution: numbers,
    defaultsHistogram: numbers,
    analyticalExceedance: numbers,
    outsideAssets: numbers,
    sketch: z.looseObject({
      counts: numbers,
      sums: numbers,
      underflowMax: z.number().nullable(),
      min: z.number().nullable(),
      max: z.number().nullable(),
    }),
    largestLoss: z.object({ scenario: count, loss: z.number(), shocks: numbers }).nullable(),
  }),
});

/** Reads one partial file back into typed arrays; one-line refusal naming the file otherwise. */
export function parseStressPartial(bytes: Uint8Array, fileName: string): { run: ShardRun; partial: StressPartial } {
  const file = parseJsonDocument(partialFileSchema, bytes, fileName);
  const raw = file.partial as unknown as Record<string, unknown> & { sketch: Record<string, unknown> };
  const typed = (key: string, from: Record<string, unknown> = raw) => Float64Array.from(from[key] as number[]);
  const sketch = file.partial.sketch;
  const n = file.partial.nBanks;
  if (
    file.partial.ids.length !== n ||
    file.partial.defaultCounts.length !== n ||
    file.partial.defaultsHistogram.length !== n + 1
  ) {
    throw new ImportError(`${fileName}: the partial's arrays do not match its ${n} banks`);
  }
  const partial = {
    ...raw,
    defaultCounts: typed('defaultCounts'),
    exceedanceCounts: typed('exceedanceCounts'),
    lossContribution: typed('lossContribution'),
    defaultsHistogram: typed('defaultsHistogram'),
    analyticalExceedance: typed('analyticalExceedance'),
    outsideAssets: typed('outsideAssets'),
    sketch: {
      ...raw.sketch,
      counts: Float64Array.from(sketch.counts),
      sums: Float64Array.from(sketch.sums),
      underflowMax: sketch.underflowMax ?? -Infinity,
      min: sketch.min ?? Infinity,
      max: sketch.max ?? -Infinity,
    } as LossSketch,
    largestLoss: file.partial.largestLoss && {
      ...file.partial.largestLoss,
      shocks: Float64Array.from(file.partial.largestLoss.shocks),
    },
  } as unknown as StressPartial;
  return { run: file.run as ShardRun, partial };
}

/** Where a partial may go: never over an existing file without --force, never into the data folder (no store opened). */
const partialTarget = (flags: Record<string, string | true>): WriteTargetOptions => ({
  dataDir: typeof flags['data-dir'] === 'string' ? flags['data-dir'] : defaultDataDir(),
  force: flags.force === true,
});

/** Refuses a bad --out before any scenario is cleared (one line). */
export const checkPartialTarget = (path: string, flags: Record<string, string | true>): void =>
  void checkWriteTarget(path, partialTarget(flags));

/** Writes a shard's partial through safe-write (checked again: the file may have appeared meanwhile). */
export function writeStressPartial(
  path: string,
  run: ShardRun,
  partial: StressPartial,
  flags: Record<string, string | true>,
): void {
  writePartialFile(path, serialiseStressPartial(run, partial), flags);
}

/** Writes a shard's partial file through safe-write (checked again: the file may have appeared meanwhile). */
export function writePartialFile(path: string, text: string, flags: Record<string, string | true>): void {
  safeWriteFile(path, text, partialTarget(flags));
}

/** The parts must share everything but the shard index and together cover scenarios 0 … samples−1 once each. */
export function checkShardsBelongTogether(parts: Array<{ run: ShardRun; partial: StressPartial; file: string }>): void {
  const first = parts[0]!;
  const same = (run: ShardRun) => JSON.stringify({ ...run, shard: run.shard.count });
  for (const part of parts) {
    if (same(part.run) !== same(first.run)) {
      throw new ImportError(
        `${part.file} comes from a different stress test than ${first.file} (network, seed, shock model, samples, recovery rates or shard count differ)`,
      );
    }
  }
  const ranges = parts
    .flatMap((part) => part.partial.ranges.map((range) => ({ ...range, file: part.file })))
    .sort((a, b) => a.first - b.first);
  let next = 0;
  for (const range of ranges) {
    if (range.first !== next) {
      throw new ImportError(
        range.first < next
          ? `${range.file} repeats scenarios from ${range.first} on (a shard given twice?)`
          : `scenarios ${next} to ${range.first - 1} are missing (a shard not given?)`,
      );
    }
    next = range.first + range.count;
  }
  if (next !== first.run.samples)
    throw new ImportError(`scenarios ${next} to ${first.run.samples - 1} are missing (a shard not given?)`);
}

/**
 * Monte Carlo stress test of an interbank network (Glasserman & Young 2015 §3–4; network-reconstruction-optimiser
 * §1.1; docs/formats.md `cwb stress`). For each scenario x drawn from a shock model, clearing gives
 *   L(x) = Σ_i min(x_i, w_i) + Σ_i s_i,   L⁰(x) = Σ_i x_i,
 * and the summary reports E[L], E[L⁰], the ratio E[L]/E[L⁰] (ratio estimator, delta-method standard error),
 *   NVI = (1/(1 − β⁺)) · Σ_i δ_i c_i / Σ_i c_i,  δ_i = P(x_i ≥ w_i),  β⁺ = max_i (p̄_i − b_i)/p̄_i,
 * the Glasserman–Young bound 1 + NVI on the ratio, default probabilities, VaR and expected shortfall, the number
 * of defaults, each bank's share of the loss (min(x_i, w_i) + s_i) and the largest-loss scenario.
 *
 * Memory is flat in the number of scenarios: losses go into a fixed log-binned sketch (loss-sketch.ts: DDSketch
 * mapping, relative accuracy 1e-4, bins fixed by the network so partial sketches merge exactly).
 * `runStressBatch` covers scenarios [first, first + count) and returns a mergeable partial; scenario k always
 * uses random stream k, so any split over workers merged by `mergeStressPartials` equals one run.
 */
import {
  LOSS_RATIO_UNDEFINED_NOTE,
  NVI_NO_OUTSIDE_ASSETS_NOTE,
  NVI_UNBOUNDED_NOTE,
  type QuantileLevel,
  type StressSummary,
} from '../../src-shared/results/stress';
import type { NetworkDocument } from '../../src-shared/formats/network';
import { clearBlock, createBatchWorkspace, prefersBatchedClearing, type BatchOptions } from './batched-clearing';
import { clearInto, createWorkspace, type ClearingOptions } from './clearing';
import { EngineInputError } from './errors';
import { assertFiniteResult } from './limits';
import {
  addToSketch,
  createLossSketch,
  emptySketchLike,
  mergeSketchInto,
  QUANTILE_RELATIVE_ACCURACY,
  sketchExpectedShortfall,
  sketchExpectedShortfallError,
  sketchQuantile,
  sketchQuantileInterval,
  type LossSketch,
} from './loss-sketch';
import { wilsonInterval } from './monte-carlo';
import { maxConnectivity, type ClearingSystem } from './network-arrays';
import { createShockSampler, exceedanceProbabilities, type ShockModel } from './shocks';

export const QUANTILE_LEVELS = [0.9, 0.95, 0.99, 0.999] as const;
const DISPLAY_BINS = 40;

/** Everything a shard of scenarios contributes; plain data (structured-clone safe) and mergeable. */
export interface StressPartial {
  format: 'stress-partial@1';
  ids: string[];
  nBanks: number;
  seed: number;
  modelKind: ShockModel['kind'];
  /** Scenario ranges covered. */
  ranges: Array<{ first: number; count: number }>;
  scenarios: number;
  sumLoss: number;
  sumLossSquared: number;
  sumUnconnected: number;
  sumUnconnectedSquared: number;
  sumLossTimesUnconnected: number;
  sumShortfall: number;
  /** Scenarios in which bank i defaulted. */
  defaultCounts: Float64Array;
  /** Scenarios with x_i ≥ w_i. */
  exceedanceCounts: Float64Array;
  /** Σ over scenarios of min(x_i, w_i) + s_i. */
  lossContribution: Float64Array;
  /** Entry k: scenarios with exactly k defaults. */
  defaultsHistogram: Float64Array;
  /** Defaults after round 1 (contagion), summed over scenarios. */
  contagionDefaults: number;
  fallbackScenarios: number;
  /** Scenarios cleared by batched clearing, and the largest fixed-point residual among them (relative to max p̄). */
  batchedScenarios: number;
  maxFixedPointResidual: number;
  sketch: LossSketch;
  largestLoss: { scenario: number; loss: number; shocks: Float64Array } | null;
  /** Model quantities for the NVI. */
  analyticalExceedance: Float64Array;
  outsideAssets: Float64Array;
  maxConnectivity: number;
}

function lossUpperBound(system: ClearingSystem): number {
  let bound = 0;
  for (let i = 0; i < system.nBanks; i++) bound += system.outsideAssets[i]! + system.totalObligations[i]!;
  return bound;
}

type Accumulators = Pick<
  StressPartial,
  | 'ranges'
  | 'scenarios'
  | 'sumLoss'
  | 'sumLossSquared'
  | 'sumUnconnected'
  | 'sumUnconnectedSquared'
  | 'sumLossTimesUnconnected'
  | 'sumShortfall'
  | 'defaultCounts'
  | 'exceedanceCounts'
  | 'lossContribution'
  | 'defaultsHistogram'
  | 'contagionDefaults'
  | 'fallbackScenarios'
  | 'batchedScenarios'
  | 'maxFixedPointResidual'
  | 'sketch'
  | 'largestLoss'
>;

/** Every running sum of a partial at zero, for n banks (a new shard and a merge both start from it). */
function zeroAccumulators(n: number, sketch: LossSketch): Accumulators {
  return {
    ranges: [],
    scenarios: 0,
    sumLoss: 0,
    sumLossSquared: 0,
    sumUnconnected: 0,
    sumUnconnectedSquared: 0,
    sumLossTimesUnconnected: 0,
    sumShortfall: 0,
    defaultCounts: new Float64Array(n),
    exceedanceCounts: new Float64Array(n),
    lossContribution: new Float64Array(n),
    defaultsHistogram: new Float64Array(n + 1),
    contagionDefaults: 0,
    fallbackScenarios: 0,
    batchedScenarios: 0,
    maxFixedPointResidual: 0,
    sketch,
    largestLoss: null,
  };
}

function emptyPartial(system: ClearingSystem, model: ShockModel, seed: number): StressPartial {
  const n = system.nBanks;
  return {
    format: 'stress-partial@1',
    ids: system.ids.slice(),
    nBanks: n,
    seed,
    modelKind: model.kind,
    ...zeroAccumulators(n, createLossSketch(lossUpperBound(system))),
    analyticalExceedance: exceedanceProbabilities(system, model),
    outsideAssets: system.outsideAssets.slice(),
    maxConnectivity: maxConnectivity(system),
  };
}

export interface StressBatchOptions extends ClearingOptions {
  /**
   * Scenarios of the whole run this range belongs to (default: count). The batched engine's choice of solver
   * depends on it, so the shards of a run clear every scenario digit for digit as the single run does.
   */
  runScenarios?: number;
  /** The survivors' solver shared with the run's other shards (batched-clearing.ts `complementShare`). */
  shared?: BatchOptions['shared'];
}

/**
 * Clears scenarios firstScenario … firstScenario+count−1 of the model (scenario k from random stream (seed, k)).
 * `onProgress(done)` is called about every 1% of the shard and at the end.
 */
export function runStressBatch(
  system: ClearingSystem,
  model: ShockModel,
  seed: number,
  firstScenario: number,
  count: number,
  onProgress?: (done: number) => void,
  options: StressBatchOptions = {},
): StressPartial {
  if (!Number.isInteger(firstScenario) || firstScenario < 0 || !Number.isInteger(count) || count < 0) {
    throw new EngineInputError(
      `scenario range must be whole numbers ≥ 0, got first ${firstScenario}, count ${count}`,
      'samples',
    );
  }
  const sampler = createShockSampler(system, model);
  if (firstScenario + count > sampler.nScenarios) {
    throw new EngineInputError(
      `asked for scenarios up to ${firstScenario + count} but the model has ${sampler.nScenarios}`,
      'samples',
    );
  }
  const partial = emptyPartial(system, model, seed);
  const n = system.nBanks;
  const largest = { loss: -Infinity, scenario: -1, shock: new Float64Array(n) };
  const progressEvery = Math.max(1000, Math.ceil(count / 100));
  let reported = 0;
  const progress = (done: number) => {
    if (onProgress && (Math.floor(done / progressEvery) > Math.floor(reported / progressEvery) || done === count))
      onProgress(done);
    reported = done;
  };
  if (prefersBatchedClearing(system, options)) {
    const bw = createBatchWorkspace(system, {
      alpha: options.alpha,
      beta: options.beta,
      scenarios: options.runScenarios ?? count,
      shared: options.shared,
    });
    const shocks = new Float64Array(bw.blockSize * n);
    for (let k = 0; k < count; k += bw.blockSize) {
      const size = Math.min(bw.blockSize, count - k);
      for (let s = 0; s < size; s++) sampler.sample(seed, firstScenario + k + s, shocks, s * n);
      clearBlock(bw, shocks, size);
      partial.batchedScenarios += size;
      for (let s = 0; s < size; s++)
        partial.maxFixedPointResidual = Math.max(partial.maxFixedPointResidual, bw.residual[s]!);
      for (let s = 0; s < size; s++) {
        const row = s * n;
        recordScenario(system, partial, largest, firstScenario + k + s, shocks.subarray(row, row + n), {
          loss: bw.loss[s]!,
          shockTotal: bw.shockTotal[s]!,
          shortfallTotal: bw.shortfallTotal[s]!,
          defaults: bw.defaultList.subarray(row, row + bw.nDefaults[s]!),
          defaultRound: bw.defaultRound.subarray(row, row + n),
          payments: bw.payments.subarray(row, row + n),
          fallback: false,
        });
      }
      progress(k + size);
    }
  } else {
    const ws = createWorkspace(system, { ...options, depth: false });
    const shock = new Float64Array(n);
    for (let k = 0; k < count; k++) {
      const scenario = firstScenario + k;
      sampler.sample(seed, scenario, shock, 0);
      clearInto(ws, shock, 0, false, scenario);
      recordScenario(system, partial, largest, scenario, shock, {
        loss: ws.loss,
        shockTotal: ws.shockTotal,
        shortfallTotal: ws.shortfallTotal,
        defaults: ws.defaultList.subarray(0, ws.nDefaults),
        defaultRound: ws.defaultRound,
        payments: ws.payments,
        fallback: ws.method === 'picard-fallback',
      });
      progress(k + 1);
    }
  }
  partial.scenarios = count;
  partial.ranges.push({ first: firstScenario, count });
  partial.largestLoss =
    largest.scenario >= 0 ? { scenario: largest.scenario, loss: largest.loss, shocks: largest.shock } : null;
  return partial;
}

/** One cleared scenario, from the per-scenario workspace or a row of a batch. */
interface ScenarioOutcome {
  loss: number;
  shockTotal: number;
  shortfallTotal: number;
  /** The default set, in order of default. */
  defaults: Int32Array;
  defaultRound: Int32Array;
  payments: Float64Array;
  fallback: boolean;
}

/** Adds one scenario to the running sums of the partial and keeps the largest loss (first scenario on ties). */
function recordScenario(
  system: ClearingSystem,
  partial: StressPartial,
  largest: { loss: number; scenario: number; shock: Float64Array },
  scenario: number,
  shock: Float64Array,
  outcome: ScenarioOutcome,
): void {
  const { netWorth, totalObligations } = system;
  const { loss, shockTotal: unconnected } = outcome;
  partial.sumLoss += loss;
  partial.sumLossSquared += loss * loss;
  partial.sumUnconnected += unconnected;
  partial.sumUnconnectedSquared += unconnected * unconnected;
  partial.sumLossTimesUnconnected += loss * unconnected;
  partial.sumShortfall += outcome.shortfallTotal;
  partial.defaultsHistogram[outcome.defaults.length]!++;
  if (outcome.fallback) partial.fallbackScenarios++;
  for (let i = 0; i < partial.nBanks; i++) {
    const x = shock[i]!;
    const w = netWorth[i]!;
    partial.lossContribution[i]! += x < w ? x : w;
    if (x >= w) partial.exceedanceCounts[i]!++;
  }
  for (const i of outcome.defaults) {
    partial.defaultCounts[i]!++;
    partial.lossContribution[i]! += totalObligations[i]! - outcome.payments[i]!;
    if (outcome.defaultRound[i]! > 1) partial.contagionDefaults++;
  }
  addToSketch(partial.sketch, loss);
  if (loss > largest.loss) {
    largest.loss = loss;
    largest.scenario = scenario;
    largest.shock.set(shock);
  }
}

/** Combines shards (any order) into one partial; equals a single run over the union of their scenarios. */
export function mergeStressPartials(parts: StressPartial[]): StressPartial {
  if (parts.length === 0) throw new EngineInputError('no stress partials to merge');
  const ordered = [...parts].sort((x, y) => (x.ranges[0]?.first ?? 0) - (y.ranges[0]?.first ?? 0));
  const first = ordered[0]!;
  const merged: StressPartial = {
    ...first,
    ids: first.ids.slice(),
    ...zeroAccumulators(first.nBanks, emptySketchLike(first.sketch)),
  };
  for (const part of ordered) {
    if (part.nBanks !== merged.nBanks || part.ids.some((id, i) => id !== merged.ids[i])) {
      throw new EngineInputError('stress partials come from different networks');
    }
    if (part.seed !== merged.seed || part.modelKind !== merged.modelKind) {
      throw new EngineInputError('stress partials come from different seeds or shock models');
    }
    merged.ranges.push(...part.ranges);
    merged.scenarios += part.scenarios;
    merged.sumLoss += part.sumLoss;
    merged.sumLossSquared += part.sumLossSquared;
    merged.sumUnconnected += part.sumUnconnected;
    merged.sumUnconnectedSquared += part.sumUnconnectedSquared;
    merged.sumLossTimesUnconnected += part.sumLossTimesUnconnected;
    merged.sumShortfall += part.sumShortfall;
    merged.contagionDefaults += part.contagionDefaults;
    merged.fallbackScenarios += part.fallbackScenarios;
    merged.batchedScenarios += part.batchedScenarios ?? 0;
    merged.maxFixedPointResidual = Math.max(merged.maxFixedPointResidual, part.maxFixedPointResidual ?? 0);
    for (let i = 0; i < merged.nBanks; i++) {
      merged.defaultCounts[i]! += part.defaultCounts[i]!;
      merged.exceedanceCounts[i]! += part.exceedanceCounts[i]!;
      merged.lossContribution[i]! += part.lossContribution[i]!;
    }
    for (let k = 0; k <= merged.nBanks; k++) merged.defaultsHistogram[k]! += part.defaultsHistogram[k]!;
    mergeSketchInto(merged.sketch, part.sketch);
    const candidate = part.largestLoss;
    if (
      candidate &&
      (!merged.largestLoss ||
        candidate.loss > merged.largestLoss.loss ||
        (candidate.loss === merged.largestLoss.loss && candidate.scenario < merged.largestLoss.scenario))
    ) {
      merged.largestLoss = { scenario: candidate.scenario, loss: candidate.loss, shocks: candidate.shocks.slice() };
    }
  }
  return merged;
}

function byId(ids: string[], values: ArrayLike<number>, scale = 1): Record<string, number> {
  const out: Record<string, number> = {};
  ids.forEach((id, i) => {
    out[id] = values[i]! * scale;
  });
  return out;
}

/** NVI, or why it is undefined: Σ c_i = 0 (0/0) or β⁺ = 1 (1/(1 − β⁺) infinite). */
function nviFrom(delta: ArrayLike<number>, outsideAssets: Float64Array, betaPlus: number): number | { note: string } {
  let weighted = 0;
  let total = 0;
  for (let i = 0; i < outsideAssets.length; i++) {
    weighted += delta[i]! * outsideAssets[i]!;
    total += outsideAssets[i]!;
  }
  if (!(total > 0)) return { note: NVI_NO_OUTSIDE_ASSETS_NOTE };
  if (!(betaPlus < 1)) return { note: NVI_UNBOUNDED_NOTE };
  return weighted / total / (1 - betaPlus);
}

/** The NVI fields of the summary: the numbers, or nviNote alone. */
function nviFields(
  merged: StressPartial,
  estimatedDelta: number[],
): Pick<StressSummary, 'nvi' | 'nviEstimated' | 'glassermanYoungBound' | 'nviNote'> {
  const nvi = nviFrom(merged.analyticalExceedance, merged.outsideAssets, merged.maxConnectivity);
  const estimated = nviFrom(estimatedDelta, merged.outsideAssets, merged.maxConnectivity);
  if (typeof nvi !== 'number' || typeof estimated !== 'number')
    return { nviNote: typeof nvi === 'number' ? (estimated as { note: string }).note : nvi.note };
  return { nvi, nviEstimated: estimated, glassermanYoungBound: 1 + nvi };
}

function displayHistogram(sketch: LossSketch): { edges: number[]; counts: number[] } {
  const low = Math.min(0, sketch.min);
  const high = sketch.max > low ? sketch.max : low + 1;
  const width = (high - low) / DISPLAY_BINS;
  const counts = new Array<number>(DISPLAY_BINS).fill(0);
  const place = (value: number, count: number): void => {
    const bin = Math.min(DISPLAY_BINS - 1, Math.max(0, Math.floor((value - low) / width)));
    counts[bin]! += count;
  };
  if (sketch.underflowCount > 0) place(sketch.underflowSum / sketch.underflowCount, sketch.underflowCount);
  for (let k = 0; k < sketch.counts.length; k++) {
    const count = sketch.counts[k]!;
    if (count > 0) place(sketch.sums[k]! / count, count);
  }
  return { edges: Array.from({ length: DISPLAY_BINS + 1 }, (_, k) => low + k * width), counts };
}

/** Turns a (merged) partial into the summary; `document`, when given, must be the network it came from. */
export type { StressSummary };

export function summariseStress(merged: StressPartial, document?: NetworkDocument): StressSummary {
  if (
    document &&
    (document.nodes.length !== merged.nBanks || document.nodes.some((node, i) => node.id !== merged.ids[i]))
  ) {
    throw new EngineInputError('the stress partial does not belong to this network');
  }
  const n = merged.scenarios;
  if (n === 0) throw new EngineInputError('no scenarios to summarise', 'samples');
  const ids = merged.ids;
  const meanLoss = merged.sumLoss / n;
  const meanUnconnected = merged.sumUnconnected / n;
  const denominator = n > 1 ? n - 1 : 1;
  const varLoss = Math.max(0, (merged.sumLossSquared - n * meanLoss * meanLoss) / denominator);
  const varUnconnected = Math.max(
    0,
    (merged.sumUnconnectedSquared - n * meanUnconnected * meanUnconnected) / denominator,
  );
  const covariance = (merged.sumLossTimesUnconnected - n * meanLoss * meanUnconnected) / denominator;
  // E[L]/E[L⁰] is 0/0 when no scenario touched an outside asset: left out, with the reason in words
  let ratioFields: Pick<StressSummary, 'lossRatio' | 'lossRatioStandardError' | 'lossRatioNote'> = {
    lossRatioNote: LOSS_RATIO_UNDEFINED_NOTE,
  };
  if (meanUnconnected > 0) {
    const ratio = meanLoss / meanUnconnected;
    const ratioVariance =
      Math.max(0, varLoss - 2 * ratio * covariance + ratio * ratio * varUnconnected) /
      (n * meanUnconnected * meanUnconnected);
    ratioFields = { lossRatio: ratio, lossRatioStandardError: Math.sqrt(ratioVariance) };
  }
  const estimatedDelta = Array.from(merged.exceedanceCounts, (count) => count / n);
  const lossQuantiles = {} as Record<QuantileLevel, number>;
  const lossQuantileInterval = {} as Record<QuantileLevel, [number, number]>;
  const expectedShortfall = {} as Record<QuantileLevel, number>;
  const expectedShortfallStandardError = {} as Record<QuantileLevel, number>;
  for (const level of QUANTILE_LEVELS) {
    const key = String(level) as QuantileLevel;
    lossQuantiles[key] = sketchQuantile(merged.sketch, level);
    lossQuantileInterval[key] = sketchQuantileInterval(merged.sketch, level);
    expectedShortfall[key] = sketchExpectedShortfall(merged.sketch, level);
    expectedShortfallStandardError[key] = sketchExpectedShortfallError(merged.sketch, level);
  }
  let expectedDefaults = 0;
  let defaultsSquared = 0;
  merged.defaultsHistogram.forEach((count, k) => {
    expectedDefaults += (k * count) / n;
    defaultsSquared += (k * k * count) / n;
  });
  const defaultsVariance = (Math.max(0, defaultsSquared - expectedDefaults * expectedDefaults) * n) / denominator;
  const defaultProbabilityStandardError: Record<string, number> = {};
  const defaultProbabilityInterval: Record<string, [number, number]> = {};
  ids.forEach((id, i) => {
    const p = merged.defaultCounts[i]! / n;
    defaultProbabilityStandardError[id] = Math.sqrt((p * (1 - p)) / n);
    defaultProbabilityInterval[id] = wilsonInterval(merged.defaultCounts[i]!, n);
  });
  const largest = merged.largestLoss;
  return assertFiniteResult<StressSummary>(
    {
      scenarios: n,
      seed: merged.seed,
      shockModel: merged.modelKind,
      expectedLoss: meanLoss,
      expectedLossStandardError: Math.sqrt(varLoss / n),
      expectedUnconnectedLoss: meanUnconnected,
      expectedUnconnectedLossStandardError: Math.sqrt(varUnconnected / n),
      ...ratioFields,
      ...nviFields(merged, estimatedDelta),
      maxConnectivity: merged.maxConnectivity,
      expectedShortfallTotal: merged.sumShortfall / n,
      expectedDefaults,
      expectedDefaultsStandardError: Math.sqrt(defaultsVariance / n),
      expectedContagionDefaults: merged.contagionDefaults / n,
      defaultProbability: byId(ids, merged.defaultCounts, 1 / n),
      defaultProbabilityStandardError,
      defaultProbabilityInterval,
      exceedanceProbability: byId(ids, estimatedDelta),
      lossContribution: byId(ids, merged.lossContribution, 1 / n),
      lossQuantiles,
      lossQuantileInterval,
      expectedShortfall,
      expectedShortfallStandardError,
      quantileRelativeAccuracy: QUANTILE_RELATIVE_ACCURACY,
      defaultsDistribution: Array.from(merged.defaultsHistogram, (count) => count / n),
      lossHistogram: displayHistogram(merged.sketch),
      minLoss: merged.sketch.min,
      maxLoss: merged.sketch.max,
      largestLossScenario: largest
        ? { scenario: largest.scenario, loss: largest.loss, shocks: byId(ids, largest.shocks) }
        : null,
      fallbackScenarios: merged.fallbackScenarios,
    },
    'stress result',
  );
}

/** Checks for a stress run merged from shards against the same run cleared in one process (tests/cluster). */
import { expect } from 'vitest';
import type { StressRunResults } from '../../src-shared/results/stress';

/** Fields that are sums over scenarios: equal up to the order of floating-point additions. */
const SUMS = [
  'expectedLoss',
  'expectedLossStandardError',
  'expectedUnconnectedLoss',
  'expectedUnconnectedLossStandardError',
  'lossRatio',
  'lossRatioStandardError',
  'nviEstimated',
  'expectedShortfallTotal',
  'lossContribution',
  'expectedShortfall',
  'expectedShortfallStandardError',
  'largestLossScenario',
  'lossHistogram',
];

/** Same result shape; counts, probabilities and quantiles exactly, sums to 1e-12 relative. */
export function expectSameStressResults(merged: StressRunResults, single: StressRunResults): void {
  expect(Object.keys(merged).sort()).toEqual(Object.keys(single).sort());
  const exact = (results: StressRunResults) =>
    Object.fromEntries(Object.entries(results).filter(([key]) => !SUMS.includes(key)));
  expect(exact(merged)).toEqual(exact(single));
  expect(merged.lossQuantiles).toEqual(single.lossQuantiles);
  expect(merged.defaultProbability).toEqual(single.defaultProbability);
  expect(merged.lossHistogram.counts).toEqual(single.lossHistogram.counts);
  expect(merged.largestLossScenario).toEqual(single.largestLossScenario);
  const close = (u: number, v: number) => expect(Math.abs(u - v)).toBeLessThanOrEqual(1e-12 * Math.abs(v));
  close(merged.expectedLoss, single.expectedLoss);
  close(merged.expectedShortfall['0.99'], single.expectedShortfall['0.99']);
  if (single.lossRatio !== undefined) close(merged.lossRatio!, single.lossRatio);
  for (const id of Object.keys(single.lossContribution))
    close(merged.lossContribution[id]!, single.lossContribution[id]!);
}

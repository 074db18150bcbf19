/**
 * Out-of-sample evaluation of a reconstructed network (Ruela, *Network Contagion: Documentation* (2019), §1.1
 * loss): the network found and the maximum-entropy network cleared on M fresh common shocks (scenario indices
 * K … K + M − 1, the same fractions φ for both), E[L] = (1/M) Σ_k L(x_k) ± s.e., the ratio E[L]/E[L⁰], and the
 * paired difference d̄ = (1/M) Σ_k (L_k − L_k^maxent) with s.e. √(Σ_k (d_k − d̄)² / (M − 1) / M); in-sample gains
 * partly vanish out of sample.
 */
import type { OutOfSampleEvaluation } from '../../../src-shared/results/reconstruction';
import { LOSS_RATIO_UNDEFINED_NOTE } from '../../../src-shared/results/stress';
import { clearInto } from '../clearing';
import { ratioField } from '../limits';
import type { ShockModel } from '../shocks';
import { drawShockFractions, workspaceFor, type ShockFractions } from './loss-evaluation';
import { systemOf, type ReconstructionProblem } from './problem';

export type OutOfSample = OutOfSampleEvaluation;

function paired(a: Float64Array, b: Float64Array): { mean: number; standardError: number } {
  const m = a.length;
  let mean = 0;
  for (let k = 0; k < m; k++) mean += a[k]! - b[k]!;
  mean /= m;
  let variance = 0;
  for (let k = 0; k < m; k++) variance += (a[k]! - b[k]! - mean) ** 2;
  return { mean, standardError: m > 1 ? Math.sqrt(variance / (m - 1) / m) : 0 };
}

/** Per-scenario losses of a network on a fraction sample. */
export function scenarioLosses(
  problem: ReconstructionProblem,
  sample: ShockFractions,
  variable: Float64Array,
): { losses: Float64Array; unconnected: Float64Array } {
  const n = problem.nBanks;
  const system = systemOf(problem, variable);
  const ws = workspaceFor(system);
  const shock = new Float64Array(n);
  const losses = new Float64Array(sample.nScenarios);
  const unconnected = new Float64Array(sample.nScenarios);
  for (let k = 0; k < sample.nScenarios; k++) {
    for (let i = 0; i < n; i++) shock[i] = sample.fractions[k * n + i]! * system.outsideAssets[i]!;
    clearInto(ws, shock, 0, false);
    losses[k] = ws.loss;
    unconnected[k] = ws.shockTotal;
  }
  return { losses, unconnected };
}

/** Out-of-sample evaluation of `variable` against the maximum-entropy network on the same fractions. */
export function evaluateOutOfSample(
  problem: ReconstructionProblem,
  variable: Float64Array,
  reference: Float64Array,
  shockModel: ShockModel,
  seed: number,
  firstScenario: number,
  samples: number,
): OutOfSample {
  const fractions = drawShockFractions(problem, reference, shockModel, seed, firstScenario, samples);
  const found = scenarioLosses(problem, fractions, variable);
  const maxent = scenarioLosses(problem, fractions, reference);
  const zeros = new Float64Array(samples);
  const level = paired(found.losses, zeros);
  const difference = paired(found.losses, maxent.losses);
  const maxentLevel = paired(maxent.losses, zeros);
  const totalUnconnected = found.unconnected.reduce((a, b) => a + b, 0) / samples;
  const cap = Math.min(samples, 2000);
  return {
    samples,
    firstScenario,
    expectedLoss: level.mean,
    expectedLossStandardError: level.standardError,
    ...ratioField('lossRatio', level.mean, totalUnconnected, LOSS_RATIO_UNDEFINED_NOTE),
    maxentExpectedLoss: maxentLevel.mean,
    differenceToMaxent: difference.mean,
    differenceStandardError: difference.standardError,
    losses: Array.from(found.losses.subarray(0, cap)),
    maxentLosses: Array.from(maxent.losses.subarray(0, cap)),
  };
}

/**
 * Shock models for the Monte Carlo stress test (Glasserman & Young 2015 §4; Ruela 2019, §1.1
 * "shock realization"): x_i ≥ 0 is the loss on bank i's outside assets, 0 ≤ x_i ≤ c_i.
 *
 *   uniform:  x_i = f c_i U_i, U_i ~ U[0, 1) independent, f = maxFraction (default 1)
 *   beta:     x_i = c_i B_i, B_i ~ Beta(a, b_i) independent, a fixed (default 1) and b_i solved so that
 *             P(x_i ≥ w_i) = δ_i (node defaultProbability, default 0.01); for a = 1, b_i = ln δ_i / ln(1 − w_i/c_i)
 *   copula:   Gaussian copula with one common factor, U_i = Φ(√ρ Z + √(1−ρ) ε_i), mapped to the uniform or beta
 *             marginals above (so every δ_i is unchanged by ρ)
 *   scenarios: the user's rows, scenario k = row k
 * Scenario k of every model is drawn from its own stream fork(seed, k), so any split of scenarios across workers
 * reproduces the same shocks.
 */
import { EngineInputError } from './errors';
import type { ClearingSystem } from './network-arrays';
import { Rng } from './random';
import { incompleteBeta, incompleteBetaInverse, normalCdf } from './special-functions';

export type ShockModel =
  | { kind: 'uniform'; maxFraction?: number }
  | { kind: 'beta'; a?: number }
  | { kind: 'copula'; rho: number; marginal?: 'uniform' | 'beta'; maxFraction?: number; a?: number }
  | { kind: 'scenarios'; rows: ReadonlyArray<ArrayLike<number>> };

/** Draws scenario k's shock vector into out[offset .. offset+nBanks). */
export interface ShockSampler {
  readonly model: ShockModel;
  readonly nBanks: number;
  /** Scenarios available (Infinity for random models). */
  readonly nScenarios: number;
  sample(seed: number, scenario: number, out: Float64Array, offset?: number): void;
}

/** The beta parameters: x_i = c_i · Beta(a, b_i). */
export interface BetaCalibration {
  a: number;
  b: Float64Array;
}

function checkFraction(value: number | undefined): number {
  const f = value ?? 1;
  if (!(f > 0 && f <= 1))
    throw new EngineInputError(`maxFraction must lie in (0, 1], got ${value}`, 'shockModel.maxFraction');
  return f;
}

function checkShape(value: number | undefined): number {
  const a = value ?? 1;
  if (!(a > 0 && Number.isFinite(a)))
    throw new EngineInputError(`beta shape a must be > 0, got ${value}`, 'shockModel.a');
  return a;
}

/** Solves P(c_i Beta(a, b_i) ≥ w_i) = δ_i for each b_i (b_i = 1 where w_i ≤ 0 or w_i ≥ c_i: δ is then 1 or 0). */
export function calibrateBeta(system: ClearingSystem, a = 1): BetaCalibration {
  checkShape(a);
  const { nBanks, outsideAssets, netWorth, defaultProbability } = system;
  const b = new Float64Array(nBanks);
  for (let i = 0; i < nBanks; i++) {
    const c = outsideAssets[i]!;
    const threshold = c > 0 ? netWorth[i]! / c : Infinity;
    const delta = Math.min(1 - 1e-12, Math.max(1e-12, defaultProbability[i]!));
    if (!(threshold > 0 && threshold < 1)) {
      b[i] = 1;
    } else if (a === 1) {
      b[i] = Math.log(delta) / Math.log1p(-threshold);
    } else {
      // P(B ≥ t) = 1 − I_t(a, b) is increasing in b's inverse: bisect log b.
      let low = Math.log(1e-10);
      let high = Math.log(1e12);
      for (let k = 0; k < 200; k++) {
        const mid = 0.5 * (low + high);
        const exceed = 1 - incompleteBeta(threshold, a, Math.exp(mid));
        if (exceed > delta) low = mid;
        else high = mid;
      }
      b[i] = Math.exp(0.5 * (low + high));
    }
  }
  return { a, b };
}

/** Analytical δ_i = P(x_i ≥ w_i) under the model's marginals (user scenarios: the empirical frequency). */
export function exceedanceProbabilities(system: ClearingSystem, model: ShockModel): Float64Array {
  const { nBanks, outsideAssets, netWorth } = system;
  const delta = new Float64Array(nBanks);
  if (model.kind === 'scenarios') {
    for (const row of model.rows)
      for (let i = 0; i < nBanks; i++) if (row[i]! >= netWorth[i]!) delta[i]! += 1 / model.rows.length;
    return delta;
  }
  const marginal = model.kind === 'copula' ? (model.marginal ?? 'uniform') : model.kind;
  if (marginal === 'uniform') {
    const f = checkFraction(model.kind === 'beta' ? 1 : model.maxFraction);
    for (let i = 0; i < nBanks; i++) {
      const top = f * outsideAssets[i]!;
      const w = netWorth[i]!;
      delta[i] = w <= 0 ? 1 : top <= 0 ? 0 : Math.min(1, Math.max(0, 1 - w / top));
    }
    return delta;
  }
  const a = checkShape(model.kind === 'uniform' ? 1 : model.a);
  const { b } = calibrateBeta(system, a);
  for (let i = 0; i < nBanks; i++) {
    const c = outsideAssets[i]!;
    const w = netWorth[i]!;
    if (w <= 0) delta[i] = 1;
    else if (c <= 0 || w >= c) delta[i] = 0;
    else delta[i] = a === 1 ? Math.pow(1 - w / c, b[i]!) : 1 - incompleteBeta(w / c, a, b[i]!);
  }
  return delta;
}

/** Builds the sampler for a model (validates its parameters and, for user scenarios, every row). */
export function createShockSampler(system: ClearingSystem, model: ShockModel): ShockSampler {
  const { nBanks, outsideAssets } = system;
  const rng = new Rng(0);
  switch (model.kind) {
    case 'uniform': {
      const f = checkFraction(model.maxFraction);
      return {
        model,
        nBanks,
        nScenarios: Infinity,
        sample(seed, scenario, out, offset = 0) {
          rng.reseed(seed, scenario);
          for (let i = 0; i < nBanks; i++) out[offset + i] = f * outsideAssets[i]! * rng.uniform();
        },
      };
    }
    case 'beta': {
      const { a, b } = calibrateBeta(system, checkShape(model.a));
      return {
        model,
        nBanks,
        nScenarios: Infinity,
        sample(seed, scenario, out, offset = 0) {
          rng.reseed(seed, scenario);
          for (let i = 0; i < nBanks; i++) {
            // a = 1: inverse CDF, B = 1 − V^{1/b} with V uniform on (0, 1].
            const fraction = a === 1 ? -Math.expm1(Math.log(1 - rng.uniform()) / b[i]!) : rng.beta(a, b[i]!);
            out[offset + i] = outsideAssets[i]! * fraction;
          }
        },
      };
    }
    case 'copula': {
      const rho = model.rho;
      if (!(rho >= 0 && rho < 1)) throw new EngineInputError(`rho must lie in [0, 1), got ${rho}`, 'shockModel.rho');
      const marginal = model.marginal ?? 'uniform';
      const f = checkFraction(model.maxFraction);
      const a = checkShape(model.a);
      const betaParams = marginal === 'beta' ? calibrateBeta(system, a).b : undefined;
      const loading = Math.sqrt(rho);
      const idiosyncratic = Math.sqrt(1 - rho);
      return {
        model,
        nBanks,
        nScenarios: Infinity,
        sample(seed, scenario, out, offset = 0) {
          rng.reseed(seed, scenario);
          const common = rng.normal();
          for (let i = 0; i < nBanks; i++) {
            const latent = loading * common + idiosyncratic * rng.normal();
            let fraction: number;
            if (!betaParams) fraction = f * normalCdf(latent);
            else if (a === 1) fraction = -Math.expm1(Math.log(normalCdf(-latent)) / betaParams[i]!);
            else fraction = incompleteBetaInverse(normalCdf(latent), a, betaParams[i]!);
            out[offset + i] = outsideAssets[i]! * Math.min(1, Math.max(0, fraction));
          }
        },
      };
    }
    case 'scenarios': {
      const rows = model.rows;
      rows.forEach((row, k) => {
        if (row.length !== nBanks)
          throw new EngineInputError(`scenario ${k}: ${row.length} values for ${nBanks} banks`, `scenarios.${k}`);
        for (let i = 0; i < nBanks; i++) {
          const x = row[i]!;
          if (!(Number.isFinite(x) && x >= 0 && x <= outsideAssets[i]!)) {
            throw new EngineInputError(
              `scenario ${k}: shock on bank "${system.ids[i]}" must satisfy 0 ≤ x ≤ c = ${outsideAssets[i]}, got ${x}`,
              `scenarios.${k}.${system.ids[i]}`,
            );
          }
        }
      });
      return {
        model,
        nBanks,
        nScenarios: rows.length,
        sample(_seed, scenario, out, offset = 0) {
          const row = rows[scenario];
          if (!row)
            throw new EngineInputError(
              `scenario ${scenario} requested but only ${rows.length} were given`,
              'scenarios',
            );
          for (let i = 0; i < nBanks; i++) out[offset + i] = row[i]!;
        },
      };
    }
    default: {
      const unknown: never = model;
      throw new EngineInputError(`unknown shock model ${JSON.stringify(unknown)}`, 'shockModel.kind');
    }
  }
}

/** Convenience: nScenarios shock vectors, scenario-major, scenarios first .. first+count−1. */
export function sampleShocks(
  system: ClearingSystem,
  model: ShockModel,
  seed: number,
  first: number,
  count: number,
): Float64Array {
  const sampler = createShockSampler(system, model);
  const out = new Float64Array(count * system.nBanks);
  for (let k = 0; k < count; k++) sampler.sample(seed, first + k, out, k * system.nBanks);
  return out;
}

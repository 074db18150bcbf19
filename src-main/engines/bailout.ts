/**
 * Bailouts in an interbank network: the intervention idea of "Optimal intervention in economic networks using
 * influence maximization methods" (§2.2, §4.2, §4.4) carried over to Eisenberg–Noe clearing (clearing.ts).
 *
 * A bailout b ≥ 0 (Σ b ≤ B) is cash paid to banks after the shock x: outside assets become c + b, so
 *   p = min(p̄, max(0, Aᵀp + c + b − x))        (the greatest clearing vector, clearing.ts)
 * and bank i defaults when p_i < p̄_i. Given the clearing p under b, the cash that makes a defaulting bank i pay
 * in full is its need  need_i = p̄_i − (c_i + b_i − x_i + Σ_j a_ji p_j) > 0; paying it can only raise the others'
 * payments (the clearing map is monotone in c + b), so i stays solvent — need_i plays the role of the remaining
 * intervention threshold θ̃_i − x_i − f_i of the cross-holdings model, and making bank j whole adds a_ji s_j to
 * bank i's inflows (s = p̄ − p, the shortfall), the role of the impact K_ij.
 *
 * Methods (each pays a bank its current need, padded by 1e-9 relative, while affordable):
 *  - discountfrac: the defaulting bank j with the largest Σ_{i∈D, i≠j} w_i min(1, a_ji s_j / need_i) / need_j
 *    (w_j / need_j when no bank has any), as DiscountFrac adapted to costs;
 *  - greedy: the defaulting bank whose rescue gives the largest gain in the objective per unit of cost, by
 *    re-clearing the network for each candidate (exact marginal gains), or the best single rescue if better;
 *  - largest: banks by total assets c + Σ_j p̄_ji, largest first; first-layer: by round of default, cheapest first;
 *  - exhaustive: every rescued set T ⊆ D (|D| ≤ 16), each at its least cost b_i = (p̄_i − c_i + x_i − Σ_j a_ji p*_j)⁺,
 *    p* the clearing vector once T pays in full.
 * Objectives: 'defaults' (defaults averted) or 'shortfall' (reduction of Σ s, the creditors' losses).
 */
import { clearScenario, validateShock, type ScenarioClearing } from './clearing';
import { EngineInputError } from './errors';
import { fromDenseLiabilities, type ClearingSystem } from './network-arrays';

export type BailoutMethod = 'discountfrac' | 'greedy' | 'largest' | 'first-layer' | 'exhaustive';
export const BAILOUT_METHODS: BailoutMethod[] = ['discountfrac', 'greedy', 'largest', 'first-layer', 'exhaustive'];
export type BailoutObjective = 'defaults' | 'shortfall';

export interface BailoutResult {
  /** b per bank. */
  payments: Float64Array;
  spent: number;
  defaultsBefore: number[];
  defaultsAfter: number[];
  /** Defaults averted, or the reduction of the total shortfall. */
  objective: number;
  before: ScenarioClearing;
  after: ScenarioClearing;
}

const PAD = 1e-9;

/** Clearing with outside assets c + b under the shock x. */
export function clearWithBailout(
  system: ClearingSystem,
  shock: Float64Array,
  payments: Float64Array,
): ScenarioClearing {
  if (payments.every((b) => b === 0)) return clearScenario(system, shock, { depth: false });
  const assets = Float64Array.from(system.outsideAssets, (c, i) => c + payments[i]!);
  const rescued = fromDenseLiabilities(
    system.ids,
    system.pbarMatrix,
    assets,
    system.outsideLiabilities,
    system.defaultProbability,
  );
  return clearScenario(rescued, shock, { depth: false });
}

/** need_i = p̄_i − (c_i + b_i − x_i + Σ_j a_ji p_j), padded, for every defaulting bank (0 for solvent banks). */
export function bailoutNeeds(
  system: ClearingSystem,
  shock: Float64Array,
  payments: Float64Array,
  clearing: ScenarioClearing,
): Float64Array {
  const n = system.nBanks;
  const needs = new Float64Array(n);
  for (const i of clearing.defaults) {
    let inflow = 0;
    for (let j = 0; j < n; j++) inflow += system.relative[j * n + i]! * clearing.payments[j]!;
    const raw = system.totalObligations[i]! - (system.outsideAssets[i]! + payments[i]! - shock[i]! + inflow);
    needs[i] = Math.max(0, raw) + PAD * Math.max(1, system.totalObligations[i]!);
  }
  return needs;
}

function objectiveOf(objective: BailoutObjective, before: ScenarioClearing, after: ScenarioClearing): number {
  return objective === 'defaults'
    ? before.defaults.length - after.defaults.length
    : before.shortfallTotal - after.shortfallTotal;
}

function result(
  system: ClearingSystem,
  shock: Float64Array,
  payments: Float64Array,
  objective: BailoutObjective,
  before: ScenarioClearing,
): BailoutResult {
  const after = clearWithBailout(system, shock, payments);
  return {
    payments,
    spent: payments.reduce((sum, b) => sum + b, 0),
    defaultsBefore: [...before.defaults].sort((a, b) => a - b),
    defaultsAfter: [...after.defaults].sort((a, b) => a - b),
    objective: objectiveOf(objective, before, after),
    before,
    after,
  };
}

/** Pays, step by step, the bank `choose` picks among the affordable defaulting banks (−1 stops). */
function payStepwise(
  system: ClearingSystem,
  shock: Float64Array,
  budget: number,
  choose: (clearing: ScenarioClearing, needs: Float64Array, affordable: number[], payments: Float64Array) => number,
): Float64Array {
  const payments = new Float64Array(system.nBanks);
  let remaining = budget;
  for (;;) {
    const clearing = clearWithBailout(system, shock, payments);
    const needs = bailoutNeeds(system, shock, payments, clearing);
    const affordable = clearing.defaults.filter((i) => needs[i]! <= remaining);
    if (affordable.length === 0) break;
    const pick = choose(clearing, needs, affordable, payments);
    if (pick < 0) break;
    payments[pick]! += needs[pick]!;
    remaining -= needs[pick]!;
  }
  return payments;
}

/**
 * Least cost of making every bank of T solvent. Once T pays in full the others clear as p* (the clearing with
 * T's outside assets raised enough, e.g. by p̄_T); the least bailout is each bank's need against p*, and under it
 * p* is again the greatest clearing vector.
 */
function leastCost(system: ClearingSystem, shock: Float64Array, set: number[]): Float64Array {
  const ample = new Float64Array(system.nBanks);
  for (const i of set) ample[i] = system.totalObligations[i]! + shock[i]!;
  const cleared = clearWithBailout(system, shock, ample);
  const payments = new Float64Array(system.nBanks);
  const n = system.nBanks;
  for (const i of set) {
    let inflow = 0;
    for (let j = 0; j < n; j++) inflow += system.relative[j * n + i]! * cleared.payments[j]!;
    const raw = system.totalObligations[i]! - (system.outsideAssets[i]! - shock[i]! + inflow);
    payments[i] = raw > 0 ? raw + PAD * Math.max(1, system.totalObligations[i]!) : 0;
  }
  return payments;
}

export interface BailoutOptions {
  method: BailoutMethod;
  objective?: BailoutObjective;
}

/** Bailout payments within `budget` for the shock x (validated: 0 ≤ x_i ≤ c_i). */
export function bailout(
  system: ClearingSystem,
  shock: Float64Array,
  budget: number,
  options: BailoutOptions,
): BailoutResult {
  if (!(budget >= 0 && Number.isFinite(budget)))
    throw new EngineInputError(`budget must be finite and ≥ 0, got ${budget}`, 'budget');
  validateShock(system, shock);
  const objective = options.objective ?? 'defaults';
  const n = system.nBanks;
  const before = clearScenario(system, shock, { depth: false });
  const weight = (clearing: ScenarioClearing, i: number) =>
    objective === 'defaults' ? 1 : system.totalObligations[i]! - clearing.payments[i]!;
  switch (options.method) {
    case 'discountfrac':
      return result(
        system,
        shock,
        payStepwise(system, shock, budget, (clearing, needs, affordable) => {
          let best = -1;
          let bestScore = 0;
          let fallback = -1;
          let fallbackScore = -Infinity;
          for (const j of affordable) {
            const shortfall = system.totalObligations[j]! - clearing.payments[j]!;
            let reach = 0;
            for (const i of clearing.defaults) {
              if (i === j) continue;
              const push = system.relative[j * n + i]! * shortfall;
              if (push > 0) reach += weight(clearing, i) * Math.min(1, push / needs[i]!);
            }
            if (reach / needs[j]! > bestScore) {
              bestScore = reach / needs[j]!;
              best = j;
            }
            if (weight(clearing, j) / needs[j]! > fallbackScore) {
              fallbackScore = weight(clearing, j) / needs[j]!;
              fallback = j;
            }
          }
          return best >= 0 ? best : fallback;
        }),
        objective,
        before,
      );
    case 'greedy': {
      const greedy = result(
        system,
        shock,
        payStepwise(system, shock, budget, (clearing, needs, affordable, payments) => {
          let best = -1;
          let bestRatio = 0;
          for (const j of affordable) {
            payments[j]! += needs[j]!;
            const gain = objectiveOf(objective, clearing, clearWithBailout(system, shock, payments));
            payments[j]! -= needs[j]!;
            if (gain > 1e-12 && gain / needs[j]! > bestRatio) {
              bestRatio = gain / needs[j]!;
              best = j;
            }
          }
          return best;
        }),
        objective,
        before,
      );
      // Cost-aware greedy (Khuller–Moss–Naor): the better of the ratio greedy and the best single rescue.
      const needs = bailoutNeeds(system, shock, new Float64Array(n), before);
      let bestSingle = greedy;
      for (const j of before.defaults) {
        if (needs[j]! > budget) continue;
        const payments = new Float64Array(n);
        payments[j] = needs[j]!;
        const single = result(system, shock, payments, objective, before);
        if (single.objective > bestSingle.objective) bestSingle = single;
      }
      return bestSingle;
    }
    case 'largest': {
      const size = (i: number) => system.outsideAssets[i]! + system.interbankAssets[i]!;
      const order = [...before.defaults].sort((a, b) => size(b) - size(a) || a - b);
      return result(system, shock, payInOrder(system, shock, budget, order), objective, before);
    }
    case 'first-layer': {
      const needs = bailoutNeeds(system, shock, new Float64Array(n), before);
      const order = [...before.defaults].sort(
        (a, b) => before.defaultRound[a]! - before.defaultRound[b]! || needs[a]! - needs[b]! || a - b,
      );
      return result(system, shock, payInOrder(system, shock, budget, order), objective, before);
    }
    case 'exhaustive': {
      const defaults = before.defaults;
      const k = defaults.length;
      if (k > 16) throw new EngineInputError(`exhaustive search needs at most 16 defaulting banks, got ${k}`, 'method');
      let best: BailoutResult = result(system, shock, new Float64Array(n), objective, before);
      for (let mask = 1; mask < 1 << k; mask++) {
        const set = defaults.filter((_, a) => (mask >> a) & 1);
        const payments = leastCost(system, shock, set);
        const spent = payments.reduce((sum, b) => sum + b, 0);
        if (spent > budget) continue;
        const candidate = result(system, shock, payments, objective, before);
        if (
          candidate.objective > best.objective + 1e-12 ||
          (Math.abs(candidate.objective - best.objective) <= 1e-12 && spent < best.spent)
        )
          best = candidate;
      }
      return best;
    }
    default:
      throw new EngineInputError(
        `method must be one of ${BAILOUT_METHODS.join(', ')}, got "${String(options.method)}"`,
        'method',
      );
  }
}

/** Pays banks in `order` their current need while affordable. */
function payInOrder(system: ClearingSystem, shock: Float64Array, budget: number, order: number[]): Float64Array {
  const payments = new Float64Array(system.nBanks);
  let remaining = budget;
  for (const i of order) {
    const clearing = clearWithBailout(system, shock, payments);
    if (!clearing.defaults.includes(i)) continue;
    const need = bailoutNeeds(system, shock, payments, clearing)[i]!;
    if (need <= remaining) {
      payments[i]! += need;
      remaining -= need;
    }
  }
  return payments;
}

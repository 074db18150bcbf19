/**
 * Optimal intervention in the cross-holdings economy (cascade.ts), after "Optimal intervention in economic
 * networks using influence maximization methods" §2.2, §3.2, §4.2, §4.4 and Appendix C. An intervention x ≥ 0
 * lowers thresholds to θ − Ĉx and costs Σ x_i; the budget is B.
 *
 * Transformed problem (§2.2). Let F be the best-case failed set without intervention, V its book values and
 * M = (I − C)⁻¹. Reversing the failures of S ⊆ F raises book values by M β_S, so with K_ij = M_ij β_j (i, j ∈ F):
 *   impact         f_i(S) = Σ_{j ∈ S, j ≠ i} K_ij                                   (eq. 2)
 *   threshold      θ̃_i   = θ_i / Ĉ_ii − V_i − K_ii   (book-value slack less the self-effect, eq. 3)
 *   i is saved     x_i + f_i(saved) ≥ θ̃_i            (exactly v_i ≥ θ_i − Ĉ_ii x_i once the saved set's β are gone)
 * Firms outside F never fail after an intervention (values only rise). The minimum injection that saves a still
 * failing firm i given the others is need_i = θ̃_i − x_i − f_i(saved); the minimum total cost of saving a set T
 * is cost(T) = Σ_{i∈T} (θ̃_i − f_i(T))⁺, so the exact optimum is max { w(T) : cost(T) ≤ B } (exhaustive search).
 * The outcome of payments x is the least failed set (the best-case equilibrium of cascade.ts): start from "all of F
 * saved" and fail every firm whose condition breaks until nothing changes. Payments carry a pad so that a firm
 * paid its exact minimum is not lost to rounding: 1e-9 × max(1, |θ_i/Ĉ_ii| + |V_i|) added (every method but one),
 * or the need × 1e-5 (DiscountFrac (published), as the authors' code).
 *
 * Objective w: 'failures' — number of failures averted (w_i = 1); 'value' — market value saved, Σ v_after − Σ v_before,
 * which equals Σ β_i over averted failures because 1ᵀ Ĉ (I − C)⁻¹ = 1ᵀ (w_i = β_i).
 *
 * Algorithms.
 *  - DiscountFrac (published), `discountfrac-published` (§4.2, App. C Alg. 9, as the authors' code
 *    GJ_cascades_dense.py defines it): see `discountFracPublished` below — raw influence per unit of cost, the
 *    firm's full remaining need paid with a relative pad of 1e-5, stops at the first firm it cannot afford.
 *  - DiscountFrac adapted to costs, `discountfrac-adapted` (this project's variant of §4.2; `discountfrac` is its
 *    alias): repeatedly pay the affordable still-failing firm j with the largest capped, weighted influence on the
 *    rest of the failing set per unit of cost, Σ_{i failing, i≠j} w_i min(1, K_ij / need_i) / need_j (w_j / need_j
 *    when no candidate influences any other), its remaining need need_j (pad 1e-9), then let the cascade add the
 *    rescues that come free; a firm it cannot afford is skipped, not the end. docs/engines/cascades.md compares
 *    the two.
 *  - Greedy with random thresholds (§3.2, App. C Alg. 3 and 6): θ̃_i is drawn uniform on θ̃_i (1 ± U) (the
 *    randomisation put on θ̃, option (1) of §3.2, which keeps F fixed). σ(S) = E[w(activated)] where activation
 *    spreads upwards from the payments x (i activates when x_i + f_i(active) ≥ θ̃_i), estimated by Monte Carlo over `samples` seeded draws (`Rng`, common random numbers
 *    for every candidate). Integral greedy adds the affordable rescue (the firm's remaining nominal need given the
 *    firms already saved) with the largest marginal gain per unit cost and returns the better of that and the best
 *    single rescue; fractional greedy also offers steps of B/steps, by the same rule. σ is monotone; it is submodular (Mossel–Roch) when the
 *    threshold CDF composed with the modular impact is concave, i.e. U = 1 (uniform on [0, 2θ̃]); for U < 1 the
 *    CDF is flat below θ̃(1 − U) and submodularity can fail.
 *  - Baselines (§4.4): largest firms (by market value before intervention) first; layers of the default hierarchy
 *    in order (cheapest first within a layer). Each pays a firm its current need when affordable.
 * Every method's payments are finally evaluated by the full cascade with thresholds θ − Ĉx.
 */
import { cascade, failedIndices, neumannColumn, type CascadeResult, type EconomySystem } from './cascade';
import { EngineInputError } from './errors';
import { Rng } from './random';

export type InterventionObjective = 'failures' | 'value';
export type DiscountFracVariant = 'discountfrac-adapted' | 'discountfrac-published';
export type InterventionMethod =
  | DiscountFracVariant
  | 'greedy'
  | 'greedy-fractional'
  | 'largest'
  | 'first-layer'
  | 'exhaustive';
export const INTERVENTION_METHODS: InterventionMethod[] = [
  'discountfrac-adapted',
  'discountfrac-published',
  'greedy',
  'greedy-fractional',
  'largest',
  'first-layer',
  'exhaustive',
];
export const DISCOUNTFRAC_VARIANTS: DiscountFracVariant[] = ['discountfrac-adapted', 'discountfrac-published'];
/** `discountfrac` names the default variant, DiscountFrac adapted to costs (the behaviour before both existed). */
export const DISCOUNTFRAC_ALIAS = 'discountfrac';
export const DEFAULT_DISCOUNTFRAC: DiscountFracVariant = 'discountfrac-adapted';
/** A method name with the alias resolved; undefined when it names no method. */
export function resolveInterventionMethod(name: string): InterventionMethod | undefined {
  if (name === DISCOUNTFRAC_ALIAS) return DEFAULT_DISCOUNTFRAC;
  return (INTERVENTION_METHODS as string[]).includes(name) ? (name as InterventionMethod) : undefined;
}

export interface RescueProblem {
  system: EconomySystem;
  objective: InterventionObjective;
  /** The best-case equilibrium without intervention. */
  before: CascadeResult;
  /** F: indices of the failed firms; the transformed coordinates a = 0..k-1 refer to firm failing[a]. */
  failing: Int32Array;
  /** K_ab = M_{F_a F_b} β_{F_b}, row-major k × k (diagonal = self-effect). */
  influence: Float64Array;
  /** θ̃_a, the intervention threshold (eq. 3), in book-value units. */
  interventionThresholds: Float64Array;
  /** Rounding pad added to each payment. */
  pad: Float64Array;
  /** w_a: 1 ('failures') or β ('value'). */
  weights: Float64Array;
}

export interface InterventionResult {
  /** x per firm (all n firms). */
  payments: Float64Array;
  spent: number;
  failedBefore: number[];
  failedAfter: number[];
  /** Failures averted, or market value saved (Σ v_after − Σ v_before). */
  objective: number;
  /** The cascade with thresholds θ − Ĉx. */
  after: CascadeResult;
}

export interface RandomThresholdOptions {
  /** Monte Carlo draws of the thresholds (default 200). */
  samples?: number;
  seed?: number;
  /** U in [0, 1]: θ̃ uniform on θ̃ (1 ± U) (default 0.1). */
  uncertainty?: number;
  /** Fractional greedy: budget increments B / steps (default 20). */
  steps?: number;
}

export interface InterventionOptions extends RandomThresholdOptions {
  /** A method, or `discountfrac` (the default DiscountFrac variant). */
  method: InterventionMethod | typeof DISCOUNTFRAC_ALIAS;
  objective?: InterventionObjective;
}

const PAD = 1e-9;

/** The transformed problem of §2.2 on the best-case failed set. */
export function rescueProblem(
  system: EconomySystem,
  objective: InterventionObjective = 'failures',
  before = cascade(system),
  columnOf: (j: number) => Float64Array = (j) => neumannColumn(system, j),
): RescueProblem {
  const failing = Int32Array.from(failedIndices(before));
  const k = failing.length;
  const influence = new Float64Array(k * k);
  for (let b = 0; b < k; b++) {
    const j = failing[b]!;
    const column = columnOf(j);
    const beta = system.failureCosts[j]!;
    for (let a = 0; a < k; a++) influence[a * k + b] = column[failing[a]!]! * beta;
  }
  const interventionThresholds = new Float64Array(k);
  const pad = new Float64Array(k);
  const weights = new Float64Array(k);
  for (let a = 0; a < k; a++) {
    const i = failing[a]!;
    const bookThreshold = system.thresholds[i]! / system.selfShare[i]!;
    interventionThresholds[a] = bookThreshold - before.bookValues[i]! - influence[a * k + a]!;
    pad[a] = PAD * Math.max(1, Math.abs(bookThreshold) + Math.abs(before.bookValues[i]!));
    weights[a] = objective === 'value' ? system.failureCosts[i]! : 1;
  }
  return { system, objective, before, failing, influence, interventionThresholds, pad, weights };
}

/** f_a(S) = Σ_{b ∈ S, b ≠ a} K_ab for a 0/1 mask S over F. */
function impact(problem: RescueProblem, saved: Uint8Array, a: number): number {
  const k = problem.failing.length;
  let sum = 0;
  for (let b = 0; b < k; b++) if (saved[b] && b !== a) sum += problem.influence[a * k + b]!;
  return sum;
}

/** Raw (unpadded) need θ̃_a − x_a − f_a(saved). */
const rawNeed = (problem: RescueProblem, x: Float64Array, saved: Uint8Array, a: number): number =>
  problem.interventionThresholds[a]! - x[a]! - impact(problem, saved, a);

/** The padded minimum extra payment that saves a given the saved set (0 if it needs none). */
function paddedNeed(problem: RescueProblem, x: Float64Array, saved: Uint8Array, a: number): number {
  const raw = rawNeed(problem, x, saved, a);
  return raw > 0 ? raw + problem.pad[a]! : 0;
}

/**
 * The firms of F saved by payments x (k entries): the best-case equilibrium, found by starting from "all saved"
 * and failing every firm with x_a + f_a(saved) < θ̃_a until nothing changes.
 */
export function savedByPayments(problem: RescueProblem, x: Float64Array): Uint8Array {
  const k = problem.failing.length;
  const saved = new Uint8Array(k).fill(1);
  for (let changed = true; changed; ) {
    changed = false;
    for (let a = 0; a < k; a++) {
      if (saved[a] && rawNeed(problem, x, saved, a) > 0) {
        saved[a] = 0;
        changed = true;
      }
    }
  }
  return saved;
}

/** (a) The minimum injection each firm needs to be saved given the others' state under payments x (n entries). */
export function minimumInjections(
  problem: RescueProblem,
  x: Float64Array = new Float64Array(problem.failing.length),
): Float64Array {
  const saved = savedByPayments(problem, x);
  const out = new Float64Array(problem.system.nFirms);
  problem.failing.forEach((i, a) => {
    if (!saved[a]) out[i] = paddedNeed(problem, x, saved, a);
  });
  return out;
}

/** Minimum total cost of saving every firm of T (a mask over F): Σ_{a∈T} (θ̃_a − f_a(T))⁺, padded or not. */
export function rescueCost(
  problem: RescueProblem,
  set: Uint8Array,
  padded = true,
): { cost: number; payments: Float64Array } {
  const k = problem.failing.length;
  const zero = new Float64Array(k);
  const payments = new Float64Array(k);
  let cost = 0;
  for (let a = 0; a < k; a++) {
    if (!set[a]) continue;
    payments[a] = padded ? paddedNeed(problem, zero, set, a) : Math.max(0, rawNeed(problem, zero, set, a));
    cost += payments[a]!;
  }
  return { cost, payments };
}

const weightOf = (problem: RescueProblem, saved: Uint8Array): number => {
  let sum = 0;
  saved.forEach((s, a) => {
    if (s) sum += problem.weights[a]!;
  });
  return sum;
};

/** Evaluates payments x over F (k entries) with the full cascade (thresholds θ − Ĉx). */
export function evaluatePayments(problem: RescueProblem, x: Float64Array): InterventionResult {
  const { system, before } = problem;
  const payments = new Float64Array(system.nFirms);
  let spent = 0;
  problem.failing.forEach((i, a) => {
    payments[i] = x[a]!;
    spent += x[a]!;
  });
  const after = cascade(system, { thresholdShift: payments });
  const failedBefore = failedIndices(before);
  const failedAfter = failedIndices(after);
  let objective = failedBefore.length - failedAfter.length;
  if (problem.objective === 'value') {
    objective = 0;
    for (let i = 0; i < system.nFirms; i++) objective += after.marketValues[i]! - before.marketValues[i]!;
  }
  return { payments, spent, failedBefore, failedAfter, objective, after };
}

/**
 * (b) DiscountFrac adapted to costs (this project's variant of §4.2): scores a still-failing affordable firm j by
 * Σ_{i failing, i≠j} w_i min(1, K_ij / need_i) / need_j, pays the best its padded need, skips what it cannot afford.
 */
export function discountFracAdapted(problem: RescueProblem, budget: number): InterventionResult {
  const k = problem.failing.length;
  const x = new Float64Array(k);
  let remaining = budget;
  for (;;) {
    const saved = savedByPayments(problem, x);
    const needs = new Float64Array(k);
    for (let a = 0; a < k; a++) needs[a] = saved[a] ? 0 : paddedNeed(problem, x, saved, a);
    // Score: influence on the rest of the failing set per unit of cost; when no candidate has any, own weight per cost.
    let best = -1;
    let bestScore = 0;
    let fallback = -1;
    let fallbackScore = -Infinity;
    for (let b = 0; b < k; b++) {
      if (saved[b] || needs[b]! > remaining) continue;
      const cost = Math.max(needs[b]!, Number.MIN_VALUE);
      let influence = 0;
      for (let a = 0; a < k; a++) {
        if (saved[a] || a === b) continue;
        influence += problem.weights[a]! * Math.min(1, problem.influence[a * k + b]! / needs[a]!);
      }
      if (influence / cost > bestScore) {
        bestScore = influence / cost;
        best = b;
      }
      if (problem.weights[b]! / cost > fallbackScore) {
        fallbackScore = problem.weights[b]! / cost;
        fallback = b;
      }
    }
    if (best < 0) best = fallback;
    if (best < 0) break;
    x[best]! += needs[best]!;
    remaining -= needs[best]!;
  }
  return evaluatePayments(problem, x);
}

/** The published DiscountFrac's relative payment pad: x_u = c_u (1 + 1e-5), the authors' `u_frac_inf * 1.00001`. */
export const PUBLISHED_PAD = 1e-5;

/** One pick of a DiscountFrac order (the study's budget curve reads these; intervention-study.ts PathStep). */
export interface DiscountFracStep {
  /** The firm paid (index into F). */
  firm: number;
  payment: number;
  cumulativeCost: number;
  /** Firms of F saved under the payments so far (best-case equilibrium); NaN when outcomes are not asked for. */
  saved: number;
  /** Σ β over those saved firms: the market value saved (NaN likewise). */
  valueSaved: number;
}

/**
 * DiscountFrac (published): "Optimal intervention in economic networks using influence maximization methods" §4.2
 * and App. C Algorithm 9, as the authors' code defines it (github.com/aklamun/optimal_intervention,
 * GJ_cascades_dense.py: DiscountFrac_step, DiscountFrac_opt, DiscountFrac_batch). It keeps an influenced set
 * S ⊆ F, initially empty, and the rest A = F \ S. Each step, with f and θ̃ of eqs. 2–3:
 *   c_v = θ̃_v − f_v(S)                                            the cost of activating v ∈ A
 *   q_v = Γ⁻(v, A) / c_v,   Γ⁻(v, A) = Σ_{u ∈ A, u ≠ v} K_uv       (q_v = +∞ when c_v ≤ 0)
 *   u   = argmax_{v ∈ A} q_v                                        ties: the first firm of F (Python's max)
 *   x_u = max(c_u, 0) (1 + 10⁻⁵)                                    the authors' relative pad
 *   S  ← S ∪ {u}, then S ← S ∪ {v ∈ A : θ̃_v − f_v(S) ≤ 0} until none joins (the rescues that come free).
 * The score is raw influence per unit of cost: not capped at what each firm still needs and not weighted by the
 * objective (the picks are the same under either objective). Budget B: steps run while Σx < B and S ≠ F; a step
 * that takes Σx over B is undone and the algorithm stops — it does not look for a firm it can still afford. The
 * picks do not depend on B, so one order serves every budget (DiscountFrac_batch): B buys the longest prefix of
 * the order costing ≤ B. This function returns that order, generated while Σx < maxBudget (the last step may
 * exceed it). Incremental: f(S) gains column u of K when u joins S and Γ⁻(·, A) loses row u when u leaves A, O(k)
 * per firm. With `outcomes`, each step also reports the best-case saved set under the payments so far — what the
 * cascade with thresholds θ − Ĉx gives, a superset of S when unpaid firms hold each other up — O(k) per firm it
 * drops.
 */
export function discountFracPublishedPath(
  problem: RescueProblem,
  maxBudget: number,
  outcomes = true,
): DiscountFracStep[] {
  const k = problem.failing.length;
  const { influence: K, interventionThresholds: theta } = problem;
  const beta = Float64Array.from(problem.failing, (i) => problem.system.failureCosts[i]!);
  const inS = new Uint8Array(k);
  const queued = new Uint8Array(k);
  // f_a(S); Γ⁻(v, A) with the count of its positive terms (exactly 0 when none is left, whatever the rounding).
  const impactOfS = new Float64Array(k);
  const gamma = new Float64Array(k);
  const gammaTerms = new Int32Array(k);
  const rowSums = new Float64Array(k);
  for (let u = 0; u < k; u++) {
    for (let v = 0; v < k; v++) {
      const value = K[u * k + v]!;
      if (u === v || value === 0) continue;
      gamma[v]! += value;
      gammaTerms[v]!++;
      rowSums[u]! += value;
    }
  }
  let open = k;
  const free: number[] = [];
  const join = (u: number) => {
    inS[u] = 1;
    open--;
    for (let a = 0; a < k; a++) {
      if (a === u) continue;
      const incoming = K[a * k + u]!;
      if (incoming !== 0) {
        impactOfS[a]! += incoming;
        if (!inS[a] && !queued[a] && theta[a]! - impactOfS[a]! <= 0) {
          queued[a] = 1;
          free.push(a);
        }
      }
      const outgoing = K[u * k + a]!;
      if (outgoing === 0) continue;
      gammaTerms[a]!--;
      gamma[a] = gammaTerms[a] === 0 ? 0 : gamma[a]! - outgoing;
    }
  };
  const x = new Float64Array(k);
  const field = new Float64Array(k);
  const alive = new Uint8Array(k);
  const dropped: number[] = [];
  const steps: DiscountFracStep[] = [];
  let spent = 0;
  while (open > 0 && spent < maxBudget) {
    let best = -1;
    let bestScore = -Infinity;
    for (let v = 0; v < k; v++) {
      if (inS[v]) continue;
      const cost = theta[v]! - impactOfS[v]!;
      const score = cost > 0 ? gamma[v]! / cost : Infinity;
      if (score > bestScore) {
        bestScore = score;
        best = v;
      }
    }
    const payment = Math.max(theta[best]! - impactOfS[best]!, 0) * (1 + PUBLISHED_PAD);
    x[best] = payment;
    spent += payment;
    queued[best] = 1;
    join(best);
    while (free.length > 0) join(free.pop()!);
    let saved = Number.NaN;
    let valueSaved = Number.NaN;
    if (outcomes) {
      // Greatest saved set under x: all of F saved, then drop every firm with x_a + f_a(saved) < θ̃_a until stable.
      for (let a = 0; a < k; a++) {
        field[a] = x[a]! + rowSums[a]!;
        alive[a] = field[a]! < theta[a]! ? 0 : 1;
        if (!alive[a]) dropped.push(a);
      }
      while (dropped.length > 0) {
        const b = dropped.pop()!;
        for (let a = 0; a < k; a++) {
          if (a === b) continue;
          field[a]! -= K[a * k + b]!;
          if (alive[a] && field[a]! < theta[a]!) {
            alive[a] = 0;
            dropped.push(a);
          }
        }
      }
      saved = 0;
      valueSaved = 0;
      for (let a = 0; a < k; a++) {
        if (!alive[a]) continue;
        saved++;
        valueSaved += beta[a]!;
      }
    }
    steps.push({ firm: best, payment, cumulativeCost: spent, saved, valueSaved });
  }
  return steps;
}

/** (b) DiscountFrac (published) at budget B: the longest prefix of its order costing ≤ B (`discountFracPublishedPath`). */
export function discountFracPublished(problem: RescueProblem, budget: number): InterventionResult {
  const x = new Float64Array(problem.failing.length);
  for (const step of discountFracPublishedPath(problem, budget, false)) {
    if (step.cumulativeCost > budget) break;
    x[step.firm]! += step.payment;
  }
  return evaluatePayments(problem, x);
}

/** Thresholds θ̃ drawn uniform on θ̃ (1 ± U): row-major samples × k. */
export function sampleInterventionThresholds(
  problem: RescueProblem,
  samples: number,
  seed: number,
  uncertainty: number,
): Float64Array {
  const k = problem.failing.length;
  const out = new Float64Array(samples * k);
  const rng = new Rng(seed);
  for (let s = 0; s < samples; s++) {
    for (let a = 0; a < k; a++)
      out[s * k + a] = problem.interventionThresholds[a]! * (1 + uncertainty * (2 * rng.uniform() - 1));
  }
  return out;
}

/**
 * σ̂ = mean over the threshold draws of w(activated), activation spreading upwards (§2.2 "Evaluating an
 * intervention"): seeds are active; a activates when x_a + f_a(active) ≥ θ̃_a.
 */
export function expectedRescue(
  problem: RescueProblem,
  thresholds: Float64Array,
  seeds: Uint8Array,
  x: Float64Array = new Float64Array(problem.failing.length),
): number {
  const k = problem.failing.length;
  if (k === 0) return 0;
  const samples = thresholds.length / k;
  const active = new Uint8Array(k);
  const field = new Float64Array(k);
  let total = 0;
  for (let s = 0; s < samples; s++) {
    active.fill(0);
    field.set(x);
    const queue: number[] = [];
    const activate = (b: number) => {
      active[b] = 1;
      queue.push(b);
    };
    for (let a = 0; a < k; a++) if (seeds[a] || x[a]! >= thresholds[s * k + a]!) activate(a);
    let weight = 0;
    while (queue.length > 0) {
      const b = queue.pop()!;
      weight += problem.weights[b]!;
      for (let a = 0; a < k; a++) {
        if (active[a] || a === b) continue;
        field[a]! += problem.influence[a * k + b]!;
        if (field[a]! >= thresholds[s * k + a]!) activate(a);
      }
    }
    total += weight;
  }
  return total / samples;
}

function randomOptions(options: RandomThresholdOptions) {
  const samples = options.samples ?? 200;
  const uncertainty = options.uncertainty ?? 0.1;
  const steps = options.steps ?? 20;
  if (!(Number.isInteger(samples) && samples >= 1))
    throw new EngineInputError(`samples must be an integer ≥ 1, got ${samples}`, 'samples');
  if (!(uncertainty >= 0 && uncertainty <= 1))
    throw new EngineInputError(`uncertainty must be in [0, 1], got ${uncertainty}`, 'uncertainty');
  if (!(Number.isInteger(steps) && steps >= 1))
    throw new EngineInputError(`steps must be an integer ≥ 1, got ${steps}`, 'steps');
  return { samples: uncertainty === 0 ? 1 : samples, seed: options.seed ?? 1, uncertainty, steps };
}

/**
 * The greedy of App. C Alg. 3 / 6 on payments: from x = 0, repeatedly add the offered amount (`offers`) with the
 * largest gain in σ̂ per unit of cost, while affordable and σ̂ grows; the better of that and the best single offer.
 */
function greedyPayments(
  problem: RescueProblem,
  budget: number,
  options: RandomThresholdOptions,
  offers: (a: number, need: number, remaining: number) => number[],
): Float64Array {
  const { samples, seed, uncertainty } = randomOptions(options);
  const k = problem.failing.length;
  const draws = sampleInterventionThresholds(problem, samples, seed, uncertainty);
  const none = new Uint8Array(k);
  const x = new Float64Array(k);
  let remaining = budget;
  const start = expectedRescue(problem, draws, none, x);
  let value = start;
  let bestSingle = { a: -1, amount: 0, value: start };
  for (let round = 0; remaining > 0; round++) {
    const saved = savedByPayments(problem, x);
    let best = { a: -1, amount: 0, ratio: 0, value };
    for (let a = 0; a < k; a++) {
      if (saved[a]) continue;
      // The top-up that saves a in every draw: its nominal need plus the uncertainty band U|θ̃_a|.
      const need = paddedNeed(problem, x, saved, a) + uncertainty * Math.abs(problem.interventionThresholds[a]!);
      for (const amount of offers(a, need, remaining)) {
        if (!(amount > 0) || amount > remaining) continue;
        x[a]! += amount;
        const v = expectedRescue(problem, draws, none, x);
        x[a]! -= amount;
        const ratio = (v - value) / amount;
        if (v - value > 1e-12 && ratio > best.ratio) best = { a, amount, ratio, value: v };
        if (round === 0 && v > bestSingle.value) bestSingle = { a, amount, value: v };
      }
    }
    if (best.a < 0) break;
    x[best.a]! += best.amount;
    remaining -= best.amount;
    value = best.value;
  }
  if (bestSingle.a >= 0 && bestSingle.value > value) {
    x.fill(0);
    x[bestSingle.a] = bestSingle.amount;
  }
  return x;
}

/**
 * (c) Greedy integral intervention with random thresholds (App. C Alg. 3), cost-aware: each step reverses one
 * more failure, paying the firm its remaining need given the firms already saved (the paper's §2.2 remark that a
 * firm already pushed by saved neighbours costs less than its full θ̃).
 */
export function greedyIntegral(
  problem: RescueProblem,
  budget: number,
  options: RandomThresholdOptions = {},
): InterventionResult {
  return evaluatePayments(
    problem,
    greedyPayments(problem, budget, options, (_a, need) => [need]),
  );
}

/** (c) Greedy fractional intervention with random thresholds (App. C Alg. 6): steps of B/steps, or a top-up. */
export function greedyFractional(
  problem: RescueProblem,
  budget: number,
  options: RandomThresholdOptions = {},
): InterventionResult {
  const { steps } = randomOptions(options);
  return evaluatePayments(
    problem,
    greedyPayments(problem, budget, options, (_a, need, remaining) => [Math.min(budget / steps, remaining), need]),
  );
}

/**
 * Pays firms in the given order their current need while affordable; with a margin U each payment also covers the
 * uncertainty band U|θ̃_a|, as the greedy's do (so a comparison under uncertain thresholds is like for like).
 */
function payInOrder(problem: RescueProblem, budget: number, order: number[], margin: number): InterventionResult {
  const k = problem.failing.length;
  const x = new Float64Array(k);
  let remaining = budget;
  for (const a of order) {
    const saved = savedByPayments(problem, x);
    if (saved[a]) continue;
    const need = paddedNeed(problem, x, saved, a) + margin * Math.abs(problem.interventionThresholds[a]!);
    if (need <= remaining) {
      x[a]! += need;
      remaining -= need;
    }
  }
  return evaluatePayments(problem, x);
}

/** (d) Baseline: largest firms (market value before intervention) first. */
export function largestFirst(problem: RescueProblem, budget: number, margin = 0): InterventionResult {
  const v = problem.before.marketValues;
  const order = Array.from(problem.failing.keys()).sort(
    (a, b) => v[problem.failing[b]!]! - v[problem.failing[a]!]! || a - b,
  );
  return payInOrder(problem, budget, order, margin);
}

/** (d) Baseline: the layers of the default hierarchy in order, cheapest first within a layer. */
export function firstLayer(problem: RescueProblem, budget: number, margin = 0): InterventionResult {
  const round = (a: number) => problem.before.rounds[problem.failing[a]!]!;
  const t = problem.interventionThresholds;
  const order = Array.from(problem.failing.keys()).sort((a, b) => round(a) - round(b) || t[a]! - t[b]! || a - b);
  return payInOrder(problem, budget, order, margin);
}

/** Exact optimum by enumerating the rescued set T ⊆ F (|F| ≤ 20), paying each firm of T its minimum given T. */
export function exhaustiveIntervention(problem: RescueProblem, budget: number): InterventionResult {
  const k = problem.failing.length;
  if (k > 20) throw new EngineInputError(`exhaustive search needs at most 20 failing firms, got ${k}`, 'method');
  const set = new Uint8Array(k);
  let bestWeight = -1;
  let bestCost = Infinity;
  let bestPayments: Float64Array = new Float64Array(k);
  for (let mask = 0; mask < 1 << k; mask++) {
    for (let a = 0; a < k; a++) set[a] = (mask >> a) & 1;
    const { cost, payments } = rescueCost(problem, set);
    if (cost > budget) continue;
    const weight = weightOf(problem, savedByPayments(problem, payments));
    if (weight > bestWeight || (weight === bestWeight && cost < bestCost)) {
      bestWeight = weight;
      bestCost = cost;
      bestPayments = payments;
    }
  }
  return evaluatePayments(problem, bestPayments);
}

/** Runs one method on the system's best-case equilibrium. */
export function intervene(system: EconomySystem, budget: number, options: InterventionOptions): InterventionResult {
  if (!(budget >= 0 && Number.isFinite(budget)))
    throw new EngineInputError(`budget must be finite and ≥ 0, got ${budget}`, 'budget');
  const problem = rescueProblem(system, options.objective ?? 'failures');
  const method = resolveInterventionMethod(String(options.method));
  switch (method) {
    case 'discountfrac-adapted':
      return discountFracAdapted(problem, budget);
    case 'discountfrac-published':
      return discountFracPublished(problem, budget);
    case 'greedy':
      return greedyIntegral(problem, budget, options);
    case 'greedy-fractional':
      return greedyFractional(problem, budget, options);
    case 'largest':
      return largestFirst(problem, budget);
    case 'first-layer':
      return firstLayer(problem, budget);
    case 'exhaustive':
      return exhaustiveIntervention(problem, budget);
    default:
      throw new EngineInputError(
        `method must be one of ${INTERVENTION_METHODS.join(', ')} (or ${DISCOUNTFRAC_ALIAS}), got "${String(options.method)}"`,
        'method',
      );
  }
}

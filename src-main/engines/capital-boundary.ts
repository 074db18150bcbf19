/**
 * Pinning a capital allocation to the boundary of the acceptance set (Feinstein, Rudloff & Weber, "Measures of
 * systemic risk", SIAM Journal on Financial Mathematics 8, 2017; learned as in Garisch & Feinstein, capital
 * allocation with machine learning): how little capital along a direction is enough, to a stated confidence.
 *
 * Along a direction u ≥ 0 (the cheapest allocation a classifier proposed and Monte Carlo certified), the
 * allocation k(s) = s·u has the acceptance statistic ρ_S(s) (expected shortfall or value at risk of what society
 * receives, over S common scenarios; see capital-allocation.ts), non-decreasing in s for fixed scenarios. With the
 * one-sided normal quantile z = Φ⁻¹(confidence) and the statistic's standard error σ_S(s):
 *
 *   s⁺ = least s with ρ_S(s) − level ≥ z σ_S(s)     (acceptable at that confidence; bisection in s)
 *   pinned  ⇔  ρ_S(s⁺(1 − step)) − level ≤ −z σ_S(s⁺(1 − step))   (one `step` cheaper is not acceptable)
 *
 * When the test is not decided, the scenarios are multiplied by four (the first S scenarios of the seeded stream
 * are kept, so each stage refines the last) and s⁺ is searched again near the previous one, until the test holds
 * or the scenario budget is spent. Then s⁻ = greatest s with ρ_S(s) − level ≤ −z σ_S(s) is found too: the boundary
 * lies in [s⁻, s⁺] at that confidence, and the allocation may be up to s⁺/s⁻ − 1 above it. A user's scenario file
 * cannot grow: it is one stage.
 */
import { AcceptanceEvaluator, type AcceptanceSetup, type AllocationCheck } from './capital-allocation';
import { EngineInputError } from './errors';
import type { ClearingSystem } from './network-arrays';
import { normalInverseCdf } from './special-functions';

export interface BoundaryOptions {
  /** Relative step cheaper that must be refused (default 0.02). */
  step?: number;
  /** One-sided confidence of both tests (default 0.95). */
  confidence?: number;
  /** Most scenarios in one evaluation (the scenario budget). */
  maxScenarios: number;
  /** Relative precision of the bisections in s (default 1e-3). */
  tolerance?: number;
  onStage?: (stage: BoundaryStage) => void;
}

export interface BoundaryStage {
  scenarios: number;
  /** s⁺ at this stage (NaN when nothing in reach passed). */
  upperScale: number;
  pinned: boolean;
}

export interface BoundaryPin {
  k: number[];
  cost: number;
  /** The allocation's check on the final stage's scenarios. */
  check: AllocationCheck;
  /** The allocation one step cheaper along the direction, on the same scenarios. */
  cheaper: { k: number[]; check: AllocationCheck };
  /** Acceptable, and one step cheaper not, both at the stated confidence. */
  pinned: boolean;
  /** False when even the largest multiple tried did not pass. */
  acceptable: boolean;
  /** [s⁻, s⁺]: the boundary lies between these multiples of the direction at the stated confidence. */
  lowerScale: number;
  upperScale: number;
  /** s⁺/s⁻ − 1: how far above the boundary the allocation may be (≤ step/(1 − step) when pinned). */
  maxExcess: number;
  step: number;
  confidence: number;
  scenarios: number;
  stages: BoundaryStage[];
  clearingRuns: number;
  seconds: number;
}

const MAX_DOUBLINGS = 10;

/** The step, confidence and tolerance with their defaults, and the direction as an array; refuses bad ones. */
function pinSettings(direction: ArrayLike<number>, options: BoundaryOptions) {
  const step = options.step ?? 0.02;
  const confidence = options.confidence ?? 0.95;
  const tolerance = options.tolerance ?? 1e-3;
  if (!(step > 0 && step < 1)) throw new EngineInputError(`the step must lie in (0, 1), got ${step}`, 'step');
  if (!(confidence >= 0.5 && confidence < 1))
    throw new EngineInputError(`the confidence must lie in [0.5, 1), got ${confidence}`, 'confidence');
  const u = Float64Array.from(direction);
  if (!u.every((v) => v >= 0 && Number.isFinite(v)) || u.every((v) => v === 0)) {
    throw new EngineInputError('the direction must be non-negative and not zero', 'direction');
  }
  return { step, confidence, tolerance, u };
}

/** s⁻: by bisection, the greatest multiple below `notRefused` that `refuses` (each test one Monte Carlo check). */
function greatestRefused(refuses: (scale: number) => boolean, notRefused: number, tolerance: number): number {
  let refused = 0;
  while (notRefused - refused > tolerance) {
    const mid = 0.5 * (refused + notRefused);
    if (refuses(mid)) refused = mid;
    else notRefused = mid;
  }
  return refused;
}

export function pinToBoundary(
  system: ClearingSystem,
  setup: AcceptanceSetup,
  direction: ArrayLike<number>,
  options: BoundaryOptions,
): BoundaryPin {
  const started = performance.now();
  const { step, confidence, tolerance, u } = pinSettings(direction, options);
  const z = normalInverseCdf(confidence);
  const growable = setup.shockModel.kind !== 'scenarios';
  const stages: BoundaryStage[] = [];
  let clearingRuns = 0; // runs of the evaluators of finished stages
  let scenarios = setup.scenarios;
  let low = 0;
  let high = 1;
  let evaluator!: AcceptanceEvaluator;
  let upper: { scale: number; check: AllocationCheck } | undefined;
  let cheaper!: AllocationCheck;
  let pinned = false;

  const checkAt = (scale: number) => evaluator.evaluate(u.map((v) => v * scale));
  const passes = (check: AllocationCheck) => check.margin >= z * check.standardError;
  const refuses = (check: AllocationCheck) => check.margin <= -z * check.standardError;

  for (;;) {
    evaluator = new AcceptanceEvaluator(system, { ...setup, scenarios });
    // bracket s⁺: `low` fails the pass test, `high` passes it
    let highCheck = checkAt(high);
    for (let d = 0; !passes(highCheck) && d < MAX_DOUBLINGS; d++) {
      low = high;
      high *= 2;
      highCheck = checkAt(high);
    }
    if (!passes(highCheck)) {
      upper = undefined;
      stages.push({ scenarios, upperScale: Number.NaN, pinned: false });
      options.onStage?.(stages.at(-1)!);
      break;
    }
    if (low > 0 && passes(checkAt(low))) low = 0;
    while (high - low > tolerance * high) {
      const mid = 0.5 * (low + high);
      const check = checkAt(mid);
      if (passes(check)) {
        high = mid;
        highCheck = check;
      } else low = mid;
    }
    upper = { scale: high, check: highCheck };
    cheaper = checkAt(high * (1 - step));
    pinned = refuses(cheaper);
    stages.push({ scenarios, upperScale: high, pinned });
    options.onStage?.(stages.at(-1)!);
    if (pinned || !growable || scenarios * 4 > options.maxScenarios) break;
    clearingRuns += evaluator.clearingRuns;
    scenarios *= 4;
    // the next stage's s⁺ lies near this one: bracket it by ±4 steps (widened by doubling or reset if not)
    low = high * (1 - 4 * step);
    high = high * (1 + 4 * step);
  }

  // Nothing acceptable within reach: the largest multiple tried is reported, with an unbounded distance.
  const scale = upper?.scale ?? high;
  const k = u.map((v) => v * scale);
  const check = upper?.check ?? evaluator.evaluate(k);
  // s⁻: the greatest multiple refused at this confidence (≥ s⁺(1 − step) when pinned, so only searched when not)
  const lowerScale =
    upper && !pinned
      ? greatestRefused((mid) => refuses(checkAt(mid)), scale * (1 - step), tolerance * scale)
      : scale * (1 - step);
  return {
    k: Array.from(k),
    cost: evaluator.cost(k),
    check,
    cheaper: upper
      ? { k: Array.from(u.map((v) => v * scale * (1 - step))), check: cheaper }
      : { k: Array.from(k), check },
    pinned,
    acceptable: upper !== undefined,
    lowerScale,
    upperScale: upper ? scale : Number.POSITIVE_INFINITY,
    maxExcess: upper && lowerScale > 0 ? scale / lowerScale - 1 : Number.POSITIVE_INFINITY,
    step,
    confidence,
    scenarios,
    stages,
    clearingRuns: clearingRuns + evaluator.clearingRuns,
    seconds: (performance.now() - started) / 1000,
  };
}

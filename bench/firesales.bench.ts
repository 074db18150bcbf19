/**
 * Fire sales benchmark.
 *  - Engine: greatest-price equilibria per second on a seeded random system of 100 banks × 20 assets (leverage
 *    target, linear impact with cross-impact), against a plain reference implementation of the same fixed point
 *    (arrays of arrays, everything recomputed) run in this process; and on the EBA 2011 sovereign instance.
 *  - Jump: case study 1 (λ = 3) at L* ± 1e-3, 1e-6, 1e-9, plain against accelerated iteration: steps, error, time.
 *  - Learning, on the WebAssembly backend: training time of case study 1 (linear) until the validation MSE reaches
 *    the acceptance level (10 × the 2.8e-7 of Table 2), with the test MSE and liquidation correlation there; and
 *    training of the dual network on the 100 × 20 system (fixed epochs): time per epoch, test MSE, correlations;
 *    and case study 2 with cross-impact on seeds 1–5: are the true coefficients of p̂₁ inside the 95% intervals?
 */
import { exampleFireSale } from '../src-main/api/firesale-services';
import { toFireSaleSystem } from '../src-main/engines/fire-sale-document';
import {
  caseStudy1,
  caseStudy2,
  impactMatrix,
  scenarioOf,
  solveFireSale,
  type FireSaleSystem,
  type SimulationSpec,
} from '../src-main/engines/fire-sales';
import { Rng } from '../src-main/engines/random';
import { selectLearningBackend } from '../src-main/learning/backend';
import { DEFAULT_TRAINING } from '../src-main/learning/dual-network';
import { runExperiment } from '../src-main/learning/idf-reproduction';

const round = (value: number, digits = 3) => Number(value.toPrecision(digits + 1));

/** A random system: each bank holds 5 of the M assets, leverage target 20, other assets 90% of the balance sheet. */
export function randomSystem(nBanks: number, nAssets: number, seed: number): SimulationSpec {
  const rng = new Rng(seed);
  const holdings = new Float64Array(nBanks * nAssets);
  const otherAssets = new Float64Array(nBanks);
  const liabilities = new Float64Array(nBanks);
  for (let n = 0; n < nBanks; n++) {
    const size = 50 + 150 * rng.uniform();
    for (let k = 0; k < 5; k++) holdings[n * nAssets + Math.floor(rng.uniform() * nAssets)]! += (0.1 * size) / 5;
    otherAssets[n] = 0.9 * size;
    liabilities[n] = size * (1 - 1 / 20);
  }
  const depth = 20_000;
  const system: FireSaleSystem = {
    bankIds: Array.from({ length: nBanks }, (_, n) => `b${n}`),
    assetIds: Array.from({ length: nAssets }, (_, m) => `a${m}`),
    holdings,
    otherAssets,
    cash: new Float64Array(nBanks),
    liabilities,
    strategy: { kind: 'leverage-target', maxLeverage: new Float64Array(nBanks).fill(20) },
    inverseDemand: { form: 'linear', impact: impactMatrix(nAssets, 1 / depth, 0.1 / depth) },
  };
  // Losses up to 0.3% of other assets: from no sale to most banks selling their whole illiquid book.
  return { system, shockChannel: 'other-assets', shockLow: 0, shockHigh: 0.003 };
}

/** The same fixed point written plainly: nested arrays, no reuse, one asset and bank at a time. */
function referenceEquilibrium(system: FireSaleSystem, otherAssets: number[]): number[] {
  const nBanks = system.bankIds.length;
  const nAssets = system.assetIds.length;
  const holdings = Array.from({ length: nBanks }, (_, n) =>
    Array.from({ length: nAssets }, (_, m) => system.holdings[n * nAssets + m]!),
  );
  const impact = Array.from({ length: nAssets }, (_, m) =>
    Array.from({ length: nAssets }, (_, k) => system.inverseDemand.impact[m * nAssets + k]!),
  );
  const lambda = system.strategy.kind === 'leverage-target' ? Array.from(system.strategy.maxLeverage) : [];
  let prices = new Array<number>(nAssets).fill(1);
  for (let iteration = 0; iteration < 10_000; iteration++) {
    const sold = new Array<number>(nAssets).fill(0);
    for (let n = 0; n < nBanks; n++) {
      const value = holdings[n]!.reduce((s, a, m) => s + a * prices[m]!, 0);
      const equity = otherAssets[n]! + value - system.liabilities[n]!;
      const fraction =
        value <= 0
          ? 0
          : equity <= 0
            ? 1
            : Math.min(1, Math.max(0, 1 - (lambda[n]! * equity - otherAssets[n]!) / value));
      holdings[n]!.forEach((a, m) => (sold[m]! += fraction * a));
    }
    const next = impact.map((row) => Math.max(0, 1 - row.reduce((s, b, k) => s + b * sold[k]!, 0)));
    const change = Math.max(...next.map((p, m) => Math.abs(p - prices[m]!)));
    prices = next;
    if (change <= 1e-12) break;
  }
  return prices;
}

function engineRates(spec: SimulationSpec, count: number) {
  const { system } = spec;
  const rng = new Rng(9);
  const scenarios = Array.from({ length: count }, () =>
    Array.from(system.otherAssets, () => spec.shockLow + (spec.shockHigh - spec.shockLow) * rng.uniform()),
  );
  let started = performance.now();
  let maxIterations = 0;
  let maxDifference = 0;
  const enginePrices: Float64Array[] = [];
  for (const shock of scenarios) {
    const result = solveFireSale(system, scenarioOf(spec, shock));
    maxIterations = Math.max(maxIterations, result.iterations);
    enginePrices.push(result.prices);
  }
  const engineSeconds = (performance.now() - started) / 1000;
  started = performance.now();
  scenarios.forEach((shock, s) => {
    const prices = referenceEquilibrium(
      system,
      Array.from(system.otherAssets, (o, n) => o - shock[n]! * o),
    );
    prices.forEach((p, m) => (maxDifference = Math.max(maxDifference, Math.abs(p - enginePrices[s]![m]!))));
  });
  const referenceSeconds = (performance.now() - started) / 1000;
  return {
    banks: system.bankIds.length,
    assets: system.assetIds.length,
    scenarios: count,
    equilibriaPerSecond: Math.round(count / engineSeconds),
    referencePerSecond: Math.round(count / referenceSeconds),
    speedup: round(referenceSeconds / engineSeconds),
    maxIterations,
    maxPriceDifferenceVsReference: maxDifference,
  };
}

/**
 * Case study 1 with λ = 3 next to its jump L* = (0.7 + 0.3λ)²/(1.2λ): steps, error against the closed form (the
 * greater root of p² − (0.7 + 0.3λ)p + 0.3λL = 0 below L*, 0.7 above) and time, plain iteration against the
 * accelerated one (certified Newton steps from above).
 */
function atTheJump() {
  const lambda = 3;
  const system: FireSaleSystem = {
    ...caseStudy1('linear').system,
    strategy: { kind: 'leverage-target', maxLeverage: Float64Array.of(lambda, lambda) },
  };
  const b = 0.7 + 0.3 * lambda;
  const jump = (b * b) / (1.2 * lambda);
  const rows = [];
  // Warm-up, so the times below are of compiled code.
  for (let k = 0; k < 200; k++)
    solveFireSale(system, { liabilities: [jump - 1e-6, jump - 1e-6] }, { accelerate: k % 2 === 0 });
  for (const offset of [-1e-3, -1e-6, -1e-9, 1e-9, 1e-6, 1e-3]) {
    const L = jump + offset;
    const exact = offset < 0 ? (b + Math.sqrt(b * b - 1.2 * lambda * L)) / 2 : 0.7;
    const row: Record<string, unknown> = { offset };
    for (const accelerate of [false, true]) {
      const repeats = accelerate ? 2000 : 20;
      const started = performance.now();
      let result = solveFireSale(system, { liabilities: [L, L] }, { accelerate });
      for (let k = 1; k < repeats; k++) result = solveFireSale(system, { liabilities: [L, L] }, { accelerate });
      row[accelerate ? 'accelerated' : 'plain'] = {
        iterations: result.iterations,
        converged: result.converged,
        error: Math.abs(result.prices[0]! - exact),
        microseconds: round(((performance.now() - started) * 1000) / repeats),
      };
    }
    rows.push(row);
  }
  return rows;
}

/** FIRESALES_PARTS=engine,jump,case1,large,seeds (default all) runs only some parts. */
const parts = new Set((process.env.FIRESALES_PARTS ?? 'engine,jump,case1,large,seeds').split(','));

function report<T>(name: string, value: T): T {
  process.stderr.write(`${name}: ${JSON.stringify(value)}\n`);
  return value;
}

/** Case study 1 to the acceptance MSE: stop when the validation MSE reaches 10 × Table 2 (2.8e-6). */
async function case1ToAcceptance() {
  const target = 10 * 2.8e-7;
  const started = performance.now();
  const case1 = await runExperiment(
    caseStudy1('linear'),
    { seed: 1, samples: 2000, testFraction: 0.2, training: { ...DEFAULT_TRAINING, maxEpochs: 20_000 } },
    false,
    { targetLoss: target },
  );
  const seconds = (performance.now() - started) / 1000;
  return {
    targetValidationMse: target,
    seconds: round(seconds),
    epochs: case1.epochs,
    stoppedBy: case1.trained.stoppedBy,
    testMse: case1.metrics.mseProposed,
    liquidationCorrelation: case1.metrics.liquidationCorrelation[0],
    withinTargetSeconds: seconds < 30,
  };
}

async function dualNetworkLarge(spec: SimulationSpec, epochs: number) {
  const started = performance.now();
  const large = await runExperiment(
    spec,
    { seed: 1, samples: 2000, testFraction: 0.2, training: { ...DEFAULT_TRAINING, maxEpochs: epochs } },
    false,
  );
  const seconds = (performance.now() - started) / 1000;
  const correlations = large.metrics.liquidationCorrelation.filter((c): c is number => c !== null);
  return {
    epochs: large.epochs,
    seconds: round(seconds),
    millisecondsPerEpoch: round(
      (seconds * 1000) / (large.epochs + DEFAULT_TRAINING.restarts * DEFAULT_TRAINING.restartEpochs),
    ),
    testMse: large.metrics.mseProposed,
    minLiquidationCorrelation: round(Math.min(...correlations)),
    meanLiquidationCorrelation: round(correlations.reduce((a, b) => a + b, 0) / correlations.length),
  };
}

/** Case study 2 with cross-impact on seeds 1–5: are the true coefficients of p̂₁ inside the 95% intervals? */
async function crossImpactSeeds() {
  const seeds = [];
  for (let seed = 1; seed <= 5; seed++) {
    const result = await runExperiment(
      caseStudy2(true),
      { seed, samples: 2000, testFraction: 0.2, training: { ...DEFAULT_TRAINING, maxEpochs: 1500 } },
      false,
    );
    const terms = result.metrics.regression![0]!;
    seeds.push(
      report(`seed ${seed}`, {
        seed,
        testMse: result.metrics.mseProposed,
        correlations: result.metrics.liquidationCorrelation,
        estimates: terms.map(
          (t) => `${t.name}: ${t.estimate.toFixed(4)} ± ${(1.96 * t.standardError).toFixed(4)} (true ${t.trueValue})`,
        ),
        trueInsideAll: terms.every((t) => t.trueInside),
      }),
    );
  }
  return { seedsWithTruthInside: seeds.filter((s) => s.trueInsideAll).length, seeds };
}

export async function run(): Promise<Record<string, unknown>> {
  const random = randomSystem(100, 20, 4);
  const out: Record<string, unknown> = {};
  if (parts.has('engine')) {
    const eba = exampleFireSale('eba-2011');
    const ebaSpec: SimulationSpec = {
      system: toFireSaleSystem(eba),
      shockChannel: 'other-assets',
      shockLow: eba.shocks!.low,
      shockHigh: eba.shocks!.high,
    };
    out.engine = report('engine', { random100x20: engineRates(random, 2000), eba2011: engineRates(ebaSpec, 300) });
  }
  if (parts.has('jump')) out.jump = report('case study 1 next to the jump', atTheJump());
  out.backend = (await selectLearningBackend('wasm')).name;
  if (parts.has('case1')) out.case1ToAcceptance = report('case 1 to acceptance', await case1ToAcceptance());
  if (parts.has('large')) out.dualNetwork100x20 = report('dual network 100 x 20', await dualNetworkLarge(random, 500));
  if (parts.has('seeds')) out.crossImpactSeeds = await crossImpactSeeds();
  return out;
}

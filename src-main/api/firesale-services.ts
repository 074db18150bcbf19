/**
 * Fire sales behind the API and `cwb`: example systems, one simulated scenario as a FireSaleOutcome, saved as a
 * run of kind "firesale" (with what a brief reads: liquidations per bank and asset, losses per asset, tolerance).
 */
import { readFileSync } from 'node:fs';
import { fireSaleDocumentSchema, type FireSaleDocument, type FireSaleExample } from '../../src-shared/formats/firesale';
import type { FireSaleOutcome, FireSaleRunResults } from '../../src-shared/results/fire-sales';
import { documentOfSpec, scenarioOfDocument, toFireSaleSystem } from '../engines/fire-sale-document';
import { caseStudy1, caseStudy2, solveFireSale } from '../engines/fire-sales';
import { saveSucceededRun } from '../jobs/save-run';
import type { Db } from '../store/db';
import { ebaSovereignFireSale, type EbaFireSaleOptions, DEFAULT_EBA_FIRESALE } from '../io/eba-firesale';
import { resourcesDir } from '../io/resources';

/** A bundled system as a validated firesale@1 document. */
export function exampleFireSale(
  example: FireSaleExample,
  eba: EbaFireSaleOptions = DEFAULT_EBA_FIRESALE,
): FireSaleDocument {
  let raw: unknown;
  if (example === 'eba-2011') {
    const read = (file: string) => readFileSync(`${resourcesDir}samples/${file}`, 'utf8');
    raw = ebaSovereignFireSale(
      read('eba-2011-sovereign-holdings.csv'),
      read('sovereign-average-daily-volume.csv'),
      eba,
    ).document;
  } else if (example.startsWith('case1-')) {
    const form = example.slice('case1-'.length) as 'linear' | 'exponential' | 'arctangent';
    raw = documentOfSpec(caseStudy1(form), `Case study 1 (§4.1), ${form} inverse demand`);
  } else {
    const cross = example === 'case2-cross';
    raw = documentOfSpec(caseStudy2(cross), `Case study 2 (§4.2), ${cross ? 'with' : 'without'} cross-impact`);
  }
  return fireSaleDocumentSchema.parse(raw);
}

/** Convergence of the fixed point: max|Φ(p) − p| at most this, within at most MAX_ITERATIONS steps (the engine's defaults). */
export const FIRESALE_TOLERANCE = 1e-12;
export const FIRESALE_MAX_ITERATIONS = 10_000;

/** The scenario solved: the document's own, else every bank at the top of the shock range, else none. */
function scenarioToSolve(doc: FireSaleDocument, otherAssets: Float64Array): ReturnType<typeof scenarioOfDocument> {
  if (doc.scenario || !doc.shocks) return scenarioOfDocument(doc);
  const top = doc.shocks.high;
  return doc.shocks.channel === 'liabilities'
    ? { liabilities: new Float64Array(doc.banks.length).fill(top) }
    : { otherAssetLosses: otherAssets.map((o) => o * top) };
}

const amount = (value: number) => value.toLocaleString('en-US', { maximumSignificantDigits: 6 });

/** "a to b" or "a" when equal. */
function range(values: number[]): string {
  const low = Math.min(...values);
  const high = Math.max(...values);
  return low === high ? amount(low) : `${amount(low)} to ${amount(high)}`;
}

/** The scenario in words, for the screen, `cwb` and the brief. */
export function describeScenario(doc: FireSaleDocument): string {
  const unit = doc.unit ?? 'units';
  const n = doc.banks.length;
  const given = doc.scenario;
  if (given) {
    const parts: string[] = [];
    const liabilities = Object.values(given.liabilities ?? {});
    const losses = Object.values(given.otherAssetLosses ?? {});
    if (liabilities.length)
      parts.push(
        `liabilities after the shock of ${range(liabilities)} ${unit} for ${liabilities.length} of ${n} banks`,
      );
    if (losses.length)
      parts.push(
        `losses on other assets of ${range(losses)} ${unit} for ${losses.length} of ${n} banks, ${amount(losses.reduce((a, b) => a + b, 0))} ${unit} in all`,
      );
    return parts.length
      ? `The scenario of the system: ${parts.join('; ')}.`
      : 'No shock: the system as it stands (its scenario is empty).';
  }
  if (doc.shocks) {
    return doc.shocks.channel === 'liabilities'
      ? `The most severe shock of the system's range: every bank's liabilities set to ${amount(doc.shocks.high)} ${unit}.`
      : `The most severe shock of the system's range: every bank loses ${amount(100 * doc.shocks.high)}% of its other assets.`;
  }
  return 'No shock: the system as it stands.';
}

/** The outcome (what the screen and `cwb` show) and the run's results (the outcome and what a brief reads). */
function solveDocument(doc: FireSaleDocument): { outcome: FireSaleOutcome; results: FireSaleRunResults } {
  const system = toFireSaleSystem(doc);
  const result = solveFireSale(system, scenarioToSolve(doc, system.otherAssets), {
    recordPath: true,
    tolerance: FIRESALE_TOLERANCE,
    maxIterations: FIRESALE_MAX_ITERATIONS,
  });
  const nAssets = system.assetIds.length;
  const held = (n: number, m: number) => system.holdings[n * nAssets + m]!;
  const initialPrices = system.assetIds.map(() => 1);
  const outcome: FireSaleOutcome = {
    bankIds: system.bankIds,
    assetIds: system.assetIds,
    prices: Array.from(result.prices),
    fractions: Array.from(result.fractions),
    assetLiquidations: Array.from(result.assetLiquidations),
    equity: Array.from(result.equity),
    losses: Array.from(result.losses),
    defaulted: result.defaulted,
    iterations: result.iterations,
    acceleratedSteps: result.acceleratedSteps,
    lastChange: result.lastChange,
    residual: result.residual,
    converged: result.converged,
    pricePath: result.pricePath,
    liquidationPath: result.liquidationPath,
    totalLoss: result.losses.reduce((a, b) => a + b, 0),
    unit: doc.unit ?? 'units (price 1 before the shock)',
  };
  const results: FireSaleRunResults = {
    ...outcome,
    system: doc.name,
    form: doc.inverseDemand.form,
    strategy: doc.strategy,
    scenario: describeScenario(doc),
    initialPrices,
    bankLiquidations: system.bankIds.map((_, n) => system.assetIds.map((_, m) => result.fractions[n]! * held(n, m))),
    assetLosses: system.assetIds.map((_, m) =>
      system.bankIds.reduce((sum, _, n) => sum + held(n, m) * (initialPrices[m]! - result.prices[m]!), 0),
    ),
    tolerance: FIRESALE_TOLERANCE,
    maxIterations: FIRESALE_MAX_ITERATIONS,
    interbankLiabilities: doc.interbank?.length ?? 0,
  };
  return { outcome, results };
}

/**
 * The equilibrium of the document's scenario; without one, every bank takes the top of the shock range (the
 * most severe draw), and without a shock range the system is solved as it stands.
 */
export function simulateFireSale(doc: FireSaleDocument): FireSaleOutcome {
  return solveDocument(doc).outcome;
}

const STRATEGY_WORDS = {
  'leverage-target': 'sales to a leverage target',
  proportional: 'sales that pay liabilities',
} as const;

/**
 * Simulates, then records one finished run of kind "firesale" (params: the system as given; nothing is written
 * when solving fails); `save: false` only shows the equilibrium (the screen's preview of a system it loads).
 */
export function simulateAndSaveFireSale(
  db: Db,
  { system, save = true }: { system: FireSaleDocument; save?: boolean },
): FireSaleOutcome & { runId: number | null } {
  const startedAt = new Date().toISOString();
  const started = performance.now();
  const { outcome, results } = solveDocument(system);
  if (!save) return { ...outcome, runId: null };
  const runId = saveSucceededRun(
    db,
    { startedAt, durationMs: Math.round(performance.now() - started) },
    {
      kind: 'firesale',
      // the system first: pickers shorten the description to 70 characters
      method: `${system.name}: ${system.inverseDemand.form} inverse demand, ${STRATEGY_WORDS[system.strategy]}${results.interbankLiabilities ? ', with Eisenberg–Noe clearing' : ''}`,
      networkVersionId: null,
      params: { system },
      seed: null,
      results,
    },
  );
  return { ...outcome, runId };
}

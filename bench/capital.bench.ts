/**
 * Capital allocation benchmark: time to a learned boundary on the EBA 2011 87-bank network (EBA importer,
 * maximum-entropy liabilities) for T = 2 … 5 tiers, with each sampler (uniform, Gibbs) and each classifier —
 * seconds of sampling and of training (the paper's Table 3, which reports minutes) and the Eisenberg–Noe clearings
 * used. Plain references in the same process: (1) a grid search that labels 6^T allocations directly by Monte
 * Carlo (what the classifiers replace; its cheapest acceptable point is also certified like the study's candidates,
 * with a 2-standard-error margin, for a like-for-like cost), and (2) the Monte Carlo labelling of one allocation with Picard iteration
 * instead of the exact fictitious-default clearing.
 * Setup: uniform shocks up to 10% of outside assets, 500 common scenarios per allocation, 400 samples per sampler,
 * 800 epochs of full-batch Adam, box k ≤ 5% of obligations, ES at 5% ≥ 98% of society's claims, seed 1.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AcceptanceEvaluator, certifyAllocation, tailStatistic } from '../src-main/engines/capital-allocation';
import { maxentFromDocument, withLiabilities } from '../src-main/engines/maxent';
import { toClearingSystem, type ClearingSystem } from '../src-main/engines/network-arrays';
import { sampleShocks } from '../src-main/engines/shocks';
import { decodeLatin1, parseEbaDisclosure } from '../src-main/io/eba-disclosure';
import { runCapitalStudy } from '../src-main/learning/capital-study';
import { shockModelSchema } from '../src-shared/jobs';
import { capitalStudySchema } from '../src-shared/results/capital';
import { picardSocietyReceipts } from '../tests/support/capital-reference';

const here = fileURLToPath(new URL('.', import.meta.url));
const shockModel = { kind: 'uniform', maxFraction: 0.1 } as const;
const scenarios = 500;
const round = (value: number, digits = 3) => Math.round(value * 10 ** digits) / 10 ** digits;

function ebaDocument() {
  const bytes = readFileSync(resolve(here, '../resources/samples/eba-2011-disclosure.csv'));
  const { document } = parseEbaDisclosure(decodeLatin1(bytes), 'eba-2011-disclosure.csv');
  return withLiabilities(document, maxentFromDocument(document).matrix);
}

/** Reference (1): label every point of a 6^T grid on the box directly by Monte Carlo. */
function gridSearch(system: ClearingSystem, tiers: number, side = 6) {
  const evaluator = new AcceptanceEvaluator(system, { tiers, shockModel, scenarios, seed: 1 });
  const started = performance.now();
  const k = new Float64Array(tiers);
  let cheapest = Infinity;
  let cheapestK = new Float64Array(tiers);
  for (let index = 0; index < side ** tiers; index++) {
    let rest = index;
    for (let t = 0; t < tiers; t++) {
      k[t] = ((rest % side) + 0.5) * (0.05 / side);
      rest = Math.floor(rest / side);
    }
    if (evaluator.evaluate(k).acceptable && evaluator.cost(k) < cheapest) {
      cheapest = evaluator.cost(k);
      cheapestK = k.slice();
    }
  }
  const seconds = round((performance.now() - started) / 1000);
  // the same 2-standard-error certification as the study's candidates, for a like-for-like cost
  const certified = certifyAllocation(evaluator, cheapestK);
  return {
    points: side ** tiers,
    seconds,
    clearingRuns: evaluator.clearingRuns,
    cheapestAcceptable: Math.round(cheapest),
    cheapestCertified: certified.certified ? Math.round(certified.cost) : null,
  };
}

/**
 * Reference (3): the boundary along a pinned allocation's direction located by one long run of its own (100,000
 * scenarios, another seed, no confidence margin): the pinned allocation's relative distance above it.
 */
function longRunDistance(system: ClearingSystem, tiers: number, k: number[]): number {
  const evaluator = new AcceptanceEvaluator(system, { tiers, shockModel, scenarios: 100_000, seed: 2 });
  let low = 0;
  let high = 1;
  while (!evaluator.evaluate(k.map((v) => v * high)).acceptable && high < 1024) high *= 2;
  for (let it = 0; it < 14; it++) {
    const mid = 0.5 * (low + high);
    if (evaluator.evaluate(k.map((v) => v * mid)).acceptable) high = mid;
    else low = mid;
  }
  return round(1 / high - 1, 4);
}

/** Reference (2): one allocation's labelling with Picard clearing of a rebuilt capitalised system. */
function picardLabelling(system: ClearingSystem) {
  const evaluator = new AcceptanceEvaluator(system, { tiers: 2, shockModel, scenarios, seed: 1 });
  const k = [0.015, 0.01];
  const exactStart = performance.now();
  const repeats = 20;
  let exact = evaluator.evaluate(k);
  for (let r = 1; r < repeats; r++) exact = evaluator.evaluate(k);
  const exactSeconds = (performance.now() - exactStart) / 1000 / repeats;
  const picardStart = performance.now();
  const received = picardSocietyReceipts(system, evaluator.tiers, k, sampleShocks(system, shockModel, 1, 0, scenarios));
  const picard = tailStatistic(received, evaluator.criterion);
  const picardSeconds = (performance.now() - picardStart) / 1000;
  return {
    scenarios,
    exactSecondsPerAllocation: round(exactSeconds, 5),
    picardSecondsPerAllocation: round(picardSeconds, 5),
    speedupOverPicard: round(picardSeconds / exactSeconds, 1),
    statisticDifference: Math.abs(picard.statistic - exact.statistic),
  };
}

export async function run(): Promise<Record<string, unknown>> {
  const document = ebaDocument();
  const system = toClearingSystem(document);
  const byTiers: Record<string, unknown> = {};
  let backend: { name: string; detail: string } | undefined;
  for (const tiers of [2, 3, 4, 5]) {
    const config = capitalStudySchema(shockModelSchema).parse({
      tiers,
      shockModel,
      scenarios,
      samples: 400,
      seed: 1,
      validationGrid: tiers === 2 ? 20 : 0,
    });
    const started = performance.now();
    const results = await runCapitalStudy(document, config);
    backend = results.backend;
    byTiers[`T=${tiers}`] = {
      wallSeconds: round((performance.now() - started) / 1000),
      samplers: Object.fromEntries(
        results.samplers.map((s) => [
          s.sampler,
          {
            seconds: round(s.seconds),
            clearingRuns: s.clearingRuns,
            allocationsEvaluated: s.allocationsEvaluated,
            acceptedShare: round(s.acceptedShare),
          },
        ]),
      ),
      models: results.models.map((m) => ({
        sampler: m.sampler,
        model: m.model,
        trainingSeconds: round(m.trainingSeconds),
        secondsToBoundary: round(m.totalSeconds),
        validationAccuracy: round(m.validationAccuracy),
        ...(m.gridAgreement === undefined ? {} : { gridAgreement: round(m.gridAgreement) }),
        certifiedCost: m.efficient?.certified ? Math.round(m.efficient.cost) : null,
      })),
      bestCertifiedCost: results.best ? Math.round(results.best.cost) : null,
      bestSource: results.best?.source ?? null,
      boundary: results.boundary
        ? {
            pinned: results.boundary.pinned,
            cost: Math.round(results.boundary.cost),
            k: results.boundary.k.map((v) => round(v, 5)),
            maxExcess: results.boundary.maxExcess === null ? null : round(results.boundary.maxExcess, 4),
            scenarios: results.boundary.scenarios,
            seconds: round(results.boundary.seconds),
            distanceToLongRun: longRunDistance(system, tiers, results.boundary.k),
          }
        : null,
      gridSearchReference: gridSearch(system, tiers),
    };
  }
  return {
    network: `EBA 2011, ${system.nBanks} banks, maxent liabilities; uniform shocks ≤ 10% of c, ${scenarios} scenarios per allocation, 400 samples per sampler, 800 epochs`,
    backend,
    byTiers,
    picardReference: picardLabelling(system),
  };
}

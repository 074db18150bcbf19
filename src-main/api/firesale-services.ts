/** Fire sales behind the API and `cwb`: example systems, one simulated scenario as a FireSaleOutcome. */
import { readFileSync } from 'node:fs';
import { fireSaleDocumentSchema, type FireSaleDocument, type FireSaleExample } from '../../src-shared/formats/firesale';
import type { FireSaleOutcome } from '../../src-shared/results/fire-sales';
import { documentOfSpec, scenarioOfDocument, toFireSaleSystem } from '../engines/fire-sale-document';
import { caseStudy1, caseStudy2, solveFireSale } from '../engines/fire-sales';
import { ebaSovereignFireSale, type EbaFireSaleOptions, DEFAULT_EBA_FIRESALE } from '../io/eba-firesale';
import { resourcesDir } from '../io/resources';

/** A bundled system as a validated firesale@1 document. */
export function exampleFireSale(example: FireSaleExample, eba: EbaFireSaleOptions = DEFAULT_EBA_FIRESALE): FireSaleDocument {
  let raw: unknown;
  if (example === 'eba-2011') {
    const read = (file: string) => readFileSync(`${resourcesDir}samples/${file}`, 'utf8');
    raw = ebaSovereignFireSale(read('eba-2011-sovereign-holdings.csv'), read('sovereign-average-daily-volume.csv'), eba).document;
  } else if (example.startsWith('case1-')) {
    const form = example.slice('case1-'.length) as 'linear' | 'exponential' | 'arctangent';
    raw = documentOfSpec(caseStudy1(form), `Case study 1 (§4.1), ${form} inverse demand`);
  } else {
    const cross = example === 'case2-cross';
    raw = documentOfSpec(caseStudy2(cross), `Case study 2 (§4.2), ${cross ? 'with' : 'without'} cross-impact`);
  }
  return fireSaleDocumentSchema.parse(raw);
}

/**
 * The equilibrium of the document's scenario; without one, every bank takes the top of the shock range (the
 * most severe draw), and without a shock range the system is solved as it stands.
 */
export function simulateFireSale(doc: FireSaleDocument): FireSaleOutcome {
  const system = toFireSaleSystem(doc);
  let scenario = scenarioOfDocument(doc);
  if (!doc.scenario && doc.shocks) {
    const top = doc.shocks.high;
    scenario =
      doc.shocks.channel === 'liabilities'
        ? { liabilities: new Float64Array(doc.banks.length).fill(top) }
        : { otherAssetLosses: system.otherAssets.map((o) => o * top) };
  }
  const result = solveFireSale(system, scenario, { recordPath: true });
  return {
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
}

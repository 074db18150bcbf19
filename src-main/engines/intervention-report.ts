/**
 * The parts of an intervention run (src-shared/results/intervention.ts) built from the engines, shared by the
 * `intervention` job and `cwb intervention-study` / `cwb bailout`: the displayed cascade before and after the
 * chosen intervention, the scenario study's summary with firm ids, tail sampling, and the interbank bailout.
 */
import type { EconomyDocument } from '../../src-shared/formats/crossholdings';
import type { NetworkDocument } from '../../src-shared/formats/network';
import type {
  EconomyInterventionParams,
  EconomyInterventionResults,
  InterbankBailoutParams,
  InterbankBailoutResults,
  InterventionDisplay,
  SingleInterventionParams,
  SingleInterventionResults,
  TailResults,
} from '../../src-shared/results/intervention';
import { DISCOUNTFRAC_VARIANTS, methodLabel } from '../../src-shared/results/intervention';
import { bailout } from './bailout';
import { cascade, failedIndices, toEconomySystem, type EconomySystem } from './cascade';
import { intervene, type InterventionOptions } from './intervention';
import {
  budgetGrid,
  ColumnCache,
  runStudyRange,
  summariseStudy,
  type StudyOptions,
  type StudyPartial,
} from './intervention-study';
import type { ClearingSystem } from './network-arrays';
import { estimateTail, greedyTailShock, importanceShifts } from './tail-sampling';
import { ratioField } from './limits';

/** Every importance sample gave the same answer: the variance ratio is x/0. */
const SAMPLE_SAVING_UNDEFINED_NOTE = 'undefined (the importance-sampling estimate did not vary over its samples)';

const MAX_LINKS = 400;

function strongestLinks(links: Array<{ source: string; target: string; weight: number }>) {
  const sorted = [...links].sort((a, b) => b.weight - a.weight);
  return { links: sorted.slice(0, MAX_LINKS), linksHidden: Math.max(0, sorted.length - MAX_LINKS) };
}

export const totalAssetValue = (system: Pick<EconomySystem, 'assetValues'>): number =>
  system.assetValues.reduce((sum, v) => sum + v, 0);

/** The economy's asset values for the display: as in the document, or all shocked by the drift μ. */
export function displaySystem(
  system: EconomySystem,
  params: Pick<EconomyInterventionParams, 'display' | 'shocks'>,
): { system: EconomySystem; scenario: string } {
  if (params.display === 'document') return { system, scenario: 'asset values as in the economy version' };
  const factor = 1 + Math.max(-1, params.shocks.drift);
  return {
    system: { ...system, assetValues: Float64Array.from(system.assetValues, (v) => v * factor) },
    scenario: `every firm's outside asset value shocked by the drift μ = ${params.shocks.drift} (the mean scenario)`,
  };
}

/** The chosen method at the chosen budget on the displayed cascade. */
export function economyDisplay(
  system: EconomySystem,
  document: EconomyDocument,
  params: EconomyInterventionParams,
): InterventionDisplay {
  const shown = displaySystem(system, params);
  const budget = params.budgetFraction * totalAssetValue(system);
  return interventionDisplay(system, document, shown, budget, params.method, {
    method: params.method,
    objective: params.objective,
    uncertainty: params.uncertainty,
    samples: params.greedySamples,
    seed: params.seed,
  });
}

/** A single intervention (`economy-single`): the method at an absolute budget on the economy as it is. */
export function singleInterventionResults(
  document: EconomyDocument,
  params: SingleInterventionParams,
): SingleInterventionResults {
  const system = toEconomySystem(document);
  const shown = { system, scenario: 'asset values as in the economy version' };
  const options = {
    method: params.method,
    objective: params.objective,
    uncertainty: params.uncertainty,
    samples: params.greedySamples,
    seed: params.seed,
    steps: params.steps,
  };
  return {
    target: 'economy-single',
    unit: 'value units',
    firms: system.nFirms,
    totalAssetValue: totalAssetValue(system),
    display: interventionDisplay(system, document, shown, params.budget, params.method, options),
  };
}

/** `method` at `budget` on the shown cascade, both DiscountFrac variants beside it, and each firm before and after. */
function interventionDisplay(
  system: EconomySystem,
  document: EconomyDocument,
  shown: { system: EconomySystem; scenario: string },
  budget: number,
  method: EconomyInterventionParams['method'],
  options: InterventionOptions,
): InterventionDisplay {
  const before = cascade(shown.system);
  const result = intervene(shown.system, budget, options);
  const variants = DISCOUNTFRAC_VARIANTS.map((variant) => {
    const other =
      variant === method ? result : intervene(shown.system, budget, { method: variant, objective: options.objective });
    return {
      label: methodLabel('economy', variant),
      spent: other.spent,
      paid: other.payments.reduce((count, x) => count + (x > 0 ? 1 : 0), 0),
      failedAfter: other.failedAfter.length,
      objectiveValue: other.objective,
    };
  });
  return {
    scenario: shown.scenario,
    method: methodLabel('economy', method),
    objective: options.objective === 'value' ? 'market value saved' : 'failures averted',
    budget,
    spent: result.spent,
    objectiveValue: result.objective,
    failedBefore: result.failedBefore.length,
    failedAfter: result.failedAfter.length,
    failedWorstCase: failedIndices(cascade(shown.system, { start: 'all-failed' })).length,
    discountFracVariants: variants,
    nodes: system.ids.map((id, i) => ({
      id,
      name: document.firms[i]?.name,
      roundBefore: before.failed[i] ? before.rounds[i]! : 0,
      roundAfter: result.after.failed[i] ? result.after.rounds[i]! : 0,
      payment: result.payments[i]!,
      valueBefore: before.marketValues[i]!,
      valueAfter: result.after.marketValues[i]!,
    })),
    ...strongestLinks(document.crossHoldings.map((c) => ({ source: c.holder, target: c.issuer, weight: c.share }))),
  };
}

export function studyOptions(
  system: Pick<EconomySystem, 'assetValues'>,
  params: Omit<EconomyInterventionParams, 'versionId'>,
): StudyOptions {
  return {
    shocks: params.shocks,
    seed: params.seed,
    budgets: budgetGrid(system, params.maxBudgetFraction, params.budgetCount),
    chosenBudget: params.budgetFraction * totalAssetValue(system),
    objective: params.objective,
    curveMethod: params.curveMethod,
  };
}

/** §3.3 tail sampling: greedy worst shock of size Δ, then plain and importance sampling with the same count. */
export function tailResults(
  system: EconomySystem,
  params: EconomyInterventionParams,
  cache = new ColumnCache(system),
): TailResults | undefined {
  if (!params.tail) return undefined;
  const threshold = Math.max(1, Math.ceil(params.tail.thresholdFraction * system.nFirms));
  const aggregateShock = params.tail.aggregateShockFraction * totalAssetValue(system);
  const tail = greedyTailShock(cache, params.shocks, { aggregateShock, seed: params.seed });
  const shifts = importanceShifts(cache, params.shocks, tail, threshold);
  const common = { shocks: params.shocks, samples: params.tail.samples, threshold, quantile: params.quantiles.at(-1)! };
  const plain = estimateTail(cache, { ...common, seed: params.seed });
  const importance = estimateTail(cache, { ...common, seed: params.seed + 1, shifts });
  const pick = ({ samples, exceedance, exceedanceError, valueAtRisk, tvar }: typeof plain) => ({
    samples,
    exceedance,
    exceedanceError,
    valueAtRisk,
    tvar,
  });
  return {
    threshold,
    aggregateShock,
    seeds: tail.seeds.map((j) => system.ids[j]!),
    plain: pick(plain),
    importance: pick(importance),
    ...ratioField('sampleSaving', plain.perSampleVariance, importance.perSampleVariance, SAMPLE_SAVING_UNDEFINED_NOTE),
  };
}

/** The saved results of an economy run from its parts. */
export function economyResults(
  system: Pick<EconomySystem, 'nFirms' | 'assetValues'>,
  document: { firms: ReadonlyArray<{ id: string }> },
  params: Omit<EconomyInterventionParams, 'versionId'>,
  display: InterventionDisplay,
  partial: StudyPartial,
  tail: TailResults | undefined,
): EconomyInterventionResults {
  const options = studyOptions(system, params);
  const summary = summariseStudy(partial, options.budgets, options.chosenBudget, params.quantiles, system);
  return {
    target: 'economy',
    unit: 'value units',
    firms: system.nFirms,
    totalAssetValue: summary.totalAssetValue,
    display,
    study: {
      ...summary,
      seed: params.seed,
      shocks: params.shocks,
      support: summary.support.map((s) => ({
        firm: document.firms[s.firm]!.id,
        scenarios: s.scenarios,
        meanPayment: s.meanPayment,
      })),
    },
    ...(tail ? { tail } : {}),
  };
}

/** Bailouts on an interbank network under the shock x = f c: the chosen budget and the curve up to it. */
export function interbankResults(
  system: ClearingSystem,
  document: NetworkDocument,
  params: InterbankBailoutParams,
): InterbankBailoutResults {
  const shock = Float64Array.from(system.outsideAssets, (c) => c * params.shockFraction);
  const chosen = bailout(system, shock, params.budget, { method: params.method, objective: params.objective });
  const curve = Array.from({ length: params.budgetCount }, (_, b) => {
    const budget = (b / (params.budgetCount - 1)) * params.budget;
    const result = bailout(system, shock, budget, { method: params.method, objective: params.objective });
    return {
      budget,
      defaultsAfter: result.defaultsAfter.length,
      shortfallAfter: result.after.shortfallTotal,
      spent: result.spent,
    };
  });
  return {
    target: 'interbank',
    unit: [document.currency, document.unit].filter(Boolean).join(' ') || 'units',
    display: {
      scenario: `every bank loses ${params.shockFraction * 100}% of its outside assets (x = f·c)`,
      method: methodLabel('interbank', params.method),
      objective: params.objective === 'defaults' ? 'defaults averted' : 'shortfall reduced',
      budget: params.budget,
      spent: chosen.spent,
      objectiveValue: chosen.objective,
      failedBefore: chosen.defaultsBefore.length,
      failedAfter: chosen.defaultsAfter.length,
      nodes: system.ids.map((id, i) => ({
        id,
        name: document.nodes[i]?.name ?? undefined,
        roundBefore: chosen.before.defaultRound[i]!,
        roundAfter: chosen.after.defaultRound[i]!,
        payment: chosen.payments[i]!,
        valueBefore: chosen.before.payments[i]!,
        valueAfter: chosen.after.payments[i]!,
      })),
      ...strongestLinks(document.liabilities.map((l) => ({ source: l.debtor, target: l.creditor, weight: l.amount }))),
    },
    curve,
  };
}

/** The whole economy run in this thread (`cwb intervention-study`): display, study, tail. */
export function runEconomyIntervention(
  document: EconomyDocument,
  params: EconomyInterventionParams,
  progress?: (done: number) => void,
): EconomyInterventionResults {
  const system = toEconomySystem(document);
  const cache = new ColumnCache(system);
  const display = economyDisplay(system, document, params);
  const partial = runStudyRange(system, studyOptions(system, params), 0, params.scenarios, progress, cache);
  return economyResults(system, document, params, display, partial, tailResults(system, params, cache));
}

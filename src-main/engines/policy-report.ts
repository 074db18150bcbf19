/**
 * The policy lab end to end (docs/engines/policy-lab.md): a `contagion-workbench/policy@1` document becomes the
 * engine's economy, the prior draws are analysed (Propositions 1–3), the central equilibrium is solved with and
 * without τ* (Lemma 1), optionally a forecast of liquidations sets wedges (Corollary 1) and the ex-ante regimes
 * are computed (Propositions 4–5, §2.7). Output is JSON-safe (src-shared/results/policy.ts).
 */
import type { PolicyDocument } from '../../src-shared/formats/policy';
import {
  EX_POST_RULES,
  type PolicyEquilibriumView,
  type PolicyLabResult,
  type PolicyModelView,
} from '../../src-shared/results/policy';
import { EngineInputError } from './errors';
import {
  analysePrior,
  assertPositiveDefinite,
  causalStructure,
  drawPrior,
  exAnteRegime,
  expectedWelfare,
  lemmaMatrices,
  rolloverMultipliers,
  solveMiddle,
  wedgesForForecast,
  welfare,
  type ExPostRule,
  type ModelOutcome,
  type PolicyEconomy,
  type PolicyProgress,
  type PriorAnalysis,
  type PriorDraws,
} from './policy-lab';
import { progressOfRun, type PolicyLabStep } from './policy-progress';

const flat = (rows: number[][]): Float64Array => Float64Array.from(rows.flat());

/** The engine's economy of a validated document (Δ as a scalar applies to every wedge). */
export function toPolicyEconomy(document: PolicyDocument): PolicyEconomy {
  const n = document.assets.length;
  const nInt = document.intermediaries.length;
  const regulatoryCost =
    typeof document.regulatoryCost === 'number'
      ? new Float64Array(n * nInt).fill(document.regulatoryCost)
      : flat(document.regulatoryCost);
  return {
    assetIds: document.assets.map((a) => a.id),
    nAssets: n,
    baselinePrice: Float64Array.from(document.assets.map((a) => a.baselinePrice)),
    priceImpact: flat(document.priceImpact),
    regulatoryCost,
    intermediaries: document.intermediaries.map((x) => ({
      id: x.id,
      nConstraints: x.rollover.length,
      positions: Float64Array.from(x.positions),
      returns: Float64Array.from(x.returns),
      liquidationCost: flat(x.liquidationCost),
      positionCoefficients: flat(x.rollover.map((r) => r.positionCoefficients)),
      saleCoefficients: flat(x.rollover.map((r) => r.saleCoefficients)),
      need: Float64Array.from(x.rollover.map((r) => r.need)),
      unitCost: Float64Array.from(x.unitCost ?? new Array<number>(n).fill(0)),
      holdingCost: x.holdingCost ? flat(x.holdingCost) : new Float64Array(n * n),
    })),
  };
}

/** The rows of a row-major matrix (read in place: copying the whole matrix for every row took seconds at 400 wedges). */
const rowsOf = (values: ArrayLike<number>, cols: number): number[][] =>
  Array.from({ length: values.length / cols }, (_, r) => Array.from({ length: cols }, (_, c) => values[r * cols + c]!));

function equilibriumView(economy: PolicyEconomy, wedges: Float64Array | undefined): PolicyEquilibriumView {
  const structure = causalStructure(economy);
  const equilibrium = solveMiddle(economy, structure, wedges);
  const n = economy.nAssets;
  let tax = 0;
  let subsidy = 0;
  if (wedges) {
    economy.intermediaries.forEach((x, i) => {
      for (let a = 0; a < n; a++) {
        const sold = equilibrium.liquidations[i * n + a]!;
        tax += sold * wedges[i * n + a]!;
        subsidy += (x.positions[a]! - sold) * wedges[i * n + a]!;
      }
    });
  }
  return {
    wedges: rowsOf(wedges ?? new Float64Array(n * economy.intermediaries.length), n),
    liquidations: rowsOf(equilibrium.liquidations, n),
    total: Array.from(equilibrium.total),
    price: Array.from(equilibrium.price),
    multipliers: rolloverMultipliers(economy, structure, equilibrium, wedges).map((m) => Array.from(m)),
    welfare: welfare(economy, equilibrium, wedges),
    transfers: { tax, subsidy },
  };
}

function modelView(outcome: ModelOutcome, n: number): PolicyModelView {
  const size = outcome.meanWedges.length;
  let variance = 0;
  for (let k = 0; k < size; k++) variance += outcome.wedgeCovariance[k * size + k]!;
  return {
    welfare: outcome.welfare,
    gainOverNoIntervention: outcome.gainOverNoIntervention,
    valueOfModel: outcome.valueOfModel,
    meanWedges: rowsOf(outcome.meanWedges, n),
    wedgeVariance: variance,
    regulatoryCost: outcome.regulatoryCost,
    welfareStandardError: outcome.standardErrors.welfare,
    gainOverNoInterventionStandardError: outcome.standardErrors.gain,
    valueOfModelStandardError: outcome.standardErrors.value,
    regulatoryCostStandardError: outcome.standardErrors.regulatoryCost,
  };
}

/** Warnings when the linear (binding, interior) equilibrium of Lemma 1 leaves the paper's domain. */
function domainWarnings(economy: PolicyEconomy, view: PolicyEquilibriumView, label: string): string[] {
  const warnings: string[] = [];
  view.liquidations.forEach((row, i) =>
    row.forEach((l, a) => {
      if (l < -1e-9)
        warnings.push(
          `${label}: ${economy.intermediaries[i]!.id} buys ${economy.assetIds[a]} (ℓ = ${l.toPrecision(4)} < 0); Lemma 1's linear equilibrium ignores ℓ ≥ 0`,
        );
    }),
  );
  view.multipliers.forEach((row, i) =>
    row.forEach((m, r) => {
      if (m < -1e-9)
        warnings.push(
          `${label}: rollover constraint ${r + 1} of ${economy.intermediaries[i]!.id} has μ = ${m.toPrecision(4)} < 0, so it would not bind`,
        );
    }),
  );
  return warnings;
}

export interface PolicyRunOptions {
  /** A forecast of total liquidations per asset (Corollary 1). */
  forecast?: number[];
  /** Include Lemma 1's matrices at the central parameters. */
  lemma?: boolean;
  /** Called as the run goes: its stage, done of total items in it and the fraction of the whole (policy-progress.ts). */
  onProgress?: (step: PolicyLabStep) => void;
}

/** Refuses a price impact Γ that is not positive semi-definite and a forecast of the wrong length. */
function checkPolicyInputs(economy: PolicyEconomy, options: PolicyRunOptions): void {
  const n = economy.nAssets;
  const gamma = economy.priceImpact.slice();
  const jitter = 1e-12 * Math.max(1, ...Array.from({ length: n }, (_, a) => Math.abs(gamma[a * n + a]!)));
  for (let a = 0; a < n; a++) gamma[a * n + a]! += jitter;
  try {
    assertPositiveDefinite(gamma, n, 'priceImpact', 'Γ');
  } catch {
    throw new EngineInputError('Γ (priceImpact) must be positive semi-definite', 'priceImpact');
  }
  if (options.forecast && options.forecast.length !== n)
    throw new EngineInputError(`the forecast needs ${n} values (one per asset)`, 'forecast');
}

/**
 * Refuses, before any draw, what runPolicyLab would refuse at the central parameters: a price impact Γ that is not
 * positive semi-definite, a forecast of the wrong length, a sale cost H^ℓ that is not symmetric positive definite,
 * sale coefficients A^ℓ without full row rank (the policy job calls it when it plans, so the error comes at once).
 */
export function checkPolicyDocument(document: PolicyDocument, options: Pick<PolicyRunOptions, 'forecast'> = {}): void {
  const economy = toPolicyEconomy(document);
  checkPolicyInputs(economy, options);
  causalStructure(economy);
}

/** The ex-ante regimes (Proposition 4) under each rule, from the central positions; `onStep` with the rule. */
function exAnteRegimes(
  economy: PolicyEconomy,
  draws: PriorDraws,
  psi: Float64Array,
  onStep?: (rule: ExPostRule) => PolicyProgress,
): NonNullable<PolicyLabResult['exAnte']> {
  const n = economy.nAssets;
  const start = Float64Array.from(economy.intermediaries.flatMap((x) => Array.from(x.positions)));
  const step = Math.max(1, ...Array.from(start, Math.abs)) * 0.1;
  return EX_POST_RULES.map((rule) => {
    const regime = exAnteRegime(draws, psi, rule, start, step, onStep?.(rule));
    return {
      rule,
      privateTax: rowsOf(regime.privateTax, n),
      privateSubsidy: rowsOf(regime.privateSubsidy, n),
      social: rowsOf(regime.social, n),
      wedgeTax: rowsOf(regime.wedgeTax, n),
      wedgeSubsidy: rowsOf(regime.wedgeSubsidy, n),
      welfarePrivate: regime.welfarePrivate,
      welfareSocial: regime.welfareSocial,
      expectedWedges: rowsOf(regime.expectedWedges, n),
    };
  });
}

/** Lemma 1's matrices at the central parameters. */
function lemmaView(economy: PolicyEconomy): NonNullable<PolicyLabResult['lemma']> {
  const n = economy.nAssets;
  const lemma = lemmaMatrices(economy, causalStructure(economy));
  return {
    benchmark: lemma.benchmark.map((v) => Array.from(v)),
    positionEffect: lemma.positionEffect.map((m) => rowsOf(m, n)),
    wedgeEffect: lemma.wedgeEffect.map((m) => rowsOf(m, n)),
    positionSpillover: lemma.positionSpillover.map((row) => row.map((m) => rowsOf(m, n))),
    wedgeSpillover: lemma.wedgeSpillover.map((row) => row.map((m) => rowsOf(m, n))),
  };
}

/** The figures of the prior analysis as the result reports them: τ*, its cost, the welfare of each model, Ψ₀, Σ_τ. */
function priorView(economy: PolicyEconomy, analysis: PriorAnalysis) {
  const n = economy.nAssets;
  const size = n * economy.intermediaries.length;
  let regulatoryCost = 0;
  for (let k = 0; k < size; k++) regulatoryCost += 0.5 * economy.regulatoryCost[k]! * analysis.optimalWedges[k]! ** 2;
  return {
    optimalWedges: rowsOf(analysis.optimalWedges, n),
    regulatoryCost,
    regulatoryCostStandardError: analysis.none.standardErrors.regulatoryCost,
    prior: {
      meanLiquidations: Array.from(analysis.meanLiquidations),
      sdLiquidations: Array.from(analysis.sdLiquidations),
      forecastMean: Array.from(analysis.forecastMean),
      forecastSd: Array.from(analysis.forecastSd),
    },
    welfare: {
      baseline: analysis.baselineWelfare,
      baselineStandardError: analysis.baselineWelfareStandardError,
      none: modelView(analysis.none, n),
      predictive: {
        ...modelView(analysis.predictive, n),
        meanTerm: analysis.predictive.meanTerm,
        covarianceTerm: analysis.predictive.covarianceTerm,
      },
      causal: modelView(analysis.causal, n),
      full: modelView(analysis.full, n),
    },
    psi: rowsOf(analysis.psi, size),
    sigmaTau: rowsOf(analysis.predictive.wedgeCovariance, size),
  };
}

/** The run's steps as runPolicyLab's caller sees them (with the fraction of the whole), or nothing when no one listens. */
function runProgress(document: PolicyDocument, options: PolicyRunOptions) {
  const { onProgress } = options;
  if (!onProgress) return undefined;
  return progressOfRun(
    {
      assets: document.assets.length,
      intermediaries: document.intermediaries.length,
      causalDraws: document.uncertainty.causalDraws,
      predictiveDraws: document.uncertainty.predictiveDraws,
      noise: document.predictiveModel.noise,
      signals: document.predictiveModel.signals,
      forecast: options.forecast !== undefined,
      evaluated: document.wedges !== undefined,
      exAnte: document.exAnte,
      lemma: options.lemma === true,
    },
    onProgress,
  );
}

export function runPolicyLab(document: PolicyDocument, options: PolicyRunOptions = {}): PolicyLabResult {
  const economy = toPolicyEconomy(document);
  const n = economy.nAssets;
  checkPolicyInputs(economy, options);
  const progress = runProgress(document, options);
  const onStep: PolicyProgress | undefined = progress && ((step) => progress(step.stage, step.done, step.total));

  const { uncertainty, predictiveModel } = document;
  const draws = drawPrior(economy, uncertainty, onStep);
  const analysis: PriorAnalysis = analysePrior(economy, draws, { ...predictiveModel, seed: uncertainty.seed }, onStep);
  progress?.('central', 0, 1);
  const noIntervention = equilibriumView(economy, undefined);
  const optimal = equilibriumView(economy, analysis.optimalWedges);
  const warnings = [
    ...domainWarnings(economy, noIntervention, 'without intervention'),
    ...domainWarnings(economy, optimal, 'with τ*'),
  ];
  const { optimalWedges, regulatoryCost, regulatoryCostStandardError, prior, welfare, psi, sigmaTau } = priorView(
    economy,
    analysis,
  );

  const result: PolicyLabResult = {
    name: document.name,
    currency: document.currency ?? '',
    unit: document.unit ?? '',
    assets: economy.assetIds,
    intermediaries: economy.intermediaries.map((x) => x.id),
    inputs: {
      seed: uncertainty.seed,
      causalDraws: uncertainty.causalDraws,
      predictiveDraws: uncertainty.predictiveDraws,
      draws: analysis.nDraws,
      noise: predictiveModel.noise,
      signals: analysis.predictive.signals,
      commonFactor: uncertainty.commonFactor,
    },
    optimalWedges,
    regulatoryCost,
    regulatoryCostStandardError,
    central: { noIntervention, optimal },
    prior,
    welfare,
    psi,
    sigmaTau,
    warnings,
  };
  if (options.forecast) {
    progress?.('forecast', 0, 1);
    const wedges = wedgesForForecast(draws, analysis.psi, options.forecast);
    result.forecast = {
      values: options.forecast,
      wedges: rowsOf(wedges, n),
      equilibrium: equilibriumView(economy, wedges),
      expectedWelfare: expectedWelfare(draws, wedges),
    };
  }
  if (document.wedges) {
    progress?.('evaluated', 0, 1);
    const wedges = flat(document.wedges);
    result.evaluated = {
      wedges: document.wedges,
      expectedWelfare: expectedWelfare(draws, wedges),
      equilibrium: equilibriumView(economy, wedges),
    };
  }
  if (document.exAnte)
    result.exAnte = exAnteRegimes(
      economy,
      draws,
      analysis.psi,
      progress && ((rule) => (step) => progress(step.stage, step.done, step.total, rule)),
    );
  if (options.lemma) {
    progress?.('lemma', 0, 1);
    result.lemma = lemmaView(economy);
  }
  return result;
}

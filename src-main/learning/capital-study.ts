/**
 * A capital study (capital-allocation-machine-learning end to end): tiers, Monte Carlo labels from each sampler,
 * each classifier trained on each sampler's samples (Figure 1 loss curves), the T = 2 boundary (Figure 2), the
 * cheapest allocation each classifier accepts certified by Monte Carlo and re-checked with more scenarios, and the
 * seconds each (sampler, model) took (Table 3). Used by the `capital` job worker, `cwb capital` and the benchmark.
 */
import type { z } from 'zod';
import type { NetworkDocument } from '../../src-shared/formats/network';
import type { shockModelSchema } from '../../src-shared/jobs';
import type {
  AllocationCheckResult,
  BoundaryResult,
  CapitalRunResults,
  capitalStudySchema,
  EfficientAllocation,
  ModelResult,
  SamplerResult,
} from '../../src-shared/results/capital';
import {
  AcceptanceEvaluator,
  certifyAllocation,
  cheapestAccepted,
  efficientSamples,
  sampleGibbs,
  sampleUniform,
  type AcceptanceSetup,
  type AllocationCheck,
  type LabelledSamples,
} from '../engines/capital-allocation';
import { pinToBoundary } from '../engines/capital-boundary';
import { EngineInputError } from '../engines/errors';
import { toClearingSystem, type ClearingSystem } from '../engines/network-arrays';
import { Rng } from '../engines/random';
import type { ShockModel } from '../engines/shocks';
import {
  crossEntropy,
  fitLogisticIrls,
  predictProbability,
  trainAcceptanceClassifier,
  validationSplit,
  type ClassifierParameters,
} from './acceptance-classifiers';
import { selectLearningBackend } from './backend';

export type CapitalStudyConfig = z.output<ReturnType<typeof capitalStudySchema<typeof shockModelSchema>>>;

export interface StudyReporter {
  progress(fraction: number, stage: string, figures?: Record<string, number>): void;
}

const checkResult = (check: AllocationCheck): AllocationCheckResult => ({ ...check });

/** Points where the classifier's label changes between neighbours of a side × side grid on [0, kMax]² (k₁, k₂). */
export function boundaryPoints(parameters: ClassifierParameters, kMax: number, side = 81): Array<[number, number]> {
  const label = (a: number, b: number) =>
    predictProbability(parameters, [a / (side - 1), b / (side - 1)]) >= 0.5 ? 1 : 0;
  const labels = Array.from({ length: side }, (_, a) => Array.from({ length: side }, (_, b) => label(a, b)));
  const points: Array<[number, number]> = [];
  const scale = kMax / (side - 1);
  for (let a = 0; a < side; a++) {
    for (let b = 0; b < side; b++) {
      if (a + 1 < side && labels[a]![b] !== labels[a + 1]![b]) points.push([(a + 0.5) * scale, b * scale]);
      if (b + 1 < side && labels[a]![b] !== labels[a]![b + 1]) points.push([a * scale, (b + 0.5) * scale]);
    }
  }
  return points;
}

/** Share of random pairs x ≤ x' in [0, 1]^T with p(x) > p(x') + 1e-9. */
export function monotonicityViolations(
  parameters: ClassifierParameters,
  nTiers: number,
  pairs: number,
  seed: number,
): number {
  const rng = new Rng(seed, 2 ** 42);
  let violations = 0;
  const low = new Float64Array(nTiers);
  const high = new Float64Array(nTiers);
  for (let r = 0; r < pairs; r++) {
    for (let t = 0; t < nTiers; t++) {
      low[t] = rng.uniform();
      high[t] = low[t]! + (1 - low[t]!) * rng.uniform();
    }
    if (predictProbability(parameters, low) > predictProbability(parameters, high) + 1e-9) violations++;
  }
  return violations / pairs;
}

/** The T = 2 grid labelled directly by Monte Carlo: the centres of side × side equal cells of [0, kMax]². */
export function monteCarloGrid(
  evaluator: AcceptanceEvaluator,
  kMax: number,
  side: number,
): NonNullable<CapitalRunResults['grid']> {
  const axis = Array.from({ length: side }, (_, a) => ((a + 0.5) * kMax) / side);
  return {
    side,
    k1: axis,
    k2: axis,
    labels: axis.map((k1) => axis.map((k2) => (evaluator.evaluate([k1, k2]).acceptable ? 1 : 0))),
  };
}

/** Share of the grid's points a classifier labels as Monte Carlo does. */
export function gridAgreement(
  parameters: ClassifierParameters,
  grid: NonNullable<CapitalRunResults['grid']>,
  kMax: number,
): number {
  let same = 0;
  grid.k1.forEach((k1, a) =>
    grid.k2.forEach((k2, b) => {
      if ((predictProbability(parameters, [k1 / kMax, k2 / kMax]) >= 0.5 ? 1 : 0) === grid.labels[a]![b]) same++;
    }),
  );
  return same / (grid.side * grid.side);
}

function samplerResult(samples: LabelledSamples, evaluator: AcceptanceEvaluator): SamplerResult {
  const T = samples.nTiers;
  const rows = Array.from({ length: samples.labels.length }, (_, j) =>
    Array.from(samples.k.subarray(j * T, j * T + T)),
  );
  let accepted = 0;
  samples.labels.forEach((label) => (accepted += label));
  return {
    sampler: samples.sampler,
    k: rows,
    labels: Array.from(samples.labels),
    statistic: Array.from(samples.statistic),
    clearingRuns: samples.clearingRuns,
    allocationsEvaluated: samples.allocationsEvaluated,
    seconds: samples.seconds,
    acceptedShare: accepted / samples.labels.length,
    efficient: efficientSamples(samples, evaluator.tiers)
      .slice(0, 10)
      .map((j) => ({ k: rows[j]!, cost: evaluator.cost(rows[j]!), statistic: samples.statistic[j]! })),
  };
}

type Candidate = EfficientAllocation & { source: string };
type Certify = (proposal: ArrayLike<number>) => EfficientAllocation;

/** What each sampler and classifier of one study shares: its inputs, the evaluator and the progress count. */
interface StudyState {
  config: CapitalStudyConfig;
  evaluator: AcceptanceEvaluator;
  reporter: StudyReporter;
  grid: CapitalRunResults['grid'];
  certify: Certify;
  /** work units for the progress bar: one per labelled sample, one per training epoch */
  totalWork: number;
  done: number;
}

/** The least multiple of a proposal Monte Carlo accepts with margin ≥ 2 SE, re-checked with more scenarios. */
function certifier(evaluator: AcceptanceEvaluator, recheck: AcceptanceEvaluator): Certify {
  return (proposal) => {
    const certified = certifyAllocation(evaluator, proposal);
    return {
      k: certified.k,
      cost: certified.cost,
      check: checkResult(certified.check),
      scale: certified.scale,
      certified: certified.certified,
      recheck: { ...checkResult(recheck.evaluate(certified.k)), scenarios: recheck.nScenarios },
    };
  };
}

/** The logistic objective of the TensorFlow.js fit against the exact IRLS fit on the same training samples. */
function exactFitOf(
  parameters: Exclude<ClassifierParameters, { kind: 'monotone-network' }>,
  scaled: Float64Array,
  labels: ArrayLike<number>,
  T: number,
  config: CapitalStudyConfig,
): ModelResult['exactFit'] {
  const { train } = validationSplit(labels.length, config.seed);
  const x = Float64Array.from(train.flatMap((j) => Array.from(scaled.subarray(j * T, j * T + T))));
  const y = train.map((j) => labels[j]!);
  const irls = fitLogisticIrls(parameters.kind, x, y, T, config.training.l2);
  const probabilities = train.map((_, r) => predictProbability(parameters, x.subarray(r * T, r * T + T)));
  let penalty = 0;
  for (const c of parameters.coefficients) penalty += c * c;
  return {
    irlsObjective: irls.objective,
    tensorflowObjective: crossEntropy(probabilities, y) + config.training.l2 * penalty,
  };
}

/** The classifier's five cheapest rays, certified in order until Monte Carlo accepts one. */
function classifierEfficient(state: StudyState, parameters: ClassifierParameters): EfficientAllocation | null {
  const { config, evaluator } = state;
  const kMax = config.kMax;
  const costPerUnit = evaluator.tiers.map((tier) => tier.baseTotal);
  const predict = (k: Float64Array) =>
    predictProbability(
      parameters,
      k.map((v) => v / kMax),
    );
  let efficient: EfficientAllocation | null = null;
  for (const proposal of cheapestAccepted(predict, costPerUnit, kMax, config.seed, 5)) {
    const certified = state.certify(proposal);
    if (!efficient || (!efficient.certified && certified.certified)) efficient = certified;
    if (certified.certified) break;
  }
  return efficient;
}

/** Labelled samples from one sampler, reporting progress per sample. */
function drawSamples(state: StudyState, sampler: CapitalStudyConfig['samplers'][number]): LabelledSamples {
  const { config, evaluator } = state;
  const doneBefore = state.done;
  const onSample = (count: number) => {
    state.done = doneBefore + count;
    state.reporter.progress(state.done / state.totalWork, `sampling (${sampler})`, {
      clearingRuns: evaluator.clearingRuns,
      samples: count,
    });
  };
  const options = { samples: config.samples, kMax: config.kMax, seed: config.seed };
  return sampler === 'uniform'
    ? sampleUniform(evaluator, options, onSample)
    : sampleGibbs(evaluator, { ...options, ...config.gibbs }, onSample);
}

/** One classifier trained on one sampler's samples, checked, and its cheapest accepted allocation certified. */
async function studyModel(
  state: StudyState,
  samples: LabelledSamples,
  scaled: Float64Array,
  model: CapitalStudyConfig['models'][number],
): Promise<ModelResult> {
  const { config, evaluator } = state;
  const T = config.tiers;
  const kMax = config.kMax;
  const sampler = samples.sampler;
  const epochsBefore = state.done;
  const fitted = await trainAcceptanceClassifier(model, scaled, samples.labels, T, {
    ...config.training,
    seed: config.seed,
    onEpoch: (epoch, loss) => {
      state.done = epochsBefore + epoch;
      if (epoch % 10 === 0 || epoch === config.training.epochs) {
        state.reporter.progress(state.done / state.totalWork, `training ${model} (${sampler})`, {
          clearingRuns: evaluator.clearingRuns,
          epoch,
          loss,
        });
      }
    },
  });
  const parameters = fitted.parameters;
  const exactFit =
    parameters.kind !== 'monotone-network' ? exactFitOf(parameters, scaled, samples.labels, T, config) : undefined;
  const efficient = classifierEfficient(state, parameters);
  return {
    sampler,
    model,
    parameters,
    trainLoss: fitted.trainLoss,
    validationLoss: fitted.validationLoss,
    trainAccuracy: fitted.trainAccuracy,
    validationAccuracy: fitted.validationAccuracy,
    trainingSeconds: fitted.seconds,
    totalSeconds: samples.seconds + fitted.seconds,
    ...(exactFit ? { exactFit } : {}),
    monotonicityViolations: monotonicityViolations(parameters, T, 2000, config.seed),
    monotonicityPairs: 2000,
    ...(T === 2 ? { boundary: boundaryPoints(parameters, kMax) } : {}),
    ...(state.grid ? { gridAgreement: gridAgreement(parameters, state.grid, kMax) } : {}),
    efficient,
  };
}

/** One sampler's samples, its three cheapest acceptable samples and each classifier's allocation as candidates. */
async function studySampler(
  state: StudyState,
  sampler: CapitalStudyConfig['samplers'][number],
  candidates: Candidate[],
  modelResults: ModelResult[],
): Promise<SamplerResult> {
  const samples = drawSamples(state, sampler);
  const samplerSummary = samplerResult(samples, state.evaluator);
  for (const [rank, sample] of samplerSummary.efficient.slice(0, 3).entries()) {
    candidates.push({
      ...state.certify(sample.k),
      source: `acceptable ${sampler} sample, ${rank + 1}${['st', 'nd', 'rd'][rank]} cheapest`,
    });
  }
  const scaled = samples.k.map((v) => v / state.config.kMax);
  for (const model of state.config.models) {
    const result = await studyModel(state, samples, scaled, model);
    if (result.efficient) candidates.push({ ...result.efficient, source: `${model} (${sampler} samples)` });
    modelResults.push(result);
  }
  return samplerSummary;
}

function checkStudyInputs(system: ClearingSystem, config: CapitalStudyConfig): void {
  const T = config.tiers;
  if (T > system.nBanks)
    throw new EngineInputError(`${T} tiers asked for a network of ${system.nBanks} banks`, 'tiers');
  if (config.models.includes('interactions-only') && T < 2)
    throw new EngineInputError('the interactions-only model needs at least 2 tiers', 'models');
}

/** Runs the whole study on a network document. Throws EngineInputError on inputs the engines refuse. */
export async function runCapitalStudy(
  document: NetworkDocument,
  config: CapitalStudyConfig,
  reporter: StudyReporter = { progress() {} },
): Promise<CapitalRunResults> {
  const system: ClearingSystem = toClearingSystem(document);
  checkStudyInputs(system, config);
  const T = config.tiers;
  const shockModel = config.shockModel as ShockModel;
  const scenarios = shockModel.kind === 'scenarios' ? shockModel.rows.length : config.scenarios;
  const setup = { tiers: T, base: config.base, criterion: config.criterion, shockModel, scenarios, seed: config.seed };
  const evaluator = new AcceptanceEvaluator(system, setup);
  const backend = await selectLearningBackend(config.backend);
  const kMax = config.kMax;
  const noCapital = checkResult(evaluator.evaluate(new Float64Array(T)));
  const fullBox = checkResult(evaluator.evaluate(new Float64Array(T).fill(kMax)));

  const grid =
    T === 2 && config.validationGrid >= 2 ? monteCarloGrid(evaluator, kMax, config.validationGrid) : undefined;
  const recheckScenarios = scenarios * config.recheckFactor;
  const recheck =
    shockModel.kind === 'scenarios' || config.recheckFactor === 1
      ? evaluator
      : new AcceptanceEvaluator(system, { ...setup, scenarios: recheckScenarios });
  const state: StudyState = {
    config,
    evaluator,
    reporter,
    grid,
    certify: certifier(evaluator, recheck),
    totalWork: config.samplers.length * (config.samples + config.models.length * config.training.epochs),
    done: 0,
  };
  const samplerResults: SamplerResult[] = [];
  const modelResults: ModelResult[] = [];
  const candidates: Candidate[] = [];
  for (const sampler of config.samplers)
    samplerResults.push(await studySampler(state, sampler, candidates, modelResults));
  const certifiedCandidates = candidates.filter((c) => c.certified);
  const best = certifiedCandidates.length ? certifiedCandidates.reduce((a, b) => (b.cost < a.cost ? b : a)) : null;
  const boundary =
    best && config.boundary.maxScenarios > 0 ? pinBest(system, setup, best.k, config.boundary, reporter) : null;
  reporter.progress(1, 'done', { clearingRuns: evaluator.clearingRuns });
  return {
    network: document.name,
    unit: [document.currency, document.unit].filter(Boolean).join(' ') || 'units',
    nBanks: system.nBanks,
    backend,
    tiers: evaluator.tiers.map((tier) => ({
      tier: tier.index + 1,
      banks: tier.banks.map((i) => system.ids[i]!),
      totalAssets: tier.totalAssets,
      share: tier.share,
      baseTotal: tier.baseTotal,
    })),
    base: config.base,
    kMax,
    criterion: evaluator.criterion,
    shockModel: describeShockModel(shockModel),
    scenarios,
    seed: config.seed,
    societyClaims: evaluator.societyClaims,
    noCapital,
    fullBox,
    samplers: samplerResults,
    models: modelResults,
    ...(grid ? { grid } : {}),
    best,
    boundary,
    clearingRuns:
      evaluator.clearingRuns + (recheck === evaluator ? 0 : recheck.clearingRuns) + (boundary?.clearingRuns ?? 0),
  };
}

/** The best allocation's ray pinned to the boundary (capital-boundary.ts), reported stage by stage. */
function pinBest(
  system: ClearingSystem,
  setup: AcceptanceSetup,
  direction: number[],
  options: CapitalStudyConfig['boundary'],
  reporter: StudyReporter,
): BoundaryResult {
  const pin = pinToBoundary(system, setup, direction, {
    ...options,
    onStage: (stage) =>
      reporter.progress(0.99, `pinning to the boundary: ${stage.scenarios.toLocaleString('en-US')} scenarios`, {
        scenarios: stage.scenarios,
      }),
  });
  const cost = (scale: number) => (Number.isFinite(scale) ? pin.cost * (scale / pin.upperScale) : null);
  return {
    k: pin.k,
    cost: pin.cost,
    check: checkResult(pin.check),
    cheaper: { k: pin.cheaper.k, check: checkResult(pin.cheaper.check) },
    pinned: pin.pinned,
    acceptable: pin.acceptable,
    maxExcess: Number.isFinite(pin.maxExcess) ? pin.maxExcess : null,
    step: pin.step,
    confidence: pin.confidence,
    scenarios: pin.scenarios,
    stages: pin.stages.map((stage) => ({
      scenarios: stage.scenarios,
      cost: cost(stage.upperScale),
      pinned: stage.pinned,
    })),
    seconds: pin.seconds,
    clearingRuns: pin.clearingRuns,
  };
}

export function describeShockModel(model: ShockModel): string {
  switch (model.kind) {
    case 'uniform':
      return `uniform x = U·${model.maxFraction ?? 1}·c`;
    case 'beta':
      return 'beta, calibrated to default probabilities';
    case 'copula':
      return `Gaussian copula ρ = ${model.rho}, ${model.marginal ?? 'uniform'} marginals${(model.marginal ?? 'uniform') === 'uniform' ? `, up to ${model.maxFraction ?? 1}·c` : ''}`;
    case 'scenarios':
      return `${model.rows.length} scenarios from a file`;
  }
}

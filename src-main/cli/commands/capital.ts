/**
 * `cwb capital NETWORK --tiers T --sampler uniform|gibbs --model …`: the acceptable capital allocations of a network
 * learned by classifiers (docs/engines/capital-allocation.md), run as the Capital screen runs them: the `capital` job
 * through the app's router (its schema and limits, progress, Ctrl+C cancels), saved as a run (`runId`; docs/cli.md).
 */
import { describeIssues } from '../../../src-shared/errors';
import { jobParamSchemas, shockModelSchema } from '../../../src-shared/jobs';
import {
  CAPITAL_BASE_LABELS,
  CAPITAL_MODELS,
  capitalStudySchema,
  describeBoundary,
  type CapitalRunResults,
} from '../../../src-shared/results/capital';
import { runJob } from '../job-run';
import { UsageError, type Command } from '../command';
import { formatAmount } from './common';
import { requiredFlag, schemaFlag } from '../schema-flags';
import { storedNetworkVersion, VERSION_FLAG } from './stored-network';
import { MAX_FRACTION_FLAG, SHOCK_MODEL_FLAGS, shockModelFromFlags } from './stress';
import { learningBackendInWords } from '../../../src-shared/format/learning-backend';

const list = (value: string | true | undefined): string[] | undefined =>
  typeof value === 'string'
    ? value
        .split(',')
        .map((item) => item.trim())
        .filter(Boolean)
    : undefined;

const STUDY = jobParamSchemas.capital.shape;
const CRITERION = STUDY.criterion.unwrap().shape;
const TRAINING = STUDY.training.unwrap().shape;
const BOUNDARY = STUDY.boundary.unwrap().shape;
const TIERS_FLAG = schemaFlag(
  'tiers',
  'T',
  STUDY.tiers,
  'number of tiers by total assets, cut at cumulative shares t/T',
);
const SAMPLES_FLAG = schemaFlag('samples', 'N', STUDY.samples, 'labelled allocations per sampler');
const SCENARIOS_FLAG = schemaFlag(
  'scenarios',
  'S',
  STUDY.scenarios,
  'shock scenarios per allocation, common to all allocations',
);
const SEED_FLAG = schemaFlag('seed', 'S', STUDY.seed, 'random seed for shocks, samplers and training');
const K_MAX_FLAG = schemaFlag(
  'k-max',
  'K',
  STUDY.kMax,
  'box [0, K]^T sampled; k_t is capital as a fraction of the base',
);
const BASE_FLAG = schemaFlag(
  'base',
  'B',
  STUDY.base,
  'what k scales: obligations (p̄ᵢ), outside-liabilities (bᵢ) or total-assets',
);
const MEASURE_FLAG = schemaFlag('measure', 'M', CRITERION.measure, 'the risk measure of what society receives');
const TAIL_FLAG = schemaFlag('tail', 'A', CRITERION.tail, 'tail α of the measure');
const LEVEL_FLAG = schemaFlag('level', 'L', CRITERION.level, 'least acceptable share of society’s claims');
const CAPITAL_MAX_FRACTION_FLAG = schemaFlag(
  'max-fraction',
  'F',
  MAX_FRACTION_FLAG.field,
  'uniform and copula-uniform shocks: largest loss as a fraction of outside assets',
  0.1,
);
const EPOCHS_FLAG = schemaFlag('epochs', 'E', TRAINING.epochs, 'training epochs (full-batch Adam)');
const LEARNING_RATE_FLAG = schemaFlag('learning-rate', 'R', TRAINING.learningRate, 'Adam learning rate');
const L2_FLAG = schemaFlag('l2', 'L', TRAINING.l2, 'ridge penalty λ on coefficients and weights');
const GRID_FLAG = schemaFlag(
  'grid',
  'G',
  STUDY.validationGrid,
  'T = 2: label a G × G grid directly by Monte Carlo and report each model’s agreement (0 = off)',
);
const RECHECK_FLAG = schemaFlag(
  'recheck',
  'F',
  STUDY.recheckFactor,
  're-check the cheapest allocations with F × the scenarios',
);
const BOUNDARY_SCENARIOS_FLAG = schemaFlag(
  'boundary-scenarios',
  'N',
  BOUNDARY.maxScenarios,
  'pin the cheapest allocation to the boundary with up to N scenarios per check (0 = do not pin)',
);
const BOUNDARY_STEP_FLAG = schemaFlag(
  'boundary-step',
  'D',
  BOUNDARY.step,
  'pinned means: acceptable, and D cheaper along the same direction not',
);
const CONFIDENCE_FLAG = schemaFlag(
  'confidence',
  'C',
  BOUNDARY.confidence,
  'one-sided confidence of both pinning tests',
);
const BACKEND_FLAG = schemaFlag('backend', 'B', STUDY.backend, 'TensorFlow.js backend');

/** The study configuration from the flags, checked by the job's schema (one-line reason on failure). */
export function capitalConfigFromFlags(flags: Record<string, string | true>) {
  const models = list(flags.model);
  const raw = {
    tiers: requiredFlag(flags, TIERS_FLAG),
    base: requiredFlag(flags, BASE_FLAG),
    kMax: requiredFlag(flags, K_MAX_FLAG),
    criterion: {
      measure: requiredFlag(flags, MEASURE_FLAG),
      tail: requiredFlag(flags, TAIL_FLAG),
      level: requiredFlag(flags, LEVEL_FLAG),
    },
    shockModel:
      flags['shock-model'] === undefined
        ? { kind: 'uniform', maxFraction: requiredFlag(flags, CAPITAL_MAX_FRACTION_FLAG) }
        : shockModelFromFlags(flags),
    scenarios: requiredFlag(flags, SCENARIOS_FLAG),
    seed: requiredFlag(flags, SEED_FLAG),
    samplers: list(flags.sampler),
    models: models?.length === 1 && models[0] === 'all' ? [...CAPITAL_MODELS] : models,
    samples: requiredFlag(flags, SAMPLES_FLAG),
    training: {
      epochs: requiredFlag(flags, EPOCHS_FLAG),
      learningRate: requiredFlag(flags, LEARNING_RATE_FLAG),
      l2: requiredFlag(flags, L2_FLAG),
    },
    validationGrid: requiredFlag(flags, GRID_FLAG),
    recheckFactor: requiredFlag(flags, RECHECK_FLAG),
    boundary: {
      maxScenarios: requiredFlag(flags, BOUNDARY_SCENARIOS_FLAG),
      step: requiredFlag(flags, BOUNDARY_STEP_FLAG),
      confidence: requiredFlag(flags, CONFIDENCE_FLAG),
    },
    backend: requiredFlag(flags, BACKEND_FLAG),
  };
  const parsed = capitalStudySchema(shockModelSchema).safeParse(raw);
  if (!parsed.success) {
    const { message } = describeIssues(parsed.error.issues);
    throw new UsageError(
      message
        .replace(/^samplers(\.\d+)?/, '--sampler')
        .replace(/^models(\.\d+)?/, '--model')
        .replace(/^tiers/, '--tiers'),
    );
  }
  return parsed.data;
}

function printTable(results: CapitalRunResults, out: (line: string) => void): void {
  const pct = (v: number) => `${(100 * v).toFixed(3)}%`;
  const se = (check: { statistic: number; standardError: number }) =>
    `${pct(check.statistic)} ± ${pct(check.standardError)}`;
  const c = results.criterion;
  out(
    `${results.network}: ${results.nBanks} banks, ${results.tiers.length} tiers, k_t × ${CAPITAL_BASE_LABELS[results.base]} added to outside assets, box [0, ${results.kMax}]`,
  );
  out(
    `  criterion: ${c.measure} of what society receives, worst ${pct(c.tail)} of ${results.scenarios} ${results.shockModel} scenarios (seed ${results.seed}), ≥ ${pct(c.level)} of its claims ${formatAmount(results.societyClaims)} ${results.unit}`,
  );
  out(
    `  no capital: ${se(results.noCapital)}${results.noCapital.acceptable ? ' (acceptable)' : ''}; k = kMax everywhere: ${se(results.fullBox)}`,
  );
  out(
    `  backend ${learningBackendInWords(results.backend)}; ${results.clearingRuns.toLocaleString('en-US')} clearings`,
  );
  out('  tier  banks   share of assets   capital for k = 1');
  for (const tier of results.tiers)
    out(
      `  ${String(tier.tier).padEnd(6)}${String(tier.banks.length).padEnd(8)}${pct(tier.share).padEnd(18)}${formatAmount(tier.baseTotal)}`,
    );
  out(
    '  sampler  model                   train acc  valid acc  seconds   cheapest accepted k               capital          re-check',
  );
  for (const model of results.models) {
    const sampler = results.samplers.find((s) => s.sampler === model.sampler)!;
    const e = model.efficient;
    out(
      `  ${model.sampler.padEnd(9)}${model.model.padEnd(24)}${pct(model.trainAccuracy).padEnd(11)}${pct(model.validationAccuracy).padEnd(11)}` +
        `${(sampler.seconds + model.trainingSeconds).toFixed(2).padEnd(10)}` +
        (e
          ? `${`(${e.k.map((v) => v.toFixed(4)).join(', ')})`.padEnd(34)}${formatAmount(e.cost).padEnd(17)}${e.recheck.acceptable ? 'acceptable' : 'NOT acceptable'} (${e.recheck.scenarios} scenarios)`
          : 'accepts nothing in the box'),
    );
  }
  if (results.boundary)
    out(
      `  ${describeBoundary(results.boundary, results.unit, formatAmount)} (${results.boundary.seconds.toFixed(1)} s)`,
    );
}

export const capitalCommand: Command = {
  name: 'capital',
  summary:
    'Acceptable capital allocations by tier, saved as a run: Monte Carlo labels, classifiers, boundary, cheapest acceptable allocation',
  usage:
    'cwb capital NETWORK-FILE|--version ID --tiers T --sampler uniform|gibbs --model MODEL[,MODEL…] [--samples N] [--scenarios S] [--seed S] [--shock-model MODEL] [--json]',
  positionals: { min: 0, max: 1 },
  flags: [
    VERSION_FLAG,
    TIERS_FLAG,
    { name: 'sampler', value: 'S', description: 'uniform, gibbs or uniform,gibbs (default both)' },
    { name: 'model', value: 'M', description: `comma list of ${CAPITAL_MODELS.join(', ')}, or all (default all)` },
    SAMPLES_FLAG,
    SCENARIOS_FLAG,
    SEED_FLAG,
    K_MAX_FLAG,
    BASE_FLAG,
    MEASURE_FLAG,
    TAIL_FLAG,
    LEVEL_FLAG,
    {
      ...SHOCK_MODEL_FLAGS[0]!,
      description: 'uniform (by default, with --max-fraction 0.1), beta or copula, as in cwb stress',
    },
    CAPITAL_MAX_FRACTION_FLAG,
    ...SHOCK_MODEL_FLAGS.filter((flag) => flag.name !== 'shock-model' && flag.name !== 'max-fraction'),
    EPOCHS_FLAG,
    LEARNING_RATE_FLAG,
    L2_FLAG,
    GRID_FLAG,
    RECHECK_FLAG,
    BOUNDARY_SCENARIOS_FLAG,
    BOUNDARY_STEP_FLAG,
    CONFIDENCE_FLAG,
    BACKEND_FLAG,
  ],
  async run({ positionals, flags }, io, context) {
    const config = capitalConfigFromFlags(flags);
    const app = context();
    const versionId = await storedNetworkVersion(app, io, positionals[0], flags, 'capital');
    io.err(
      `capital: ${config.tiers} tiers, ${config.samplers.join(' + ')} sampling of ${config.samples}, ${config.scenarios} scenarios per allocation, models ${config.models.join(', ')}`,
    );
    const run = await runJob(app, io, 'capital', { ...config, versionId }, 'capital');
    const { results } = run;
    io.err(`capital: saved as run ${run.id} (${((run.durationMs ?? 0) / 1000).toFixed(2)} s)`);
    if (flags.json) io.out(JSON.stringify({ runId: run.id, ...results }));
    else printTable(results, (line) => io.out(line));
    return 0;
  },
};

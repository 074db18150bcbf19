/**
 * `cwb capital NETWORK --tiers T --sampler uniform|gibbs --model …`: the acceptable capital allocations of a network
 * learned by classifiers (docs/engines/capital-allocation.md), run as the Capital screen runs them: the `capital` job
 * through the app's router (its schema and limits, progress, Ctrl+C cancels), saved as a run (`runId`; docs/cli.md).
 */
import { describeIssues } from '../../../src-shared/errors';
import { shockModelSchema } from '../../../src-shared/jobs';
import { CAPITAL_BASE_LABELS, CAPITAL_MODELS, capitalStudySchema, describeBoundary, type CapitalRunResults } from '../../../src-shared/results/capital';
import { runJob } from '../job-run';
import { UsageError, type Command } from '../command';
import { formatAmount, numberFlag } from './common';
import { storedNetworkVersion, VERSION_FLAG } from './stored-network';
import { shockModelFromFlags } from './stress';

const list = (value: string | true | undefined): string[] | undefined =>
  typeof value === 'string' ? value.split(',').map((item) => item.trim()).filter(Boolean) : undefined;

const number = (flags: Record<string, string | true>, name: string): number | undefined =>
  flags[name] === undefined ? undefined : numberFlag(flags, name, 0, -Infinity, Infinity);

/** The study configuration from the flags, checked by the job's schema (one-line reason on failure). */
export function capitalConfigFromFlags(flags: Record<string, string | true>) {
  const models = list(flags.model);
  const raw = {
    tiers: number(flags, 'tiers'),
    base: flags.base,
    kMax: number(flags, 'k-max'),
    criterion: { measure: flags.measure, tail: number(flags, 'tail'), level: number(flags, 'level') },
    shockModel: flags['shock-model'] === undefined ? { kind: 'uniform', maxFraction: number(flags, 'max-fraction') ?? 0.1 } : shockModelFromFlags(flags),
    scenarios: number(flags, 'scenarios'),
    seed: number(flags, 'seed'),
    samplers: list(flags.sampler),
    models: models?.length === 1 && models[0] === 'all' ? [...CAPITAL_MODELS] : models,
    samples: number(flags, 'samples'),
    training: { epochs: number(flags, 'epochs'), learningRate: number(flags, 'learning-rate'), l2: number(flags, 'l2') },
    validationGrid: number(flags, 'grid'),
    recheckFactor: number(flags, 'recheck'),
    boundary: { maxScenarios: number(flags, 'boundary-scenarios'), step: number(flags, 'boundary-step'), confidence: number(flags, 'confidence') },
    backend: flags.backend,
  };
  const parsed = capitalStudySchema(shockModelSchema).safeParse(raw);
  if (!parsed.success) {
    const { message } = describeIssues(parsed.error.issues);
    throw new UsageError(message.replace(/^samplers(\.\d+)?/, '--sampler').replace(/^models(\.\d+)?/, '--model').replace(/^tiers/, '--tiers'));
  }
  return parsed.data;
}

function printTable(results: CapitalRunResults, out: (line: string) => void): void {
  const pct = (v: number) => `${(100 * v).toFixed(3)}%`;
  const se = (check: { statistic: number; standardError: number }) => `${pct(check.statistic)} ± ${pct(check.standardError)}`;
  const c = results.criterion;
  out(`${results.network}: ${results.nBanks} banks, ${results.tiers.length} tiers, k_t × ${CAPITAL_BASE_LABELS[results.base]} added to outside assets, box [0, ${results.kMax}]`);
  out(`  criterion: ${c.measure} of what society receives, worst ${pct(c.tail)} of ${results.scenarios} ${results.shockModel} scenarios (seed ${results.seed}), ≥ ${pct(c.level)} of its claims ${formatAmount(results.societyClaims)} ${results.unit}`);
  out(`  no capital: ${se(results.noCapital)}${results.noCapital.acceptable ? ' (acceptable)' : ''}; k = kMax everywhere: ${se(results.fullBox)}`);
  out(`  backend ${results.backend.name} (${results.backend.detail}); ${results.clearingRuns.toLocaleString('en-US')} clearings`);
  out('  tier  banks   share of assets   capital for k = 1');
  for (const tier of results.tiers) out(`  ${String(tier.tier).padEnd(6)}${String(tier.banks.length).padEnd(8)}${pct(tier.share).padEnd(18)}${formatAmount(tier.baseTotal)}`);
  out('  sampler  model                   train acc  valid acc  seconds   cheapest accepted k               capital          re-check');
  for (const model of results.models) {
    const sampler = results.samplers.find((s) => s.sampler === model.sampler)!;
    const e = model.efficient;
    out(
      `  ${model.sampler.padEnd(9)}${model.model.padEnd(24)}${pct(model.trainAccuracy).padEnd(11)}${pct(model.validationAccuracy).padEnd(11)}` +
        `${(sampler.seconds + model.trainingSeconds).toFixed(2).padEnd(10)}` +
        (e ? `${`(${e.k.map((v) => v.toFixed(4)).join(', ')})`.padEnd(34)}${formatAmount(e.cost).padEnd(17)}${e.recheck.acceptable ? 'acceptable' : 'NOT acceptable'} (${e.recheck.scenarios} scenarios)` : 'accepts nothing in the box'),
    );
  }
  if (results.boundary) out(`  ${describeBoundary(results.boundary, results.unit, formatAmount)} (${results.boundary.seconds.toFixed(1)} s)`);
}

export const capitalCommand: Command = {
  name: 'capital',
  summary: 'Acceptable capital allocations by tier, saved as a run: Monte Carlo labels, classifiers, boundary, cheapest acceptable allocation',
  usage: 'cwb capital NETWORK-FILE|--version ID --tiers T --sampler uniform|gibbs --model MODEL[,MODEL…] [--samples N] [--scenarios S] [--seed S] [--shock-model MODEL] [--json]',
  positionals: { min: 0, max: 1 },
  flags: [
    VERSION_FLAG,
    { name: 'tiers', value: 'T', description: 'number of tiers by total assets, cut at cumulative shares t/T (default 2)' },
    { name: 'sampler', value: 'S', description: 'uniform, gibbs or uniform,gibbs (default both)' },
    { name: 'model', value: 'M', description: `comma list of ${CAPITAL_MODELS.join(', ')}, or all (default all)` },
    { name: 'samples', value: 'N', description: 'labelled allocations per sampler (default 400)' },
    { name: 'scenarios', value: 'S', description: 'shock scenarios per allocation, common to all allocations (default 1000)' },
    { name: 'seed', value: 'S', description: 'random seed for shocks, samplers and training (default 1)' },
    { name: 'k-max', value: 'K', description: 'box [0, K]^T sampled; k_t is capital as a fraction of the base (default 0.05)' },
    { name: 'base', value: 'B', description: 'what k scales: obligations (p̄ᵢ, default), outside-liabilities (bᵢ) or total-assets' },
    { name: 'measure', value: 'M', description: 'expected-shortfall (default) or value-at-risk of what society receives' },
    { name: 'tail', value: 'A', description: 'tail α of the measure (default 0.05)' },
    { name: 'level', value: 'L', description: 'least acceptable share of society’s claims (default 0.98)' },
    { name: 'shock-model', value: 'MODEL', description: 'uniform (default, with --max-fraction 0.1), beta or copula, as in cwb stress' },
    { name: 'max-fraction', value: 'F', description: 'uniform and copula-uniform shocks: largest loss as a fraction of outside assets (default 0.1)' },
    { name: 'rho', value: 'R', description: 'copula: correlation of the common factor (default 0.3)' },
    { name: 'marginal', value: 'M', description: 'copula: uniform or beta marginals' },
    { name: 'a', value: 'A', description: 'beta: first shape parameter' },
    { name: 'epochs', value: 'E', description: 'training epochs (full-batch Adam, default 800)' },
    { name: 'learning-rate', value: 'R', description: 'Adam learning rate (default 0.1)' },
    { name: 'l2', value: 'L', description: 'ridge penalty λ on coefficients and weights (default 1e-4)' },
    { name: 'grid', value: 'G', description: 'T = 2: label a G × G grid directly by Monte Carlo and report each model’s agreement (default off)' },
    { name: 'recheck', value: 'F', description: 're-check the cheapest allocations with F × the scenarios (default 10)' },
    { name: 'boundary-scenarios', value: 'N', description: 'pin the cheapest allocation to the boundary with up to N scenarios per check (default 256000; 0 = do not pin)' },
    { name: 'boundary-step', value: 'D', description: 'pinned means: acceptable, and D cheaper along the same direction not (default 0.02)' },
    { name: 'confidence', value: 'C', description: 'one-sided confidence of both pinning tests (default 0.95)' },
    { name: 'backend', value: 'B', description: 'TensorFlow.js backend: auto (default), webgpu, wasm or cpu' },
  ],
  async run({ positionals, flags }, io, context) {
    const config = capitalConfigFromFlags(flags);
    const app = context();
    const versionId = await storedNetworkVersion(app, io, positionals[0], flags, 'capital');
    io.err(`capital: ${config.tiers} tiers, ${config.samplers.join(' + ')} sampling of ${config.samples}, ${config.scenarios} scenarios per allocation, models ${config.models.join(', ')}`);
    const run = await runJob(app, io, 'capital', { ...config, versionId }, 'capital');
    const { results } = run;
    io.err(`capital: saved as run ${run.id} (${((run.durationMs ?? 0) / 1000).toFixed(2)} s)`);
    if (flags.json) io.out(JSON.stringify({ runId: run.id, ...results }));
    else printTable(results, io.out);
    return 0;
  },
};

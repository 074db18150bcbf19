/**
 * `cwb stress NETWORK --shock-model MODEL --samples N --seed S`: the Stress screen's Monte Carlo test as a job through
 * the app's router and job manager, saved as a run (docs/cli.md); `--shard K/N` clears one part of a cluster run.
 */
import { statSync } from 'node:fs';
import { z } from 'zod';
import { basename } from 'node:path';
import type { ShockModel } from '../../engines/shocks';
import { FIXED_POINT_TOLERANCE } from '../../engines/batched-clearing';
import { runStressBatch, summariseStress, type StressSummary } from '../../engines/stress';
import { readClearingSystemFile } from '../../io/network-json-columns';
import { numberOrNote } from '../../../src-shared/results/notes';
import { jobParamSchemas, MAX_STRESS_SAMPLES, shockModelSchema } from '../../../src-shared/jobs';
import type { ClearingCheck } from '../../../src-shared/results/stress';
import { call } from '../../api/router';
import { runJob } from '../job-run';
import { storedNetworkVersion, VERSION_FLAG } from './stored-network';
import { UsageError, type Command, type CommandIo, type FlagSpec } from '../command';
import { FORCE_FLAG } from './out-file';
import { checkPartialTarget, shardRange, writeStressPartial } from './stress-partial-file';
import { assertReadable, fileSha256, formatAmount, RECOVERY_FLAGS, recoveryFromFlags } from './common';
import { optionalFlag, requiredFlag, schemaFlag } from '../schema-flags';

const STRESS = jobParamSchemas.stress.shape;
const [UNIFORM, BETA, COPULA] = shockModelSchema.options.map((option) => option.shape) as [
  (typeof shockModelSchema.options)[0]['shape'],
  (typeof shockModelSchema.options)[1]['shape'],
  (typeof shockModelSchema.options)[2]['shape'],
];
/** A cluster run's scenario count: shards of up to MAX_STRESS_SAMPLES each, merged by cwb stress-merge. */
const CLUSTER_SAMPLES = z
  .number()
  .int()
  .min(1)
  .max(10 * MAX_STRESS_SAMPLES);

const SHOCK_MODEL_FLAG = schemaFlag(
  'shock-model',
  'MODEL',
  z.enum(['uniform', 'beta', 'copula']),
  'uniform (x = f·c·U), beta (P(x ≥ w) = defaultProbability) or copula (Gaussian, one factor)',
);
export const MAX_FRACTION_FLAG = schemaFlag(
  'max-fraction',
  'F',
  UNIFORM.maxFraction,
  'uniform and copula-uniform shocks: largest loss as a fraction of outside assets',
);
const RHO_FLAG = schemaFlag('rho', 'R', COPULA.rho, 'copula: correlation of the common factor', 0.3);
const MARGINAL_FLAG = schemaFlag('marginal', 'M', COPULA.marginal, 'copula: the marginal distribution of each shock');
export const A_FLAG = schemaFlag(
  'a',
  'A',
  BETA.a,
  "beta: first shape parameter a; b is solved per bank (default: the paper's a = 1)",
);
export const SHOCK_MODEL_FLAGS: FlagSpec[] = [SHOCK_MODEL_FLAG, MAX_FRACTION_FLAG, RHO_FLAG, MARGINAL_FLAG, A_FLAG];
const SAMPLES_FLAG = schemaFlag(
  'samples',
  'N',
  STRESS.samples,
  'number of scenarios in one run (a cluster run with --shard takes up to 100,000,000)',
  10_000,
);
const SEED_FLAG = schemaFlag('seed', 'S', STRESS.seed, 'random seed; the same seed gives the same result', 1);

/** The flags that define a stress test: cwb stress's, and those cwb cluster slurm passes on to every shard. */
export const STRESS_TEST_FLAGS: FlagSpec[] = [...SHOCK_MODEL_FLAGS, SAMPLES_FLAG, SEED_FLAG, ...RECOVERY_FLAGS];

/** A cluster run's settings from the stress flags, checked as `--shard` checks them (up to 100,000,000 scenarios). */
export function clusterStressSettings(flags: Record<string, string | true>): StressSettings & { samples: number } {
  return {
    model: shockModelFromFlags(flags),
    seed: requiredFlag(flags, SEED_FLAG),
    recovery: recoveryFromFlags(flags),
    samples: requiredFlag(flags, { ...SAMPLES_FLAG, field: CLUSTER_SAMPLES }),
  };
}

/** Builds the shock model from --shock-model, --max-fraction, --rho, --marginal, --a (bounds from the job's schema). */
export function shockModelFromFlags(flags: Record<string, string | true>): ShockModel {
  switch (requiredFlag(flags, SHOCK_MODEL_FLAG)) {
    case 'uniform':
      return { kind: 'uniform', maxFraction: requiredFlag(flags, MAX_FRACTION_FLAG) };
    case 'beta': {
      const a = optionalFlag(flags, A_FLAG);
      return a === undefined ? { kind: 'beta' } : { kind: 'beta', a };
    }
    case 'copula':
      return {
        kind: 'copula',
        rho: requiredFlag(flags, RHO_FLAG),
        marginal: requiredFlag(flags, MARGINAL_FLAG),
        maxFraction: requiredFlag(flags, MAX_FRACTION_FLAG),
      };
  }
}

export const stressCommand: Command = {
  name: 'stress',
  summary:
    'Monte Carlo stress test, saved as a run: expected loss, loss ratio, NVI, default probabilities, VaR and expected shortfall',
  usage:
    'cwb stress NETWORK-FILE|--version ID --shock-model uniform|beta|copula [--samples N] [--seed S] [--max-fraction F] [--rho R] [--alpha A --beta B] [--json]\n' +
    '       cwb stress NETWORK.json --shock-model MODEL --samples N --shard K/N --out PART.json   (one shard on a cluster node; no store)',
  positionals: { min: 0, max: 1 },
  flags: [
    VERSION_FLAG,
    ...STRESS_TEST_FLAGS,
    {
      name: 'shard',
      value: 'K/N',
      description:
        'clear only shard K of N of up to 100,000,000 scenarios (for a cluster) and write its partial result to --out; merge with cwb stress-merge',
    },
    { name: 'out', value: 'PART.json', description: 'with --shard: the partial result file to write' },
    FORCE_FLAG,
  ],
  async run({ positionals, flags }, io, context) {
    const model = shockModelFromFlags(flags);
    const seed = requiredFlag(flags, SEED_FLAG);
    const recovery = recoveryFromFlags(flags);
    const path = positionals[0];
    if (flags.shard !== undefined) return runShard(path, flags, io);
    const samples = requiredFlag(flags, SAMPLES_FLAG);
    if (path !== undefined && flags.version === undefined && fileSize(path) > STORE_FILE_BYTES) {
      io.err(
        `stress: ${basename(path)} is over ${STORE_FILE_BYTES / 2 ** 20} MiB, more than the store keeps; it is read as a stream and the run is not saved`,
      );
      const { document, partial } = stressFile(path, io, { model, seed, recovery, samples, first: 0, count: samples });
      const summary = summariseStress(partial, { ...document, liabilities: [] });
      reportVerification(io, partial);
      if (flags.json) io.out(JSON.stringify(summary));
      else
        printStressSummary(
          io,
          document.name,
          document.nodes.map((node) => node.id),
          summary,
        );
      return 0;
    }
    const app = context();
    const versionId = await storedNetworkVersion(app, io, path, flags, 'stress');
    const eisenbergNoe = recovery.alpha === 1 && recovery.beta === 1;
    const run = await runJob(
      app,
      io,
      'stress',
      { versionId, shockModel: model, samples, seed, ...(eisenbergNoe ? {} : { recovery }) },
      'stress',
    );
    const { results } = run;
    io.err(`stress: saved as run ${run.id} (${((run.durationMs ?? 0) / 1000).toFixed(2)} s)`);
    if (results.clearingCheck) reportVerification(io, results.clearingCheck);
    if (flags.json) {
      io.out(JSON.stringify({ runId: run.id, ...results }));
      return 0;
    }
    const { network, version } = await call(app.router, 'networks:get', { versionId });
    printStressSummary(io, `${network.name} v${version}`, Object.keys(results.defaultProbability), results);
    return 0;
  },
};

/** Files up to this size are imported into the store and the run saved; larger ones are streamed from the file. */
const STORE_FILE_BYTES = 256 * 2 ** 20;

function fileSize(path: string): number {
  assertReadable(path);
  return statSync(path).size;
}

interface StressSettings {
  model: ShockModel;
  seed: number;
  recovery: { alpha: number; beta: number };
}

/** Scenarios first … first + count − 1 cleared on the network file, read as a stream (no store). */
function stressFile(
  path: string,
  io: CommandIo,
  settings: StressSettings & { samples: number; first: number; count: number },
) {
  assertReadable(path);
  const { document, system } = readClearingSystemFile(path, basename(path));
  const { model, seed, recovery, samples, first, count } = settings;
  io.err(`stress: ${count} of ${samples} scenarios, ${model.kind} shocks, seed ${seed}, ${system.nBanks} banks`);
  const started = performance.now();
  let lastReport = started;
  const partial = runStressBatch(
    system,
    model,
    seed,
    first,
    count,
    (done) => {
      const now = performance.now();
      if (now - lastReport > 1000 || done === count) {
        lastReport = now;
        io.err(`  ${done} / ${count} scenarios (${((100 * done) / count).toFixed(0)}%)`);
      }
    },
    { ...recovery, runScenarios: samples },
  );
  io.err(`cleared in ${((performance.now() - started) / 1000).toFixed(2)} s`);
  return { document, system, partial };
}

/** One shard of a cluster run: the network file streamed, its partial result written to --out; the store is not opened. */
function runShard(path: string | undefined, flags: Record<string, string | true>, io: CommandIo): number {
  if (path === undefined || flags.version !== undefined)
    throw new UsageError(
      '--shard runs on a network file (cluster nodes have no store): give NETWORK.json, not --version',
    );
  const { samples, ...settings } = clusterStressSettings(flags);
  const shard = typeof flags.shard === 'string' ? shardRange(flags.shard, samples) : undefined;
  if (!shard) throw new UsageError('--shard needs K/N, e.g. --shard 3/8');
  if (typeof flags.out !== 'string')
    throw new UsageError('--shard needs --out PART.json, the file its partial result goes to');
  checkPartialTarget(flags.out, flags);
  const { document, system, partial } = stressFile(path, io, {
    ...settings,
    samples,
    first: shard.first,
    count: shard.size,
  });
  writeStressPartial(
    flags.out,
    {
      network: document.name,
      networkSha256: fileSha256(path),
      banks: system.nBanks,
      shockModel: settings.model,
      seed: settings.seed,
      samples,
      ...settings.recovery,
      shard,
    },
    partial,
    flags,
  );
  io.err(
    `shard ${shard.index}/${shard.count} (scenarios ${shard.first} to ${shard.first + shard.size - 1}) written to ${flags.out}`,
  );
  return 0;
}

/** How batched scenarios were verified (on standard error: the summary on standard output keeps its shape). */
export function reportVerification(io: CommandIo, check: ClearingCheck): void {
  if (check.batchedScenarios === 0) return;
  io.err(
    `clearing: ${check.batchedScenarios} scenarios cleared in batches, each verified as a fixed point to ${FIXED_POINT_TOLERANCE} × the largest obligation (largest residual ${check.maxFixedPointResidual.toExponential(1)})`,
  );
}

/** The stress summary as text (cwb stress and cwb stress-merge). */
export function printStressSummary(io: CommandIo, networkName: string, ids: string[], summary: StressSummary): void {
  const se = (value: number, error: number) => `${formatAmount(value)} ± ${formatAmount(error)}`;
  io.out(
    `${networkName}: ${ids.length} banks, ${summary.scenarios} ${summary.shockModel} scenarios, seed ${summary.seed}`,
  );
  io.out(`  expected loss E[L]              ${se(summary.expectedLoss, summary.expectedLossStandardError)}`);
  io.out(
    `  expected unconnected loss E[L0] ${se(summary.expectedUnconnectedLoss, summary.expectedUnconnectedLossStandardError)}`,
  );
  const ratio = numberOrNote(
    summary.lossRatio,
    summary.lossRatioNote,
    (v) => `${v.toFixed(4)} ± ${summary.lossRatioStandardError!.toFixed(4)}`,
  );
  io.out(`  loss ratio E[L]/E[L0]           ${ratio}`);
  const nvi =
    summary.nvi !== undefined && summary.glassermanYoungBound !== undefined
      ? `${summary.nvi.toFixed(4)} (bound on the ratio 1 + NVI = ${summary.glassermanYoungBound.toFixed(4)}; β+ = ${summary.maxConnectivity.toFixed(3)})`
      : `${summary.nviNote ?? 'undefined'}; β+ = ${summary.maxConnectivity.toFixed(3)}`;
  io.out(`  NVI                             ${nvi}`);
  io.out(
    `  expected defaults               ${summary.expectedDefaults.toFixed(3)} ± ${summary.expectedDefaultsStandardError!.toFixed(3)} (by contagion ${summary.expectedContagionDefaults.toFixed(3)})`,
  );
  io.out('  level     VaR [95% interval]                        expected shortfall ± s.e.');
  for (const key of Object.keys(summary.lossQuantiles) as Array<keyof typeof summary.lossQuantiles>) {
    const [low, high] = summary.lossQuantileInterval![key];
    const valueAtRisk = `${formatAmount(summary.lossQuantiles[key])} [${formatAmount(low)}, ${formatAmount(high)}]`;
    io.out(
      `  ${key.padEnd(8)}  ${valueAtRisk.padEnd(40)}  ${se(summary.expectedShortfall[key], summary.expectedShortfallStandardError![key])}`,
    );
  }
  io.out(`  (± one standard error; VaR intervals from the order statistics of the ${summary.scenarios} scenarios)`);
  io.out(
    `  ${'bank'.padEnd(12)}${'P(default)'.padStart(12)}${'95% interval (Wilson)'.padStart(24)}${'loss share'.padStart(18)}`,
  );
  for (const id of ids) {
    const [low, high] = summary.defaultProbabilityInterval![id]!;
    io.out(
      `  ${id.padEnd(12)}${summary.defaultProbability[id]!.toFixed(4).padStart(12)}${`[${low.toFixed(4)}, ${high.toFixed(4)}]`.padStart(24)}${formatAmount(summary.lossContribution[id]!).padStart(18)}`,
    );
  }
}

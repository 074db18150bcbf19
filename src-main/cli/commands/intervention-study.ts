/**
 * `cwb intervention-study ECONOMY.json`: the chosen intervention on the mean-shock cascade, the correlated-shock
 * scenario study (budget curve, TVaR, Table 1, histograms) and optional tail sampling; `cwb bailout NETWORK.json`:
 * bailouts that prevent Eisenberg–Noe defaults. Both run as the Intervention screen's `intervention` job through
 * the app's router, on a version in the store (the file imported once, or --version), and are saved as runs.
 * `cwb intervention-study ECONOMY.json … --shard K/N --out PART.json` runs one shard of a study on a cluster node
 * (no store; intervention-partial-file.ts), merged by `cwb merge` (study-merge.ts).
 */
import { basename } from 'node:path';
import type { z } from 'zod';
import {
  DEFAULT_DISCOUNTFRAC,
  economyInterventionSchema,
  interbankBailoutSchema,
  methodLabel,
} from '../../../src-shared/results/intervention';
import type { InterventionRunResults } from '../../../src-shared/results/intervention';
import type { RunDetailOf } from '../../../src-shared/domain';
import { issuesInWords } from '../../../src-shared/format/labels';
import { call } from '../../api/router';
import type { AppContext } from '../../app';
import { runJob } from '../job-run';
import { UsageError, type Command, type CommandIo, type FlagSpec } from '../command';
import { checkEconomy } from '../../engines/cascade';
import { sha256Hex } from '../../io/importers';
import { parseEconomyJson } from '../../io/network-json';
import { studyShard } from '../../jobs/intervention-tasks';
import { runInterventionShard } from '../../jobs/intervention-worker';
import { formatAmount, readInputFile } from './common';
import { FORCE_FLAG } from './out-file';
import { checkPartialTarget, shardRange } from './stress-partial-file';
import { writeStudyPartial, type StudyParams } from './intervention-partial-file';
import { requiredFlag, schemaFlag } from '../schema-flags';
import { storedNetworkVersion, VERSION_FLAG } from './stored-network';

/**
 * The job's parameter schema checks the flags before anything is imported or run (nothing in the store changes on
 * a bad flag); `versionId` is a placeholder until the file is in the store. The job checks them again.
 */
export function validated<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new UsageError(issuesInWords(parsed.error.issues));
  return parsed.data;
}

/** `--version` for the commands that run on a cross-holdings economy. */
export const ECONOMY_VERSION_FLAG: FlagSpec = {
  ...VERSION_FLAG,
  description: 'an economy version in the store (see cwb list) instead of a file',
};

/**
 * Runs `params` as the app's `intervention` job on the economy or network of `path` / `--version` (a store version,
 * imported once), says on standard error which run it saved, and returns that run and its version.
 */
export async function runInterventionJob<P extends { versionId: number }>(
  app: AppContext,
  io: CommandIo,
  path: string | undefined,
  flags: Record<string, string | true>,
  params: P,
  label: string,
): Promise<{ run: RunDetailOf<'intervention'>; params: P }> {
  const kind = (params as { target?: string }).target === 'interbank' ? 'interbank' : 'crossholdings';
  const versionId = await storedNetworkVersion(app, io, path, flags, label, kind);
  const withVersion = { ...params, versionId };
  const run = await runJob(app, io, 'intervention', withVersion, label);
  io.err(`${label}: saved as run ${run.id} (${((run.durationMs ?? 0) / 1000).toFixed(2)} s)`);
  return { run, params: withVersion };
}

/** "economy v1": the stored network or economy a run used, as the text output names it. */
export async function versionName(app: AppContext, params: { target: string; versionId: number }): Promise<string> {
  const { network, version } = await call(
    app.router,
    params.target === 'interbank' ? 'networks:get' : 'economies:get',
    { versionId: params.versionId },
  );
  return `${network.name} v${version}`;
}

const percent = (value: number) => `${(100 * value).toFixed(1)}%`;

const STUDY = economyInterventionSchema.shape;
const TAIL = STUDY.tail.unwrap().shape;
const SCENARIOS_FLAG = schemaFlag('scenarios', 'N', STUDY.scenarios, 'shock scenarios', 1000);
const SEED_FLAG = schemaFlag('seed', 'S', STUDY.seed, 'random seed; scenario s uses stream (S, s)', 1);
const RHO_FLAG = schemaFlag(
  'rho',
  'R',
  STUDY.shocks.shape.rho,
  'common correlation ρ of the shocks (0.5 in the paper)',
  0.5,
);
const SIGMA_FLAG = schemaFlag('sigma', 'V', STUDY.shocks.shape.sigma, 'volatility σ', 0.15);
const DRIFT_FLAG = schemaFlag(
  'drift',
  'M',
  STUDY.shocks.shape.drift,
  'drift μ; shocks are bounded below at −100%',
  -0.2,
);
const BUDGET_FRACTION_FLAG = schemaFlag(
  'budget',
  'F',
  STUDY.budgetFraction,
  'chosen budget as a fraction of Σ(Dp)',
  0.01,
);
const MAX_BUDGET_FLAG = schemaFlag('max-budget', 'F', STUDY.maxBudgetFraction, 'budget curve from 0 to F·Σ(Dp)', 0.02);
const STUDY_BUDGETS_FLAG = schemaFlag('budgets', 'K', STUDY.budgetCount, 'points on the budget curve');
const STUDY_METHOD_FLAG = schemaFlag(
  'method',
  'M',
  STUDY.method,
  `the intervention shown on the mean-shock cascade (discountfrac is ${DEFAULT_DISCOUNTFRAC})`,
  DEFAULT_DISCOUNTFRAC,
);
const CURVE_FLAG = schemaFlag('curve', 'M', STUDY.curveMethod, 'the DiscountFrac variant that draws the budget curve');
const STUDY_OBJECTIVE_FLAG = schemaFlag('objective', 'O', STUDY.objective, 'failures averted or market value saved');
const TAIL_THRESHOLD_FLAG = schemaFlag(
  'tail-threshold',
  'F',
  TAIL.thresholdFraction,
  'tail sampling: estimate P(failures ≥ F·firms) (off unless given)',
);
const TAIL_SHOCK_FLAG = schemaFlag(
  'tail-shock',
  'F',
  TAIL.aggregateShockFraction,
  'tail sampling: aggregate shock bound Δ = F·Σ(Dp) for the greedy worst shock',
  0.05,
);
const TAIL_SAMPLES_FLAG = schemaFlag(
  'tail-samples',
  'N',
  TAIL.samples,
  'tail sampling: samples for plain and for importance sampling',
  5000,
);

const BAILOUT = interbankBailoutSchema.shape;
const BAILOUT_BUDGET_FLAG = schemaFlag(
  'budget',
  'B',
  BAILOUT.budget,
  'total bailout payments allowed, in the network’s unit',
);
const SHOCK_FRACTION_FLAG = schemaFlag(
  'shock-fraction',
  'F',
  BAILOUT.shockFraction,
  'every bank loses F of its outside assets, x = F·c',
);
const BAILOUT_METHOD_FLAG = schemaFlag('method', 'M', BAILOUT.method, 'how payments are chosen', 'greedy');
const BAILOUT_OBJECTIVE_FLAG = schemaFlag(
  'objective',
  'O',
  BAILOUT.objective,
  'defaults averted, or the reduction of the shortfall Σ(p̄ − p)',
);
const BAILOUT_BUDGETS_FLAG = schemaFlag('budgets', 'K', BAILOUT.budgetCount, 'points on the curve from 0 to B');

export const interventionStudyCommand: Command = {
  name: 'intervention-study',
  summary:
    'correlated price-shock study of an intervention, saved as a run: budget curve, TVaR of cascade size, histograms, tail sampling',
  usage:
    'cwb intervention-study ECONOMY.json|--version ID [--scenarios N --seed S --rho R --sigma V --drift M] [--budget F --max-budget F --budgets K] [--method M] [--curve M] [--tail-threshold F --tail-shock F --tail-samples N] [--json]\n' +
    '       cwb intervention-study ECONOMY.json [study flags] --shard K/N --out PART.json   (one shard on a cluster node; no store)',
  positionals: { min: 0, max: 1 },
  flags: [
    ECONOMY_VERSION_FLAG,
    SCENARIOS_FLAG,
    SEED_FLAG,
    RHO_FLAG,
    SIGMA_FLAG,
    DRIFT_FLAG,
    BUDGET_FRACTION_FLAG,
    MAX_BUDGET_FLAG,
    STUDY_BUDGETS_FLAG,
    {
      name: 'quantiles',
      value: 'Q,…',
      description: 'TVaR quantiles, 1 to 10 of them in [0, 1) (default 0,0.5,0.9,0.99)',
    },
    STUDY_METHOD_FLAG,
    CURVE_FLAG,
    STUDY_OBJECTIVE_FLAG,
    TAIL_THRESHOLD_FLAG,
    TAIL_SHOCK_FLAG,
    TAIL_SAMPLES_FLAG,
    {
      name: 'shard',
      value: 'K/N',
      description:
        'run only shard K of N of the scenarios (scenarios K−1, K−1+N, …; for a cluster) and write its part to --out; merge with cwb merge',
    },
    { name: 'out', value: 'PART.json', description: 'with --shard: the part file to write' },
    FORCE_FLAG,
  ],
  async run({ positionals, flags }, io, context) {
    const quantiles =
      typeof flags.quantiles === 'string' ? flags.quantiles.split(',').map(Number) : [0, 0.5, 0.9, 0.99];
    const checked = validated(economyInterventionSchema, {
      target: 'economy',
      versionId: 1,
      method: requiredFlag(flags, STUDY_METHOD_FLAG),
      curveMethod: requiredFlag(flags, CURVE_FLAG),
      objective: requiredFlag(flags, STUDY_OBJECTIVE_FLAG),
      budgetFraction: requiredFlag(flags, BUDGET_FRACTION_FLAG),
      shocks: {
        rho: requiredFlag(flags, RHO_FLAG),
        sigma: requiredFlag(flags, SIGMA_FLAG),
        drift: requiredFlag(flags, DRIFT_FLAG),
      },
      scenarios: requiredFlag(flags, SCENARIOS_FLAG),
      seed: requiredFlag(flags, SEED_FLAG),
      maxBudgetFraction: requiredFlag(flags, MAX_BUDGET_FLAG),
      budgetCount: requiredFlag(flags, STUDY_BUDGETS_FLAG),
      quantiles,
      ...(flags['tail-threshold'] !== undefined
        ? {
            tail: {
              thresholdFraction: requiredFlag(flags, TAIL_THRESHOLD_FLAG),
              aggregateShockFraction: requiredFlag(flags, TAIL_SHOCK_FLAG),
              samples: requiredFlag(flags, TAIL_SAMPLES_FLAG),
            },
          }
        : {}),
    });
    if (flags.shard !== undefined) return runStudyShard(positionals[0], checked, flags, io);
    const app = context();
    io.err(
      `intervention-study: ${checked.scenarios} scenarios (ρ=${checked.shocks.rho}, σ=${checked.shocks.sigma}, μ=${checked.shocks.drift}, seed ${checked.seed})`,
    );
    const { run, params } = await runInterventionJob(app, io, positionals[0], flags, checked, 'intervention-study');
    const { results } = run;
    if (results.target !== 'economy') throw new Error(`intervention-study: run ${run.id} is not an economy study`);
    if (flags.json) {
      io.out(JSON.stringify({ runId: run.id, ...results }));
      return 0;
    }
    printStudy(io, await versionName(app, params), params, results);
    return 0;
  },
};

/** The study's summary as text (cwb intervention-study, and cwb merge of a study's parts). */
export function printStudy(
  io: CommandIo,
  name: string,
  params: Pick<StudyParams, 'budgetFraction' | 'curveMethod'>,
  results: Extract<InterventionRunResults, { target: 'economy' }>,
): void {
  const { display, study } = results;
  io.out(
    `${name}: ${display.method} with budget ${formatAmount(display.budget)} (${percent(params.budgetFraction)} of Σ(Dp) = ${formatAmount(results.totalAssetValue)}) on ${display.scenario}`,
  );
  io.out(
    `  failures ${display.failedBefore} → ${display.failedAfter}; spent ${formatAmount(display.spent)}; ${display.objective} ${formatAmount(display.objectiveValue)}`,
  );
  io.out(
    `scenario study (budget curve by ${methodLabel('economy', params.curveMethod)}): mean failures without intervention ${study.failedBefore.mean.toFixed(2)} ± ${study.failedBefore.halfWidth.toFixed(2)} (95% CI) of ${results.firms} firms`,
  );
  io.out(
    `  ${'budget'.padStart(14)} ${'% Σ(Dp)'.padStart(8)} ${'failures'.padStart(16)} ${'firms saved'.padStart(12)} ${'value saved'.padStart(12)}`,
  );
  for (const point of study.budgets) {
    io.out(
      `  ${formatAmount(point.budget).padStart(14)} ${percent(point.budgetFraction).padStart(8)} ${`${point.failedAfter.mean.toFixed(2)} ± ${point.failedAfter.halfWidth.toFixed(2)}`.padStart(16)} ${percent(point.firmsSavedFraction.mean).padStart(12)} ${percent(point.valueSavedFraction.mean).padStart(12)}`,
    );
  }
  io.out('TVaR of the cascade size (fraction of firms) at the chosen budget (Table 1):');
  for (const row of study.tvarReduction)
    io.out(`  q = ${row.q}: ${row.before.toFixed(4)} → ${row.after.toFixed(4)} (−${row.reductionPercent.toFixed(1)}%)`);
  if (results.tail) {
    const { tail } = results;
    io.out(
      `tail: P(failures ≥ ${tail.threshold}) plain ${tail.plain.exceedance.toExponential(3)} ± ${tail.plain.exceedanceError.toExponential(2)}, importance ${tail.importance.exceedance.toExponential(3)} ± ${tail.importance.exceedanceError.toExponential(2)} (${tail.importance.samples} samples each; ${tail.sampleSaving !== undefined ? `${tail.sampleSaving.toFixed(1)}× fewer samples for the same accuracy` : `sample saving ${tail.sampleSavingNote}`})`,
    );
  }
}

/**
 * One shard of a study on a cluster node: the economy file read (the store is not opened), the shard run as the
 * job's worker runs it (studyShard, runInterventionShard), its part written to --out.
 */
function runStudyShard(
  path: string | undefined,
  checked: z.output<typeof economyInterventionSchema>,
  flags: Record<string, string | true>,
  io: CommandIo,
): number {
  if (path === undefined || flags.version !== undefined)
    throw new UsageError(
      '--shard runs on an economy file (cluster nodes have no store): give ECONOMY.json, not --version',
    );
  if (typeof flags.shard !== 'string') throw new UsageError('--shard needs K/N, e.g. --shard 3/8');
  const shard = shardRange(flags.shard, checked.scenarios, 'scenarios');
  if (typeof flags.out !== 'string')
    throw new UsageError('--shard needs --out PART.json, the file its part of the study goes to');
  checkPartialTarget(flags.out, flags);
  const bytes = readInputFile(path);
  const document = parseEconomyJson(bytes, basename(path));
  checkEconomy(document);
  // The part carries the study's parameters; the version is the merging store's.
  const { versionId, ...params } = checked;
  void versionId;
  const input = studyShard(checked, document, shard.index - 1, shard.count);
  io.err(
    `intervention-study: shard ${shard.index}/${shard.count}, ${input.count} of ${checked.scenarios} scenarios (ρ=${checked.shocks.rho}, σ=${checked.shocks.sigma}, μ=${checked.shocks.drift}, seed ${checked.seed}), ${document.firms.length} firms`,
  );
  const started = performance.now();
  const part = runInterventionShard(input, { progress: () => undefined });
  writeStudyPartial(
    flags.out,
    {
      economy: document.name,
      economySha256: sha256Hex(bytes),
      firms: document.firms.length,
      params,
      shard: { index: shard.index, count: shard.count },
    },
    { ...part, ids: document.firms.map((firm) => firm.id), assetValues: part.assetValues!, partial: part.partial! },
    flags,
  );
  io.err(
    `shard ${shard.index}/${shard.count} (scenarios ${input.first}, ${input.first + input.stride}, …: ${input.count} of ${checked.scenarios}; ${((performance.now() - started) / 1000).toFixed(2)} s) written to ${flags.out}`,
  );
  return 0;
}

export const bailoutCommand: Command = {
  name: 'bailout',
  summary:
    'bailout payments that prevent Eisenberg–Noe defaults within a budget, and the defaults-vs-budget curve, saved as a run',
  usage:
    'cwb bailout NETWORK.json|--version ID --budget B --shock-fraction F [--method M] [--objective defaults|shortfall] [--budgets K] [--json]',
  positionals: { min: 0, max: 1 },
  flags: [
    VERSION_FLAG,
    BAILOUT_BUDGET_FLAG,
    SHOCK_FRACTION_FLAG,
    BAILOUT_METHOD_FLAG,
    BAILOUT_OBJECTIVE_FLAG,
    BAILOUT_BUDGETS_FLAG,
  ],
  async run({ positionals, flags }, io, context) {
    const checked = validated(interbankBailoutSchema, {
      target: 'interbank',
      versionId: 1,
      method: requiredFlag(flags, BAILOUT_METHOD_FLAG),
      objective: requiredFlag(flags, BAILOUT_OBJECTIVE_FLAG),
      budget: requiredFlag(flags, BAILOUT_BUDGET_FLAG),
      shockFraction: requiredFlag(flags, SHOCK_FRACTION_FLAG),
      budgetCount: requiredFlag(flags, BAILOUT_BUDGETS_FLAG),
    });
    const app = context();
    const { run, params } = await runInterventionJob(app, io, positionals[0], flags, checked, 'bailout');
    const { results } = run;
    if (results.target !== 'interbank') throw new Error(`bailout: run ${run.id} is not an interbank bailout`);
    const { display } = results;
    if (flags.json) {
      const paid = Object.fromEntries(
        display.nodes.filter((node) => node.payment > 0).map((node) => [node.id, node.payment]),
      );
      const defaulted = (after: boolean) =>
        display.nodes.filter((node) => (after ? node.roundAfter : node.roundBefore) > 0).map((node) => node.id);
      io.out(
        JSON.stringify({
          runId: run.id,
          payments: paid,
          spent: display.spent,
          defaultsBefore: defaulted(false),
          defaultsAfter: defaulted(true),
          objective: display.objectiveValue,
          curve: results.curve,
        }),
      );
      return 0;
    }
    io.out(
      `${await versionName(app, params)}: ${display.scenario}; ${display.method} bailouts within ${formatAmount(params.budget)} ${results.unit}`,
    );
    io.out(
      `  defaults ${display.failedBefore} → ${display.failedAfter}; spent ${formatAmount(display.spent)}; ${display.objective} ${formatAmount(display.objectiveValue)}`,
    );
    for (const node of display.nodes)
      if (node.payment > 0) io.out(`  ${node.id.padEnd(14)}${formatAmount(node.payment).padStart(16)}`);
    io.out('  budget → defaults after:');
    for (const point of results.curve)
      io.out(`  ${formatAmount(point.budget).padStart(14)} ${String(point.defaultsAfter).padStart(6)}`);
    return 0;
  },
};

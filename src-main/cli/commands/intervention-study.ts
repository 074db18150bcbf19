/**
 * `cwb intervention-study ECONOMY.json`: the chosen intervention on the mean-shock cascade, the correlated-shock
 * scenario study (budget curve, TVaR, Table 1, histograms) and optional tail sampling; `cwb bailout NETWORK.json`:
 * bailouts that prevent Eisenberg–Noe defaults. The same engines and parameters as the `intervention` job.
 */
import { basename } from 'node:path';
import type { z } from 'zod';
import {
  BAILOUT_METHOD_NAMES,
  DEFAULT_DISCOUNTFRAC,
  DISCOUNTFRAC_VARIANTS,
  ECONOMY_METHODS,
  economyInterventionSchema,
  interbankBailoutSchema,
  methodLabel,
} from '../../../src-shared/results/intervention';
import { interbankResults, runEconomyIntervention } from '../../engines/intervention-report';
import { toClearingSystem } from '../../engines/network-arrays';
import { parseEconomyJson, parseNetworkJson } from '../../io/network-json';
import { UsageError, type Command } from '../command';
import { choice, formatAmount, numberFlag, readTextFile } from './common';

/** The job's parameter schema checks the flags too; `versionId` is a placeholder (the command reads the file). */
function validated<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new UsageError(`${issue.path.join('.') || 'parameters'}: ${issue.message}`);
  }
  return parsed.data;
}

const percent = (value: number) => `${(100 * value).toFixed(1)}%`;

export const interventionStudyCommand: Command = {
  name: 'intervention-study',
  summary: 'correlated price-shock study of an intervention: budget curve, TVaR of cascade size, histograms, tail sampling',
  usage: 'cwb intervention-study ECONOMY.json [--scenarios N --seed S --rho R --sigma V --drift M] [--budget F --max-budget F --budgets K] [--method M] [--curve M] [--tail-threshold F --tail-shock F --tail-samples N] [--json]',
  positionals: 1,
  flags: [
    { name: 'scenarios', value: 'N', description: 'shock scenarios (default 1000)' },
    { name: 'seed', value: 'S', description: 'random seed (default 1); scenario s uses stream (S, s)' },
    { name: 'rho', value: 'R', description: 'common correlation ρ of the shocks (default 0.5, as in the paper)' },
    { name: 'sigma', value: 'V', description: 'volatility σ (default 0.15)' },
    { name: 'drift', value: 'M', description: 'drift μ (default −0.2); shocks are bounded below at −100%' },
    { name: 'budget', value: 'F', description: 'chosen budget as a fraction of Σ(Dp) (default 0.01)' },
    { name: 'max-budget', value: 'F', description: 'budget curve from 0 to F·Σ(Dp) (default 0.02)' },
    { name: 'budgets', value: 'K', description: 'points on the budget curve (default 21)' },
    { name: 'quantiles', value: 'Q,…', description: 'TVaR quantiles (default 0,0.5,0.9,0.99)' },
    { name: 'method', value: 'M', description: `${ECONOMY_METHODS.join('|')}: the intervention shown on the mean-shock cascade (default discountfrac-adapted; discountfrac is its alias)` },
    { name: 'curve', value: 'M', description: `${DISCOUNTFRAC_VARIANTS.join('|')}: the DiscountFrac variant that draws the budget curve (default ${DEFAULT_DISCOUNTFRAC})` },
    { name: 'objective', value: 'O', description: 'failures (default) or value' },
    { name: 'tail-threshold', value: 'F', description: 'tail sampling: estimate P(failures ≥ F·firms) (off unless given)' },
    { name: 'tail-shock', value: 'F', description: 'tail sampling: aggregate shock bound Δ = F·Σ(Dp) for the greedy worst shock (default 0.05)' },
    { name: 'tail-samples', value: 'N', description: 'tail sampling: samples for plain and for importance sampling (default 5000)' },
  ],
  async run({ positionals, flags }, io) {
    const path = positionals[0]!;
    const quantiles = typeof flags.quantiles === 'string' ? flags.quantiles.split(',').map(Number) : [0, 0.5, 0.9, 0.99];
    const params = validated(economyInterventionSchema, {
      target: 'economy',
      versionId: 1,
      method: choice(flags, 'method', [...ECONOMY_METHODS, 'discountfrac'], DEFAULT_DISCOUNTFRAC),
      curveMethod: choice(flags, 'curve', DISCOUNTFRAC_VARIANTS, DEFAULT_DISCOUNTFRAC),
      objective: choice(flags, 'objective', ['failures', 'value'], 'failures'),
      budgetFraction: numberFlag(flags, 'budget', 0.01, 0, 1),
      shocks: { rho: numberFlag(flags, 'rho', 0.5, 0, 0.999999), sigma: numberFlag(flags, 'sigma', 0.15, 0, 5), drift: numberFlag(flags, 'drift', -0.2, -1, 1) },
      scenarios: numberFlag(flags, 'scenarios', 1000, 1, 1_000_000),
      seed: numberFlag(flags, 'seed', 1, 0, 4294967295),
      maxBudgetFraction: numberFlag(flags, 'max-budget', 0.02, 0, 1),
      budgetCount: numberFlag(flags, 'budgets', 21, 2, 1000),
      quantiles,
      ...(flags['tail-threshold'] !== undefined
        ? { tail: { thresholdFraction: numberFlag(flags, 'tail-threshold', 0.5, 0, 1), aggregateShockFraction: numberFlag(flags, 'tail-shock', 0.05, 0, 1), samples: numberFlag(flags, 'tail-samples', 5000, 100, 1_000_000) } }
        : {}),
    });
    const document = parseEconomyJson(readTextFile(path), basename(path));
    io.err(`${document.firms.length} firms, ${params.scenarios} scenarios (ρ=${params.shocks.rho}, σ=${params.shocks.sigma}, μ=${params.shocks.drift}, seed ${params.seed})`);
    const results = runEconomyIntervention(document, params, (done) => io.err(`\r${done} scenarios`));
    io.err('\n');
    if (flags.json) {
      io.out(JSON.stringify(results));
      return 0;
    }
    const { display, study } = results;
    io.out(`${document.name}: ${display.method} with budget ${formatAmount(display.budget)} (${percent(params.budgetFraction)} of Σ(Dp) = ${formatAmount(results.totalAssetValue)}) on ${display.scenario}`);
    io.out(`  failures ${display.failedBefore} → ${display.failedAfter}; spent ${formatAmount(display.spent)}; ${display.objective} ${formatAmount(display.objectiveValue)}`);
    io.out(`scenario study (budget curve by ${methodLabel('economy', params.curveMethod)}): mean failures without intervention ${study.failedBefore.mean.toFixed(2)} ± ${study.failedBefore.halfWidth.toFixed(2)} (95% CI) of ${results.firms} firms`);
    io.out(`  ${'budget'.padStart(14)} ${'% Σ(Dp)'.padStart(8)} ${'failures'.padStart(16)} ${'firms saved'.padStart(12)} ${'value saved'.padStart(12)}`);
    for (const point of study.budgets) {
      io.out(`  ${formatAmount(point.budget).padStart(14)} ${percent(point.budgetFraction).padStart(8)} ${`${point.failedAfter.mean.toFixed(2)} ± ${point.failedAfter.halfWidth.toFixed(2)}`.padStart(16)} ${percent(point.firmsSavedFraction.mean).padStart(12)} ${percent(point.valueSavedFraction.mean).padStart(12)}`);
    }
    io.out('TVaR of the cascade size (fraction of firms) at the chosen budget (Table 1):');
    for (const row of study.tvarReduction) io.out(`  q = ${row.q}: ${row.before.toFixed(4)} → ${row.after.toFixed(4)} (−${row.reductionPercent.toFixed(1)}%)`);
    if (results.tail) {
      const { tail } = results;
      io.out(`tail: P(failures ≥ ${tail.threshold}) plain ${tail.plain.exceedance.toExponential(3)} ± ${tail.plain.exceedanceError.toExponential(2)}, importance ${tail.importance.exceedance.toExponential(3)} ± ${tail.importance.exceedanceError.toExponential(2)} (${tail.importance.samples} samples each; ${tail.sampleSaving !== undefined ? `${tail.sampleSaving.toFixed(1)}× fewer samples for the same accuracy` : `sample saving ${tail.sampleSavingNote}`})`);
    }
    return 0;
  },
};

export const bailoutCommand: Command = {
  name: 'bailout',
  summary: 'bailout payments that prevent Eisenberg–Noe defaults within a budget, and the defaults-vs-budget curve',
  usage: 'cwb bailout NETWORK.json --budget B --shock-fraction F [--method M] [--objective defaults|shortfall] [--budgets K] [--json]',
  positionals: 1,
  flags: [
    { name: 'budget', value: 'B', description: 'total bailout payments allowed (required, network units)' },
    { name: 'shock-fraction', value: 'F', description: 'every bank loses F of its outside assets, x = F·c (required, in (0, 1])' },
    { name: 'method', value: 'M', description: `${BAILOUT_METHOD_NAMES.join('|')} (default greedy)` },
    { name: 'objective', value: 'O', description: 'defaults (averted, default) or shortfall (reduction of Σ(p̄ − p))' },
    { name: 'budgets', value: 'K', description: 'points on the curve from 0 to B (default 11)' },
  ],
  async run({ positionals, flags }, io) {
    if (flags.budget === undefined) throw new UsageError('--budget B is required');
    if (flags['shock-fraction'] === undefined) throw new UsageError('--shock-fraction F is required');
    const params = validated(interbankBailoutSchema, {
      target: 'interbank',
      versionId: 1,
      method: choice(flags, 'method', [...BAILOUT_METHOD_NAMES], 'greedy'),
      objective: choice(flags, 'objective', ['defaults', 'shortfall'], 'defaults'),
      budget: numberFlag(flags, 'budget', 0, 0, Number.MAX_VALUE),
      shockFraction: numberFlag(flags, 'shock-fraction', 0.5, 0, 1),
      budgetCount: numberFlag(flags, 'budgets', 11, 2, 200),
    });
    const path = positionals[0]!;
    const document = parseNetworkJson(readTextFile(path), basename(path));
    const results = interbankResults(toClearingSystem(document), document, params);
    if (flags.json) {
      const paid = Object.fromEntries(results.display.nodes.filter((node) => node.payment > 0).map((node) => [node.id, node.payment]));
      const defaulted = (after: boolean) => results.display.nodes.filter((node) => (after ? node.roundAfter : node.roundBefore) > 0).map((node) => node.id);
      io.out(JSON.stringify({ payments: paid, spent: results.display.spent, defaultsBefore: defaulted(false), defaultsAfter: defaulted(true), objective: results.display.objectiveValue, curve: results.curve }));
      return 0;
    }
    const { display } = results;
    io.out(`${document.name}: ${display.scenario}; ${display.method} bailouts within ${formatAmount(params.budget)} ${results.unit}`);
    io.out(`  defaults ${display.failedBefore} → ${display.failedAfter}; spent ${formatAmount(display.spent)}; ${display.objective} ${formatAmount(display.objectiveValue)}`);
    for (const node of display.nodes) if (node.payment > 0) io.out(`  ${node.id.padEnd(14)}${formatAmount(node.payment).padStart(16)}`);
    io.out('  budget → defaults after:');
    for (const point of results.curve) io.out(`  ${formatAmount(point.budget).padStart(14)} ${String(point.defaultsAfter).padStart(6)}`);
    return 0;
  },
};

/**
 * `cwb intervene ECONOMY.json --budget B --method M`: payments that lower thresholds to θ − Ĉx (docs/formats.md), on the
 * economy as it is. Runs as the app's `intervention` job (target `economy-single`: one intervention, no scenario
 * study) on a version in the store (the file imported once, or --version), and is saved as a run.
 */
import { DISCOUNTFRAC_ALIAS, INTERVENTION_METHODS, resolveInterventionMethod, type InterventionObjective } from '../../engines/intervention';
import { methodLabel, singleInterventionSchema } from '../../../src-shared/results/intervention';
import { UsageError, type Command } from '../command';
import { choice, formatAmount, numberFlag, wholeFlag } from './common';
import { ECONOMY_VERSION_FLAG, runInterventionJob, validated, versionName } from './intervention-study';

const OBJECTIVES: InterventionObjective[] = ['failures', 'value'];
const MAX_GREEDY_SAMPLES = 10_000;
const MAX_STEPS = 1_000_000;

export const interveneCommand: Command = {
  name: 'intervene',
  summary: 'optimal intervention within a budget, saved as a run: payments per firm, failures before and after',
  usage: 'cwb intervene ECONOMY.json|--version ID --budget B --method M [--objective failures|value] [--samples N --seed S --uncertainty U] [--json]',
  positionals: { min: 0, max: 1 },
  flags: [
    ECONOMY_VERSION_FLAG,
    { name: 'budget', value: 'B', description: 'total payments Σx allowed (required, ≥ 0)' },
    {
      name: 'method',
      value: 'M',
      description:
        `${INTERVENTION_METHODS.join('|')} (required): DiscountFrac adapted to costs (capped influence per unit cost, skips firms it cannot afford), ` +
        `DiscountFrac as published (the paper's §4.2 and its authors' code: raw influence per unit cost, stops at the first firm it cannot afford), ` +
        `greedy integral / fractional with random thresholds, baselines, exact search (≤ 20 failing firms); ${DISCOUNTFRAC_ALIAS} = discountfrac-adapted`,
    },
    { name: 'objective', value: 'O', description: 'failures (number of failures averted, default) or value (market value saved)' },
    { name: 'samples', value: 'N', description: `greedy: Monte Carlo draws of the random thresholds, 1 … ${MAX_GREEDY_SAMPLES.toLocaleString('en-US')} (default 200)` },
    { name: 'seed', value: 'S', description: 'greedy: random seed, 0 … 4294967295 (default 1)' },
    { name: 'uncertainty', value: 'U', description: 'greedy: intervention thresholds uniform on θ̃(1 ± U), U in [0, 1] (default 0.1)' },
    { name: 'steps', value: 'K', description: `greedy-fractional: budget increments of B/K, 1 … ${MAX_STEPS.toLocaleString('en-US')} (default 20)` },
  ],
  async run({ positionals, flags }, io, context) {
    if (flags.budget === undefined) throw new UsageError('--budget B is required');
    const budget = numberFlag(flags, 'budget', 0, 0, Number.MAX_VALUE);
    const method = resolveInterventionMethod(choice(flags, 'method', [...INTERVENTION_METHODS, DISCOUNTFRAC_ALIAS]))!;
    const objective = choice<InterventionObjective>(flags, 'objective', OBJECTIVES, 'failures');
    const checked = validated(singleInterventionSchema, {
      target: 'economy-single',
      versionId: 1,
      method,
      objective,
      budget,
      uncertainty: numberFlag(flags, 'uncertainty', 0.1, 0, 1),
      greedySamples: wholeFlag(flags, 'samples', 200, 1, MAX_GREEDY_SAMPLES),
      seed: wholeFlag(flags, 'seed', 1, 0, 4294967295),
      steps: wholeFlag(flags, 'steps', 20, 1, MAX_STEPS),
    });
    const app = context();
    io.err(`intervene: budget ${formatAmount(budget)} (${methodLabel('economy', method)}, objective ${objective})`);
    const { run, params } = await runInterventionJob(app, io, positionals[0], flags, checked, 'intervene');
    const { results } = run;
    if (results.target !== 'economy-single') throw new Error(`intervene: run ${run.id} is not a single intervention`);
    const { display } = results;
    const payments = Object.fromEntries(display.nodes.map((node) => [node.id, node.payment]));
    const failed = (after: boolean) => display.nodes.filter((node) => (after ? node.roundAfter : node.roundBefore) > 0).map((node) => node.id);
    if (flags.json) {
      io.out(JSON.stringify({ runId: run.id, payments, spent: display.spent, failedBefore: failed(false), failedAfter: failed(true), objective: display.objectiveValue }));
      return 0;
    }
    io.out(`${await versionName(app, params)}, ${display.method}: ${display.failedBefore} firm(s) fail before, ${display.failedAfter} after; spent ${formatAmount(display.spent)} of ${formatAmount(budget)}`);
    io.out(`objective (${display.objective}): ${formatAmount(display.objectiveValue)}`);
    for (const node of display.nodes) if (node.payment > 0) io.out(`  ${node.id.padEnd(14)}${formatAmount(node.payment).padStart(16)}`);
    return 0;
  },
};

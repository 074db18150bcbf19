/**
 * `cwb intervene ECONOMY.json --budget B --method M`: payments that lower thresholds to θ − Ĉx (docs/formats.md), on the
 * economy as it is. Runs as the app's `intervention` job (target `economy-single`: one intervention, no scenario
 * study) on a version in the store (the file imported once, or --version), and is saved as a run.
 */
import { DEFAULT_DISCOUNTFRAC, DISCOUNTFRAC_ALIAS } from '../../engines/intervention';
import { methodLabel, singleInterventionSchema } from '../../../src-shared/results/intervention';
import type { Command } from '../command';
import { formatAmount } from './common';
import { requiredFlag, schemaFlag } from '../schema-flags';
import { ECONOMY_VERSION_FLAG, runInterventionJob, validated, versionName } from './intervention-study';

const SINGLE = singleInterventionSchema.shape;
const BUDGET_FLAG = schemaFlag('budget', 'B', SINGLE.budget, 'total payments Σx allowed, in the economy’s value unit');
const METHOD_FLAG = schemaFlag(
  'method',
  'M',
  SINGLE.method,
  'DiscountFrac adapted to costs (capped influence per unit cost, skips firms it cannot afford), ' +
    "DiscountFrac as published (the paper's §4.2 and its authors' code: raw influence per unit cost, stops at the first firm it cannot afford), " +
    `greedy integral / fractional with random thresholds, baselines, exact search (≤ 20 failing firms); ${DISCOUNTFRAC_ALIAS} = ${DEFAULT_DISCOUNTFRAC}`,
);
const OBJECTIVE_FLAG = schemaFlag(
  'objective',
  'O',
  SINGLE.objective,
  'number of failures averted, or market value saved',
);
const SAMPLES_FLAG = schemaFlag(
  'samples',
  'N',
  SINGLE.greedySamples,
  'greedy: Monte Carlo draws of the random thresholds',
);
const SEED_FLAG = schemaFlag('seed', 'S', SINGLE.seed, 'greedy: random seed');
const UNCERTAINTY_FLAG = schemaFlag(
  'uncertainty',
  'U',
  SINGLE.uncertainty,
  'greedy: intervention thresholds uniform on θ̃(1 ± U)',
);
const STEPS_FLAG = schemaFlag('steps', 'K', SINGLE.steps, 'greedy-fractional: budget increments of B/K');

export const interveneCommand: Command = {
  name: 'intervene',
  summary: 'optimal intervention within a budget, saved as a run: payments per firm, failures before and after',
  usage:
    'cwb intervene ECONOMY.json|--version ID --budget B --method M [--objective failures|value] [--samples N --seed S --uncertainty U] [--json]',
  positionals: { min: 0, max: 1 },
  flags: [
    ECONOMY_VERSION_FLAG,
    BUDGET_FLAG,
    METHOD_FLAG,
    OBJECTIVE_FLAG,
    SAMPLES_FLAG,
    SEED_FLAG,
    UNCERTAINTY_FLAG,
    STEPS_FLAG,
  ],
  async run({ positionals, flags }, io, context) {
    const budget = requiredFlag(flags, BUDGET_FLAG);
    const method = requiredFlag(flags, METHOD_FLAG);
    const objective = requiredFlag(flags, OBJECTIVE_FLAG);
    const checked = validated(singleInterventionSchema, {
      target: 'economy-single',
      versionId: 1,
      method,
      objective,
      budget,
      uncertainty: requiredFlag(flags, UNCERTAINTY_FLAG),
      greedySamples: requiredFlag(flags, SAMPLES_FLAG),
      seed: requiredFlag(flags, SEED_FLAG),
      steps: requiredFlag(flags, STEPS_FLAG),
    });
    const app = context();
    io.err(`intervene: budget ${formatAmount(budget)} (${methodLabel('economy', method)}, objective ${objective})`);
    const { run, params } = await runInterventionJob(app, io, positionals[0], flags, checked, 'intervene');
    const { results } = run;
    if (results.target !== 'economy-single') throw new Error(`intervene: run ${run.id} is not a single intervention`);
    const { display } = results;
    const payments = Object.fromEntries(display.nodes.map((node) => [node.id, node.payment]));
    const failed = (after: boolean) =>
      display.nodes.filter((node) => (after ? node.roundAfter : node.roundBefore) > 0).map((node) => node.id);
    if (flags.json) {
      io.out(
        JSON.stringify({
          runId: run.id,
          payments,
          spent: display.spent,
          failedBefore: failed(false),
          failedAfter: failed(true),
          objective: display.objectiveValue,
        }),
      );
      return 0;
    }
    io.out(
      `${await versionName(app, params)}, ${display.method}: ${display.failedBefore} firm(s) fail before, ${display.failedAfter} after; spent ${formatAmount(display.spent)} of ${formatAmount(budget)}`,
    );
    io.out(`objective (${display.objective}): ${formatAmount(display.objectiveValue)}`);
    for (const node of display.nodes)
      if (node.payment > 0) io.out(`  ${node.id.padEnd(14)}${formatAmount(node.payment).padStart(16)}`);
    return 0;
  },
};

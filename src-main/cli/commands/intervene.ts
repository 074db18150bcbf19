/** `cwb intervene ECONOMY.json --budget B --method M`: payments that lower thresholds to θ − Ĉx (docs/formats.md). */
import { basename } from 'node:path';
import { toEconomySystem } from '../../engines/cascade';
import { DISCOUNTFRAC_ALIAS, INTERVENTION_METHODS, intervene, resolveInterventionMethod, type InterventionObjective } from '../../engines/intervention';
import { methodLabel } from '../../../src-shared/results/intervention';
import { parseEconomyJson } from '../../io/network-json';
import { UsageError, type Command } from '../command';
import { byFirm } from './cascade';
import { choice, formatAmount, numberFlag, readTextFile, wholeFlag } from './common';

const OBJECTIVES: InterventionObjective[] = ['failures', 'value'];

export const interveneCommand: Command = {
  name: 'intervene',
  summary: 'optimal intervention within a budget: payments per firm, failures before and after',
  usage: 'cwb intervene ECONOMY.json --budget B --method M [--objective failures|value] [--samples N --seed S --uncertainty U] [--json]',
  positionals: 1,
  flags: [
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
    { name: 'samples', value: 'N', description: 'greedy: Monte Carlo draws of the random thresholds (default 200)' },
    { name: 'seed', value: 'S', description: 'greedy: random seed (default 1)' },
    { name: 'uncertainty', value: 'U', description: 'greedy: intervention thresholds uniform on θ̃(1 ± U), U in [0, 1] (default 0.1)' },
    { name: 'steps', value: 'K', description: 'greedy-fractional: budget increments of B/K (default 20)' },
  ],
  async run({ positionals, flags }, io) {
    const path = positionals[0]!;
    if (flags.budget === undefined) throw new UsageError('--budget B is required');
    const budget = numberFlag(flags, 'budget', 0, 0, Number.MAX_VALUE);
    const method = resolveInterventionMethod(choice(flags, 'method', [...INTERVENTION_METHODS, DISCOUNTFRAC_ALIAS]))!;
    const objective = choice<InterventionObjective>(flags, 'objective', OBJECTIVES, 'failures');
    const samples = wholeFlag(flags, 'samples', 200, 1, 1e7);
    const steps = wholeFlag(flags, 'steps', 20, 1, 1e6);
    const seed = numberFlag(flags, 'seed', 1, 0, 4294967295);
    const uncertainty = numberFlag(flags, 'uncertainty', 0.1, 0, 1);
    const document = parseEconomyJson(readTextFile(path), basename(path));
    const system = toEconomySystem(document);
    io.err(`intervening on ${system.nFirms} firms with budget ${formatAmount(budget)} (${methodLabel('economy', method)}, objective ${objective})`);
    const result = intervene(system, budget, { method, objective, samples, seed: Math.floor(seed), uncertainty, steps });
    const ids = (list: number[]) => list.map((i) => system.ids[i]!);
    const paid: Record<string, number> = {};
    const all = byFirm(system.ids, result.payments);
    for (const [id, x] of Object.entries(all)) if (x > 0) paid[id] = x;
    if (flags.json) {
      io.out(JSON.stringify({ payments: all, spent: result.spent, failedBefore: ids(result.failedBefore), failedAfter: ids(result.failedAfter), objective: result.objective }));
      return 0;
    }
    io.out(`${document.name}, ${methodLabel('economy', method)}: ${result.failedBefore.length} firm(s) fail before, ${result.failedAfter.length} after; spent ${formatAmount(result.spent)} of ${formatAmount(budget)}`);
    io.out(`objective (${objective === 'failures' ? 'failures averted' : 'market value saved'}): ${formatAmount(result.objective)}`);
    for (const [id, x] of Object.entries(paid)) io.out(`  ${id.padEnd(14)}${formatAmount(x).padStart(16)}`);
    return 0;
  },
};

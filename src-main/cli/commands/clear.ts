/** `cwb clear NETWORK.json --shocks SHOCKS.csv`: Eisenberg–Noe clearing of each shock scenario (docs/formats.md). */
import { basename } from 'node:path';
import { clearScenario, type ClearingOptions, type ScenarioClearing } from '../../engines/clearing';
import { assertFiniteResult } from '../../engines/limits';
import { toClearingSystem, type ClearingSystem } from '../../engines/network-arrays';
import { parseNetworkJson } from '../../io/network-json';
import { parseShockCsv } from '../../io/shock-csv';
import { UsageError, type Command } from '../command';
import { formatAmount, readTextFile, RECOVERY_FLAGS, recoveryFromFlags } from './common';

function byId(ids: string[], values: ArrayLike<number>): Record<string, number> {
  const out: Record<string, number> = {};
  ids.forEach((id, i) => {
    out[id] = values[i]!;
  });
  return out;
}

/** The docs/formats.md JSON of one cleared scenario (plus its name and the round each bank defaulted in). */
export function scenarioJson(system: ClearingSystem, name: string, result: ScenarioClearing) {
  const rounds: Record<string, number> = {};
  for (const i of result.defaults) rounds[system.ids[i]!] = result.defaultRound[i]!;
  return {
    scenario: name,
    payments: byId(system.ids, result.payments),
    defaults: result.defaults.map((i) => system.ids[i]!),
    defaultRound: rounds,
    shortfall: byId(system.ids, result.shortfall),
    depth: byId(system.ids, result.depth),
    loss: result.loss,
    shortfallTotal: result.shortfallTotal,
    shockTotal: result.shockTotal,
  };
}

export const clearCommand: Command = {
  name: 'clear',
  summary: 'Eisenberg–Noe clearing of each shock scenario: payments, defaults, shortfall, depth, loss',
  usage: 'cwb clear NETWORK.json --shocks SHOCKS.csv [--alpha A] [--beta B] [--json]',
  positionals: 1,
  flags: [
    {
      name: 'shocks',
      value: 'SHOCKS.csv',
      description: 'scenarios: header scenario,<node id>,…; values are losses 0 ≤ x ≤ c',
    },
    ...RECOVERY_FLAGS,
  ],
  run({ positionals, flags }, io) {
    const networkPath = positionals[0]!;
    const shocksPath = flags.shocks;
    if (typeof shocksPath !== 'string') throw new UsageError('--shocks SHOCKS.csv is required');
    const options: ClearingOptions = {
      ...recoveryFromFlags(flags),
      depth: true,
    };
    const document = parseNetworkJson(readTextFile(networkPath), basename(networkPath));
    const system = toClearingSystem(document);
    const table = parseShockCsv(readTextFile(shocksPath), system, basename(shocksPath));
    io.err(`clearing ${table.rows.length} scenario(s) on ${system.nBanks} banks`);
    const scenarios = assertFiniteResult(
      table.rows.map((row, k) => scenarioJson(system, table.scenarioNames[k]!, clearScenario(system, row, options))),
      'clearing result',
    );
    if (flags.json) {
      io.out(JSON.stringify({ netWorth: byId(system.ids, system.netWorth), scenarios }));
      return 0;
    }
    io.out(`${document.name}: ${system.nBanks} banks, ${table.rows.length} scenario(s)`);
    for (const scenario of scenarios) {
      io.out('');
      io.out(
        `scenario ${scenario.scenario}: loss ${formatAmount(scenario.loss)}, shocks ${formatAmount(scenario.shockTotal)}, shortfall ${formatAmount(scenario.shortfallTotal)}, ${scenario.defaults.length} default(s)`,
      );
      io.out(
        `  ${'bank'.padEnd(12)}${'net worth'.padStart(16)}${'payment'.padStart(16)}${'shortfall'.padStart(16)}${'depth'.padStart(10)}  round`,
      );
      for (const id of system.ids) {
        const index = system.ids.indexOf(id);
        const round = scenario.defaultRound[id];
        io.out(
          `  ${id.padEnd(12)}${formatAmount(system.netWorth[index]!).padStart(16)}${formatAmount(scenario.payments[id]!).padStart(16)}` +
            `${formatAmount(scenario.shortfall[id]!).padStart(16)}${scenario.depth[id]!.toFixed(3).padStart(10)}  ${round ?? '-'}`,
        );
      }
    }
    return 0;
  },
};

/** `cwb cascade ECONOMY.json`: the best-case (and with --worst the worst-case) failure equilibrium (docs/formats.md). */
import { basename } from 'node:path';
import { cascade, failedIndices, toEconomySystem, type CascadeResult, type EconomySystem } from '../../engines/cascade';
import { parseEconomyJson } from '../../io/network-json';
import type { Command } from '../command';
import { formatAmount, readTextFile } from './common';

export function byFirm(ids: string[], values: ArrayLike<number>): Record<string, number> {
  const out: Record<string, number> = {};
  ids.forEach((id, i) => {
    out[id] = values[i]!;
  });
  return out;
}

/** The docs/formats.md JSON of one equilibrium, plus the round in which each failed firm failed. */
export function equilibriumJson(system: EconomySystem, result: CascadeResult) {
  const failed = failedIndices(result);
  const rounds: Record<string, number> = {};
  for (const i of failed) rounds[system.ids[i]!] = result.rounds[i]!;
  return {
    marketValues: byFirm(system.ids, result.marketValues),
    bookValues: byFirm(system.ids, result.bookValues),
    failed: failed.map((i) => system.ids[i]!),
    rounds,
  };
}

export const cascadeCommand: Command = {
  name: 'cascade',
  summary: 'Elliott–Golub–Jackson failure cascade on a cross-holdings economy: market and book values, failed firms',
  usage: 'cwb cascade ECONOMY.json [--worst] [--json]',
  positionals: 1,
  flags: [{ name: 'worst', description: 'also report the worst-case equilibrium (iterated from "all firms failed")' }],
  run({ positionals, flags }, io) {
    const path = positionals[0]!;
    const document = parseEconomyJson(readTextFile(path), basename(path));
    const system = toEconomySystem(document);
    io.err(`cascade on ${system.nFirms} firms, ${system.nAssets} assets`);
    const best = cascade(system);
    const worst = flags.worst ? cascade(system, { start: 'all-failed' }) : undefined;
    const bestJson = equilibriumJson(system, best);
    if (flags.json) {
      const worstJson = worst ? equilibriumJson(system, worst) : undefined;
      io.out(
        JSON.stringify({
          ...bestJson,
          ...(worstJson
            ? {
                worst: {
                  marketValues: worstJson.marketValues,
                  bookValues: worstJson.bookValues,
                  failed: worstJson.failed,
                },
              }
            : {}),
        }),
      );
      return 0;
    }
    io.out(
      `${document.name}: ${system.nFirms} firms, ${bestJson.failed.length} fail in the best-case equilibrium${worst ? `, ${failedIndices(worst).length} in the worst case` : ''}`,
    );
    io.out(
      `  ${'firm'.padEnd(14)}${'threshold'.padStart(16)}${'market value'.padStart(16)}${'book value'.padStart(16)}  round${worst ? '  worst' : ''}`,
    );
    system.ids.forEach((id, i) => {
      io.out(
        `  ${id.padEnd(14)}${formatAmount(system.thresholds[i]!).padStart(16)}${formatAmount(best.marketValues[i]!).padStart(16)}` +
          `${formatAmount(best.bookValues[i]!).padStart(16)}  ${String(best.failed[i] ? best.rounds[i] : '-').padEnd(5)}${worst ? `  ${worst.failed[i] ? 'fails' : '-'}` : ''}`,
      );
    });
    return 0;
  },
};

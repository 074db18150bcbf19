/**
 * Holdings seen date by date: the nodes of a panel, its report dates with their position counts, and the positions
 * of one date on request. A panel in memory is one such source (`holdingsSource`); the training job's worker reads
 * another from the store, one date at a time (src-main/jobs/gt-worker.ts), so holdings larger than memory train
 * with one or two dates held at once.
 */
import type { HoldingsPanel, PanelNodes, PanelSnapshot } from '../engines/holdings-panel';

export interface HoldingsSource extends PanelNodes {
  /** Report dates, oldest first, distinct. */
  dates: string[];
  /** Positions on each date. */
  positions: number[];
  /** The positions of date `index` (of `dates`). */
  snapshot(index: number): Promise<PanelSnapshot>;
}

/** A panel in memory, or a source already. */
export type Holdings = HoldingsPanel | HoldingsSource;

export function holdingsSource(holdings: Holdings): HoldingsSource {
  if (!('snapshots' in holdings)) return holdings;
  const { investors, assets, snapshots } = holdings;
  return {
    investors,
    assets,
    dates: snapshots.map((s) => s.date),
    positions: snapshots.map((s) => s.amount.length),
    snapshot: (index) => Promise.resolve(snapshots[index]!),
  };
}

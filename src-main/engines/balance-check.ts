/**
 * Balance-sheet consistency (Ruela 2019, §1.1, docs/formats.md): the net worth implied by the
 * network, w_i = c_i + Σ_j p̄_ji − p̄_i, against the stated equity of each node. A node is inconsistent when
 * |w_i − equity_i| > relativeTolerance · max(|equity_i|, |w_i|, absoluteFloor).
 */
import type { NetworkDocument } from '../../src-shared/formats/network';
import type { BalanceInconsistency } from '../../src-shared/results/stress';
import { toClearingSystem } from './network-arrays';

export type { BalanceInconsistency };

export interface BalanceCheckOptions {
  /** Default 1e-6. */
  relativeTolerance?: number;
  /** Differences below this are ignored whatever the scale (default 1e-9). */
  absoluteFloor?: number;
}

/**
 * Nodes whose stated equity differs from the derived net worth; nodes without equity are skipped. `netWorth`: the
 * network's clearing system's, where the caller has built it already.
 */
export function checkBalances(
  doc: NetworkDocument,
  options: BalanceCheckOptions = {},
  netWorth = toClearingSystem(doc).netWorth,
): BalanceInconsistency[] {
  const relativeTolerance = options.relativeTolerance ?? 1e-6;
  const absoluteFloor = options.absoluteFloor ?? 1e-9;
  const out: BalanceInconsistency[] = [];
  doc.nodes.forEach((node, i) => {
    const stated = node.equity;
    if (stated === null || stated === undefined) return;
    const derived = netWorth[i]!;
    const difference = derived - stated;
    const scale = Math.max(Math.abs(stated), Math.abs(derived));
    if (Math.abs(difference) > Math.max(absoluteFloor, relativeTolerance * scale)) {
      out.push({ id: node.id, stated, derived, difference });
    }
  });
  return out;
}

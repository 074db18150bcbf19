/**
 * Synthetic interbank networks for tests and benchmarks (no I/O): a random sparse network with realistic
 * balance-sheet proportions, and the Glasserman & Young (2015) table banks (assets, EAD, w) as network@1 nodes
 * with insideAssets = insideLiabilities = EAD, c_i = assets − EAD, p̄_i = assets − w_i, b_i = p̄_i − EAD
 * (Ruela 2019, §1.1 identities), ready for maximum-entropy reconstruction.
 */
import {
  NETWORK_FORMAT,
  type Liability,
  type NetworkDocument,
  type NetworkNode,
} from '../../src-shared/formats/network';
import { Rng } from './random';

/** One row of the Glasserman–Young table. */
export interface BankBalanceRow {
  id: string;
  totalAssets: number;
  interbankExposure: number;
  netWorth: number;
}

/** Nodes (no liabilities yet) from balance-sheet rows; reconstruct the liabilities with maxent. */
export function documentFromBalanceRows(
  name: string,
  rows: BankBalanceRow[],
  defaultProbability = 0.01,
): NetworkDocument {
  const nodes: NetworkNode[] = rows.map((row) => {
    const totalLiabilities = row.totalAssets - row.netWorth;
    return {
      id: row.id,
      type: 'bank',
      outsideAssets: row.totalAssets - row.interbankExposure,
      outsideLiabilities: totalLiabilities - row.interbankExposure,
      totalAssets: row.totalAssets,
      totalLiabilities,
      equity: row.netWorth,
      insideAssets: row.interbankExposure,
      insideLiabilities: row.interbankExposure,
      defaultProbability,
    };
  });
  return { format: NETWORK_FORMAT, name, currency: 'EUR', unit: 'million', nodes, liabilities: [] };
}

/**
 * A random network of nBanks with about linksPerBank creditors per debtor: log-normal sizes, connectivity
 * β_i ∈ [0.05, 0.4], equity ≈ 4–8% of total assets. Reproducible for a seed.
 */
export function randomSparseNetwork(nBanks: number, linksPerBank: number, seed: number): NetworkDocument {
  const rng = new Rng(seed, 0);
  const ids = Array.from({ length: nBanks }, (_, i) => `B${String(i + 1).padStart(4, '0')}`);
  const size = Float64Array.from({ length: nBanks }, () => Math.exp(8 + 1.5 * rng.normal()));
  const liabilities: Liability[] = [];
  const owed = new Float64Array(nBanks);
  const claims = new Float64Array(nBanks);
  for (let i = 0; i < nBanks; i++) {
    const chosen = new Set<number>();
    const links = Math.min(nBanks - 1, linksPerBank);
    while (chosen.size < links) {
      const j = Math.floor(rng.uniform() * nBanks);
      if (j !== i) chosen.add(j);
    }
    const connectivity = 0.05 + 0.35 * rng.uniform();
    const interbank = size[i]! * connectivity;
    const weights = Array.from(chosen, (j) => ({ j, weight: rng.uniform() * Math.sqrt(size[j]!) }));
    const totalWeight = weights.reduce((sum, entry) => sum + entry.weight, 0);
    for (const { j, weight } of weights) {
      const amount = (interbank * weight) / totalWeight;
      liabilities.push({ debtor: ids[i]!, creditor: ids[j]!, amount });
      owed[i]! += amount;
      claims[j]! += amount;
    }
  }
  const nodes: NetworkNode[] = ids.map((id, i) => {
    const connectivity = owed[i]! / size[i]!;
    const totalObligations = size[i]!;
    const outsideLiabilities = totalObligations * (1 - connectivity);
    const equityRatio = 0.04 + 0.04 * rng.uniform();
    let netWorth = (equityRatio * totalObligations) / (1 - equityRatio);
    let outsideAssets = totalObligations + netWorth - claims[i]!;
    if (outsideAssets < 0.2 * totalObligations) {
      outsideAssets = 0.2 * totalObligations;
      netWorth = outsideAssets + claims[i]! - totalObligations;
    }
    return {
      id,
      type: 'bank',
      outsideAssets,
      outsideLiabilities,
      totalAssets: outsideAssets + claims[i]!,
      totalLiabilities: totalObligations,
      equity: netWorth,
      insideAssets: claims[i]!,
      insideLiabilities: owed[i]!,
      defaultProbability: 0.01,
    };
  });
  return { format: NETWORK_FORMAT, name: `random sparse ${nBanks} banks`, nodes, liabilities };
}

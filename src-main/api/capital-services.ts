/** Capital allocation services: the Table 2 tiers of a saved network version, shown before a study is run. */
import type { CapitalBaseName, CapitalTierResult } from '../../src-shared/results/capital';
import { capitalTiers } from '../engines/capital-allocation';
import { toClearingSystem } from '../engines/network-arrays';
import type { Db } from '../store/db';
import { networks } from '../store/repositories';

export function tiersOfVersion(
  db: Db,
  versionId: number,
  tiers: number,
  base: CapitalBaseName,
): { nBanks: number; unit: string; tiers: CapitalTierResult[] } {
  const { document } = networks.getVersion(db, versionId);
  const system = toClearingSystem(document);
  return {
    nBanks: system.nBanks,
    unit: [document.currency, document.unit].filter(Boolean).join(' ') || 'units',
    tiers: capitalTiers(system, tiers, base).map((tier) => ({
      tier: tier.index + 1,
      banks: tier.banks.map((i) => system.ids[i]!),
      totalAssets: tier.totalAssets,
      share: tier.share,
      baseTotal: tier.baseTotal,
    })),
  };
}

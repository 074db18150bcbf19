/**
 * A plain reference for what society receives under a capital allocation (tests and the benchmark): the
 * capitalised network rebuilt from scratch (cᵢ + k_t(i) p̄ᵢ) and each scenario cleared by Picard iteration,
 * R/B = Σᵢ (bᵢ/p̄ᵢ) pᵢ / Σᵢ bᵢ.
 */
import type { CapitalTier } from '../../src-main/engines/capital-allocation';
import { clearPicard } from '../../src-main/engines/clearing';
import { fromDenseLiabilities, type ClearingSystem } from '../../src-main/engines/network-arrays';

export function picardSocietyReceipts(
  system: ClearingSystem,
  tiers: CapitalTier[],
  k: number[],
  shocks: Float64Array,
): Float64Array {
  const n = system.nBanks;
  const tierOf = new Int32Array(n);
  tiers.forEach((tier) => tier.banks.forEach((i) => (tierOf[i] = tier.index)));
  const capitalised = fromDenseLiabilities(
    system.ids,
    system.pbarMatrix.slice(),
    system.outsideAssets.map((c, i) => c + k[tierOf[i]!]! * system.totalObligations[i]!),
    system.outsideLiabilities.slice(),
  );
  let claims = 0;
  for (let i = 0; i < n; i++) claims += system.outsideLiabilities[i]!;
  const received = new Float64Array(shocks.length / n);
  for (let s = 0; s < received.length; s++) {
    const { payments } = clearPicard(capitalised, shocks, { offset: s * n, tolerance: 1e-12 });
    let paid = 0;
    for (let i = 0; i < n; i++) paid += (system.outsideLiabilities[i]! / system.totalObligations[i]!) * payments[i]!;
    received[s] = paid / claims;
  }
  return received;
}

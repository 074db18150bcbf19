/**
 * Synthetic cross-holdings economies with large cascades, for the method-versus-baseline tests and the
 * intervention benchmark (the model of cascade.ts; the thresholds and failure costs of the paper's §4.1 set up
 * relative to value: θ = v − slack, β = cost × v).
 *
 *   - firms fall in `clusters` communities; each firm's shares are held by `degree` other firms, a share
 *     `withinCluster` of them from its own community; the part of firm j held by other firms is Σ_i C_ij = h_j,
 *     h_j uniform on `heldShare`, split over its holders by uniform weights;
 *   - outside asset values (Dp)_i lognormal, exp(N(0, 1)) × 100: a few large firms and many small ones;
 *   - with v the market values without failures: θ_i = (1 − u_i) v_i, u_i uniform on `slack` (default 0.15–0.45), and
 *     β_i = b_i v_i, b_i uniform on `failureCost` (default 0.2–0.5).
 * A larger failure cost relative to the slack gives longer cascades (a failure costs its holders more than their
 * cushion). Seeded: the same options give the same economy.
 */
import { CROSSHOLDINGS_FORMAT, type EconomyDocument } from '../../src-shared/formats/crossholdings';
import { cascade, fromDenseEconomy, type EconomySystem } from './cascade';
import { EngineInputError } from './errors';
import { Rng } from './random';

export interface GeneratorOptions {
  firms: number;
  seed: number;
  clusters?: number;
  degree?: number;
  withinCluster?: number;
  heldShare?: [number, number];
  slack?: [number, number];
  failureCost?: [number, number];
}

export function generateEconomy(options: GeneratorOptions): EconomySystem {
  const n = options.firms;
  if (!(Number.isInteger(n) && n >= 1)) throw new EngineInputError(`firms must be an integer ≥ 1, got ${n}`, 'firms');
  const clusters = Math.max(1, Math.min(n, options.clusters ?? Math.max(1, Math.round(n / 40))));
  const degree = Math.min(n - 1, options.degree ?? 6);
  const withinCluster = options.withinCluster ?? 0.8;
  const [heldLow, heldHigh] = options.heldShare ?? [0.2, 0.5];
  const [slackLow, slackHigh] = options.slack ?? [0.15, 0.45];
  const [costLow, costHigh] = options.failureCost ?? [0.2, 0.5];
  if (!(heldLow >= 0 && heldHigh < 1 && heldLow <= heldHigh))
    throw new EngineInputError('heldShare must satisfy 0 ≤ low ≤ high < 1', 'heldShare');
  const rng = new Rng(options.seed, 0);
  const clusterOf = Int32Array.from({ length: n }, (_, i) => Math.floor((i * clusters) / n));
  const members: number[][] = Array.from({ length: clusters }, () => []);
  clusterOf.forEach((c, i) => members[c]!.push(i));
  const crossHoldings = new Float64Array(n * n);
  const holders = new Set<number>();
  for (let j = 0; j < n; j++) {
    holders.clear();
    const own = members[clusterOf[j]!]!;
    for (let attempts = 0; holders.size < degree && attempts < 20 * degree; attempts++) {
      const pool = own.length > 1 && rng.uniform() < withinCluster ? own : null;
      const i = pool ? pool[Math.floor(rng.uniform() * pool.length)]! : Math.floor(rng.uniform() * n);
      if (i !== j) holders.add(i);
    }
    const held = heldLow + (heldHigh - heldLow) * rng.uniform();
    const weights = [...holders].map(() => 0.1 + rng.uniform());
    const total = weights.reduce((sum, w) => sum + w, 0);
    [...holders].forEach((i, index) => {
      crossHoldings[i * n + j] = (held * weights[index]!) / total;
    });
  }
  const assetValues = Float64Array.from({ length: n }, () => 100 * Math.exp(rng.normal()));
  const ids = Array.from({ length: n }, (_, i) => `F${String(i + 1).padStart(String(n).length, '0')}`);
  const healthy = cascade(
    fromDenseEconomy({
      ids,
      crossHoldings,
      assetValues,
      thresholds: new Float64Array(n),
      failureCosts: new Float64Array(n),
    }),
  ).marketValues;
  const thresholds = Float64Array.from(healthy, (v) => v * (1 - (slackLow + (slackHigh - slackLow) * rng.uniform())));
  const failureCosts = Float64Array.from(healthy, (v) => v * (costLow + (costHigh - costLow) * rng.uniform()));
  return fromDenseEconomy({ ids, crossHoldings, assetValues, thresholds, failureCosts });
}

/** A generated economy as a `crossholdings@1` document (each firm holds all of its own output asset). */
export function economyDocumentOf(system: EconomySystem, name: string): EconomyDocument {
  const n = system.nFirms;
  const crossHoldings: EconomyDocument['crossHoldings'] = [];
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const share = system.crossHoldings[i * n + j]!;
      if (share > 0) crossHoldings.push({ holder: system.ids[i]!, issuer: system.ids[j]!, share });
    }
  }
  return {
    format: CROSSHOLDINGS_FORMAT,
    name,
    firms: system.ids.map((id, i) => ({ id, threshold: system.thresholds[i]!, failureCost: system.failureCosts[i]! })),
    assets: system.ids.map((id, i) => ({ id: `${id}_asset`, price: system.assetValues[i]! })),
    assetHoldings: system.ids.map((id) => ({ firm: id, asset: `${id}_asset`, share: 1 })),
    crossHoldings,
  };
}

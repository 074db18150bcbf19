/**
 * A holdings panel in memory: investors, assets and one snapshot of positions per report date (the bipartite
 * graph G_t = (I, A, E_t) of §3 of Coppola et al., "Regulation and AI: a graph transformer for holdings data"),
 * with the node characteristics of §4 computed from the positions when the data do not give them, and the trade
 * targets of eqs. (21)–(22):
 *
 *   Δ%q_ia,t = (q_ia,t+1 − q_ia,t) / q_ia,t                      (21; a position closed at t+1 counts as −100 %)
 *   y_ia,t   = (Δ%q_ia,t − mean_i Δ%q_a,t) / σ_i(Δ%q_a,t)         (22; cross-sectional z-score over the holders of a)
 *
 * Pure: no I/O. Engines, the model, the store loader and the generator share these types.
 */

export interface PanelInvestor {
  code: string;
  name?: string | null;
  type: string | null;
  /** "active" or "passive" (or the data's own label). */
  style: string | null;
  /** Assets under management; computed as the sum of positions at a date when null. */
  aum: number | null;
}

export interface PanelAsset {
  code: string;
  name?: string | null;
  class: string | null;
  currency: string | null;
  /** Amount outstanding; computed as the sum held at a date when null. */
  amountOutstanding: number | null;
}

/** Positions at one report date: parallel arrays of investor index, asset index and amount (> 0). */
export interface PanelSnapshot {
  date: string;
  investor: Int32Array;
  asset: Int32Array;
  amount: Float64Array;
}

/** The nodes of a panel: what every date shares. */
export interface PanelNodes {
  investors: PanelInvestor[];
  assets: PanelAsset[];
}

export interface HoldingsPanel extends PanelNodes {
  /** Oldest first; dates are distinct. */
  snapshots: PanelSnapshot[];
}

/** Per-node characteristics at one date (§4): counts and moments of position size, size measures. */
export interface NodeCharacteristics {
  /** Investors: number of positions; assets: number of holders. */
  count: Float64Array;
  meanPosition: Float64Array;
  stdPosition: Float64Array;
  /** Investors: AUM (given, else the sum of positions); assets: amount outstanding (given, else the sum held). */
  size: Float64Array;
}

function moments(
  nodes: number,
  index: Int32Array,
  amount: Float64Array,
  given: Array<number | null>,
): NodeCharacteristics {
  const count = new Float64Array(nodes);
  const sum = new Float64Array(nodes);
  const sumSquares = new Float64Array(nodes);
  for (let k = 0; k < index.length; k++) {
    const node = index[k]!;
    count[node]! += 1;
    sum[node]! += amount[k]!;
    sumSquares[node]! += amount[k]! * amount[k]!;
  }
  const meanPosition = new Float64Array(nodes);
  const stdPosition = new Float64Array(nodes);
  const size = new Float64Array(nodes);
  for (let node = 0; node < nodes; node++) {
    const n = count[node]!;
    const mean = n > 0 ? sum[node]! / n : 0;
    meanPosition[node] = mean;
    stdPosition[node] = n > 1 ? Math.sqrt(Math.max(0, (sumSquares[node]! - n * mean * mean) / (n - 1))) : 0;
    size[node] = given[node] ?? sum[node]!;
  }
  return { count, meanPosition, stdPosition, size };
}

export function investorCharacteristics(panel: PanelNodes, snapshot: PanelSnapshot): NodeCharacteristics {
  return moments(
    panel.investors.length,
    snapshot.investor,
    snapshot.amount,
    panel.investors.map((row) => row.aum),
  );
}

export function assetCharacteristics(panel: PanelNodes, snapshot: PanelSnapshot): NodeCharacteristics {
  return moments(
    panel.assets.length,
    snapshot.asset,
    snapshot.amount,
    panel.assets.map((row) => row.amountOutstanding),
  );
}

/**
 * Trade z-scores y_ia,t (eqs. 21–22) for each position of `current`, given the next snapshot: NaN where the
 * asset has fewer than `minHolders` holders at t or its position changes do not vary.
 */
export function tradeZScores(
  current: PanelSnapshot,
  next: PanelSnapshot,
  assets: number,
  minHolders = 3,
): Float64Array {
  const nextAmount = new Map<number, number>();
  for (let k = 0; k < next.investor.length; k++)
    nextAmount.set(next.investor[k]! * assets + next.asset[k]!, next.amount[k]!);
  const change = new Float64Array(current.amount.length);
  const count = new Float64Array(assets);
  const sum = new Float64Array(assets);
  const sumSquares = new Float64Array(assets);
  for (let k = 0; k < change.length; k++) {
    const q = current.amount[k]!;
    const value = ((nextAmount.get(current.investor[k]! * assets + current.asset[k]!) ?? 0) - q) / q;
    change[k] = value;
    const a = current.asset[k]!;
    count[a]! += 1;
    sum[a]! += value;
    sumSquares[a]! += value * value;
  }
  const z = new Float64Array(change.length);
  for (let k = 0; k < change.length; k++) {
    const a = current.asset[k]!;
    const n = count[a]!;
    const mean = sum[a]! / n;
    const variance = n > 1 ? (sumSquares[a]! - n * mean * mean) / (n - 1) : 0;
    z[k] = n >= minHolders && variance > 1e-12 ? (change[k]! - mean) / Math.sqrt(variance) : Number.NaN;
  }
  return z;
}

/** Pearson correlation of two equally long series over the pairs where both are finite; NaN under 3 pairs. */
export function correlation(x: ArrayLike<number>, y: ArrayLike<number>): number {
  let n = 0;
  let sx = 0;
  let sy = 0;
  for (let k = 0; k < x.length; k++) {
    if (!Number.isFinite(x[k]!) || !Number.isFinite(y[k]!)) continue;
    n++;
    sx += x[k]!;
    sy += y[k]!;
  }
  if (n < 3) return Number.NaN;
  const mx = sx / n;
  const my = sy / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let k = 0; k < x.length; k++) {
    if (!Number.isFinite(x[k]!) || !Number.isFinite(y[k]!)) continue;
    const dx = x[k]! - mx;
    const dy = y[k]! - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  return sxx > 0 && syy > 0 ? sxy / Math.sqrt(sxx * syy) : Number.NaN;
}

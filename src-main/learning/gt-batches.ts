/**
 * Sampled mini-batches for the graph transformer: subgraphs by investor, in the spirit of Cluster-GCN (Chiang et
 * al., "Cluster-GCN: An efficient algorithm for training deep and large graph convolutional networks", KDD 2019,
 * §3.1) with the investors of a holdings graph as the partition. A batch is a set of investors, every position
 * they hold and the assets of those positions; message passing runs on that subgraph only, so an investor sees
 * all its assets and an asset sees the batch's holders of it. The masked-autoencoder pairs (masked positions and
 * sampled non-edges) and the trade targets are those of the batch, so memory is bounded by the batch (its
 * positions × d_h), not by the graph.
 *
 * The partition is a seeded shuffle of the investors cut into groups of `batchInvestors` (a new shuffle per
 * epoch); validation uses the unshuffled partition with a fixed mask per batch, so its loss is comparable from
 * epoch to epoch.
 */
import { Rng } from '../engines/random';
import {
  ASSET_CATEGORIES,
  INVESTOR_CATEGORIES,
  NUMERIC_FEATURES,
  type DateGraph,
  type PreparedDate,
} from './graph-transformer';

/** Positions of each investor: CSR offsets (investors + 1) into the list of position indices. */
export interface InvestorIndex {
  start: Int32Array;
  positions: Int32Array;
  /** For each position, its index among the date's trade targets, or −1. */
  tradeOf: Int32Array;
}

const indexCache = new WeakMap<DateGraph, InvestorIndex>();

export function investorIndex(date: PreparedDate): InvestorIndex {
  const cached = indexCache.get(date.graph);
  if (cached) return cached;
  const { graph } = date;
  const start = new Int32Array(graph.investors + 1);
  for (const i of graph.edgeInvestor) start[i + 1]!++;
  for (let i = 0; i < graph.investors; i++) start[i + 1]! += start[i]!;
  const next = start.slice(0, graph.investors);
  const positions = new Int32Array(graph.edgeInvestor.length);
  graph.edgeInvestor.forEach((i, e) => (positions[next[i]!++] = e));
  const tradeOf = new Int32Array(graph.edgeInvestor.length).fill(-1);
  date.trade?.position.forEach((position, k) => (tradeOf[position] = k));
  const index = { start, positions, tradeOf };
  indexCache.set(date.graph, index);
  return index;
}

/** Investors cut into batches of `size` after a shuffle with `rng` (in index order without one). */
export function investorBatches(investors: number, size: number, rng?: Rng): Int32Array[] {
  const order = Int32Array.from({ length: investors }, (_, k) => k);
  if (rng) {
    for (let k = investors - 1; k > 0; k--) {
      const j = Math.floor(rng.uniform() * (k + 1));
      [order[k], order[j]] = [order[j]!, order[k]!];
    }
  }
  const batches: Int32Array[] = [];
  for (let k = 0; k < investors; k += Math.max(1, size)) batches.push(order.slice(k, k + Math.max(1, size)).sort());
  return batches;
}

/** The subgraph of a batch of investors as a date of its own: their positions, their assets, the batch's trades. */
export function batchDate(date: PreparedDate, investors: Int32Array): PreparedDate {
  const { graph } = date;
  const { start, positions, tradeOf } = investorIndex(date);
  let count = 0;
  for (const i of investors) count += start[i + 1]! - start[i]!;
  const assetOf = new Map<number, number>();
  const edgeInvestor = new Int32Array(count);
  const edgeAsset = new Int32Array(count);
  const edgeWeight = new Float32Array(count);
  const trades: number[] = [];
  let e = 0;
  investors.forEach((investor, local) => {
    for (let k = start[investor]!; k < start[investor + 1]!; k++) {
      const position = positions[k]!;
      const asset = graph.edgeAsset[position]!;
      if (!assetOf.has(asset)) assetOf.set(asset, assetOf.size);
      edgeInvestor[e] = local;
      edgeAsset[e] = assetOf.get(asset)!;
      edgeWeight[e] = graph.edgeWeight[position]!;
      if (tradeOf[position]! >= 0) trades.push(e, tradeOf[position]!);
      e++;
    }
  });
  const assets = Int32Array.from(assetOf.keys());
  const rows = (values: Float32Array | Int32Array, nodes: Int32Array, width: number) => {
    const out = new (values.constructor as Float32ArrayConstructor | Int32ArrayConstructor)(nodes.length * width);
    nodes.forEach((node, k) => out.set(values.subarray(node * width, (node + 1) * width), k * width));
    return out;
  };
  const tradeCount = trades.length / 2;
  return {
    index: date.index,
    graph: {
      date: graph.date,
      investors: investors.length,
      assets: assets.length,
      investorNumeric: rows(graph.investorNumeric, investors, NUMERIC_FEATURES.length) as Float32Array,
      investorCategory: rows(graph.investorCategory, investors, INVESTOR_CATEGORIES.length) as Int32Array,
      assetNumeric: rows(graph.assetNumeric, assets, NUMERIC_FEATURES.length) as Float32Array,
      assetCategory: rows(graph.assetCategory, assets, ASSET_CATEGORIES.length) as Int32Array,
      edgeInvestor,
      edgeAsset,
      edgeWeight,
    },
    trade: date.trade
      ? {
          investor: Int32Array.from({ length: tradeCount }, (_, k) => edgeInvestor[trades[2 * k]!]!),
          asset: Int32Array.from({ length: tradeCount }, (_, k) => edgeAsset[trades[2 * k]!]!),
          target: Float32Array.from({ length: tradeCount }, (_, k) => date.trade!.target[trades[2 * k + 1]!]!),
          position: Int32Array.from({ length: tradeCount }, (_, k) => trades[2 * k]!),
        }
      : null,
  };
}

/**
 * Evaluation of a trained graph transformer (§4 of the paper, Figures 2–3): correlations of predictions with
 * targets for both tasks on training and validation dates, by investor type and style (validation dates), and by
 * date with stress periods flagged from a user-supplied stress index (the paper shades quarters where the St. Louis
 * Fed index exceeds 1.5). Each is set beside a plain baseline:
 *
 * - trades: the mean trade z-score of the same (investor type, investor style, asset class) cell over the training
 *   dates (the asset mean itself is zero by construction of the z-score, eq. 22);
 * - reconstruction: the independence model ŵ_ia = r_i c_a / T from the visible positions (r_i, c_a the row and
 *   column sums of w̃, T the total), the rank-one fit of the holdings matrix.
 *
 * Also: embeddings of every node at a date (inductive: any panel), a CSV of them, their first two principal
 * components, and trade predictions for every position.
 */
import * as tf from '@tensorflow/tfjs';
import { AppError } from '../../src-shared/errors';
import { csvRow } from '../../src-shared/formats/csv-cell';
import type { HoldingsPanel } from '../engines/holdings-panel';
import { holdingsSource, type Holdings } from './holdings-source';
import { correlation } from '../engines/holdings-panel';
import type { CorrelationPair, GtDateMetric, GtGroupMetric } from '../../src-shared/results/graph-transformer';
import { directedEdges, embedNodes, pairHead, prepareDateGraph, type Parameters } from './graph-transformer';
import {
  disposeParameters,
  loadParameters,
  evaluationMask,
  prepareDate,
  PreparedDateReader,
  type GraphTransformerArtifact,
  type MaskSample,
  type PreparedDate,
} from './gt-training';

export const BASELINE_DESCRIPTIONS = {
  trade: 'mean trade z-score of the (investor type, style, asset class) cell on the training dates',
  reconstruction: 'independence model r_i·c_a/T of the visible positions (rank-one fit)',
};

interface Collected {
  target: number[];
  model: number[];
  baseline: number[];
}

const empty = (): Collected => ({ target: [], model: [], baseline: [] });

function pair(collected: Collected): CorrelationPair {
  return {
    model: correlation(collected.model, collected.target),
    baseline: correlation(collected.baseline, collected.target),
    pairs: collected.target.length,
  };
}

function push(into: Collected, target: number, model: number, baseline: number): void {
  into.target.push(target);
  into.model.push(model);
  into.baseline.push(baseline);
}

/** Reads a tensor back (asynchronously: WebGPU cannot read synchronously in Node) and disposes it. */
async function readAndDispose(tensor: tf.Tensor): Promise<Float32Array> {
  try {
    return (await tensor.data()) as Float32Array;
  } finally {
    tensor.dispose();
  }
}

/** Pairs scored by a head at once: their gathered embeddings and hidden layer stay within a few tens of MiB. */
const PAIR_CHUNK = 65_536;

/** A head's predictions for the pairs (investor[k], asset[k]) of a date, embedded once, scored chunk by chunk. */
async function predictPairs(
  params: Parameters,
  artifact: GraphTransformerArtifact,
  date: PreparedDate,
  head: 'ae' | 'tp',
  visible: Int32Array | undefined,
  investor: Int32Array,
  asset: Int32Array,
): Promise<Float32Array> {
  const embeddings = tf.tidy(() =>
    embedNodes(params, artifact.config, date.graph, directedEdges(date.graph, visible), {
      training: false,
      dropout: 0,
      maxTensorBytes: artifact.settings.maxTensorBytes,
    }),
  );
  try {
    const out = new Float32Array(investor.length);
    for (let first = 0; first < investor.length; first += PAIR_CHUNK) {
      const last = Math.min(investor.length, first + PAIR_CHUNK);
      const scores = tf.tidy(() =>
        pairHead(
          params,
          head,
          embeddings,
          date.graph.investors,
          investor.subarray(first, last),
          asset.subarray(first, last),
        ),
      );
      out.set(await readAndDispose(scores), first);
    }
    return out;
  } finally {
    embeddings.dispose();
  }
}

function independenceBaseline(date: PreparedDate, mask: MaskSample): Float64Array {
  const { graph } = date;
  const row = new Float64Array(graph.investors);
  const column = new Float64Array(graph.assets);
  let total = 0;
  for (const e of mask.visible) {
    row[graph.edgeInvestor[e]!]! += graph.edgeWeight[e]!;
    column[graph.edgeAsset[e]!]! += graph.edgeWeight[e]!;
    total += graph.edgeWeight[e]!;
  }
  return Float64Array.from(mask.pairInvestor, (i, k) =>
    total > 0 ? (row[i]! * column[mask.pairAsset[k]!]!) / total : 0,
  );
}

export interface EvaluationOptions {
  stressIndex?: Array<{ date: string; value: number }>;
  stressThreshold?: number;
}

export interface Evaluation {
  trade: { train: CorrelationPair; validation: CorrelationPair };
  reconstruction: { train: CorrelationPair; validation: CorrelationPair };
  byGroup: GtGroupMetric[];
  byDate: GtDateMetric[];
}

/**
 * The metrics of a trained model on `holdings` (a panel in memory, a source read date by date: about two dates
 * held at a time, or the reader the model trained with, whose kept dates are not prepared again), each date
 * embedded whole as the model is used afterwards, whether it trained by mini-batches or not (inference needs
 * O(nodes·d + edges·S) memory, and the pair heads run in chunks).
 */
export async function evaluateGraphTransformer(
  artifact: GraphTransformerArtifact,
  holdings: Holdings | PreparedDateReader,
  options: EvaluationOptions = {},
): Promise<Evaluation> {
  const dates =
    holdings instanceof PreparedDateReader
      ? holdings
      : new PreparedDateReader(holdingsSource(holdings), artifact.space);
  const { source } = dates;
  const { investors, assets } = source;
  const params = loadParameters(artifact);
  try {
    const trainSet = new Set(artifact.trainDates);
    const validationSet = new Set(artifact.validationDates);
    const splitOf = (t: number) =>
      trainSet.has(source.dates[t]!) ? 'train' : validationSet.has(source.dates[t]!) ? 'validation' : null;
    const cellKey = (i: number, a: number) =>
      `${investors[i]!.type ?? ''}|${investors[i]!.style ?? ''}|${assets[a]!.class ?? ''}`;
    const cellSum = new Map<string, { sum: number; n: number }>();
    for (let t = 0; t < source.dates.length; t++) {
      if (splitOf(t) !== 'train') continue;
      const { trade } = await dates.get(t);
      trade?.target.forEach((y, k) => {
        const key = cellKey(trade.investor[k]!, trade.asset[k]!);
        const cell = cellSum.get(key) ?? { sum: 0, n: 0 };
        cell.sum += y;
        cell.n += 1;
        cellSum.set(key, cell);
      });
    }
    const cellMean = (i: number, a: number) => {
      const cell = cellSum.get(cellKey(i, a));
      return cell ? cell.sum / cell.n : 0;
    };
    const stress = new Map((options.stressIndex ?? []).map((row) => [row.date, row.value]));
    const threshold = options.stressThreshold ?? 1.5;
    const split = {
      train: { trade: empty(), reconstruction: empty() },
      validation: { trade: empty(), reconstruction: empty() },
    };
    const groups = new Map<string, { trade: Collected; reconstruction: Collected }>();
    const groupsOf = (i: number) => [
      `type: ${investors[i]!.type ?? '(none)'}`,
      `style: ${investors[i]!.style ?? '(none)'}`,
    ];
    const byDate: GtDateMetric[] = [];
    for (let t = 0; t < source.dates.length; t++) {
      const name = source.dates[t]!;
      const which = splitOf(t);
      if (!which || t === source.dates.length - 1) continue;
      const trade = empty();
      const reconstruction = empty();
      const date = await dates.get(t);
      const targets = date.trade!;
      const predicted = await predictPairs(params, artifact, date, 'tp', undefined, targets.investor, targets.asset);
      targets.target.forEach((y, k) => {
        const i = targets.investor[k]!;
        const baseline = cellMean(i, targets.asset[k]!);
        push(trade, y, predicted[k]!, baseline);
        push(split[which].trade, y, predicted[k]!, baseline);
        if (which === 'validation') {
          for (const group of groupsOf(i)) {
            if (!groups.has(group)) groups.set(group, { trade: empty(), reconstruction: empty() });
            push(groups.get(group)!.trade, y, predicted[k]!, baseline);
          }
        }
      });
      const mask = evaluationMask(date, artifact.settings);
      const reconstructed = await predictPairs(
        params,
        artifact,
        date,
        'ae',
        mask.visible,
        mask.pairInvestor,
        mask.pairAsset,
      );
      const baseline = independenceBaseline(date, mask);
      mask.pairTarget.forEach((w, k) => {
        push(reconstruction, w, reconstructed[k]!, baseline[k]!);
        push(split[which].reconstruction, w, reconstructed[k]!, baseline[k]!);
        if (which === 'validation') {
          for (const group of groupsOf(mask.pairInvestor[k]!)) {
            if (!groups.has(group)) groups.set(group, { trade: empty(), reconstruction: empty() });
            push(groups.get(group)!.reconstruction, w, reconstructed[k]!, baseline[k]!);
          }
        }
      });
      const index = stress.get(name);
      byDate.push({
        date: name,
        split: which,
        trade: pair(trade),
        reconstruction: pair(reconstruction),
        stressIndex: index ?? null,
        stressed: index === undefined ? null : index > threshold,
      });
    }
    return {
      trade: { train: pair(split.train.trade), validation: pair(split.validation.trade) },
      reconstruction: { train: pair(split.train.reconstruction), validation: pair(split.validation.reconstruction) },
      byGroup: [...groups.entries()]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([group, collected]) => ({
          group,
          trade: pair(collected.trade),
          reconstruction: pair(collected.reconstruction),
        })),
      byDate,
    };
  } finally {
    disposeParameters(params);
  }
}

function dateIndex(panel: HoldingsPanel, date: string | undefined): number {
  if (date === undefined) return panel.snapshots.length - 1;
  const index = panel.snapshots.findIndex((s) => s.date === date);
  if (index < 0)
    throw new AppError(
      'invalid_input',
      `no positions at ${date}; the report dates are ${panel.snapshots.map((s) => s.date).join(', ')}`,
      'date',
    );
  return index;
}

export interface NodeEmbeddings {
  date: string;
  dimension: number;
  nodes: Array<{ code: string; kind: 'investor' | 'asset'; group: string }>;
  /** nodes × dimension, row-major. */
  values: Float32Array;
}

/** Final embeddings e_v (eq. 19) of every investor and asset of `panel` at `date` (default: the last date). */
export async function embedPanel(
  artifact: GraphTransformerArtifact,
  panel: HoldingsPanel,
  date?: string,
): Promise<NodeEmbeddings> {
  const snapshot = panel.snapshots[dateIndex(panel, date)]!;
  const graph = prepareDateGraph(panel, snapshot, artifact.space);
  const params = loadParameters(artifact);
  try {
    const values = await readAndDispose(
      tf.tidy(() =>
        embedNodes(params, artifact.config, graph, directedEdges(graph), {
          training: false,
          dropout: 0,
          maxTensorBytes: artifact.settings.maxTensorBytes,
        }),
      ),
    );
    return {
      date: snapshot.date,
      dimension: artifact.config.embedding,
      nodes: [
        ...panel.investors.map((row) => ({ code: row.code, kind: 'investor' as const, group: row.type ?? '' })),
        ...panel.assets.map((row) => ({ code: row.code, kind: 'asset' as const, group: row.class ?? '' })),
      ],
      values,
    };
  } finally {
    disposeParameters(params);
  }
}

/** `kind,code,group,date,e1,…,ed` — one row per node (text cells neutralised against formula injection). */
export function embeddingsCsv(embeddings: NodeEmbeddings): string {
  const d = embeddings.dimension;
  const header = csvRow(['kind', 'code', 'group', 'date', ...Array.from({ length: d }, (_, k) => `e${k + 1}`)]);
  const rows = embeddings.nodes.map((node, v) =>
    csvRow([
      node.kind,
      node.code,
      node.group,
      embeddings.date,
      ...Array.from(embeddings.values.subarray(v * d, (v + 1) * d), (x) => x.toPrecision(6)),
    ]),
  );
  return `${[header, ...rows].join('\n')}\n`;
}

/**
 * First two principal components of the rows of `values` (rows × cols), by power iteration with deflation on the
 * covariance matrix: the projected coordinates and each component's share of the total variance.
 */
export function principalComponents2(
  values: Float32Array,
  rows: number,
  cols: number,
): { coordinates: Float64Array; explained: [number, number] } {
  const mean = new Float64Array(cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) mean[c]! += values[r * cols + c]! / rows;
  const covariance = new Float64Array(cols * cols);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const x = values[r * cols + c]! - mean[c]!;
      for (let d = c; d < cols; d++)
        covariance[c * cols + d]! += (x * (values[r * cols + d]! - mean[d]!)) / Math.max(1, rows - 1);
    }
  }
  let trace = 0;
  for (let c = 0; c < cols; c++) {
    trace += covariance[c * cols + c]!;
    for (let d = 0; d < c; d++) covariance[c * cols + d] = covariance[d * cols + c]!;
  }
  const components: Float64Array[] = [];
  const eigenvalues: number[] = [];
  for (let k = 0; k < 2; k++) {
    let vector = Float64Array.from({ length: cols }, (_, c) => 1 + 0.01 * c);
    let value = 0;
    for (let iteration = 0; iteration < 500; iteration++) {
      const next = new Float64Array(cols);
      for (let c = 0; c < cols; c++) for (let d = 0; d < cols; d++) next[c]! += covariance[c * cols + d]! * vector[d]!;
      const norm = Math.hypot(...next);
      if (norm === 0) break;
      for (let c = 0; c < cols; c++) next[c]! /= norm;
      const change = Math.hypot(...next.map((x, c) => x - vector[c]!));
      vector = next;
      value = norm;
      if (change < 1e-10) break;
    }
    components.push(vector);
    eigenvalues.push(value);
    for (let c = 0; c < cols; c++)
      for (let d = 0; d < cols; d++) covariance[c * cols + d]! -= value * vector[c]! * vector[d]!;
  }
  const coordinates = new Float64Array(rows * 2);
  for (let r = 0; r < rows; r++) {
    for (let k = 0; k < 2; k++) {
      let sum = 0;
      for (let c = 0; c < cols; c++) sum += (values[r * cols + c]! - mean[c]!) * components[k]![c]!;
      coordinates[r * 2 + k] = sum;
    }
  }
  return { coordinates, explained: [trace > 0 ? eigenvalues[0]! / trace : 0, trace > 0 ? eigenvalues[1]! / trace : 0] };
}

export interface TradePrediction {
  investor: string;
  asset: string;
  amount: number;
  /** ŷ_ia: predicted cross-sectional z-score of the position's change to the next date. */
  predicted: number;
  /** y_ia when the next date is in the panel and the asset has enough holders; else null. */
  actual: number | null;
}

/** Trade predictions for every position at `date` (default: the last date, whose trades are not yet known). */
export async function predictTrades(
  artifact: GraphTransformerArtifact,
  panel: HoldingsPanel,
  date?: string,
): Promise<{ date: string; predictions: TradePrediction[] }> {
  const index = dateIndex(panel, date);
  const snapshot = panel.snapshots[index]!;
  const prepared = prepareDate(panel, snapshot, panel.snapshots[index + 1], index, artifact.space);
  const params = loadParameters(artifact);
  try {
    const predicted = await predictPairs(
      params,
      artifact,
      prepared,
      'tp',
      undefined,
      snapshot.investor,
      snapshot.asset,
    );
    const actual = new Map<number, number>();
    prepared.trade?.position.forEach((k, j) => actual.set(k, prepared.trade!.target[j]!));
    return {
      date: snapshot.date,
      predictions: Array.from(snapshot.amount, (amount, k) => ({
        investor: panel.investors[snapshot.investor[k]!]!.code,
        asset: panel.assets[snapshot.asset[k]!]!.code,
        amount,
        predicted: predicted[k]!,
        actual: actual.get(k) ?? null,
      })),
    };
  } finally {
    disposeParameters(params);
  }
}

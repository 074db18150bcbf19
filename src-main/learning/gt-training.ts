/**
 * Training of the graph transformer (./graph-transformer.ts) on a holdings panel, as in §3–4 of the paper: the
 * joint loss (eq. 24) L = L_AE + κ L_TP with
 *
 *   L_AE = mean over masked edges and sampled non-edges of (w̃_ia − ŵ_ia)²      (20; non-edges have w̃ = 0)
 *   L_TP = mean over positions at t with a trade target of (y_ia,t − ŷ_ia)²     (23; y from eqs. 21–22)
 *
 * (means rather than the paper's sums, so κ and the learning rate do not depend on the graph's size). Each epoch
 * takes one Adam step per training date — or per batch of its investors (./gt-batches.ts) — on that date's graph
 * or batch subgraph with a fresh random mask (the masked positions are removed from message passing); weight decay is decoupled (AdamW: W ← W(1 − η λ) after each step); dropout on
 * every layer's output. Dates are split, not positions: the last report dates with a target are the validation
 * dates, as the paper keeps the Covid quarters out of training. Early stopping keeps the weights of the epoch with
 * the lowest validation loss and stops after `patience` epochs without improvement.
 */
import * as tf from '@tensorflow/tfjs';
import { tradeZScores, type HoldingsPanel, type PanelNodes, type PanelSnapshot } from '../engines/holdings-panel';
import { EngineInputError } from '../engines/errors';
import { Rng } from '../engines/random';
import { batchDate, investorBatches } from './gt-batches';
import { holdingsSource, type Holdings, type HoldingsSource } from './holdings-source';
import type { GtEpoch, GtSettings } from '../../src-shared/results/graph-transformer';
import {
  countParameters,
  decayedParameters,
  directedEdges,
  embedNodes,
  exportParameters,
  FeatureSpaceFit,
  importParameters,
  initParameters,
  pairHead,
  prepareDateGraph,
  type DateGraph,
  type FeatureSpace,
  type GraphTransformerConfig,
  type Parameters,
  type PreparedDate,
} from './graph-transformer';

export interface TrainingSettings extends GtSettings {
  config: GraphTransformerConfig;
  /** Largest edge tensor in bytes (see sparse-ops). */
  maxTensorBytes?: number;
}

export const PAPER_TRAINING: Omit<TrainingSettings, 'config' | 'validationDates' | 'seed'> = {
  dropout: 0.1,
  learningRate: 1e-2,
  weightDecay: 1e-5,
  kappa: 1,
  maxEpochs: 500,
  patience: 20,
  maskFraction: 0.15,
};

/** One epoch's losses (the app's `GtEpoch`). */
export type EpochRecord = GtEpoch;

/** A trained model: everything needed to embed and predict on any panel (inductive). */
export interface GraphTransformerArtifact {
  format: 'contagion-workbench/graph-transformer@1';
  config: GraphTransformerConfig;
  settings: Omit<TrainingSettings, 'config'>;
  space: FeatureSpace;
  weights: Array<{ name: string; shape: number[]; data: string }>;
  parameterCount: number;
  backend: string;
  trainDates: string[];
  validationDates: string[];
  history: EpochRecord[];
  bestEpoch: number;
  stoppedEarly: boolean;
}

export type { PreparedDate };

/** Date `index` ready for training: its graph and, when the next date exists, its trade targets (eqs. 21–22). */
export function prepareDate(
  nodes: PanelNodes,
  snapshot: PanelSnapshot,
  next: PanelSnapshot | undefined,
  index: number,
  space: FeatureSpace,
): PreparedDate {
  const graph = prepareDateGraph(nodes, snapshot, space);
  if (!next) return { index, graph, trade: null };
  const z = tradeZScores(snapshot, next, nodes.assets.length);
  const position = Int32Array.from(z.keys()).filter((k) => Number.isFinite(z[k]!));
  return {
    index,
    graph,
    trade: {
      investor: position.map((k) => snapshot.investor[k]!),
      asset: position.map((k) => snapshot.asset[k]!),
      target: Float32Array.from(position, (k) => z[k]!),
      position,
    },
  };
}

export function prepareDates(panel: HoldingsPanel, space: FeatureSpace): PreparedDate[] {
  return panel.snapshots.map((snapshot, index) =>
    prepareDate(panel, snapshot, panel.snapshots[index + 1], index, space),
  );
}

/** Positions a source may hold in all for its prepared dates to be kept between epochs (~100 bytes each). */
const KEEP_POSITIONS = 8_000_000;

/**
 * The prepared dates of a source, read on demand. When all its positions fit `keepPositions`, each date is read
 * once and kept; otherwise only the last two snapshots read are held (a date needs the next one for its trade
 * targets), so memory holds about two dates whatever the panel's size, and every epoch reads its dates again.
 */
export class PreparedDateReader {
  readonly keepsAll: boolean;
  private readonly kept = new Map<number, PreparedDate>();
  private recent: Array<{ index: number; snapshot: PanelSnapshot }> = [];
  constructor(
    readonly source: HoldingsSource,
    private readonly space: FeatureSpace,
    keepPositions = KEEP_POSITIONS,
  ) {
    this.keepsAll = source.positions.reduce((a, b) => a + b, 0) <= keepPositions;
  }
  private async snapshot(index: number): Promise<PanelSnapshot> {
    const recent = this.recent.find((r) => r.index === index);
    if (recent) return recent.snapshot;
    const snapshot = await this.source.snapshot(index);
    this.recent = [...this.recent.slice(-1), { index, snapshot }];
    return snapshot;
  }
  async get(index: number): Promise<PreparedDate> {
    const kept = this.kept.get(index);
    if (kept) return kept;
    const snapshot = await this.snapshot(index);
    const next = index + 1 < this.source.dates.length ? await this.snapshot(index + 1) : undefined;
    const date = prepareDate(this.source, snapshot, next, index, this.space);
    if (this.keepsAll) this.kept.set(index, date);
    return date;
  }
}

/** Train and validation dates: the last `validationDates` of the dates with a trade target are held out. */
export function splitDates(dateCount: number, validationDates: number): { train: number[]; validation: number[] } {
  const withTarget = dateCount - 1;
  if (withTarget < 2) throw new Error(`training needs at least 3 report dates (the panel has ${dateCount})`);
  const held = Math.min(Math.max(1, validationDates), withTarget - 1);
  const all = Array.from({ length: withTarget }, (_, t) => t);
  return { train: all.slice(0, withTarget - held), validation: all.slice(withTarget - held) };
}

/** A mask: visible positions, and the pairs the autoencoder must reconstruct (masked edges, then non-edges). */
export interface MaskSample {
  visible: Int32Array;
  pairInvestor: Int32Array;
  pairAsset: Int32Array;
  pairTarget: Float32Array;
  /** How many of the pairs are masked positions (the rest are non-edges). */
  masked: number;
}

/**
 * Positions of a graph as a set of (investor, asset) pairs: open addressing over keys i · assets + a (exact in a
 * float64 up to 2⁵³), built and probed in O(1) per position — a `Set` of 300,000 numbers took most of a mask's
 * time.
 */
class PairSet {
  private readonly keys: Float64Array;
  private readonly mask: number;
  /** Distinct pairs held. */
  readonly size: number = 0;
  constructor(
    investor: Int32Array,
    asset: Int32Array,
    private readonly assets: number,
  ) {
    let capacity = 16;
    while (capacity < 2 * investor.length) capacity *= 2;
    this.keys = new Float64Array(capacity).fill(-1);
    this.mask = capacity - 1;
    for (let e = 0; e < investor.length; e++) {
      const key = investor[e]! * assets + asset[e]!;
      let slot = this.slot(investor[e]!, asset[e]!);
      while (this.keys[slot] !== -1 && this.keys[slot] !== key) slot = (slot + 1) & this.mask;
      if (this.keys[slot] === -1) this.size++;
      this.keys[slot] = key;
    }
  }
  private slot(i: number, a: number): number {
    return (Math.imul(i, 0x9e3779b1) ^ Math.imul(a + 0x7f4a7c15, 0x85ebca6b)) & this.mask;
  }
  has(i: number, a: number): boolean {
    const key = i * this.assets + a;
    for (let slot = this.slot(i, a); ; slot = (slot + 1) & this.mask) {
      const k = this.keys[slot]!;
      if (k === key) return true;
      if (k === -1) return false;
    }
  }
}

/**
 * A fresh mask: `fraction` of the positions drawn without replacement (a partial Fisher–Yates shuffle) and as many
 * non-edges drawn uniformly by rejection, all from `rng`. O(positions) with typed arrays; the draws are those of
 * the earlier version (the same calls to `rng` in the same order), so masks are unchanged for a seed.
 */
export function sampleMask(graph: DateGraph, fraction: number, rng: Rng): MaskSample {
  const edges = graph.edgeInvestor.length;
  const maskedCount = Math.max(1, Math.round(fraction * edges));
  const order = new Int32Array(edges);
  for (let k = 0; k < edges; k++) order[k] = k;
  for (let k = 0; k < maskedCount; k++) {
    const j = k + Math.floor(rng.uniform() * (edges - k));
    const swap = order[k]!;
    order[k] = order[j]!;
    order[j] = swap;
  }
  const masked = order.subarray(0, Math.min(maskedCount, edges));
  const existing = new PairSet(graph.edgeInvestor, graph.edgeAsset, graph.assets);
  if (existing.size >= graph.investors * graph.assets) {
    throw new EngineInputError(
      `on ${graph.date} every investor holds every asset: the masked autoencoder needs pairs that are not positions to learn from (add investors or assets that do not all hold each other)`,
    );
  }
  const pairInvestor = new Int32Array(2 * maskedCount);
  const pairAsset = new Int32Array(2 * maskedCount);
  const pairTarget = new Float32Array(2 * maskedCount);
  const hidden = new Uint8Array(edges);
  for (let k = 0; k < masked.length; k++) {
    const e = masked[k]!;
    hidden[e] = 1;
    pairInvestor[k] = graph.edgeInvestor[e]!;
    pairAsset[k] = graph.edgeAsset[e]!;
    pairTarget[k] = graph.edgeWeight[e]!;
  }
  for (let k = maskedCount; k < 2 * maskedCount; k++) {
    let i: number;
    let a: number;
    do {
      i = Math.floor(rng.uniform() * graph.investors);
      a = Math.floor(rng.uniform() * graph.assets);
    } while (existing.has(i, a));
    pairInvestor[k] = i;
    pairAsset[k] = a;
  }
  // the positions left visible, in increasing order
  const visible = new Int32Array(edges - masked.length);
  for (let e = 0, n = 0; e < edges; e++) if (!hidden[e]) visible[n++] = e;
  return { visible, pairInvestor, pairAsset, pairTarget, masked: maskedCount };
}

/** The fixed evaluation mask of a date (same for every epoch and for the final metrics). */
export function evaluationMask(
  date: PreparedDate,
  settings: Pick<TrainingSettings, 'maskFraction' | 'seed'>,
): MaskSample {
  return sampleMask(date.graph, settings.maskFraction, new Rng(settings.seed, 1_000_000 + date.index));
}

function meanSquaredError(prediction: tf.Tensor1D, target: Float32Array): tf.Scalar {
  return tf.mean<tf.Scalar>(tf.square(tf.sub(prediction, tf.tensor1d(target))));
}

/** Validation losses of one date (or batch) without dropout: autoencoder on the fixed mask, trades on the whole (sub)graph. */
async function dateLosses(
  params: Parameters,
  config: GraphTransformerConfig,
  date: PreparedDate,
  mask: MaskSample,
  maxTensorBytes?: number,
): Promise<{ ae: number; tp: number }> {
  const losses = tf.tidy(() => {
    const options = { training: false, dropout: 0, maxTensorBytes };
    const masked = embedNodes(params, config, date.graph, directedEdges(date.graph, mask.visible), options);
    const ae = meanSquaredError(
      pairHead(params, 'ae', masked, date.graph.investors, mask.pairInvestor, mask.pairAsset),
      mask.pairTarget,
    );
    if (!date.trade || date.trade.target.length === 0) return tf.stack([ae, tf.scalar(0)]);
    const full = embedNodes(params, config, date.graph, directedEdges(date.graph), options);
    return tf.stack([
      ae,
      meanSquaredError(
        pairHead(params, 'tp', full, date.graph.investors, date.trade.investor, date.trade.asset),
        date.trade.target,
      ),
    ]);
  });
  const [ae, tp] = (await losses.data()) as Float32Array;
  losses.dispose();
  return { ae: ae!, tp: tp! };
}

/** A date's parts: the whole graph, or its investor batches (shuffled with `rng`, or in index order without). */
function dateParts(date: PreparedDate, batchInvestors: number | undefined, rng?: Rng): PreparedDate[] {
  if (!batchInvestors || batchInvestors >= date.graph.investors) return [date];
  return investorBatches(date.graph.investors, batchInvestors, rng).map((investors) => batchDate(date, investors));
}

/** The fixed validation parts of a date, each with its mask (one random stream per part). */
function validationParts(
  date: PreparedDate,
  settings: Pick<TrainingSettings, 'batchInvestors' | 'maskFraction' | 'seed'>,
): Array<{ part: PreparedDate; mask: MaskSample }> {
  return dateParts(date, settings.batchInvestors).map((part, k) => ({
    part,
    mask:
      k === 0
        ? evaluationMask(part, settings)
        : sampleMask(part.graph, settings.maskFraction, new Rng(settings.seed, 2_000_000 + 1000 * date.index + k)),
  }));
}

/** Validation losses of a date as means over all its masked pairs and trade targets, batch by batch. */
async function validationLosses(
  params: Parameters,
  settings: TrainingSettings,
  parts: Array<{ part: PreparedDate; mask: MaskSample }>,
): Promise<{ ae: number; tp: number }> {
  const sum = { ae: 0, aeCount: 0, tp: 0, tpCount: 0 };
  for (const { part, mask } of parts) {
    const losses = await dateLosses(params, settings.config, part, mask, settings.maxTensorBytes);
    const trades = part.trade?.target.length ?? 0;
    sum.ae += losses.ae * mask.pairTarget.length;
    sum.aeCount += mask.pairTarget.length;
    sum.tp += losses.tp * trades;
    sum.tpCount += trades;
  }
  return { ae: sum.ae / Math.max(1, sum.aeCount), tp: sum.tp / Math.max(1, sum.tpCount) };
}

/** One Adam step on a date or batch with a fresh mask; returns the loss (a tensor, read once per epoch). */
function trainingStep(
  params: Parameters,
  optimizer: tf.Optimizer,
  settings: TrainingSettings,
  part: PreparedDate,
  rng: Rng,
): tf.Scalar {
  const mask = sampleMask(part.graph, settings.maskFraction, rng);
  const edges = directedEdges(part.graph, mask.visible);
  const dropoutSeed = rng.nextUint32() >>> 4;
  return optimizer.minimize(
    () => {
      const embeddings = embedNodes(params, settings.config, part.graph, edges, {
        training: true,
        dropout: settings.dropout,
        dropoutSeed,
        maxTensorBytes: settings.maxTensorBytes,
      });
      const ae = meanSquaredError(
        pairHead(params, 'ae', embeddings, part.graph.investors, mask.pairInvestor, mask.pairAsset),
        mask.pairTarget,
      );
      if (!part.trade || part.trade.target.length === 0) return ae;
      const tp = meanSquaredError(
        pairHead(params, 'tp', embeddings, part.graph.investors, part.trade.investor, part.trade.asset),
        part.trade.target,
      );
      return tf.add<tf.Scalar>(ae, tf.mul(settings.kappa, tp));
    },
    true,
    [...params.values()],
  )!;
}

export interface TrainingHooks {
  onEpoch?(record: EpochRecord, maxEpochs: number): void;
  /** Checked between steps: true stops training (the best weights so far are kept). */
  shouldStop?(): boolean;
  /** The TensorFlow.js backend in use, recorded with the model. */
  backend: string;
}

/**
 * Trains on `holdings` (a panel in memory, or a source read date by date); `keepPositions` bounds the positions
 * whose prepared dates are kept between epochs (PreparedDateReader).
 */
export async function trainGraphTransformer(
  holdings: Holdings,
  settings: TrainingSettings,
  hooks: TrainingHooks,
  keepPositions?: number,
): Promise<GraphTransformerArtifact> {
  return (await trainGraphTransformerWithDates(holdings, settings, hooks, keepPositions)).artifact;
}

/** As `trainGraphTransformer`, with its reader of dates: evaluation on it prepares no date that training kept. */
export async function trainGraphTransformerWithDates(
  holdings: Holdings,
  settings: TrainingSettings,
  hooks: TrainingHooks,
  keepPositions?: number,
): Promise<{ artifact: GraphTransformerArtifact; dates: PreparedDateReader }> {
  const { config } = settings;
  const source = holdingsSource(holdings);
  const split = splitDates(source.dates.length, settings.validationDates);
  const fit = new FeatureSpaceFit(source);
  for (const t of split.train) fit.add(await source.snapshot(t));
  const space = fit.result();
  const dates = new PreparedDateReader(source, space, keepPositions);
  const validationKept = new Map<number, Array<{ part: PreparedDate; mask: MaskSample }>>();
  const validationSet = async (t: number) => {
    const kept = validationKept.get(t);
    if (kept) return kept;
    const parts = validationParts(await dates.get(t), settings);
    if (dates.keepsAll) validationKept.set(t, parts);
    return parts;
  };
  const params = initParameters(config, space, settings.seed);
  const optimizer = tf.train.adam(settings.learningRate);
  const decayed = decayedParameters(params);
  const rng = new Rng(settings.seed, 3);
  const history: EpochRecord[] = [];
  let best = { loss: Infinity, epoch: 0, weights: await exportParameters(params) };
  let stoppedEarly = false;
  try {
    for (let epoch = 1; epoch <= settings.maxEpochs; epoch++) {
      const order = [...split.train];
      for (let k = order.length - 1; k > 0; k--) {
        const j = Math.floor(rng.uniform() * (k + 1));
        [order[k], order[j]] = [order[j]!, order[k]!];
      }
      // Losses stay on the device and are read once per epoch (no read-back per step).
      let lossSum: tf.Scalar = tf.scalar(0);
      let steps = 0;
      for (const t of order) {
        for (const part of dateParts(await dates.get(t), settings.batchInvestors, rng)) {
          if (hooks.shouldStop?.()) break;
          const loss = trainingStep(params, optimizer, settings, part, rng);
          const next = tf.add<tf.Scalar>(lossSum, loss);
          tf.dispose([loss, lossSum]);
          lossSum = next;
          steps++;
          tf.tidy(() => {
            for (const v of decayed) v.assign(tf.mul(v, 1 - settings.learningRate * settings.weightDecay));
          });
        }
      }
      const trainLoss = (await lossSum.data())[0]! / Math.max(1, steps);
      lossSum.dispose();
      if (hooks.shouldStop?.()) break;
      let validationAe = 0;
      let validationTp = 0;
      for (const t of split.validation) {
        const losses = await validationLosses(params, settings, await validationSet(t));
        validationAe += losses.ae / split.validation.length;
        validationTp += losses.tp / split.validation.length;
      }
      const record: EpochRecord = {
        epoch,
        trainLoss,
        validationLoss: validationAe + settings.kappa * validationTp,
        validationReconstructionLoss: validationAe,
        validationTradeLoss: validationTp,
      };
      history.push(record);
      hooks.onEpoch?.(record, settings.maxEpochs);
      if (record.validationLoss < best.loss) {
        best = { loss: record.validationLoss, epoch, weights: await exportParameters(params) };
      } else if (epoch - best.epoch >= settings.patience) {
        stoppedEarly = true;
        break;
      }
      await new Promise((resolve) => setImmediate(resolve));
    }
  } finally {
    optimizer.dispose();
    for (const v of params.values()) v.dispose();
  }
  const artifact: GraphTransformerArtifact = {
    format: 'contagion-workbench/graph-transformer@1',
    config,
    settings: {
      dropout: settings.dropout,
      learningRate: settings.learningRate,
      weightDecay: settings.weightDecay,
      kappa: settings.kappa,
      maxEpochs: settings.maxEpochs,
      patience: settings.patience,
      maskFraction: settings.maskFraction,
      validationDates: settings.validationDates,
      seed: settings.seed,
      ...(settings.maxTensorBytes === undefined ? {} : { maxTensorBytes: settings.maxTensorBytes }),
      ...(settings.batchInvestors === undefined ? {} : { batchInvestors: settings.batchInvestors }),
    },
    space,
    weights: best.weights,
    parameterCount: countParameters(
      config,
      space.investorVocab.map((v) => v.length),
      space.assetVocab.map((v) => v.length),
    ),
    backend: hooks.backend,
    trainDates: split.train.map((t) => source.dates[t]!),
    validationDates: split.validation.map((t) => source.dates[t]!),
    history,
    bestEpoch: best.epoch,
    stoppedEarly,
  };
  return { artifact, dates };
}

/** Loads an artifact's weights as TensorFlow.js variables; dispose them with `disposeParameters`. */
export function loadParameters(artifact: GraphTransformerArtifact): Parameters {
  return importParameters(artifact.weights);
}

export function disposeParameters(params: Parameters): void {
  for (const v of params.values()) v.dispose();
}

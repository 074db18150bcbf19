/**
 * Training of the graph transformer (./graph-transformer.ts) on a holdings panel, as in §3–4 of the paper: the
 * joint loss (eq. 24) L = L_AE + κ L_TP with
 *
 *   L_AE = mean over masked edges and sampled non-edges of (w̃_ia − ŵ_ia)²      (20; non-edges have w̃ = 0)
 *   L_TP = mean over positions at t with a trade target of (y_ia,t − ŷ_ia)²     (23; y from eqs. 21–22)
 *
 * (means rather than the paper's sums, so κ and the learning rate do not depend on the graph's size). Each epoch
 * takes one Adam step per training date, on that date's graph with a fresh random mask (the masked positions are
 * removed from message passing); weight decay is decoupled (AdamW: W ← W(1 − η λ) after each step); dropout on
 * every layer's output. Dates are split, not positions: the last report dates with a target are the validation
 * dates, as the paper keeps the Covid quarters out of training. Early stopping keeps the weights of the epoch with
 * the lowest validation loss and stops after `patience` epochs without improvement.
 */
import * as tf from '@tensorflow/tfjs';
import type { HoldingsPanel } from '../engines/holdings-panel';
import { tradeZScores } from '../engines/holdings-panel';
import { Rng } from '../engines/random';
import type { GtEpoch, GtSettings } from '../../src-shared/results/graph-transformer';
import {
  countParameters,
  decayedParameters,
  directedEdges,
  embedNodes,
  exportParameters,
  fitFeatureSpace,
  importParameters,
  initParameters,
  pairHead,
  prepareDateGraph,
  type DateGraph,
  type FeatureSpace,
  type GraphTransformerConfig,
  type Parameters,
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

/** One date ready for training or evaluation: the graph and, when the next date exists, the trade targets. */
export interface PreparedDate {
  index: number;
  graph: DateGraph;
  /** Positions with a finite y (eq. 22) and their targets. */
  trade: { investor: Int32Array; asset: Int32Array; target: Float32Array; position: Int32Array } | null;
}

export function prepareDates(panel: HoldingsPanel, space: FeatureSpace): PreparedDate[] {
  return panel.snapshots.map((snapshot, index) => {
    const graph = prepareDateGraph(panel, snapshot, space);
    const next = panel.snapshots[index + 1];
    if (!next) return { index, graph, trade: null };
    const z = tradeZScores(snapshot, next, panel.assets.length);
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
  });
}

/** Train and validation dates: the last `validationDates` of the dates with a trade target are held out. */
export function splitDates(panel: HoldingsPanel, validationDates: number): { train: number[]; validation: number[] } {
  const withTarget = panel.snapshots.length - 1;
  if (withTarget < 2) throw new Error(`training needs at least 3 report dates (the panel has ${panel.snapshots.length})`);
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

export function sampleMask(graph: DateGraph, fraction: number, rng: Rng): MaskSample {
  const edges = graph.edgeInvestor.length;
  const maskedCount = Math.max(1, Math.round(fraction * edges));
  const order = Int32Array.from({ length: edges }, (_, k) => k);
  for (let k = 0; k < maskedCount; k++) {
    const j = k + Math.floor(rng.uniform() * (edges - k));
    [order[k], order[j]] = [order[j]!, order[k]!];
  }
  const masked = order.subarray(0, maskedCount);
  const existing = new Set<number>();
  for (let e = 0; e < edges; e++) existing.add(graph.edgeInvestor[e]! * graph.assets + graph.edgeAsset[e]!);
  const pairInvestor = new Int32Array(2 * maskedCount);
  const pairAsset = new Int32Array(2 * maskedCount);
  const pairTarget = new Float32Array(2 * maskedCount);
  masked.forEach((e, k) => {
    pairInvestor[k] = graph.edgeInvestor[e]!;
    pairAsset[k] = graph.edgeAsset[e]!;
    pairTarget[k] = graph.edgeWeight[e]!;
  });
  for (let k = maskedCount; k < 2 * maskedCount; k++) {
    let i: number;
    let a: number;
    do {
      i = Math.floor(rng.uniform() * graph.investors);
      a = Math.floor(rng.uniform() * graph.assets);
    } while (existing.has(i * graph.assets + a));
    pairInvestor[k] = i;
    pairAsset[k] = a;
  }
  return { visible: Int32Array.from(order.subarray(maskedCount)).sort(), pairInvestor, pairAsset, pairTarget, masked: maskedCount };
}

/** The fixed evaluation mask of a date (same for every epoch and for the final metrics). */
export function evaluationMask(date: PreparedDate, settings: Pick<TrainingSettings, 'maskFraction' | 'seed'>): MaskSample {
  return sampleMask(date.graph, settings.maskFraction, new Rng(settings.seed, 1_000_000 + date.index));
}

function meanSquaredError(prediction: tf.Tensor1D, target: Float32Array): tf.Scalar {
  return tf.mean(tf.square(tf.sub(prediction, tf.tensor1d(target)))) as tf.Scalar;
}

/** Validation losses of one date without dropout: autoencoder on the fixed mask, trades on the full graph. */
function dateLosses(params: Parameters, config: GraphTransformerConfig, date: PreparedDate, mask: MaskSample, maxTensorBytes?: number): { ae: number; tp: number } {
  return tf.tidy(() => {
    const options = { training: false, dropout: 0, maxTensorBytes };
    const masked = embedNodes(params, config, date.graph, directedEdges(date.graph, mask.visible), options);
    const ae = meanSquaredError(pairHead(params, 'ae', masked, date.graph.investors, mask.pairInvestor, mask.pairAsset), mask.pairTarget).dataSync()[0]!;
    let tp = 0;
    if (date.trade && date.trade.target.length > 0) {
      const full = embedNodes(params, config, date.graph, directedEdges(date.graph), options);
      tp = meanSquaredError(pairHead(params, 'tp', full, date.graph.investors, date.trade.investor, date.trade.asset), date.trade.target).dataSync()[0]!;
    }
    return { ae, tp };
  });
}

export interface TrainingHooks {
  onEpoch?(record: EpochRecord, maxEpochs: number): void;
  /** Checked between steps: true stops training (the best weights so far are kept). */
  shouldStop?(): boolean;
  /** The TensorFlow.js backend in use, recorded with the model. */
  backend: string;
}

export async function trainGraphTransformer(panel: HoldingsPanel, settings: TrainingSettings, hooks: TrainingHooks): Promise<GraphTransformerArtifact> {
  const { config } = settings;
  const split = splitDates(panel, settings.validationDates);
  const space = fitFeatureSpace(panel, split.train.map((t) => panel.snapshots[t]!));
  const dates = prepareDates(panel, space);
  const validationMasks = split.validation.map((t) => evaluationMask(dates[t]!, settings));
  const params = initParameters(config, space, settings.seed);
  const optimizer = tf.train.adam(settings.learningRate);
  const decayed = decayedParameters(params);
  const rng = new Rng(settings.seed, 3);
  const history: EpochRecord[] = [];
  let best = { loss: Infinity, epoch: 0, weights: exportParameters(params) };
  let stoppedEarly = false;
  try {
    for (let epoch = 1; epoch <= settings.maxEpochs; epoch++) {
      const order = [...split.train];
      for (let k = order.length - 1; k > 0; k--) {
        const j = Math.floor(rng.uniform() * (k + 1));
        [order[k], order[j]] = [order[j]!, order[k]!];
      }
      let trainLoss = 0;
      for (const t of order) {
        if (hooks.shouldStop?.()) break;
        const date = dates[t]!;
        const mask = sampleMask(date.graph, settings.maskFraction, rng);
        const edges = directedEdges(date.graph, mask.visible);
        const dropoutSeed = rng.nextUint32() >>> 4;
        const loss = optimizer.minimize(() => {
          const embeddings = embedNodes(params, config, date.graph, edges, {
            training: true,
            dropout: settings.dropout,
            dropoutSeed,
            maxTensorBytes: settings.maxTensorBytes,
          });
          const ae = meanSquaredError(pairHead(params, 'ae', embeddings, date.graph.investors, mask.pairInvestor, mask.pairAsset), mask.pairTarget);
          if (!date.trade || date.trade.target.length === 0) return ae;
          const tp = meanSquaredError(pairHead(params, 'tp', embeddings, date.graph.investors, date.trade.investor, date.trade.asset), date.trade.target);
          return tf.add(ae, tf.mul(settings.kappa, tp)) as tf.Scalar;
        }, true, [...params.values()])!;
        trainLoss += (await loss.data())[0]! / order.length;
        loss.dispose();
        tf.tidy(() => {
          for (const v of decayed) v.assign(tf.mul(v, 1 - settings.learningRate * settings.weightDecay));
        });
      }
      if (hooks.shouldStop?.()) break;
      let validationAe = 0;
      let validationTp = 0;
      split.validation.forEach((t, k) => {
        const losses = dateLosses(params, config, dates[t]!, validationMasks[k]!, settings.maxTensorBytes);
        validationAe += losses.ae / split.validation.length;
        validationTp += losses.tp / split.validation.length;
      });
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
        best = { loss: record.validationLoss, epoch, weights: exportParameters(params) };
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
  return {
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
    },
    space,
    weights: best.weights,
    parameterCount: countParameters(config, space.investorVocab.map((v) => v.length), space.assetVocab.map((v) => v.length)),
    backend: hooks.backend,
    trainDates: split.train.map((t) => panel.snapshots[t]!.date),
    validationDates: split.validation.map((t) => panel.snapshots[t]!.date),
    history,
    bestEpoch: best.epoch,
    stoppedEarly,
  };
}

/** Loads an artifact's weights as TensorFlow.js variables; dispose them with `disposeParameters`. */
export function loadParameters(artifact: GraphTransformerArtifact): Parameters {
  return importParameters(artifact.weights);
}

export function disposeParameters(params: Parameters): void {
  for (const v of params.values()) v.dispose();
}

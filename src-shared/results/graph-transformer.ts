/** What a trained graph-transformer model holds for the app (models.metrics of kind "graph-transformer"): JSON-safe. */

/** Correlation of predictions with targets (Pearson), the model's and the plain baseline's. */
export interface CorrelationPair {
  model: number;
  baseline: number;
  /** Pairs (positions, or masked edges plus non-edges) the correlation is over. */
  pairs: number;
}

export interface GtSplitMetrics {
  train: CorrelationPair;
  validation: CorrelationPair;
}

export interface GtGroupMetric {
  /** e.g. "type: mutual fund", "style: active" — validation dates only. */
  group: string;
  trade: CorrelationPair;
  reconstruction: CorrelationPair;
}

export interface GtDateMetric {
  date: string;
  split: 'train' | 'validation';
  trade: CorrelationPair;
  reconstruction: CorrelationPair;
  /** The user's stress index at that date, and whether it is above the threshold (null without an index). */
  stressIndex: number | null;
  stressed: boolean | null;
}

export interface GtEpoch {
  epoch: number;
  trainLoss: number;
  validationLoss: number;
  validationReconstructionLoss: number;
  validationTradeLoss: number;
}

/** Training settings (Table 1: dropout 0.1, learning rate 1e-2, weight decay 1e-5, κ = 1; up to 500 epochs). */
export interface GtSettings {
  dropout: number;
  learningRate: number;
  weightDecay: number;
  kappa: number;
  maxEpochs: number;
  patience: number;
  /** Share of positions masked per step (and as many non-edges sampled). */
  maskFraction: number;
  /** Number of last report dates (with a trade target) held out for validation. */
  validationDates: number;
  seed: number;
  /**
   * Investors per mini-batch (src-main/learning/gt-batches.ts): each step trains on the subgraph of that many
   * investors, their positions and assets, so memory is bounded by the batch. Absent or ≥ the investors: whole graph.
   */
  batchInvestors?: number;
}

export interface GtMetrics {
  datasetId: number | null;
  datasetName: string;
  backend: string;
  parameterCount: number;
  config: { hidden: number; embedding: number; layers: number; heads: number; keyDim: number; categoryDim: number };
  settings: GtSettings;
  trainDates: string[];
  validationDates: string[];
  bestEpoch: number;
  epochs: number;
  stoppedEarly: boolean;
  trainingSeconds: number;
  history: GtEpoch[];
  /** Trade prediction (eqs. 21–23) and masked-autoencoder reconstruction (eq. 20). */
  trade: GtSplitMetrics;
  reconstruction: GtSplitMetrics;
  baselines: { trade: string; reconstruction: string };
  byGroup: GtGroupMetric[];
  byDate: GtDateMetric[];
  stressThreshold: number | null;
}

export interface GtModelSummary {
  id: number;
  name: string;
  createdAt: string;
  runId: number | null;
  datasetId: number | null;
  backend: string;
  parameterCount: number;
  tradeValidation: number;
  reconstructionValidation: number;
}

/** A 2-D map of node embeddings at one date (first two principal components). */
export interface GtEmbeddingMap {
  modelId: number;
  date: string;
  /** Share of the embeddings' variance along each axis. */
  explained: [number, number];
  points: Array<{ code: string; kind: 'investor' | 'asset'; group: string; x: number; y: number }>;
}

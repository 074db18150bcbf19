/**
 * `cwb gt train|embed|predict`: the graph transformer of the Models screen from the command line, over the same
 * store (holdings datasets, the models table) and the same job definition as the app.
 */
import { basename } from 'node:path';
import { describeIssues } from '../../../src-shared/errors';
import {
  gtConfigSchema,
  gtTrainingSchema,
  gtTrainParamsSchema,
  holdingsGenerateSchema,
} from '../../../src-shared/graph-transformer';
import { call } from '../../api/router';
import { selectLearningBackend } from '../../learning/backend';
import { predictTrades } from '../../learning/gt-evaluation';
import { trainAndEvaluate } from '../../learning/gt-run';
import type { GraphTransformerArtifact } from '../../learning/gt-training';
import { gtTrainTask } from '../../jobs/gt-tasks';
import { gtModels, loadHoldingsPanel } from '../../store/holdings-panel';
import { recordExports } from '../../store/audit';
import { UsageError, type Command, type CommandIo, type FlagSpec } from '../command';
import type { AppContext } from '../../app';
import { positiveId, readTextFile } from './common';
import { optionalFlag, requiredFlag, schemaFlag } from '../schema-flags';
import { csvRow } from '../../../src-shared/formats/csv-cell';
import { gtBatchingWords } from '../../../src-shared/format/labels';
import { FORCE_FLAG, checkOutTargets, writeOutFiles } from './out-file';
import { learningBackendInWords } from '../../../src-shared/format/learning-backend';

const CONFIG = gtConfigSchema.shape;
const TRAINING = gtTrainingSchema.shape;
const GENERATOR = holdingsGenerateSchema.options[0].shape;
const INVESTORS_FLAG = schemaFlag('investors', 'N', GENERATOR.investors, 'synthetic: investors');
const ASSETS_FLAG = schemaFlag('assets', 'N', GENERATOR.assets, 'synthetic: assets');
const DATES_FLAG = schemaFlag('dates', 'N', GENERATOR.dates, 'synthetic: quarterly report dates');
const POSITIONS_FLAG = schemaFlag(
  'positions',
  'N',
  GENERATOR.positionsPerInvestor,
  'synthetic: mean positions per investor',
);
const SEED_FLAG = schemaFlag('seed', 'S', TRAINING.seed, 'seed of the generator and of training');
const HIDDEN_FLAG = schemaFlag('hidden', 'D', CONFIG.hidden, 'hidden dimension d_h (Table 1: 256)');
const EMBEDDING_FLAG = schemaFlag('embedding', 'D', CONFIG.embedding, 'embedding dimension d_e (Table 1: 128)');
const LAYERS_FLAG = schemaFlag('layers', 'L', CONFIG.layers, 'message-passing layers (Table 1: 3)');
const HEADS_FLAG = schemaFlag('heads', 'S', CONFIG.heads, 'attention heads (Table 1: 4)');
const KEY_DIM_FLAG = schemaFlag(
  'key-dim',
  'D',
  CONFIG.keyDim.unwrap(),
  'query/key dimension per head (default: the hidden dimension, as in the paper)',
);
const EPOCHS_FLAG = schemaFlag('epochs', 'N', TRAINING.maxEpochs, 'most epochs (Table 1 setup: 500)');
const PATIENCE_FLAG = schemaFlag(
  'patience',
  'N',
  TRAINING.patience,
  'early stopping: epochs without a better validation loss',
);
const LEARNING_RATE_FLAG = schemaFlag('lr', 'X', TRAINING.learningRate, 'Adam learning rate (Table 1: 0.01)');
const DROPOUT_FLAG = schemaFlag('dropout', 'X', TRAINING.dropout, 'dropout rate (Table 1: 0.1)');
const WEIGHT_DECAY_FLAG = schemaFlag(
  'weight-decay',
  'X',
  TRAINING.weightDecay,
  'decoupled weight decay (Table 1: 1e-5)',
);
const KAPPA_FLAG = schemaFlag('kappa', 'X', TRAINING.kappa, 'weight κ of the trade loss in eq. 24 (Table 1: 1)');
const VALIDATION_DATES_FLAG = schemaFlag(
  'validation-dates',
  'N',
  TRAINING.validationDates,
  'last report dates held out for validation',
);
const BATCH_INVESTORS_FLAG = schemaFlag(
  'batch-investors',
  'N',
  TRAINING.batchInvestors,
  'investors per mini-batch: each step trains on their subgraph, so memory is bounded by the batch (default: the whole graph)',
);
const BACKEND_FLAG = schemaFlag(
  'backend',
  'B',
  gtTrainParamsSchema.shape.backend,
  'TensorFlow.js backend; the one used is reported',
);
const STRESS_THRESHOLD_FLAG = schemaFlag(
  'stress-threshold',
  'X',
  gtTrainParamsSchema.shape.stressThreshold,
  'stress index threshold (1.5 as in the paper, with the STLFSI)',
);

/** "date,value" lines (a header is allowed): the user's stress index. */
function readStressIndex(path: string): Array<{ date: string; value: number }> {
  const rows = readTextFile(path)
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter(Boolean);
  return rows.flatMap((line, k) => {
    const [date, value] = line.split(',').map((cell) => cell.trim());
    if (k === 0 && !/^\d{4}-\d{2}-\d{2}$/.test(date ?? '')) return [];
    if (!/^\d{4}-\d{2}-\d{2}$/.test(date ?? '') || !Number.isFinite(Number(value))) {
      throw new UsageError(`${path} line ${k + 1}: expected "YYYY-MM-DD,value", got "${line}"`);
    }
    return [{ date: date!, value: Number(value) }];
  });
}

const TRAIN_FLAGS: FlagSpec[] = [
  {
    name: 'dataset',
    value: 'ID',
    description:
      'train: holdings dataset ID (cwb list); embed/predict: dataset to apply the model to (default: its own)',
  },
  {
    name: 'synthetic',
    description:
      'train: generate planted holdings first (stored as a dataset; --investors, --assets, --dates, --positions, --seed)',
  },
  { name: 'eba-sovereign', description: 'embed/predict/train: use the bundled EBA 2011 bank × sovereign holdings' },
  INVESTORS_FLAG,
  ASSETS_FLAG,
  DATES_FLAG,
  POSITIONS_FLAG,
  SEED_FLAG,
  HIDDEN_FLAG,
  EMBEDDING_FLAG,
  LAYERS_FLAG,
  HEADS_FLAG,
  KEY_DIM_FLAG,
  EPOCHS_FLAG,
  PATIENCE_FLAG,
  LEARNING_RATE_FLAG,
  DROPOUT_FLAG,
  WEIGHT_DECAY_FLAG,
  KAPPA_FLAG,
  VALIDATION_DATES_FLAG,
  BATCH_INVESTORS_FLAG,
  BACKEND_FLAG,
  {
    name: 'stress-index',
    value: 'FILE.csv',
    description: 'date,value lines: dates above --stress-threshold are flagged',
  },
  STRESS_THRESHOLD_FLAG,
  { name: 'name', value: 'NAME', description: 'name of the saved model' },
  { name: 'date', value: 'YYYY-MM-DD', description: 'embed/predict: report date (default: the last)' },
  { name: 'out', value: 'FILE', description: 'train: also write the model JSON; embed: write the embeddings CSV' },
  FORCE_FLAG,
];

type Flags = Record<string, string | true>;
type Context = () => AppContext;
type TrainMetrics = Awaited<ReturnType<typeof trainAndEvaluate>>['metrics'];

/** The training parameters from the flags, validated by the job's own schema (the dataset is set later). */
function trainParams(flags: Flags) {
  const parsed = gtTrainParamsSchema.safeParse({
    datasetId: 1, // replaced below, once the flags are known to be valid
    name: typeof flags.name === 'string' ? flags.name : undefined,
    backend: requiredFlag(flags, BACKEND_FLAG),
    config: {
      hidden: requiredFlag(flags, HIDDEN_FLAG),
      embedding: requiredFlag(flags, EMBEDDING_FLAG),
      layers: requiredFlag(flags, LAYERS_FLAG),
      heads: requiredFlag(flags, HEADS_FLAG),
      keyDim: optionalFlag(flags, KEY_DIM_FLAG) ?? requiredFlag(flags, HIDDEN_FLAG),
    },
    training: {
      maxEpochs: requiredFlag(flags, EPOCHS_FLAG),
      patience: requiredFlag(flags, PATIENCE_FLAG),
      learningRate: requiredFlag(flags, LEARNING_RATE_FLAG),
      dropout: requiredFlag(flags, DROPOUT_FLAG),
      weightDecay: requiredFlag(flags, WEIGHT_DECAY_FLAG),
      kappa: requiredFlag(flags, KAPPA_FLAG),
      validationDates: requiredFlag(flags, VALIDATION_DATES_FLAG),
      seed: requiredFlag(flags, SEED_FLAG),
      batchInvestors: optionalFlag(flags, BATCH_INVESTORS_FLAG),
    },
    stressIndex: typeof flags['stress-index'] === 'string' ? readStressIndex(flags['stress-index']) : undefined,
    stressThreshold: requiredFlag(flags, STRESS_THRESHOLD_FLAG),
  });
  if (!parsed.success) {
    const { message, field } = describeIssues(parsed.error.issues);
    throw new UsageError(`${field ? `${field}: ` : ''}${message}`);
  }
  return parsed.data;
}

/** The holdings dataset to train on: generated (--synthetic, --eba-sovereign) or --dataset ID. */
async function trainingDataset(flags: Flags, io: CommandIo, router: AppContext['router']): Promise<number> {
  if (!flags.synthetic && !flags['eba-sovereign'])
    return positiveId(typeof flags.dataset === 'string' ? flags.dataset : undefined, '--dataset');
  const input = holdingsGenerateSchema.safeParse(
    flags.synthetic
      ? {
          kind: 'synthetic',
          investors: requiredFlag(flags, INVESTORS_FLAG),
          assets: requiredFlag(flags, ASSETS_FLAG),
          dates: requiredFlag(flags, DATES_FLAG),
          positionsPerInvestor: requiredFlag(flags, POSITIONS_FLAG),
          seed: requiredFlag(flags, SEED_FLAG),
        }
      : { kind: 'eba-2011-sovereign' },
  );
  if (!input.success) throw new UsageError(describeIssues(input.error.issues).message);
  const datasetId = (await call(router, 'holdings:generate', input.data)).datasetId;
  io.err(`holdings dataset ${datasetId}`);
  return datasetId;
}

function printTrainMetrics(io: CommandIo, modelId: number, datasetId: number, metrics: TrainMetrics): void {
  const pair = (p: { model: number; baseline: number }) => `${p.model.toFixed(3)} (baseline ${p.baseline.toFixed(3)})`;
  io.out(
    `model ${modelId} on dataset ${datasetId} "${metrics.datasetName}": ${metrics.parameterCount.toLocaleString('en-US')} parameters, backend ${learningBackendInWords(metrics.backend)}`,
  );
  io.out(
    `  epochs ${metrics.epochs} (best ${metrics.bestEpoch}${metrics.stoppedEarly ? ', stopped early' : ''}), ${metrics.trainingSeconds.toFixed(1)} s, seed ${metrics.settings.seed}, ${gtBatchingWords(metrics.settings.batchInvestors).toLowerCase()}`,
  );
  io.out(`  trade correlation       train ${pair(metrics.trade.train)}, validation ${pair(metrics.trade.validation)}`);
  io.out(
    `  reconstruction corr.    train ${pair(metrics.reconstruction.train)}, validation ${pair(metrics.reconstruction.validation)}`,
  );
  for (const group of metrics.byGroup)
    io.out(`  ${group.group.padEnd(24)}trade ${pair(group.trade)}, reconstruction ${pair(group.reconstruction)}`);
}

/** cwb gt train: trains in this process with the job's plan and save, so the model and its run are the app's. */
async function gtTrain(flags: Flags, io: CommandIo, context: Context): Promise<number> {
  const { db, router } = context();
  if (typeof flags.out === 'string') checkOutTargets([flags.out], flags, context()); // before training, not after
  const parsed = trainParams(flags);
  const datasetId = await trainingDataset(flags, io, router);
  const params = { ...parsed, datasetId };
  const plan = gtTrainTask.plan(db, params, 1);
  const shard = plan.shards[0]!;
  const startedAt = new Date();
  // the dates read from the store one at a time, as the job's worker reads them
  const holdings = {
    ...shard.holdings,
    snapshot: (date: number) => Promise.resolve(gtTrainTask.answer!(db, plan, { date })),
  };
  const result = await trainAndEvaluate(holdings, shard.params, shard.dataset, {
    onEpoch: (record, maxEpochs) =>
      io.err(
        `epoch ${record.epoch}/${maxEpochs}: train loss ${record.trainLoss.toFixed(4)}, validation loss ${record.validationLoss.toFixed(4)}`,
      ),
  });
  const runId = db.transaction(() =>
    gtTrainTask.save(db, plan, result, {
      startedAt: startedAt.toISOString(),
      durationMs: Date.now() - startedAt.getTime(),
    }),
  )();
  const modelId = gtModels.list(db).find((model) => model.runId === runId)!.id;
  if (typeof flags.out === 'string') {
    const content = JSON.stringify(result.artifact);
    writeOutFiles([{ path: flags.out, content }], flags, context());
    recordExports(db, { subject: `model #${modelId} (graph transformer)`, format: 'json', refs: { modelId, runId } }, [
      { fileName: basename(flags.out), content, encoding: 'utf8' },
    ]);
  }
  const { metrics } = result;
  if (flags.json) io.out(JSON.stringify({ modelId, runId, ...metrics }));
  else printTrainMetrics(io, modelId, datasetId, metrics);
  return 0;
}

/** cwb gt embed: the model's embeddings at a date, as CSV (to --out or standard output) or JSON. */
async function gtEmbed(
  flags: Flags,
  io: CommandIo,
  context: Context,
  modelId: number,
  datasetId: number | undefined,
  date: string | undefined,
): Promise<number> {
  if (typeof flags.out === 'string') checkOutTargets([flags.out], flags, context());
  const { map, csv } = await call(context().router, 'models:embeddings', {
    id: modelId,
    datasetId,
    date,
    export: typeof flags.out === 'string' || !flags.json,
  });
  if (typeof flags.out === 'string') {
    writeOutFiles([{ path: flags.out, content: csv }], flags, context());
    io.err(`wrote ${map.points.length} embeddings at ${map.date} to ${flags.out}`);
  }
  if (flags.json) io.out(JSON.stringify(map));
  else if (typeof flags.out !== 'string') io.out(csv);
  return 0;
}

/** cwb gt predict: the model's predicted trades at a date against the actual ones. */
async function gtPredict(
  flags: Flags,
  io: CommandIo,
  context: Context,
  modelId: number,
  datasetId: number | undefined,
  date: string | undefined,
): Promise<number> {
  const { db } = context();
  const artifact = gtModels.artifact<GraphTransformerArtifact>(db, modelId);
  const source = datasetId ?? gtModels.metrics(db, modelId).datasetId;
  if (source === null) throw new UsageError('--dataset ID is required: the model records no dataset');
  const { panel } = loadHoldingsPanel(db, source);
  await selectLearningBackend('auto');
  const result = await predictTrades(artifact, panel, date);
  if (flags.json) {
    io.out(JSON.stringify({ modelId, datasetId: source, ...result }));
    return 0;
  }
  io.out('investor,asset,amount,predicted_z,actual_z');
  for (const p of result.predictions)
    io.out(
      csvRow([p.investor, p.asset, p.amount, p.predicted.toFixed(4), p.actual === null ? '' : p.actual.toFixed(4)]),
    );
  return 0;
}

export const gtCommand: Command = {
  name: 'gt',
  summary: 'graph transformer on holdings: train (saved in the store), embed (CSV), predict trades',
  usage:
    'cwb gt train (--dataset ID | --synthetic | --eba-sovereign) [options] [--json] | cwb gt embed MODEL_ID [--dataset ID] [--date D] [--out FILE.csv [--force]] | cwb gt predict MODEL_ID [--dataset ID] [--date D] [--json]',
  positionals: { min: 1, max: 2 },
  flags: TRAIN_FLAGS,
  async run({ positionals, flags }, io, context) {
    const [action, modelText] = positionals as [string, string | undefined];
    if (action === 'train') {
      if (modelText) throw new UsageError('"cwb gt train" takes no MODEL_ID');
      return gtTrain(flags, io, context);
    }
    if (action !== 'embed' && action !== 'predict')
      throw new UsageError(`unknown action "${action}"; use train, embed or predict`);
    const modelId = positiveId(modelText, 'MODEL_ID');
    const { router } = context();
    const datasetId = flags['eba-sovereign']
      ? (await call(router, 'holdings:generate', { kind: 'eba-2011-sovereign' })).datasetId
      : typeof flags.dataset === 'string'
        ? positiveId(flags.dataset, '--dataset')
        : undefined;
    const date = typeof flags.date === 'string' ? flags.date : undefined;
    return action === 'embed'
      ? gtEmbed(flags, io, context, modelId, datasetId, date)
      : gtPredict(flags, io, context, modelId, datasetId, date);
  },
};

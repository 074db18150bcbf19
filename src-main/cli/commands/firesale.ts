/**
 * `cwb firesale SYSTEM.json`: the fire-sale equilibrium of a firesale@1 system (or a bundled example);
 * `cwb idf reproduce`: the dual-network paper's Tables 2–7 on fresh simulated data; `cwb idf train SYSTEM.json`:
 * the dual network on a system's simulated data, saved with its metrics in the store.
 */
import { basename } from 'node:path';
import { FIRESALE_EXAMPLES, fireSaleDocumentSchema, type FireSaleExample } from '../../../src-shared/formats/firesale';
import {
  ARCTANGENT_CORRELATION,
  convergenceWarning,
  isArctangentCorrelation,
  type ReproductionReport,
} from '../../../src-shared/results/fire-sales';
import { exampleFireSale } from '../../api/firesale-services';
import { call } from '../../api/router';
import { parseJsonDocument } from '../../io/network-json';
import { runJob } from '../job-run';
import { jobParamSchemas } from '../../../src-shared/jobs';
import { UsageError, type Command, type CommandIo, type ParsedArgs } from '../command';
import { formatAmount, readTextFile } from './common';
import { optionalFlag, requiredFlag, schemaFlag } from '../schema-flags';
import { learningBackendInWords } from '../../../src-shared/format/learning-backend';

function byId(ids: string[], values: ArrayLike<number>): Record<string, number> {
  return Object.fromEntries(ids.map((id, i) => [id, values[i]!]));
}

function readSystem(args: ParsedArgs) {
  const example = args.flags.example;
  if (typeof example === 'string') {
    if (!FIRESALE_EXAMPLES.includes(example as FireSaleExample))
      throw new UsageError(`--example must be one of ${FIRESALE_EXAMPLES.join(', ')}`);
    if (args.positionals.length > 0) throw new UsageError('give either SYSTEM.json or --example, not both');
    return exampleFireSale(example as FireSaleExample);
  }
  const path = args.positionals[0];
  if (!path) throw new UsageError('a SYSTEM.json file (firesale@1) or --example NAME is needed');
  return parseJsonDocument(fireSaleDocumentSchema, readTextFile(path), basename(path));
}

const EXAMPLE_FLAG = {
  name: 'example',
  value: 'NAME',
  description: `a bundled system instead of a file: ${FIRESALE_EXAMPLES.join(', ')}`,
};

export const firesaleCommand: Command = {
  name: 'firesale',
  summary:
    'fire-sale equilibrium of a system, saved as a run: prices, liquidations, losses, convergence of the fixed point',
  usage: 'cwb firesale SYSTEM.json [--json] | cwb firesale --example NAME [--print-system] [--json]',
  positionals: { min: 0, max: 1 },
  flags: [
    EXAMPLE_FLAG,
    { name: 'print-system', description: 'print the system (firesale@1 JSON) instead of simulating' },
  ],
  async run(args, io, context) {
    const doc = readSystem(args);
    if (args.flags['print-system']) {
      io.out(JSON.stringify(doc, null, 2));
      return 0;
    }
    io.err(
      `fire sale on ${doc.banks.length} banks, ${doc.assets.length} assets (${doc.inverseDemand.form} inverse demand, ${doc.strategy})`,
    );
    // Through the router, as the screen: the equilibrium is saved as a run (for `cwb brief`).
    const { runId, ...outcome } = await call(context().router, 'firesales:simulate', { system: doc });
    io.err(`saved as run ${runId}`);
    const warning = convergenceWarning(outcome);
    const json = {
      runId,
      prices: byId(outcome.assetIds, outcome.prices),
      liquidations: byId(outcome.assetIds, outcome.assetLiquidations),
      fractionsSold: byId(outcome.bankIds, outcome.fractions),
      losses: byId(outcome.bankIds, outcome.losses),
      equity: byId(outcome.bankIds, outcome.equity),
      defaults: outcome.bankIds.filter((_, n) => outcome.defaulted[n]),
      totalLoss: outcome.totalLoss,
      iterations: outcome.iterations,
      acceleratedSteps: outcome.acceleratedSteps,
      lastChange: outcome.lastChange,
      residual: outcome.residual,
      converged: outcome.converged,
      ...(warning ? { warning } : {}),
      unit: outcome.unit,
    };
    if (args.flags.json) {
      if (warning) io.err(`warning: ${warning}`);
      io.out(JSON.stringify(json));
      return 0;
    }
    io.out(
      `${doc.name}: ${outcome.converged ? 'converged' : 'NOT converged'} after ${outcome.iterations} steps${outcome.acceleratedSteps ? ` (${outcome.acceleratedSteps} accelerated)` : ''}; remaining error max|Φ(p) − p| ${outcome.residual.toExponential(1)}`,
    );
    if (warning) io.out(`  ${warning}`);
    io.out(
      `  total loss ${formatAmount(outcome.totalLoss)} ${outcome.unit}; ${json.defaults.length} bank(s) with equity ≤ 0`,
    );
    io.out(`  ${'asset'.padEnd(14)}${'price'.padStart(10)}${'units sold'.padStart(16)}`);
    outcome.assetIds.forEach((id, m) =>
      io.out(
        `  ${id.padEnd(14)}${outcome.prices[m]!.toFixed(4).padStart(10)}${formatAmount(outcome.assetLiquidations[m]!).padStart(16)}`,
      ),
    );
    return 0;
  },
};

const TRAIN = jobParamSchemas['idf-train'].shape;
const REPRODUCE = jobParamSchemas['idf-reproduce'].shape;
const SEED_FLAG = schemaFlag('seed', 'S', TRAIN.seed, 'random seed of the simulated data and the network', 1);
const SAMPLES_FLAG = schemaFlag(
  'samples',
  'N',
  TRAIN.samples,
  'simulated (shock, price) samples, 20% held out for testing (reproduce: at least 100)',
);
const EPOCHS_FLAG = schemaFlag(
  'epochs',
  'E',
  TRAIN.maxEpochs,
  'maximum training epochs (early stopping may end sooner)',
);
const BACKEND_FLAG = schemaFlag('backend', 'B', TRAIN.backend, 'TensorFlow.js backend preference');
const HIDDEN_FLAG = schemaFlag('hidden', 'H', TRAIN.hidden, 'train: hidden units per layer');
const ONLY_FLAG = schemaFlag(
  'only',
  'CASE',
  REPRODUCE.only.unwrap().element,
  'reproduce only case1 (Tables 2–3, Figure 2) or case2 (Tables 4–7)',
);
const TRAINING_FLAGS = [SEED_FLAG, SAMPLES_FLAG, EPOCHS_FLAG, BACKEND_FLAG];

function formatNumber(value: number | null): string {
  if (value === null || !Number.isFinite(value)) return '—';
  return Math.abs(value) < 1e-3 && value !== 0 ? value.toExponential(2) : value.toFixed(4);
}

function printReport(report: ReproductionReport, io: CommandIo): void {
  io.out(
    `Reproduction of the dual-network paper: seed ${report.seed}, ${report.samples} samples per data set, backend ${learningBackendInWords(report.backend)}, ${(report.durationMs / 1000).toFixed(1)} s`,
  );
  io.out(
    `  ${'table'.padEnd(6)}${'data set'.padEnd(26)}${'model'.padEnd(20)}${'metric'.padEnd(46)}${'measured'.padStart(12)}${'published'.padStart(12)}`,
  );
  for (const row of report.rows) {
    io.out(
      `  ${row.table.padEnd(6)}${row.dataset.padEnd(26)}${row.model.padEnd(20)}${row.metric.padEnd(46)}${formatNumber(row.measured).padStart(12)}${formatNumber(row.published).padStart(12)}`,
    );
    if (isArctangentCorrelation(row))
      io.out(
        `        bound for the paper's network on these data: ${ARCTANGENT_CORRELATION.bound} — ${ARCTANGENT_CORRELATION.note}`,
      );
  }
  io.out('Acceptance:');
  for (const item of report.acceptance) io.out(`  [${item.met ? 'met' : 'NOT met'}] ${item.criterion}: ${item.detail}`);
}

export const idfCommand: Command = {
  name: 'idf',
  summary: 'inverse demand by the dual neural network: "reproduce" the paper\'s Tables 2–7, or "train" on a system',
  usage:
    'cwb idf reproduce [--seed S] [--samples N] [--epochs E] [--only case1|case2] [--backend B] [--json] | cwb idf train SYSTEM.json|--example NAME [--hidden H] [--inclusive] [...]',
  positionals: { min: 1, max: 2 },
  flags: [
    ...TRAINING_FLAGS,
    ONLY_FLAG,
    HIDDEN_FLAG,
    { name: 'inclusive', description: 'also train the Inclusive Model (train)' },
    EXAMPLE_FLAG,
  ],
  async run(args, io, context) {
    const [action, ...rest] = args.positionals;
    const seed = requiredFlag(args.flags, SEED_FLAG);
    const maxEpochs = requiredFlag(args.flags, EPOCHS_FLAG);
    const backend = requiredFlag(args.flags, BACKEND_FLAG);
    // Both run as the app's jobs (worker threads, the job schemas' limits, Ctrl+C cancels) and are saved as runs.
    if (action === 'reproduce') {
      if (rest.length > 0) throw new UsageError('"cwb idf reproduce" takes no file');
      const only = optionalFlag(args.flags, ONLY_FLAG);
      const samples = requiredFlag(args.flags, { ...SAMPLES_FLAG, field: REPRODUCE.samples });
      const params = { seed, samples, maxEpochs, ...(only ? { only: [only] } : {}), backend };
      const run = await runJob(context(), io, 'idf-reproduce', params, 'idf reproduce');
      const report = run.results;
      io.err(`idf reproduce: saved as run ${run.id}`);
      if (args.flags.json) io.out(JSON.stringify({ runId: run.id, ...report }));
      else printReport(report, io);
      return 0;
    }
    if (action === 'train') {
      const doc = readSystem({ ...args, positionals: rest });
      const samples = requiredFlag(args.flags, SAMPLES_FLAG);
      const params = {
        system: doc,
        samples,
        seed,
        maxEpochs,
        hidden: requiredFlag(args.flags, HIDDEN_FLAG),
        inclusive: Boolean(args.flags.inclusive),
        backend,
      };
      const run = await runJob(context(), io, 'idf-train', params, 'idf train');
      const { results } = run;
      const { metrics } = results;
      const summary = {
        runId: run.id,
        backend: results.backend,
        epochs: results.epochs,
        stoppedBy: results.stoppedBy,
        mseProposed: metrics.mseProposed,
        mseLinearPriceModel: metrics.mseLinearPriceModel,
        mseInclusive: results.mseInclusive,
        liquidationCorrelation: byId(
          doc.assets.map((a) => a.id),
          metrics.liquidationCorrelation.map((c) => c ?? Number.NaN),
        ),
        testRows: metrics.testRows,
      };
      if (args.flags.json) io.out(JSON.stringify(summary));
      else
        io.out(
          `${doc.name}: ${summary.epochs} epochs (${summary.stoppedBy}) on ${learningBackendInWords(summary.backend)}; test price MSE ${formatNumber(summary.mseProposed)} (linear price model ${formatNumber(summary.mseLinearPriceModel)}); saved as run ${run.id}`,
        );
      return 0;
    }
    throw new UsageError(`unknown action "${action}"; usage: ${idfCommand.usage}`);
  },
};

/**
 * One large training run of the graph transformer by investor mini-batches: the planted generator at supervisory
 * scale (default 30,000 investors × 100,000 assets × 100 positions each = 3,000,000 positions per date, 4 dates),
 * on the WebAssembly backend (or LEARNING_BACKEND), reporting seconds per epoch, the median milliseconds per
 * training step, processor seconds, peak resident memory, the parameter count and the losses. Not part of
 * `npm run bench` (it takes many minutes):
 *
 *   npx tsx bench/learning-large.ts [investors] [assets] [positionsPerInvestor] [batchInvestors] [epochs]
 *
 * LEARNING_LARGE_CONFIG=paper trains the paper's configuration (PAPER_CONFIG: d_h 256, d_e 128, L 3, S 4, d_k 256,
 * d_c 16) instead of the small default (d_h 32, L 2, S 2); LEARNING_LARGE_DATES sets the report dates (default 4,
 * at least 3: the last date has no trade target and one is held out for validation, so 4 dates train on 2);
 * LEARNING_LARGE_BUDGET_S starts no further epoch that the last one's duration says would end past that many
 * seconds of training (so `epochs` can be set high: as many as fit).
 * A step is timed from one `shouldStop` call to the next (the hook is checked before every step; the interval also
 * holds the weight decay and, once per date, the batches' construction).
 */
import * as tf from '@tensorflow/tfjs';
import { generateHoldings } from '../src-main/engines/holdings-generator';
import { selectLearningBackend, type LearningBackendPreference } from '../src-main/learning/backend';
import { PAPER_CONFIG } from '../src-main/learning/graph-transformer';
import { PAPER_TRAINING, trainGraphTransformer } from '../src-main/learning/gt-training';

const [investors = 30_000, assets = 100_000, positionsPerInvestor = 100, batchInvestors = 1000, epochs = 1] =
  process.argv.slice(2).map(Number);
const configName = process.env.LEARNING_LARGE_CONFIG ?? 'small';
const config =
  configName === 'paper' ? PAPER_CONFIG : { hidden: 32, embedding: 16, layers: 2, heads: 2, keyDim: 8, categoryDim: 4 };
const dates = Number(process.env.LEARNING_LARGE_DATES ?? 4);
if (!(dates >= 3)) throw new Error(`LEARNING_LARGE_DATES must be at least 3 (got ${process.env.LEARNING_LARGE_DATES})`);
const peakMiB = () => Math.round(process.resourceUsage().maxRSS / 1024);
const seconds = (ms: number) => Math.round(ms / 100) / 10;
const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? null : (sorted[(sorted.length - 1) >> 1]! + sorted[sorted.length >> 1]!) / 2;
};

const backend = await selectLearningBackend((process.env.LEARNING_BACKEND ?? 'wasm') as LearningBackendPreference);
let started = performance.now();
const panel = generateHoldings({ investors, assets, positionsPerInvestor, dates, seed: 1 });
const positions = panel.snapshots.map((s) => s.investor.length);
console.error(
  `generated ${positions.join(', ')} positions in ${seconds(performance.now() - started)} s, peak RSS ${peakMiB()} MiB`,
);
started = performance.now();
const cpuStarted = process.cpuUsage();
const epochEnds: number[] = [];
const stepMs: number[] = [];
let checks: number[] = []; // the `shouldStop` times of the current epoch: before each step, then after the last
const budgetMs = 1000 * Number(process.env.LEARNING_LARGE_BUDGET_S ?? Infinity);
let outOfTime = false;
const artifact = await trainGraphTransformer(
  panel,
  { ...PAPER_TRAINING, config, maxEpochs: epochs, patience: epochs, validationDates: 1, seed: 1, batchInvestors },
  {
    backend: backend.name,
    shouldStop: () => {
      if (outOfTime) return true;
      checks.push(performance.now());
      if (checks.length > 1) {
        const ms = checks.at(-1)! - checks.at(-2)!;
        console.error(`  step ${checks.length - 1}: ${Math.round(ms)} ms, peak RSS ${peakMiB()} MiB`);
      }
      return false;
    },
    onEpoch: (record) => {
      epochEnds.push(performance.now());
      for (let k = 1; k < checks.length; k++) stepMs.push(checks[k]! - checks[k - 1]!);
      console.error(
        `epoch ${record.epoch}: train ${record.trainLoss.toFixed(4)}, validation ${record.validationLoss.toFixed(4)}, ${checks.length - 1} steps, validation ${seconds(epochEnds.at(-1)! - checks.at(-1)!)} s, ${seconds(performance.now() - started)} s, peak RSS ${peakMiB()} MiB`,
      );
      checks = [];
      const last = epochEnds.at(-1)! - (epochEnds.at(-2) ?? started);
      outOfTime = epochEnds.at(-1)! + last - started > budgetMs;
    },
  },
);
const cpu = process.cpuUsage(cpuStarted);
console.log(
  JSON.stringify({
    backend: `${backend.name} on ${backend.adapter}`,
    investors,
    assets,
    positionsPerDate: positions,
    batchInvestors,
    config: configName === 'paper' ? { name: 'paper', ...config } : config,
    parameterCount: artifact.parameterCount,
    epochs: artifact.history.length,
    stepsPerEpoch: stepMs.length / Math.max(1, epochEnds.length),
    secondsPerEpoch: seconds((epochEnds.at(-1)! - started) / epochEnds.length),
    medianMsPerStep: Math.round(median(stepMs) ?? NaN),
    processorSecondsPerEpoch: seconds((cpu.user + cpu.system) / 1000 / epochEnds.length),
    peakRssMiB: peakMiB(),
    tensorsLeft: tf.memory().numTensors,
    history: artifact.history,
  }),
);

/**
 * One large training run of the graph transformer by investor mini-batches: the planted generator at supervisory
 * scale (default 30,000 investors × 100,000 assets × 100 positions each = 3,000,000 positions per date, 4 dates),
 * on the WebAssembly backend (or LEARNING_BACKEND), reporting seconds per epoch, peak resident memory and the
 * validation losses. Not part of `npm run bench` (it takes many minutes):
 *
 *   npx tsx bench/learning-large.ts [investors] [assets] [positionsPerInvestor] [batchInvestors] [epochs]
 */
import * as tf from '@tensorflow/tfjs';
import { generateHoldings } from '../src-main/engines/holdings-generator';
import { selectLearningBackend, type LearningBackendPreference } from '../src-main/learning/backend';
import { PAPER_TRAINING, trainGraphTransformer } from '../src-main/learning/gt-training';

const [investors = 30_000, assets = 100_000, positionsPerInvestor = 100, batchInvestors = 1000, epochs = 1] =
  process.argv.slice(2).map(Number);
const config = { hidden: 32, embedding: 16, layers: 2, heads: 2, keyDim: 8, categoryDim: 4 };
const peakMiB = () => Math.round(process.resourceUsage().maxRSS / 1024);

const backend = await selectLearningBackend((process.env.LEARNING_BACKEND ?? 'wasm') as LearningBackendPreference);
let started = performance.now();
const panel = generateHoldings({ investors, assets, positionsPerInvestor, dates: 4, seed: 1 });
const positions = panel.snapshots.map((s) => s.investor.length);
console.error(
  `generated ${positions.join(', ')} positions in ${((performance.now() - started) / 1000).toFixed(1)} s, peak RSS ${peakMiB()} MiB`,
);
started = performance.now();
const cpuStarted = process.cpuUsage();
const epochEnds: number[] = [];
const artifact = await trainGraphTransformer(
  panel,
  { ...PAPER_TRAINING, config, maxEpochs: epochs, patience: epochs, validationDates: 1, seed: 1, batchInvestors },
  {
    backend: backend.name,
    onEpoch: (record) => {
      epochEnds.push(performance.now());
      console.error(
        `epoch ${record.epoch}: train ${record.trainLoss.toFixed(4)}, validation ${record.validationLoss.toFixed(4)}, ${((performance.now() - started) / 1000).toFixed(1)} s, peak RSS ${peakMiB()} MiB`,
      );
    },
  },
);
const secondsPerEpoch = (epochEnds.at(-1)! - started) / 1000 / epochEnds.length;
console.log(
  JSON.stringify({
    backend: `${backend.name} on ${backend.adapter}`,
    investors,
    assets,
    positionsPerDate: positions,
    batchInvestors,
    config,
    epochs: artifact.history.length,
    secondsPerEpoch: Math.round(secondsPerEpoch * 10) / 10,
    processorSecondsPerEpoch:
      Math.round((process.cpuUsage(cpuStarted).user + process.cpuUsage(cpuStarted).system) / 1e5 / epochEnds.length) /
      10,
    peakRssMiB: peakMiB(),
    tensorsLeft: tf.memory().numTensors,
    history: artifact.history,
  }),
);

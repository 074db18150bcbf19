/**
 * One side of `bench/holdings-stream.bench.ts`, in its own process so its peak memory is its own: one epoch of
 * graph-transformer training by mini-batches on a stored holdings dataset, either loaded whole (`panel`) or read
 * date by date as the training job reads it (`stream`). Prints one JSON line.
 *
 *   node --import tsx bench/holdings-stream-case.ts panel|stream DATA_DIR DATASET_ID BATCH_INVESTORS  (key: CWB_BENCH_KEY, hex)
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { selectLearningBackend } from '../src-main/learning/backend';
import { PAPER_TRAINING, trainGraphTransformer } from '../src-main/learning/gt-training';
import { openDatabase } from '../src-main/store/db';
import { holdingsDatasetReader, loadHoldingsPanel } from '../src-main/store/holdings-panel';

const [mode, dataDir, datasetId, batchInvestors] = process.argv.slice(2) as [string, string, string, string];
/**
 * Peak resident memory of this process image (VmHWM): getrusage's maxRSS would carry over the parent's peak across
 * fork and exec.
 */
const peakMiB = () => {
  const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  return Math.round((hwm ? Number(hwm[1]) : process.resourceUsage().maxRSS) / 1024);
};
await selectLearningBackend('wasm');
const db = openDatabase(dataDir, { key: Buffer.from(process.env.CWB_BENCH_KEY!, 'hex') });
const started = performance.now();
let reads = 0;
const holdings =
  mode === 'panel'
    ? loadHoldingsPanel(db, Number(datasetId)).panel
    : (() => {
        const reader = holdingsDatasetReader(db, Number(datasetId));
        return { ...reader, snapshot: (k: number) => Promise.resolve((reads++, reader.snapshot(k))) };
      })();
const loadedSeconds = (performance.now() - started) / 1000;
const rssLoaded = peakMiB();
const config = { hidden: 8, embedding: 4, layers: 1, heads: 1, keyDim: 4, categoryDim: 2 };
const artifact = await trainGraphTransformer(
  holdings,
  {
    ...PAPER_TRAINING,
    config,
    maxEpochs: 1,
    patience: 1,
    validationDates: 1,
    seed: 1,
    batchInvestors: Number(batchInvestors),
  },
  { backend: 'wasm' },
  mode === 'panel' ? Infinity : 0,
);
db.close();
console.log(
  JSON.stringify({
    mode,
    loadSeconds: Math.round(loadedSeconds * 10) / 10,
    seconds: Math.round(((performance.now() - started) / 1000) * 10) / 10,
    peakRssAfterLoadMiB: rssLoaded,
    peakRssMiB: peakMiB(),
    datesRead: mode === 'panel' ? null : reads,
    weightsSha256: createHash('sha256').update(JSON.stringify(artifact.weights)).digest('hex').slice(0, 16),
  }),
);

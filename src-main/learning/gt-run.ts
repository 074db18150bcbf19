/**
 * One training run of the graph transformer, as the job worker and `cwb gt train` do it: select the TensorFlow.js
 * backend (reported and recorded with the model), train (./gt-training.ts) on a panel in memory or a source read
 * date by date (./holdings-source.ts), evaluate (./gt-evaluation.ts) on the dates training prepared (none is read
 * again when training kept them) and assemble the metrics the app shows.
 */
import type { GtTrainParams } from '../../src-shared/graph-transformer';
import type { GtMetrics } from '../../src-shared/results/graph-transformer';
import { backendLabel, selectLearningBackend } from './backend';
import { BASELINE_DESCRIPTIONS, evaluateGraphTransformer } from './gt-evaluation';
import { trainGraphTransformerWithDates, type EpochRecord, type GraphTransformerArtifact } from './gt-training';
import type { Holdings } from './holdings-source';

export interface GtRunHooks {
  onEpoch?(record: EpochRecord, maxEpochs: number): void;
  shouldStop?(): boolean;
}

export async function trainAndEvaluate(
  holdings: Holdings,
  params: GtTrainParams,
  dataset: { id: number | null; name: string },
  hooks: GtRunHooks = {},
): Promise<{ artifact: GraphTransformerArtifact; metrics: GtMetrics }> {
  const backend = await selectLearningBackend(params.backend);
  const started = performance.now();
  let artifact: GraphTransformerArtifact;
  let evaluation: Awaited<ReturnType<typeof evaluateGraphTransformer>>;
  let trainingSeconds: number;
  try {
    const trained = await trainGraphTransformerWithDates(
      holdings,
      { config: params.config, ...params.training },
      { ...hooks, backend: backendLabel(backend) },
    );
    artifact = trained.artifact;
    trainingSeconds = (performance.now() - started) / 1000;
    evaluation = await evaluateGraphTransformer(artifact, trained.dates, {
      stressIndex: params.stressIndex,
      stressThreshold: params.stressThreshold,
    });
  } catch (error) {
    throw outOfMemoryInWords(error, backend.name, params.training.batchInvestors) ?? error;
  }
  return {
    artifact,
    metrics: {
      datasetId: dataset.id,
      datasetName: dataset.name,
      backend: `${backend.name} (${backend.detail})`,
      parameterCount: artifact.parameterCount,
      config: params.config,
      settings: params.training,
      trainDates: artifact.trainDates,
      validationDates: artifact.validationDates,
      bestEpoch: artifact.bestEpoch,
      epochs: artifact.history.length,
      stoppedEarly: artifact.stoppedEarly,
      trainingSeconds,
      history: artifact.history,
      ...evaluation,
      baselines: BASELINE_DESCRIPTIONS,
      stressThreshold: params.stressIndex ? params.stressThreshold : null,
    },
  };
}

/**
 * WebAssembly's memory cannot grow past 4 GiB; a step that needs more fails deep in the backend with "memory access
 * out of bounds" (or an abort). Said in words, with what to change; undefined for any other error.
 */
export function outOfMemoryInWords(error: unknown, backend: string, batchInvestors?: number): Error | undefined {
  const message = error instanceof Error ? error.message : String(error);
  if (!/memory access out of bounds|out of memory|Aborted\(OOM\)|Array buffer allocation failed/i.test(message))
    return undefined;
  const where = backend === 'wasm' ? "the WebAssembly backend's 4 GiB" : 'the memory available';
  const batch = batchInvestors
    ? `fewer investors per mini-batch (now ${batchInvestors.toLocaleString('en-US')})`
    : 'mini-batches of investors';
  return new Error(`training needed more memory than ${where}: train with ${batch}, or a smaller model`);
}

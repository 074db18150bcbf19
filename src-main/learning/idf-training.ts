/**
 * Training the dual network on a fire-sale system (worker side of the `idf-train` job and `cwb idf train`):
 * simulate (shock, price) data from the system's shock range, train, evaluate on the held-out rows.
 */
import type { FireSaleDocument } from '../../src-shared/formats/firesale';
import type { DualNetworkRunResults } from '../../src-shared/results/fire-sales';
import { simulationSpecOf } from '../engines/fire-sale-document';
import { selectLearningBackend, type LearningBackendPreference } from './backend';
import { DEFAULT_TRAINING, type EpochReport, type SerializedDualNetwork } from './dual-network';
import { runExperiment } from './idf-reproduction';

export interface IdfTrainParams {
  system: FireSaleDocument;
  samples: number;
  seed: number;
  maxEpochs: number;
  hidden: number;
  inclusive: boolean;
  backend: LearningBackendPreference;
}

export const TEST_FRACTION = 0.2;

export async function trainOnSystem(
  params: IdfTrainParams,
  hooks: {
    onEpoch?(report: EpochReport, model: 'proposed' | 'inclusive'): void;
    onRestart?(index: number, count: number): void;
    signal?: AbortSignal;
  } = {},
): Promise<{ results: Omit<DualNetworkRunResults, 'modelId'>; model: SerializedDualNetwork }> {
  const backend = await selectLearningBackend(params.backend);
  const spec = simulationSpecOf(params.system);
  const training = {
    ...DEFAULT_TRAINING,
    maxEpochs: params.maxEpochs,
    hidden: params.hidden,
    patience: Math.min(DEFAULT_TRAINING.patience, Math.max(10, Math.floor(params.maxEpochs / 10))),
  };
  const result = await runExperiment(
    spec,
    { seed: params.seed, samples: params.samples, testFraction: TEST_FRACTION, training },
    params.inclusive,
    hooks,
  );
  return {
    results: {
      metrics: result.metrics,
      mseInclusive: result.mseInclusive,
      curve: result.trained.curve.map(({ epoch, trainLoss, validationLoss }) => ({ epoch, trainLoss, validationLoss })),
      epochs: result.trained.epochs,
      stoppedBy: result.trained.stoppedBy,
      backend: backend.name,
      backendDetail: backend.detail,
      system: params.system.name,
      samples: params.samples,
      seed: params.seed,
    },
    model: result.trained.model,
  };
}

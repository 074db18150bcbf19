/** Job kinds, worker side: pure computations over the inputs planned in tasks.ts. */
import type { NetworkDocument } from '../../src-shared/formats/network';
import type { ShockModelInput } from '../../src-shared/jobs';
import { toClearingSystem } from '../engines/network-arrays';
import { runStressBatch, type StressPartial } from '../engines/stress';
import type { TaskReporter } from './protocol';
import { gtTrainWorker } from './gt-worker';

export interface StressShardInput {
  document: NetworkDocument;
  shockModel: ShockModelInput;
  seed: number;
  firstScenario: number;
  count: number;
  recovery?: { alpha: number; beta: number };
}

export const workerTasks = {
  stress(input: StressShardInput, reporter: TaskReporter): StressPartial {
    const system = toClearingSystem(input.document);
    return runStressBatch(system, input.shockModel, input.seed, input.firstScenario, input.count, (done) =>
      reporter.progress(done / input.count, 'clearing scenarios', { scenarios: done }),
      input.recovery ?? {},
    );
  },
  gtTrain: gtTrainWorker,
};

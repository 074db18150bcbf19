/** Job kinds, worker side: pure computations over the inputs planned in tasks.ts. */
import type { JobKind } from '../../src-shared/jobs';
import { runStressBatch, type StressPartial } from '../engines/stress';
import type { TaskReporter } from './protocol';
import type { IdfReproduceParams } from './firesale-worker';
import type { IdfTrainParams } from '../learning/idf-training';
import { runReconstruction } from './reconstruction-worker';
import { runDisaggregation } from './disaggregation-worker';
import type { GtTrainShard } from './gt-worker';
import type { CapitalShardInput, JobAnswer, JobPartial, JobQuestion, JobShard, StressShardInput } from './job-types';
import { runInterventionShard } from './intervention-worker';
import { runPolicyJob } from './policy-worker';

/**
 * A job kind's worker side: one shard input in, one partial result out (JobTypes, job-types.ts); `ask` puts the
 * kind's question to the main thread.
 */
export type WorkerTask<K extends JobKind> = (
  input: JobShard<K>,
  reporter: TaskReporter,
  ask: (question: JobQuestion<K>) => Promise<JobAnswer<K>>,
) => JobPartial<K> | Promise<JobPartial<K>>;

export const workerTasks: { [K in JobKind]: WorkerTask<K> } = {
  stress(input: StressShardInput, reporter: TaskReporter): StressPartial {
    return runStressBatch(
      input.system,
      input.shockModel,
      input.seed,
      input.firstScenario,
      input.count,
      (done) => reporter.progress(done / input.count, 'clearing scenarios', { scenarios: done }),
      { ...input.recovery, runScenarios: input.samples, shared: input.shared },
    );
  },
  // loaded on demand, like capital: only these workers load TensorFlow.js
  'idf-train': async (input: IdfTrainParams, reporter: TaskReporter) =>
    (await import('./firesale-worker')).idfTrainWorker(input, reporter),
  'idf-reproduce': async (input: IdfReproduceParams, reporter: TaskReporter) =>
    (await import('./firesale-worker')).idfReproduceWorker(input, reporter),
  reconstruct: runReconstruction,
  disaggregate: runDisaggregation,
  'gt-train': async (input: GtTrainShard, reporter: TaskReporter, ask) =>
    (await import('./gt-worker')).gtTrainWorker(input, reporter, ask),
  // loaded on demand, so stress workers do not load TensorFlow.js
  capital: async (input: CapitalShardInput, reporter: TaskReporter) =>
    (await import('../learning/capital-study')).runCapitalStudy(input.document, input.config, reporter),
  intervention: runInterventionShard,
  policy: runPolicyJob,
};

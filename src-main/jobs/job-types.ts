/**
 * One definition per job kind: what its shard input is (plain data that survives postMessage), what one worker
 * returns for a shard (the partial result), and what the merge of the partials is. The kind's parameters come from
 * its schema (`jobParamSchemas`, src-shared/jobs.ts) and the results of the run it saves from `RunResultsByKind`
 * (src-shared/run-kinds.ts); the task definitions (TaskDefinition, task-definition.ts), the worker functions
 * (worker-tasks.ts) and the saved run (save-run.ts) are all typed from this map, so the job boundary needs no cast.
 */
import type { NetworkDocument } from '../../src-shared/formats/network';
import type { JobKind, ShockModelInput } from '../../src-shared/jobs';
import type { CapitalRunResults } from '../../src-shared/results/capital';
import type { ReproductionReport } from '../../src-shared/results/fire-sales';
import type { InterventionRunResults } from '../../src-shared/results/intervention';
import type { PolicyLabResult } from '../../src-shared/results/policy';
import type { ReconstructionOutcome, ReconstructionRunResults } from '../../src-shared/results/reconstruction';
import type { StressRunResults } from '../../src-shared/results/stress';
import type { ComplementShare } from '../engines/batched-clearing';
import type { ClearingSystem } from '../engines/network-arrays';
import type { StressPartial } from '../engines/stress';
import type { CapitalStudyConfig } from '../learning/capital-study';
import type { IdfTrainParams, trainOnSystem } from '../learning/idf-training';
import type { DisaggregateShardInput, DisaggregationOutcome } from './disaggregation-worker';
import type { IdfReproduceParams } from './firesale-worker';
import type { PanelSnapshot } from '../engines/holdings-panel';
import type { GtTrainResult, GtTrainShard } from './gt-worker';
import type { InterventionPart, InterventionShardInput } from './intervention-worker';
import type { ReconstructShardInput } from './reconstruction-worker';
import type { PolicyShardInput } from './policy-worker';

/**
 * One shard of a stress run: scenarios firstScenario … firstScenario + count − 1 of the run's seeded stream, on the
 * network's clearing system in shared memory (`toClearingSystem(document, sharedArrays)`: every shard reads the one copy).
 */
export interface StressShardInput {
  system: ClearingSystem;
  shockModel: ShockModelInput;
  seed: number;
  firstScenario: number;
  count: number;
  /** Scenarios of the whole run (the solver's choice depends on it, so every shard clears as one run would). */
  samples: number;
  recovery?: { alpha: number; beta: number };
  /** The survivors' solver the run's shards share (one LU of K for the run), and this shard's number. */
  shared?: { share: ComplementShare; shard: number };
}

/** The capital study runs in one worker: sampling, then training on those samples. */
export interface CapitalShardInput {
  document: NetworkDocument;
  /** The job's parameters (the version id rides along unused). */
  config: CapitalStudyConfig;
}

/** The dual network trained on a system, and its weights (saved as a model beside the run). */
export type IdfTrainOutput = Awaited<ReturnType<typeof trainOnSystem>>;

export interface JobTypes {
  stress: {
    shard: StressShardInput;
    partial: StressPartial;
    merged: StressRunResults;
    /** The stored network, for the results (names, unit, balance checks); the workers get its clearing system. */
    inputs: { document: NetworkDocument };
  };
  'idf-train': { shard: IdfTrainParams; partial: IdfTrainOutput; merged: IdfTrainOutput };
  'idf-reproduce': { shard: IdfReproduceParams; partial: ReproductionReport; merged: ReproductionReport };
  reconstruct: { shard: ReconstructShardInput; partial: ReconstructionOutcome[]; merged: ReconstructionRunResults };
  disaggregate: { shard: DisaggregateShardInput; partial: DisaggregationOutcome; merged: DisaggregationOutcome };
  'gt-train': {
    shard: GtTrainShard;
    partial: GtTrainResult;
    merged: GtTrainResult;
    /** The worker reads the holdings from the store one date at a time. */
    question: { date: number };
    answer: PanelSnapshot;
  };
  capital: { shard: CapitalShardInput; partial: CapitalRunResults; merged: CapitalRunResults };
  intervention: { shard: InterventionShardInput; partial: InterventionPart; merged: InterventionRunResults };
  policy: { shard: PolicyShardInput; partial: PolicyLabResult; merged: PolicyLabResult };
}

// JobTypes[K] below refuses to compile for a job kind without an entry.
export type JobShard<K extends JobKind> = JobTypes[K]['shard'];
export type JobPartial<K extends JobKind> = JobTypes[K]['partial'];
export type JobMerged<K extends JobKind> = JobTypes[K]['merged'];
/** What a worker of kind K may ask the main thread while it runs, and the answer (never for kinds without). */
export type JobQuestion<K extends JobKind> = JobTypes[K] extends { question: infer Q } ? Q : never;
export type JobAnswer<K extends JobKind> = JobTypes[K] extends { answer: infer A } ? A : never;
/** What the merge reads from the job's inputs that no worker needs (kept in the main thread; unknown for kinds without). */
export type JobInputs<K extends JobKind> = JobTypes[K] extends { inputs: infer I } ? I : unknown;

/** What a worker thread starts with (its workerData): one shard of a job of kind K. */
export type WorkerRequest<K extends JobKind = JobKind> = { [P in K]: { kind: P; input: JobShard<P> } }[K];

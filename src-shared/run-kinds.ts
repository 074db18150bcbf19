/**
 * The kinds of saved runs and, for each, the parameters it is saved with and the results it holds: one map that the
 * job manager, the services that save runs, `runs:get` (RunDetail in domain.ts), the screens and the brief sections
 * share. Job kinds (jobs.ts) save their validated parameters; one kind is saved by a service, not a job:
 * `firesale` (firesales:simulate, an equilibrium computed in milliseconds). Kinds are written
 * in kebab case (`idf-train`, `gt-train`); migration 4 renamed the one that was not (`gtTrain`).
 */
import type { z } from 'zod';
import type { FireSaleDocument } from './formats/firesale';
import { jobKinds, type JobKind, type jobParamSchemas } from './jobs';
import type { CapitalRunResults } from './results/capital';
import type { DualNetworkRunResults, FireSaleRunResults, ReproductionReport } from './results/fire-sales';
import type { GtMetrics } from './results/graph-transformer';
import type { InterventionRunResults } from './results/intervention';
import type { PolicyLabResult } from './results/policy';
import type { DisaggregationRunResults, ReconstructionRunResults } from './results/reconstruction';
import type { StressClusterProvenance, StressRunResults } from './results/stress';

/** A job's parameters as the screen or command line sends them (defaults may be left out). */
export type JobInput<K extends JobKind> = z.input<(typeof jobParamSchemas)[K]>;
/** A job's parameters once validated, with defaults filled in: what plan() gets and what the run stores. */
export type JobParams<K extends JobKind> = z.output<(typeof jobParamSchemas)[K]>;

/** What a run of each kind stores as its results. */
export interface RunResultsByKind {
  stress: StressRunResults;
  'idf-train': DualNetworkRunResults;
  'idf-reproduce': ReproductionReport;
  reconstruct: ReconstructionRunResults;
  /** The model's metrics without the per-epoch history (kept with the model, not the run). */
  'gt-train': Omit<GtMetrics, 'history'> & { history?: undefined };
  capital: CapitalRunResults;
  intervention: InterventionRunResults;
  policy: PolicyLabResult;
  firesale: FireSaleRunResults;
  disaggregate: DisaggregationRunResults;
}

/** The kinds saved by a service in one step rather than by a job. */
export const SERVICE_RUN_KINDS = ['firesale'] as const;

/** What a run of each kind stores as its parameters: a job's validated parameters, or the service's request. */
export type RunParamsByKind = { [K in JobKind]: JobParams<K> } & {
  firesale: { system: FireSaleDocument };
  /** A stress run merged from shards cleared on a cluster (`cwb stress-merge --save`) also keeps where it came from. */
  stress: { cluster?: StressClusterProvenance };
  /** So does an intervention study merged from cluster shards (`cwb merge --save`); `network` is its economy file. */
  intervention: { cluster?: StressClusterProvenance };
};

export type RunKind = keyof RunResultsByKind;
export type RunResults<K extends RunKind> = RunResultsByKind[K];
export type RunParams<K extends RunKind> = RunParamsByKind[K];

/** Every run kind this version knows, job kinds first. */
export const runKinds: readonly RunKind[] = [...new Set<RunKind>([...jobKinds, ...SERVICE_RUN_KINDS])];

export const isRunKind = (kind: string): kind is RunKind => (runKinds as readonly string[]).includes(kind);

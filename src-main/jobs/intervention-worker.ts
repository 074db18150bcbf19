/** Job kind `intervention`, worker side (planned in intervention-tasks.ts): one shard of the run. */
import type { EconomyDocument } from '../../src-shared/formats/crossholdings';
import type { NetworkDocument } from '../../src-shared/formats/network';
import type {
  InterventionDisplay,
  InterventionParams,
  InterventionRunResults,
  TailResults,
} from '../../src-shared/results/intervention';
import { toEconomySystem, type SharedFactor } from '../engines/cascade';
import { ColumnCache, runStudyRange, type StudyPartial } from '../engines/intervention-study';
import {
  economyDisplay,
  interbankResults,
  singleInterventionResults,
  studyOptions,
  tailResults,
} from '../engines/intervention-report';
import { toClearingSystem } from '../engines/network-arrays';
import type { TaskReporter } from './protocol';

export type InterventionShardInput =
  | {
      params: Extract<InterventionParams, { target: 'economy' }>;
      document: EconomyDocument;
      first: number;
      count: number;
      stride: number;
      lead: boolean;
      /** The LU of I − C and the columns of its inverse, shared with the study's other shards (shared-lu.ts). */
      shared?: SharedFactor;
    }
  | { params: Extract<InterventionParams, { target: 'interbank' }>; document: NetworkDocument }
  | { params: Extract<InterventionParams, { target: 'economy-single' }>; document: EconomyDocument };

export interface InterventionPart {
  assetValues?: Float64Array;
  display?: InterventionDisplay;
  partial?: StudyPartial;
  tail?: TailResults;
  /** The whole result of a one-shard run (targets `interbank` and `economy-single`). */
  interbank?: InterventionRunResults;
}

/** The displayed intervention and tail sampling on the lead shard; a range of scenarios on every shard. */
export function runInterventionShard(input: InterventionShardInput, reporter: TaskReporter): InterventionPart {
  if (input.params.target === 'interbank') {
    reporter.progress(0, 'bailouts');
    const document = input.document as NetworkDocument;
    return { interbank: interbankResults(toClearingSystem(document), document, input.params) };
  }
  if (input.params.target === 'economy-single') {
    reporter.progress(0, 'chosen intervention');
    return { interbank: singleInterventionResults(input.document as EconomyDocument, input.params) };
  }
  const { params, first, count, stride, lead, shared } = input as Extract<InterventionShardInput, { first: number }>;
  const document = input.document as EconomyDocument;
  const system = toEconomySystem(document, shared);
  const cache = new ColumnCache(system, shared?.share);
  let display: InterventionDisplay | undefined;
  if (lead) {
    reporter.progress(0, 'chosen intervention');
    display = economyDisplay(system, document, params);
  }
  const partial = runStudyRange(
    system,
    studyOptions(system, params),
    first,
    count,
    (done) => reporter.progress((lead && params.tail ? 0.8 : 1) * (done / count), 'scenarios', { scenarios: done }),
    cache,
    stride,
  );
  let tail: TailResults | undefined;
  if (lead && params.tail) {
    reporter.progress(0.8, 'tail sampling', { scenarios: count });
    tail = tailResults(system, params, cache);
    reporter.progress(1, 'tail sampling', { scenarios: count });
  }
  return { assetValues: system.assetValues, display, partial, tail };
}

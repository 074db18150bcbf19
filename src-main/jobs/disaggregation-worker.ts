/**
 * The `disaggregate` job, worker side: a node split into parts (Ruela 2019, §3) — the proportional split at once, or
 * the worst / best case of expected loss found by the reconstruction optimiser, with its progress in words (the
 * Reconstruction screen and `cwb disaggregate` both run it as this job).
 */
import type { NetworkDocument } from '../../src-shared/formats/network';
import type { DisaggregateParams, DisaggregationRunResults } from '../../src-shared/results/reconstruction';
import { disaggregate } from '../engines/disaggregation';
import type { IterationReport } from '../engines/reconstruction/objective';
import { loadHighs } from '../io/lp-solver';
import type { TaskReporter } from './protocol';
import { progressInWords } from './reconstruction-worker';

export interface DisaggregateShardInput {
  document: NetworkDocument;
  params: DisaggregateParams;
}

/** What a split produces, as plain data (it crosses from the worker to the main thread). */
export interface DisaggregationOutcome {
  document: NetworkDocument;
  explanation: string[];
  shares: number[];
  /** The worst or best case against the proportional split on the same fresh shocks, as the run stores it. */
  evaluation?: DisaggregationRunResults['evaluation'];
}

/** The optimiser's settings for a split: one start, no hops, 1,000 out-of-sample shocks. */
const EVALUATION_SAMPLES = 1000;

export async function runDisaggregation(
  input: DisaggregateShardInput,
  reporter?: TaskReporter,
): Promise<DisaggregationOutcome> {
  const { document, params } = input;
  const caseWords = params.objective === 'worst' ? 'worst case' : 'best case';
  reporter?.progress(
    0,
    params.objective === 'maxent'
      ? 'splitting in proportion to the shares'
      : `searching the ${caseWords} over ${params.samples.toLocaleString('en-US')} shocks: starting`,
  );
  let points = 0;
  const optimiser =
    params.objective === 'maxent'
      ? undefined
      : {
          shockModel: { kind: 'uniform' as const },
          samples: params.samples,
          seed: params.seed,
          starts: 1,
          hops: 0,
          evaluationSamples: EVALUATION_SAMPLES,
          highs: await loadHighs(),
          ...(reporter
            ? {
                onIteration: (report: IterationReport) => {
                  points++;
                  // the number of iterations is not known in advance: the fraction creeps towards 90 %; the objective is in the words
                  reporter.progress(
                    0.9 * (1 - 1 / (1 + points / 40)),
                    progressInWords(params.objective, 0, 1, report, { starts: 1, hops: 0 }),
                    {
                      iteration: report.iteration,
                      ...(Number.isFinite(report.gap) ? { gap: report.gap } : {}),
                    },
                  );
                },
              }
            : {}),
        };
  const result = disaggregate(document, {
    nodeId: params.nodeId,
    parts: params.parts,
    objective: params.objective,
    ...(optimiser ? { optimiser } : {}),
  });
  const evaluation = result.optimised?.evaluation;
  return {
    document: result.document,
    explanation: result.explanation,
    shares: result.shares,
    ...(evaluation
      ? {
          evaluation: {
            samples: evaluation.samples,
            expectedLoss: evaluation.expectedLoss,
            expectedLossStandardError: evaluation.expectedLossStandardError,
            proportionalExpectedLoss: evaluation.maxentExpectedLoss,
            difference: evaluation.differenceToMaxent,
            differenceStandardError: evaluation.differenceStandardError,
          },
        }
      : {}),
  };
}

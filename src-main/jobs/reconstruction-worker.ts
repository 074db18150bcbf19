/** The `reconstruct` job, worker side: each objective in turn on the same shocks, progress per iteration. */
import type { NetworkDocument } from '../../src-shared/formats/network';
import type { ReconstructionOutcome, ReconstructParams } from '../../src-shared/results/reconstruction';
import { documentOfResult, problemFromDocument, type KnownField } from '../engines/reconstruction/problem';
import { reconstruct } from '../engines/reconstruction/reconstruct';
import { loadHighs } from '../io/lp-solver';
import { formatNumber } from '../../src-shared/format/numbers';
import type { TaskReporter } from './protocol';

export interface ReconstructShardInput {
  document: NetworkDocument;
  params: ReconstructParams;
}

/** Traces longer than this are thinned (every k-th point, the last kept) before they are saved. */
const TRACE_POINTS = 600;

/** Per node, the document's fields minus those the user marked unknown. */
export function knownFields(
  document: NetworkDocument,
  unknown: ReconstructParams['unknown'],
): Record<string, KnownField[]> {
  const all: KnownField[] = [
    'outsideAssets',
    'outsideLiabilities',
    'insideAssets',
    'insideLiabilities',
    'defaultProbability',
  ];
  return Object.fromEntries(
    document.nodes.map((node) => [node.id, all.filter((field) => !(unknown[node.id] ?? []).includes(field))]),
  );
}

const OBJECTIVE_WORDS: Record<string, string> = {
  best: 'best case',
  worst: 'worst case',
  maxent: 'maximum entropy',
  mindensity: 'minimum density',
};

/**
 * Progress as a user reads it: "Worst case (2 of 3): start 2 of 3, penalty phase" or, after the starts, "basin-hopping
 * round 4 of 6" (never "start 8" when 3 starts were asked for), then the objective so far.
 */
export function progressInWords(
  objective: string,
  index: number,
  count: number,
  report: { start: number; stage: string; objective: number },
  params: { starts?: number; hops?: number },
): string {
  const starts = Math.max(1, params.starts ?? 3);
  const hops = objective === 'worst' ? (params.hops ?? 6) : 0;
  const where =
    report.start < starts
      ? `start ${report.start + 1} of ${starts}`
      : `basin-hopping round ${report.start - starts + 1} of ${hops}`;
  const stage = report.stage.startsWith('penalty')
    ? `penalty phase (ρ = ${report.stage.split('=')[1] ?? ''})`
    : report.stage === 'solve'
      ? 'solving'
      : report.stage.replace('polish', 'polishing');
  const name = OBJECTIVE_WORDS[objective] ?? objective;
  return `${name.charAt(0).toUpperCase()}${name.slice(1)}${count > 1 ? ` (${index + 1} of ${count})` : ''}: ${where}, ${stage}; objective ${formatNumber(report.objective, 4)}`;
}

export async function runReconstruction(
  input: ReconstructShardInput,
  reporter: TaskReporter,
): Promise<ReconstructionOutcome[]> {
  const { document, params } = input;
  const highs = await loadHighs();
  const problem = problemFromDocument(document, knownFields(document, params.unknown));
  const outcomes: ReconstructionOutcome[] = [];
  const count = params.objectives.length;
  for (const [index, objective] of params.objectives.entries()) {
    const started = Date.now();
    let points = 0;
    reporter.progress(
      index / count,
      `${OBJECTIVE_WORDS[objective] ?? objective}${count > 1 ? ` (${index + 1} of ${count})` : ''}: starting`,
    );
    const result = reconstruct(problem, {
      objective,
      measure: params.measure,
      shockModel: params.shockModel,
      samples: params.samples,
      evaluationSamples: params.evaluationSamples,
      seed: params.seed,
      starts: params.starts,
      hops: params.hops,
      complementarity: params.complementarity,
      ...(params.maxIterations !== undefined ? { maxIterations: params.maxIterations } : {}),
      ...(params.timeLimit !== undefined ? { timeLimit: params.timeLimit } : {}),
      highs,
      onIteration: (report) => {
        points++;
        // within one objective the fraction creeps towards the next one (the number of iterations is not known)
        const within = 1 - 1 / (1 + points / 40);
        reporter.progress((index + 0.9 * within) / count, progressInWords(objective, index, count, report, params), {
          run: index,
          start: report.start,
          iteration: report.iteration,
          objective: report.objective,
          gap: report.gap,
          violation: report.violation,
        });
      },
    });
    const step = Math.max(1, Math.ceil(result.trace.length / TRACE_POINTS));
    outcomes.push({
      objective,
      measure: result.measure,
      document: documentOfResult(
        document,
        problem,
        result.matrix,
        `${document.name} — ${objective} reconstruction (seed ${params.seed})`,
      ),
      inSample: result.inSample,
      evaluation: result.evaluation,
      residual: result.residual,
      ...(result.frankWolfeGap !== undefined
        ? { frankWolfeGap: result.frankWolfeGap, relativeGap: result.relativeGap }
        : { gapNote: result.gapNote }),
      links: result.links,
      density: result.density,
      starts: result.starts,
      trace: result.trace.filter((_, k) => k % step === 0 || k === result.trace.length - 1),
      durationMs: Date.now() - started,
    });
  }
  return outcomes;
}

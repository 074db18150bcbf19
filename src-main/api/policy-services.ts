/** The policy lab behind the `policy:*` channels: solve a configuration (with an optional forecast CSV) and save it as a run. */
import { AppError } from '../../src-shared/errors';
import { parseForecastCsv } from '../../src-shared/formats/policy';
import type { PolicyRunParams } from '../../src-shared/run-kinds';
import type { PolicyLabResult } from '../../src-shared/results/policy';
import { runPolicyLab } from '../engines/policy-report';
import { readPolicyExample, type PolicyExample } from '../io/policy-json';
import type { Db } from '../store/db';
import { saveSucceededRun } from '../jobs/save-run';

/** What policy:save solves and stores as the run's parameters (run-kinds.ts). */
export type PolicyRequest = PolicyRunParams;

export function solvePolicy({ document, forecastCsv, lemma }: PolicyRequest): PolicyLabResult {
  let forecast: number[] | undefined;
  if (forecastCsv !== undefined && forecastCsv.trim() !== '') {
    const parsed = parseForecastCsv(forecastCsv, document.assets.map((a) => a.id), 'forecast CSV');
    if (!parsed.ok) throw new AppError('invalid_input', parsed.message, 'forecastCsv');
    forecast = parsed.values;
  }
  return runPolicyLab(document, { forecast, ...(lemma ? { lemma } : {}) });
}

/** Solves, then records one finished run of kind "policy" (nothing is written when solving fails). */
export function savePolicyRun(db: Db, request: PolicyRequest): { runId: number; result: PolicyLabResult } {
  const startedAt = new Date().toISOString();
  const started = performance.now();
  const result = solvePolicy(request);
  // saveSucceededRun: the run and its audit entry in one transaction.
  const runId = saveSucceededRun(db, { startedAt, durationMs: Math.round(performance.now() - started) }, {
    kind: 'policy',
    method: `optimal liquidation wedges, ${result.inputs.draws} draws, predictive noise ${result.inputs.noise}${request.forecastCsv ? ', with a forecast' : ''}`,
    networkVersionId: null,
    params: request,
    seed: request.document.uncertainty.seed,
    results: result,
  });
  return { runId, result };
}

export function policyExample(name?: PolicyExample): { fileName: string; document: unknown } {
  const { fileName, text } = readPolicyExample(name);
  return { fileName, document: JSON.parse(text) as unknown };
}

/**
 * The brief composer: loads each run with its network version, dataset and software (briefContexts), composes a
 * section per run (compose-sections.ts: the run kind's section provider and the provenance every run shares) and
 * puts the brief around them (assembleBrief). Pure reads: composing never writes to the store, and the same runs give
 * the same brief (its date is the newest run's start) — unless it includes the audit trail, which grows. The
 * Briefs screen's preview composes the sections in a worker thread (jobs/brief-composer.ts), exports here.
 */
import {
  BRIEF_SETTINGS_KEY,
  briefMarkingSchema,
  type BriefMarking,
  type BriefRequest,
  type BriefSection,
  type ComposedBrief,
} from '../../../src-shared/briefs';
import { settings } from '../../store/repositories';
import { AppError } from '../../../src-shared/errors';
import { softwareVersion } from '../../version';
import { describeLearningBackend } from '../../learning/backend';
import type { Db } from '../../store/db';
import { loadRunContext, type RunContext } from './context';
import { composeSections } from './compose-sections';
import { auditTrailTable } from './audit-appendix';
import { learningBackendInWords } from '../../../src-shared/format/learning-backend';

/** The organisation and marking saved in the store's settings (the defaults until someone saves them). */
export function briefMarking(db: Db): BriefMarking {
  return briefMarkingSchema.parse(settings.get(db, BRIEF_SETTINGS_KEY) ?? {});
}

/** The runs of a request (each once), loaded with their network versions and datasets; refused unless all succeeded. */
export function briefContexts(db: Db, request: Pick<BriefRequest, 'runIds'>): RunContext[] {
  const contexts = [...new Set(request.runIds)].map((id) => loadRunContext(db, id));
  for (const { run } of contexts) {
    if (run.status !== 'succeeded')
      throw new AppError('invalid_input', `run #${run.id} ${run.status}; a brief needs succeeded runs`, 'runIds');
  }
  return contexts;
}

/** The brief around its sections: title, marking and organisation (the request's, else the settings'), date, software, audit trail. */
export function assembleBrief(
  db: Db,
  request: BriefRequest,
  contexts: RunContext[],
  sections: BriefSection[],
): ComposedBrief {
  const backend = describeLearningBackend();
  const saved = briefMarking(db);
  const organisation = request.organisation ?? saved.organisation;
  return {
    title: request.title,
    marking: request.marking ?? saved.marking,
    ...(organisation ? { organisation } : {}),
    asOf: contexts
      .map((c) => c.run.startedAt)
      .sort()
      .at(-1)!,
    runIds: contexts.map((c) => c.run.id),
    sections,
    software: { version: softwareVersion, learningBackend: learningBackendInWords(backend) },
    ...(request.includeAuditTrail ? { auditTrail: auditTrailTable(db, contexts) } : {}),
  };
}

/** Composes in this thread (exports, `cwb brief`); the Briefs screen's preview composes in a worker (jobs/brief-composer.ts). */
export async function composeBrief(db: Db, request: BriefRequest): Promise<ComposedBrief> {
  const contexts = briefContexts(db, request);
  return assembleBrief(db, request, contexts, await composeSections(contexts));
}

/**
 * The brief composer: loads each run with its network version, dataset and software, asks the run kind's
 * section provider for its section, and adds the provenance every run shares. Pure reads: composing never
 * writes to the store, and the same runs give the same brief (its date is the newest run's start) — unless it
 * includes the audit trail, which grows.
 */
import { BRIEF_SETTINGS_KEY, briefMarkingSchema, runKindLabel, type BriefMarking, type BriefRequest, type BriefSection, type ComposedBrief } from '../../../src-shared/briefs';
import { settings } from '../../store/repositories';
import { AppError } from '../../../src-shared/errors';
import { softwareVersion } from '../../version';
import { describeLearningBackend } from '../../learning/backend';
import type { Db } from '../../store/db';
import { inWords } from '../../../src-shared/brief-format';
import { loadRunContext, type RunContext } from './context';
import { sectionProvider } from './sections';
import { auditTrailTable } from './audit-appendix';

function sharedProvenance(context: RunContext): Array<{ label: string; value: string }> {
  const { run, network, dataset } = context;
  return [
    { label: 'Run', value: `#${run.id} (${runKindLabel(run.kind).toLowerCase()}), ${inWords(run.method)}; started ${run.startedAt}${run.durationMs !== null ? `, ${(run.durationMs / 1000).toFixed(2)} s` : ''}` },
    { label: 'Seed', value: run.seed === null ? 'none (deterministic run)' : String(run.seed) },
    { label: 'Software version of the run', value: `Contagion Workbench ${run.softwareVersion}` },
    { label: 'TensorFlow.js backend of the run', value: context.learningBackend ?? 'none (the run trains or evaluates no model)' },
    ...(network
      ? [
          { label: 'Network version', value: `${network.name} v${network.version} (version id ${network.versionId}), ${network.nodeCount} nodes, ${network.edgeCount} edges, saved ${network.createdAt}: ${network.note}` },
          { label: 'Network version SHA-256', value: network.sha256 },
        ]
      : []),
    ...(dataset
      ? [
          { label: 'Dataset', value: `#${dataset.id} ${dataset.name}, imported ${dataset.importedAt} from ${dataset.sourceFile} by the ${dataset.report.importer} importer` },
          { label: 'Dataset file SHA-256', value: dataset.sha256 },
        ]
      : []),
  ];
}

/** The organisation and marking saved in the store's settings (the defaults until someone saves them). */
export function briefMarking(db: Db): BriefMarking {
  return briefMarkingSchema.parse(settings.get(db, BRIEF_SETTINGS_KEY) ?? {});
}

export async function composeBrief(db: Db, request: BriefRequest): Promise<ComposedBrief> {
  const runIds = [...new Set(request.runIds)];
  const contexts = runIds.map((id) => loadRunContext(db, id));
  for (const { run } of contexts) {
    if (run.status !== 'succeeded') throw new AppError('invalid_input', `run #${run.id} ${run.status}; a brief needs succeeded runs`, 'runIds');
  }
  const sections: BriefSection[] = [];
  for (const context of contexts) {
    const content = await sectionProvider(context.run.kind).describe(context);
    sections.push({ runId: context.run.id, kind: context.run.kind, ...content, provenance: [...sharedProvenance(context), ...content.provenance] });
  }
  const backend = describeLearningBackend();
  const saved = briefMarking(db);
  const organisation = request.organisation ?? saved.organisation;
  return {
    title: request.title,
    marking: request.marking ?? saved.marking,
    ...(organisation ? { organisation } : {}),
    asOf: contexts.map((c) => c.run.startedAt).sort().at(-1)!,
    runIds,
    sections,
    software: { version: softwareVersion, learningBackend: `${backend.name} — ${backend.detail}` },
    ...(request.includeAuditTrail ? { auditTrail: auditTrailTable(db, contexts) } : {}),
  };
}

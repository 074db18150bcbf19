/**
 * The sections of a brief: the run kind's section provider for each loaded run, with the provenance every run
 * shares. Pure work on the loaded runs (no store, no settings), so the Briefs screen's preview can compose them in a
 * worker thread (jobs/brief-worker.ts) while exports and `cwb brief` compose them in their own thread (compose.ts).
 */
import { runKindLabel, type BriefSection } from '../../../src-shared/briefs';
import { inWords } from '../../../src-shared/brief-format';
import { runKindWords } from '../../../src-shared/format/labels';
import { learningBackendInWords } from '../../../src-shared/format/learning-backend';
import type { RunContext } from './context';
import { sectionProvider } from './sections';

function sharedProvenance(context: RunContext): Array<{ label: string; value: string }> {
  const { run, network, dataset } = context;
  return [
    {
      label: 'Run',
      value: `#${run.id} (${runKindLabel(run.kind).toLowerCase()}), ${inWords(run.method)}; started ${run.startedAt}${run.durationMs !== null ? `, ${(run.durationMs / 1000).toFixed(2)} s` : ''}`,
    },
    { label: 'Seed', value: run.seed === null ? 'none (deterministic run)' : String(run.seed) },
    { label: 'Software version of the run', value: `Contagion Workbench ${run.softwareVersion}` },
    {
      label: 'TensorFlow.js backend of the run',
      value:
        context.learningBackend === null
          ? 'none (the run trains or evaluates no model)'
          : learningBackendInWords(context.learningBackend),
    },
    ...(network
      ? [
          {
            label: 'Network version',
            value: `${network.name} v${network.version} (version id ${network.versionId}), ${network.nodeCount} nodes, ${network.edgeCount} edges, saved ${network.createdAt}: ${network.note}`,
          },
          { label: 'Network version SHA-256', value: network.sha256 },
        ]
      : []),
    ...(dataset
      ? [
          {
            label: 'Dataset',
            value: `#${dataset.id} ${dataset.name}, imported ${dataset.importedAt} from ${dataset.sourceFile} by the ${dataset.report.importer} importer`,
          },
          { label: 'Dataset file SHA-256', value: dataset.sha256 },
        ]
      : []),
  ];
}

/**
 * What composing is doing, in the reader's words ("Section 2 of 3: stress test, run #4 — charts"), with the share
 * of the sections done; called as each section and each slow step in it starts.
 */
export type CompositionProgress = (fraction: number, stage: string) => void;

/** One section per run, in order. */
export async function composeSections(contexts: RunContext[], progress?: CompositionProgress): Promise<BriefSection[]> {
  const sections: BriefSection[] = [];
  for (const [index, context] of contexts.entries()) {
    const { run } = context;
    const step = `Section ${index + 1} of ${contexts.length}: ${runKindWords(run.kind)}, run #${run.id}`;
    progress?.(index / contexts.length, step);
    const content = await sectionProvider(run.kind).describe(context, (stage) =>
      progress?.(index / contexts.length, `${step} — ${stage}`),
    );
    sections.push({
      runId: run.id,
      kind: run.kind,
      ...content,
      provenance: [...sharedProvenance(context), ...content.provenance],
    });
  }
  return sections;
}

/**
 * A section provider turns one saved run of its kind into a brief section: key figures, scenario and data
 * description, network picture, charts, tables, method text and kind-specific provenance. The composer adds the
 * provenance every run shares (network version, dataset hash, seed, software, TensorFlow.js backend).
 */
import type { BriefSection } from '../../../../src-shared/briefs';
import type { RunContext } from '../context';

export type SectionContent = Omit<BriefSection, 'runId' | 'kind'>;

/** What a provider is doing now, in the reader's words ("charts", "failures averted by each payment (3 of 40)"). */
export type SectionProgress = (stage: string) => void;

export interface SectionProvider {
  /** The run kind (runs.kind) this provider describes. */
  kind: string;
  /** `progress` (optional) hears of the slow steps, for the composer's progress line. */
  describe(context: RunContext, progress?: SectionProgress): Promise<SectionContent>;
}

/** Briefs through the API: compose (preview), export (render and save in the store), list and download. */
import type { BriefFormat, BriefRequest, BriefSummary } from '../../src-shared/briefs';
import type { ExportedFile } from '../../src-shared/contract';
import { composeBrief } from '../io/briefs/compose';
import { briefFileName, renderBrief } from '../io/briefs/render';
import { briefs } from '../store/briefs';
import type { Db } from '../store/db';

/** Renders the brief and saves it (title, runs, format, bytes) in one statement; a failed render saves nothing. */
export async function exportBrief(db: Db, request: BriefRequest, format: BriefFormat): Promise<{ brief: BriefSummary; file: ExportedFile }> {
  const composed = await composeBrief(db, request);
  const bytes = await renderBrief(composed, format);
  const brief = briefs.insert(db, { title: composed.title, runIds: composed.runIds, format, content: bytes });
  return { brief, file: { fileName: briefFileName(composed.title, composed.runIds, format), content: Buffer.from(bytes).toString('base64'), encoding: 'base64' } };
}

export function downloadBrief(db: Db, id: number): ExportedFile {
  const brief = briefs.get(db, id);
  return { fileName: briefFileName(brief.title, brief.runIds, brief.format), content: briefs.content(db, id).toString('base64'), encoding: 'base64' };
}

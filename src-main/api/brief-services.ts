/** Briefs through the API: compose (preview), export (render and save in the store), list and download. */
import type { BriefFormat, BriefRequest, BriefSummary } from '../../src-shared/briefs';
import type { ExportedFile } from '../../src-shared/contract';
import { composeBrief } from '../io/briefs/compose';
import { briefFileName, renderBrief } from '../io/briefs/render';
import { briefs } from '../store/briefs';
import type { Db } from '../store/db';
import { recordExports } from '../store/audit';

/** Renders the brief and saves it (title, runs, format, bytes) with its audit entry in one transaction; a failed render saves nothing. */
export async function exportBrief(db: Db, request: BriefRequest, format: BriefFormat): Promise<{ brief: BriefSummary; file: ExportedFile }> {
  const composed = await composeBrief(db, request);
  const bytes = await renderBrief(composed, format);
  const file: ExportedFile = { fileName: briefFileName(composed.title, composed.runIds, format), content: Buffer.from(bytes).toString('base64'), encoding: 'base64' };
  const brief = db.transaction(() => {
    const saved = briefs.insert(db, { title: composed.title, runIds: composed.runIds, format, content: bytes });
    recordExports(db, { subject: briefSubject(saved), format, refs: { briefId: saved.id, runIds: saved.runIds } }, [file]);
    return saved;
  })();
  return { brief, file };
}

export function downloadBrief(db: Db, id: number): ExportedFile {
  const brief = briefs.get(db, id);
  const file: ExportedFile = { fileName: briefFileName(brief.title, brief.runIds, brief.format), content: briefs.content(db, id).toString('base64'), encoding: 'base64' };
  recordExports(db, { subject: `${briefSubject(brief)}, downloaded again`, format: brief.format, refs: { briefId: brief.id, runIds: brief.runIds } }, [file]);
  return file;
}

const briefSubject = (brief: Pick<BriefSummary, 'id' | 'title' | 'runIds'>) => `brief #${brief.id} "${brief.title}" of run${brief.runIds.length > 1 ? 's' : ''} ${brief.runIds.map((r) => `#${r}`).join(', ')}`;

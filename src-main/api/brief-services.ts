/** Briefs through the API: compose (preview), export (render and save in the store), list and download. */
import { briefFileName, type BriefFormat, type BriefRequest, type BriefSummary } from '../../src-shared/briefs';
import type { ExportedFile } from '../../src-shared/contract';
import { composeBrief } from '../io/briefs/compose';
import { renderBrief } from '../io/briefs/render';
import { briefs } from '../store/briefs';
import type { Db } from '../store/db';
import { recordExports } from '../store/audit';
import { AppError } from '../../src-shared/errors';

/**
 * Renders the brief and saves it (title, runs, format, bytes) with its audit entry in one transaction; a failed
 * render saves nothing. `deliver` (cwb --out: the atomic file write) runs inside that transaction, so a brief is
 * recorded as saved only once its bytes are complete and on the disk: a failed write records nothing.
 */
export async function exportBrief(
  db: Db,
  request: BriefRequest,
  format: BriefFormat,
  deliver?: (bytes: Uint8Array) => void,
): Promise<{ brief: BriefSummary; file: ExportedFile }> {
  const composed = await composeBrief(db, request);
  const bytes = await renderBrief(composed, format);
  assertCompleteBrief(bytes, format);
  const file: ExportedFile = {
    fileName: briefFileName(composed.title, composed.runIds, format),
    content: deliver ? '' : Buffer.from(bytes).toString('base64'),
    encoding: 'base64',
  };
  const brief = db.transaction(() => {
    deliver?.(bytes);
    const saved = briefs.insert(db, { title: composed.title, runIds: composed.runIds, format, content: bytes });
    recordExports(db, { subject: briefSubject(saved), format, refs: { briefId: saved.id, runIds: saved.runIds } }, [
      file,
    ]);
    return saved;
  })();
  return { brief, file };
}

/** A saved brief again: its bytes handed to `deliver` (written where the user chose), or returned for a download. */
export function downloadBrief(db: Db, id: number, deliver?: (bytes: Uint8Array) => void): ExportedFile {
  const brief = briefs.get(db, id);
  const bytes = briefs.content(db, id);
  deliver?.(bytes);
  const file: ExportedFile = {
    fileName: briefFileName(brief.title, brief.runIds, brief.format),
    content: deliver ? '' : bytes.toString('base64'),
    encoding: 'base64',
  };
  recordExports(
    db,
    {
      subject: `${briefSubject(brief)}, downloaded again`,
      format: brief.format,
      refs: { briefId: brief.id, runIds: brief.runIds },
    },
    [file],
  );
  return file;
}

const briefSubject = (brief: Pick<BriefSummary, 'id' | 'title' | 'runIds'>) =>
  `brief #${brief.id} "${brief.title}" of run${brief.runIds.length > 1 ? 's' : ''} ${brief.runIds.map((r) => `#${r}`).join(', ')}`;

/** A rendered brief is whole: a PDF ends with its %%EOF marker, a DOCX or XLSX with the zip's end record. */
function assertCompleteBrief(bytes: Uint8Array, format: BriefFormat): void {
  const data = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tail = data.subarray(Math.max(0, data.length - 1024));
  const whole =
    format === 'pdf'
      ? data.subarray(0, 5).toString('latin1') === '%PDF-' && tail.includes('%%EOF')
      : format === 'csv'
        ? data.length > 0
        : data.subarray(0, 2).toString('latin1') === 'PK' && tail.includes(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (!whole)
    throw new AppError(
      'internal',
      `the ${format.toUpperCase()} brief came out incomplete (${data.length} bytes); nothing was saved`,
    );
}

/**
 * The organisation and classification marking as settings: saved once, carried by every brief (PDF pages, DOCX,
 * annex) that does not name its own, and each export recorded in the audit trail with its file's hash.
 */
import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_MARKING, type BriefSummary } from '../../src-shared/briefs';
import type { ExportedFile } from '../../src-shared/contract';
import { listAudit } from '../../src-main/store/audit';
import { freshApp } from '../support/app';
import { docxText, importNetwork, pdfPageTexts, savedStressRun, sixBanks } from './support';

let app: ReturnType<typeof freshApp>;
afterEach(async () => app?.dispose());

const exported = async (request: Record<string, unknown>) => {
  const result = await app.router.handle('briefs:export', request);
  if (!result.ok) throw new Error(result.error.message);
  return (result.value as { brief: BriefSummary; file: ExportedFile }).file;
};

describe('organisation and marking settings', () => {
  it('mark every brief that names none, the request’s own marking winning; every export is in the audit trail', async () => {
    app = freshApp();
    const runId = await savedStressRun(app, await importNetwork(app, sixBanks()));
    expect(await app.router.handle('briefs:settings', {})).toEqual({
      ok: true,
      value: { organisation: '', marking: DEFAULT_MARKING },
    });
    const settings = { organisation: 'Financial Stability Department', marking: 'SECRET — board only' };
    expect(await app.router.handle('briefs:saveSettings', settings)).toEqual({ ok: true, value: settings });
    expect(await app.router.handle('briefs:saveSettings', { organisation: 'x', marking: ' ' })).toMatchObject({
      ok: false,
      error: { code: 'invalid_input', field: 'marking' },
    });

    const pdf = await exported({ runIds: [runId], title: 'Marked', format: 'pdf' });
    const pages = await pdfPageTexts(Buffer.from(pdf.content, 'base64'));
    for (const page of pages) {
      expect(page).toContain(settings.marking);
      expect(page).toContain(settings.organisation);
    }
    const docx = await exported({ runIds: [runId], title: 'Marked', format: 'docx' });
    expect(await docxText(Buffer.from(docx.content, 'base64'))).toContain(settings.organisation);
    const csv = await exported({ runIds: [runId], title: 'Marked', format: 'csv' });
    expect(Buffer.from(csv.content, 'base64').toString('utf8').split('\n').slice(0, 2)).toEqual([
      `# ${settings.marking}`,
      `# ${settings.organisation}`,
    ]);
    const own = await exported({ runIds: [runId], title: 'Own marking', marking: 'RESTRICTED', format: 'pdf' });
    const ownPages = await pdfPageTexts(Buffer.from(own.content, 'base64'));
    expect(ownPages.every((page) => page.includes('RESTRICTED') && !page.includes(settings.marking))).toBe(true);

    const exports = listAudit(app.db, { limit: 100 }).entries.filter((e) => e.action === 'export');
    for (const file of [pdf, docx, csv, own]) {
      const entry = exports.find(
        (e) =>
          e.fileName === file.fileName &&
          e.sha256 === createHash('sha256').update(Buffer.from(file.content, 'base64')).digest('hex'),
      );
      expect(entry, file.fileName).toBeDefined();
    }
  });
});

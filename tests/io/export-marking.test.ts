/**
 * Network and table exports carry the classification marking of the settings (or of the request): network@1 and
 * crossholdings@1 JSON a `metadata` field, CSV a first comment line, GraphML the graph's <desc> and data, XLSX a
 * first "Classification" sheet (tables: a marking row above the header). Every exported file imports again as the
 * network it came from, and every export is in the audit trail with its marking.
 */
import ExcelJS from 'exceljs';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_MARKING } from '../../src-shared/briefs';
import type { ExportedFile } from '../../src-shared/contract';
import { markingComment, markingLine, MARKING_SHEET } from '../../src-shared/formats/export-marking';
import { NETWORK_FORMAT, type NetworkDocument } from '../../src-shared/formats/network';
import { parseCsv } from '../../src-main/io/tables';
import { RowErrorsImportError } from '../../src-main/io/row-errors';
import { listAudit } from '../../src-main/store/audit';
import { freshApp } from '../support/app';
import { smallEconomy } from '../support/economy';
import { ringNetwork, picked } from '../support/fixtures';
import { arrayContaining, stringMatching } from '../support/matchers';

let app: ReturnType<typeof freshApp>;
afterEach(async () => app?.dispose());

const SETTINGS = { organisation: 'Financial Stability Department', marking: 'SECRET — board only' };

/** The ring with the node fields and values a round trip could lose: null, text that looks like a formula. */
function richRing(): NetworkDocument {
  const ring = ringNetwork('Marked ring');
  ring.nodes[0] = { ...ring.nodes[0]!, group: '=SUM(A1)', defaultProbability: 0.015, totalAssets: 123.456 };
  ring.nodes[1] = { ...ring.nodes[1]!, name: 'Bank, "B" & Co' };
  return ring;
}

async function ok<T>(
  promise: Promise<{ ok: true; value: unknown } | { ok: false; error: { message: string } }>,
): Promise<T> {
  const result = await promise;
  if (!result.ok) throw new Error(result.error.message);
  return result.value as T;
}

const importNetwork = async (document: unknown, fileName = 'ring.json') =>
  (
    await ok<{ versionId: number }>(
      app.router.handle('datasets:import', picked(app, fileName, JSON.stringify(document))),
    )
  ).versionId;
const exportFiles = async (versionId: number, format: string, extra: Record<string, string> = {}) =>
  (await ok<{ files: ExportedFile[] }>(app.router.handle('networks:export', { versionId, format, ...extra }))).files;
const stored = async (versionId: number) =>
  (await ok<{ document: NetworkDocument }>(app.router.handle('networks:get', { versionId }))).document;
const bytesOf = (file: ExportedFile) =>
  file.encoding === 'base64' ? Buffer.from(file.content, 'base64') : Buffer.from(file.content, 'utf8');
const reimport = async (file: ExportedFile) =>
  (
    await ok<{ versionId: number }>(
      app.router.handle('datasets:import', picked(app, `again-${file.fileName}`, bytesOf(file))),
    )
  ).versionId;

async function workbook(file: ExportedFile): Promise<ExcelJS.Workbook> {
  const book = new ExcelJS.Workbook();
  await book.xlsx.load(bytesOf(file) as unknown as ArrayBuffer);
  return book;
}

describe('network exports carry the classification marking', () => {
  it('network@1 JSON: a metadata field after format; the file imports again as the same network', async () => {
    app = freshApp();
    const versionId = await importNetwork(richRing());
    const [file] = await exportFiles(versionId, 'network@1');
    const json = JSON.parse(file!.content) as Record<string, unknown>;
    expect(Object.keys(json).slice(0, 2)).toEqual(['format', 'metadata']);
    expect(json.metadata).toEqual({
      marking: DEFAULT_MARKING,
      exportedAt: stringMatching(/^\d{4}-\d\d-\d\dT/),
      exportedBy: stringMatching(/^Contagion Workbench /),
    });
    expect({ ...json, metadata: undefined }).toEqual({ ...(await stored(versionId)), metadata: undefined });
    expect(await stored(await reimport(file!))).toEqual(await stored(versionId));

    await ok(app.router.handle('briefs:saveSettings', SETTINGS));
    const [marked] = await exportFiles(versionId, 'network@1');
    expect((JSON.parse(marked!.content) as { metadata: unknown }).metadata).toMatchObject(SETTINGS);
  });

  it('a metadata field that is not an object is refused on import, in one line', async () => {
    app = freshApp();
    const result = await app.router.handle(
      'datasets:import',
      picked(app, 'bad.json', JSON.stringify({ ...ringNetwork(), metadata: 'secret' })),
    );
    expect(result.ok === false && result.error.message).toMatch(/^bad\.json: metadata: /);
    expect(result.ok === false && result.error.message).not.toMatch(/\n/);
  });

  it('CSV: both files start with "# marking · organisation"; the two files import again as the same network', async () => {
    app = freshApp();
    await ok(app.router.handle('briefs:saveSettings', SETTINGS));
    const versionId = await importNetwork(richRing());
    const files = await exportFiles(versionId, 'csv');
    expect(files.map((f) => f.fileName)).toEqual(['marked-ring-v1-nodes.csv', 'marked-ring-v1-liabilities.csv']);
    for (const file of files)
      expect(file.content.split('\r\n')[0]).toBe(`# ${SETTINGS.marking} · ${SETTINGS.organisation}`);
    const again = await ok<{ versionId: number }>(
      app.router.handle('datasets:importTables', { files: files.map((f) => picked(app, f.fileName, f.content)) }),
    );
    const back = await stored(again.versionId);
    const original = await stored(versionId);
    // name, currency and unit travel beside the tables (docs/formats.md); nodes and liabilities come back unchanged.
    expect(back.nodes).toEqual(original.nodes);
    expect(back.liabilities).toEqual(original.liabilities);
    // The import dialog's preview sees the header, not the comment.
    const preview = await ok<{ files: Array<{ tables: Array<{ columns: string[]; rowCount: number }> }> }>(
      app.router.handle('datasets:preview', { files: [picked(app, files[0]!.fileName, files[0]!.content)] }),
    );
    expect(preview.files[0]!.tables[0]).toMatchObject({ columns: arrayContaining(['id', 'name']), rowCount: 3 });
  });

  it("GraphML: the graph's <desc> and data hold the marking; the file imports again as the same network", async () => {
    app = freshApp();
    await ok(app.router.handle('briefs:saveSettings', SETTINGS));
    const versionId = await importNetwork(richRing());
    const [file] = await exportFiles(versionId, 'graphml');
    expect(file!.content).toContain(`<desc>${SETTINGS.marking} · ${SETTINGS.organisation}</desc>`);
    expect(file!.content).toMatch(/<key id="g_marking" for="graph" attr.name="classification" attr.type="string"\/>/);
    expect(file!.content).toContain(`<data key="g_marking">${SETTINGS.marking}</data>`);
    expect(file!.content).toContain(`<data key="g_organisation">${SETTINGS.organisation}</data>`);
    expect(file!.content).toMatch(/<data key="g_exportedAt">\d{4}-/);
    expect(await stored(await reimport(file!))).toEqual(await stored(versionId));
  });

  it('XLSX: a first sheet "Classification" (marking, organisation, time); the workbook imports again as the same network', async () => {
    app = freshApp();
    await ok(app.router.handle('briefs:saveSettings', SETTINGS));
    const versionId = await importNetwork(richRing());
    const [file] = await exportFiles(versionId, 'xlsx');
    const book = await workbook(file!);
    expect(book.worksheets.map((s) => s.name)).toEqual([MARKING_SHEET, 'nodes', 'liabilities', 'matrix', 'network']);
    const sheet = book.worksheets[0]!;
    expect(sheet.getCell('A1').value).toBe(SETTINGS.marking);
    const rows = new Map<string, unknown>();
    sheet.eachRow((row) => rows.set(row.getCell(1).text, row.getCell(2).value));
    expect(rows.get('Organisation')).toBe(SETTINGS.organisation);
    expect(String(rows.get('Exported at'))).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(rows.get('Network')).toBe('Marked ring');
    expect(book.subject).toBe(SETTINGS.marking);
    expect(book.company).toBe(SETTINGS.organisation);
    expect(book.getWorksheet('nodes')!.headerFooter.oddHeader).toBe(`&C${SETTINGS.marking} · ${SETTINGS.organisation}`);
    expect(await stored(await reimport(file!))).toEqual(await stored(versionId));
    // The import dialog's preview leaves the marking sheet out.
    const preview = await ok<{ files: Array<{ tables: Array<{ name: string }> }> }>(
      app.router.handle('datasets:preview', {
        files: [picked(app, 'again.xlsx', Buffer.from(file!.content, 'base64'))],
      }),
    );
    expect(preview.files[0]!.tables.map((t) => t.name)).toEqual(['nodes', 'liabilities', 'matrix', 'network']);
  });

  it('crossholdings@1 JSON: the metadata field too; it imports again as the same economy', async () => {
    app = freshApp();
    const versionId = await importNetwork(smallEconomy(), 'economy.json');
    const [file] = await exportFiles(versionId, 'network@1', { marking: 'RESTRICTED' });
    const json = JSON.parse(file!.content) as Record<string, unknown>;
    expect(json.metadata).toMatchObject({ marking: 'RESTRICTED' });
    expect(json.metadata).not.toHaveProperty('organisation');
    const again = await reimport(file!);
    const back = await ok<{ document: unknown }>(app.router.handle('economies:get', { versionId: again }));
    expect(back.document).toEqual(smallEconomy());
  });

  it("a request's own marking and organisation win over the settings; each export is in the audit trail with its marking", async () => {
    app = freshApp();
    await ok(app.router.handle('briefs:saveSettings', SETTINGS));
    const versionId = await importNetwork(richRing());
    const files = await exportFiles(versionId, 'csv', { marking: 'RESTRICTED', organisation: 'Bank X' });
    expect(files[0]!.content.startsWith('# RESTRICTED · Bank X\r\n')).toBe(true);
    const refused = await app.router.handle('networks:export', { versionId, format: 'csv', marking: ' ' });
    expect(refused.ok).toBe(false);

    const entries = listAudit(app.db, { limit: 100 }).entries.filter((e) => e.action === 'export');
    expect(entries).toHaveLength(2);
    for (const file of files) {
      const entry = entries.find((e) => e.fileName === file.fileName);
      expect(entry?.details).toMatchObject({ versionId, format: 'csv', marking: 'RESTRICTED', organisation: 'Bank X' });
    }
  });
});

describe('table exports carry the classification marking', () => {
  const request = {
    title: 'Largest contributors',
    columns: [{ label: 'Bank' }, { label: 'Loss', unit: 'EUR million' }],
    rows: [
      ['A', 1.5],
      ['B', null],
    ],
  };

  it('CSV: a first comment line; XLSX: the marking in red above the header, in the printed header and properties; both audited', async () => {
    app = freshApp();
    const csv = await ok<ExportedFile>(app.router.handle('tables:export', { ...request, format: 'csv' }));
    expect(csv.content).toBe(`# ${DEFAULT_MARKING}\r\nBank,Loss (EUR million)\r\nA,1.5\r\nB,\r\n`);
    await ok(app.router.handle('briefs:saveSettings', SETTINGS));
    const xlsx = await ok<ExportedFile>(app.router.handle('tables:export', { ...request, format: 'xlsx' }));
    const book = await workbook(xlsx);
    const sheet = book.worksheets[0]!;
    expect(book.worksheets).toHaveLength(1);
    expect(sheet.getCell('A1').value).toBe(markingLine(SETTINGS));
    expect(sheet.getCell('A1').font?.bold).toBe(true);
    expect(sheet.getRow(2).values).toEqual([undefined, 'Bank', 'Loss (EUR million)']);
    expect(sheet.getCell('B3').value).toBe(1.5);
    expect(sheet.views[0]).toMatchObject({ state: 'frozen', ySplit: 2 });
    expect(sheet.headerFooter.oddHeader).toBe(`&C${markingLine(SETTINGS)}`);
    expect(book.subject).toBe(SETTINGS.marking);

    const entries = listAudit(app.db, { limit: 10 }).entries.filter((e) => e.action === 'export');
    expect(entries.map((e) => [e.fileName, e.details.marking])).toEqual([
      ['Largest-contributors.xlsx', SETTINGS.marking],
      ['Largest-contributors.csv', DEFAULT_MARKING],
    ]);
    expect(entries[0]!.details.organisation).toBe(SETTINGS.organisation);
  });
});

describe('CSV readers skip the comment lines before the header', () => {
  it('take the header after "# …" lines and name rows by their line in the file', () => {
    const text = `${markingComment(SETTINGS)}\r\n#\r\n# another note\r\nid,outsideAssets\r\nA,1\r\nB,x\r\n`;
    const table = parseCsv('n.csv', text);
    expect(table.columns).toEqual(['id', 'outsideAssets']);
    expect(table.rows).toEqual([
      ['A', '1'],
      ['B', 'x'],
    ]);
    expect(table.rowNumbers).toEqual([5, 6]);
  });

  it('keep a header whose first cell starts with "#" but is no comment, and comment-like data rows', () => {
    const table = parseCsv('n.csv', '#id,name\n# A,Bank A\n');
    expect(table.columns).toEqual(['#id', 'name']);
    expect(table.rows).toEqual([['# A', 'Bank A']]);
  });

  it('refuse a file of comments only as empty', () => {
    expect(() => parseCsv('n.csv', '# CONFIDENTIAL\n')).toThrow(/n\.csv is empty/);
    expect(() => parseCsv('n.csv', '# CONFIDENTIAL')).toThrow(/n\.csv is empty/);
  });

  it('report CSV syntax errors at their line in the file', () => {
    try {
      parseCsv('n.csv', '# marking\nid,name\nA,"unclosed\n');
      throw new Error('expected a refusal');
    } catch (error) {
      expect(error).toBeInstanceOf(RowErrorsImportError);
      expect((error as RowErrorsImportError).message).toMatch(/row 3/);
    }
  });
});

describe('the network@1 schema', () => {
  it('accepts the metadata field of an export', async () => {
    const { networkDocumentSchema } = await import('../../src-shared/formats/network');
    const document = {
      ...ringNetwork(),
      metadata: { marking: DEFAULT_MARKING, organisation: 'X', exportedAt: '2026-01-01T00:00:00.000Z', future: 1 },
    };
    expect(document.format).toBe(NETWORK_FORMAT);
    expect(networkDocumentSchema.safeParse(document).success).toBe(true);
    expect(networkDocumentSchema.safeParse({ ...document, metadata: { organisation: 'no marking' } }).success).toBe(
      false,
    );
  });
});

/**
 * Formula injection: every CSV the product writes (network export, brief annex, embeddings) and the text cells of
 * its XLSX exports neutralise text that a spreadsheet would run as a formula, keep numbers as numbers, and the
 * importers read back exactly what was exported.
 */
import ExcelJS from 'exceljs';
import Papa from 'papaparse';
import { afterEach, describe, expect, it } from 'vitest';
import { NETWORK_FORMAT, type NetworkDocument } from '../../src-shared/formats/network';
import { csvCell, neutraliseFormula, unescapeCsvText } from '../../src-shared/formats/csv-cell';
import { readTables } from '../../src-main/io/tables';
import { networkFromTables, networkToCsv } from '../../src-main/io/tabular-network';
import { networkFromXlsx, networkToXlsx } from '../../src-main/io/xlsx-network';
import { composeBrief } from '../../src-main/io/briefs/compose';
import { renderBrief } from '../../src-main/io/briefs/render';
import { embeddingsCsv } from '../../src-main/learning/gt-evaluation';
import { freshApp } from '../support/app';
import { importNetwork } from '../briefs/support';

const ATTACKS = ['=HYPERLINK("http://x")', "+cmd|' /C calc'!A0", '@SUM(A1)', '-2+3'];
const FORMULA_START = /^[=+\-@\t\r]/;
const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/** A network whose bank ids and names are the attacks, with a negative equity of -1.5. */
function hostileNetwork(): NetworkDocument {
  const node = (id: string, name: string, equity: number) => ({
    id,
    name,
    group: '-1.5',
    outsideAssets: 50,
    outsideLiabilities: 40,
    equity,
  });
  return {
    format: NETWORK_FORMAT,
    name: '=HYPERLINK("http://x")',
    currency: 'EUR',
    unit: 'million',
    nodes: [
      node(ATTACKS[0]!, ATTACKS[1]!, 10),
      node(ATTACKS[1]!, ATTACKS[2]!, 8),
      node(ATTACKS[2]!, ATTACKS[3]!, -1.5),
      node(ATTACKS[3]!, "'=already quoted", 6),
      node('plain', '\tx', 5),
    ],
    liabilities: [
      { debtor: ATTACKS[0]!, creditor: ATTACKS[1]!, amount: 12 },
      { debtor: ATTACKS[1]!, creditor: ATTACKS[2]!, amount: 9 },
      { debtor: ATTACKS[2]!, creditor: ATTACKS[3]!, amount: 7 },
      { debtor: ATTACKS[3]!, creditor: 'plain', amount: 0.001 },
      { debtor: 'plain', creditor: ATTACKS[0]!, amount: 11 },
    ],
  };
}

/** Every cell of a CSV text (RFC 4180 parsing). */
const csvCells = (text: string): string[] => Papa.parse<string[]>(text.trim(), { skipEmptyLines: true }).data.flat();

/** No cell a spreadsheet would read as a formula: text starting with = + - @ tab CR is a plain number or absent. */
function expectNeutral(cells: Array<string | number | null>) {
  for (const cell of cells) {
    if (typeof cell === 'string' && FORMULA_START.test(cell))
      expect(cell, `cell ${JSON.stringify(cell)}`).toMatch(NUMBER);
  }
  for (const attack of ATTACKS) expect(cells).not.toContain(attack);
}

let app: ReturnType<typeof freshApp> | undefined;
afterEach(async () => {
  await app?.dispose();
  app = undefined;
});

describe('csvCell', () => {
  it('neutralises text that starts a formula, keeps numbers, quotes per RFC 4180', () => {
    expect(csvCell('=HYPERLINK("http://x")')).toBe('"\'=HYPERLINK(""http://x"")"');
    expect(csvCell("+cmd|' /C calc'!A0")).toBe("'+cmd|' /C calc'!A0");
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvCell('-2+3')).toBe("'-2+3");
    expect(csvCell('\tx')).toBe("'\tx");
    expect(csvCell('\rx')).toBe('"\'\rx"');
    expect(csvCell(-1.5)).toBe('-1.5');
    expect(csvCell('-1.5')).toBe('-1.5');
    expect(csvCell('1e-3')).toBe('1e-3');
    expect(csvCell(1e-7)).toBe('0.0000001');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('line\nbreak')).toBe('"line\nbreak"');
    expect(csvCell(null)).toBe('');
    expect(csvCell('Bank A')).toBe('Bank A');
  });

  it('is undone exactly by the importers, including text that already starts with an apostrophe', () => {
    for (const text of [...ATTACKS, '\tx', '\rx', "'=x", "''", "'abc", "'", 'plain', '-1.5', '']) {
      expect(unescapeCsvText(neutraliseFormula(text)), JSON.stringify(text)).toBe(text);
    }
  });
});

describe('exports of a network whose bank names are formulas', () => {
  it('CSV: every cell neutral, -1.5 numeric, and the import reads back the same network', async () => {
    const document = hostileNetwork();
    const files = networkToCsv(document);
    const cells = [...csvCells(files.nodes), ...csvCells(files.liabilities)];
    expectNeutral(cells);
    for (const attack of ATTACKS) expect(cells).toContain(`'${attack}`);
    expect(cells).toContain("'\tx");
    expect(cells).toContain('-1.5');
    expect(cells).not.toContain("'-1.5");
    const [nodes] = await readTables('nodes.csv', new TextEncoder().encode(files.nodes));
    const [liabilities] = await readTables('liabilities.csv', new TextEncoder().encode(files.liabilities));
    const back = networkFromTables({
      name: document.name,
      currency: document.currency,
      unit: document.unit,
      nodes,
      liabilities,
      fileName: 'pair',
    });
    expect(back.nodes.map((n) => n.id)).toEqual(document.nodes.map((n) => n.id));
    expect(back.nodes.slice(0, 4).map((n) => n.name)).toEqual(document.nodes.slice(0, 4).map((n) => n.name));
    expect(back.nodes[2]!.equity).toBe(-1.5);
    expect(back.liabilities).toEqual(document.liabilities);
  });

  it('XLSX: text cells neutral, numbers numeric, and the import reads back the same network', async () => {
    const document = hostileNetwork();
    const bytes = await networkToXlsx(document);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(Buffer.from(bytes) as unknown as ArrayBuffer);
    const values: Array<string | number | null> = [];
    workbook.eachSheet((sheet) =>
      sheet.eachRow((row) => row.eachCell((cell) => values.push(cell.value as string | number | null))),
    );
    expectNeutral(values);
    for (const attack of ATTACKS) expect(values).toContain(`'${attack}`);
    expect(values).toContain(-1.5);
    const back = await networkFromXlsx(bytes, 'hostile.xlsx');
    expect(back.name).toBe(document.name);
    expect(back.nodes.map((n) => n.id)).toEqual(document.nodes.map((n) => n.id));
    expect(back.nodes.slice(0, 4).map((n) => n.name)).toEqual(document.nodes.slice(0, 4).map((n) => n.name));
    expect(back.liabilities).toEqual(document.liabilities);
  });

  it('brief annex (CSV and XLSX) of a stress run on it: bank names neutral, figures numeric', async () => {
    app = freshApp();
    const versionId = await importNetwork(app, hostileNetwork());
    const final = await app.jobs.start('stress', {
      versionId,
      shockModel: { kind: 'uniform', maxFraction: 0.5 },
      samples: 400,
      seed: 3,
    }).done;
    expect(final.status, final.error).toBe('succeeded');
    const brief = await composeBrief(app.db, {
      runIds: [final.runId!],
      title: '@SUM(A1) brief',
      marking: 'RESTRICTED',
    });

    const csv = new TextDecoder().decode(await renderBrief(brief, 'csv'));
    const cells = csvCells(
      csv
        .split('\n')
        .filter((line) => !line.startsWith('#'))
        .join('\n'),
    );
    expectNeutral(cells);
    expect(cells.some((cell) => cell.startsWith("'=HYPERLINK"))).toBe(true);
    expect(cells.some((cell) => NUMBER.test(cell) && Number(cell) !== 0)).toBe(true);

    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(Buffer.from(await renderBrief(brief, 'xlsx')) as unknown as ArrayBuffer);
    const values: Array<string | number | null> = [];
    workbook.eachSheet((sheet) =>
      sheet.eachRow((row) => row.eachCell((cell) => values.push(cell.value as string | number | null))),
    );
    expectNeutral(values);
    expect(values).toContain("'@SUM(A1) brief");
    expect(values.some((v) => typeof v === 'string' && v.startsWith("'+cmd|"))).toBe(true);
    expect(values.some((v) => typeof v === 'number')).toBe(true);
  });

  it('embeddings CSV: codes and groups neutral, coordinates numeric', () => {
    const csv = embeddingsCsv({
      date: '2015-03-31',
      dimension: 2,
      nodes: [
        { code: ATTACKS[0]!, kind: 'investor', group: ATTACKS[2]! },
        { code: ATTACKS[1]!, kind: 'asset', group: ATTACKS[3]! },
      ],
      values: Float32Array.from([-1.5, 0.001, 2, -0.0000125]),
    });
    const cells = csvCells(csv);
    expectNeutral(cells);
    expect(cells).toContain('\'=HYPERLINK("http://x")');
    expect(cells).toContain('-1.50000');
    expect(cells.filter((cell) => cell.startsWith('-')).every((cell) => NUMBER.test(cell))).toBe(true);
  });
});

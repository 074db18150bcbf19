/**
 * The import limits, encodings, EBA cell rules and the one validation path (docs/data-protection/imports.md),
 * each on the file that the attack used, and the export of every importer's accepted file importing again.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterEach, describe, expect, it } from 'vitest';
import { exportVersion, importDataset, importDatasetTables } from '../../src-main/api/services';
import { parseEbaDisclosure } from '../../src-main/io/eba-disclosure';
import { networkToGraphml } from '../../src-main/io/graphml';
import { importHoldingsCsv } from '../../src-main/io/holdings-csv';
import { checkXlsxArchive, importLimits, quote } from '../../src-main/io/import-limits';
import { serialiseJson } from '../../src-main/io/network-json';
import { networkToCsv } from '../../src-main/io/tabular-network';
import { networkToParquet } from '../../src-main/io/network-parquet';
import { networkToXlsx } from '../../src-main/io/xlsx-network';
import { networks } from '../../src-main/store/repositories';
import type { NetworkDocument } from '../../src-shared/formats/network';
import { freshApp } from '../support/app';
import { repoRoot, ringNetwork, tempDir } from '../support/fixtures';

let app: ReturnType<typeof freshApp> | undefined;
const dirs: Array<{ remove(): void }> = [];
afterEach(async () => {
  await app?.dispose();
  app = undefined;
  for (const dir of dirs.splice(0)) dir.remove();
});

const bytes = (text: string) => new TextEncoder().encode(text);
const refusalOf = async (promise: Promise<unknown>): Promise<string> => {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e as Error,
  );
  if (!error) throw new Error('expected a refusal');
  expect(error.message).not.toMatch(/[\n\r]/);
  expect(error.message.length).toBeLessThanOrEqual(300);
  return error.message;
};
const counts = (db: ReturnType<typeof freshApp>['db']) =>
  ['datasets', 'networks', 'network_versions', 'investors', 'assets', 'positions'].map(
    (table) => (db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n,
  );

describe('the message shape', () => {
  it('quotes at most 60 characters with line breaks and control characters escaped', () => {
    expect(quote('a\nb\r\tc\u0000')).toBe('"a\\nb\\r\\tc\\u0000"');
    expect(quote('x'.repeat(100))).toBe(`"${'x'.repeat(60)}…"`);
    expect(quote('é'.repeat(60))).toBe(`"${'é'.repeat(60)}"`);
  });

  it('reads limits from the environment and from options, never looser than the format', () => {
    process.env.CWB_IMPORT_MAX_LINE_CHARS = '1000';
    try {
      expect(importLimits().lineChars).toBe(1000);
      expect(importLimits({ lineChars: 50 }).lineChars).toBe(50);
    } finally {
      delete process.env.CWB_IMPORT_MAX_LINE_CHARS;
    }
    expect(importLimits().lineChars).toBe(1024 * 1024);
    expect(importLimits({ cellChars: 10_000, nodes: 1e9 })).toMatchObject({ cellChars: 256, nodes: 100_000 });
  });
});

describe('limits', () => {
  it('refuses a 20 MB line of a holdings CSV while streaming, in bounded memory', async () => {
    app = freshApp();
    const dir = tempDir();
    dirs.push(dir);
    const path = join(dir.path, 'long.csv');
    writeFileSync(path, `investor,asset,date,amount\nI1,${'A'.repeat(20 * 1024 * 1024)},2024-01-01,1\n`);
    global.gc?.();
    const before = process.memoryUsage();
    let peak = 0;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss - before.rss)), 5);
    const message = await refusalOf(
      importHoldingsCsv(app.db, { filePath: path, fileName: 'long.csv', datasetName: 'x' }),
    );
    clearInterval(sampler);
    peak = Math.max(peak, process.memoryUsage().rss - before.rss);
    expect(message).toBe('long.csv: row 2: line longer than 1 MiB (the limit per line, CWB_IMPORT_MAX_LINE_CHARS)');
    // The whole line would be 20 MB as bytes and 40 MB as a string; a streamed refusal stays well below that.
    expect(peak).toBeLessThan(30 * 1024 * 1024);
    expect(counts(app.db)).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it('refuses an empty XLSX at once instead of waiting for a stream that never ends', async () => {
    app = freshApp();
    expect(await refusalOf(importDataset(app.db, 'empty.xlsx', new Uint8Array(0)))).toBe(
      'empty.xlsx is empty (0 bytes)',
    );
    const truncated = (await networkToXlsx(ringNetwork())).slice(0, 500);
    expect(await refusalOf(importDataset(app.db, 'cut.xlsx', truncated))).toBe(
      'cut.xlsx is not a readable XLSX workbook: the archive is truncated (no end of central directory)',
    );
  });

  it('refuses a 3 MB shared string in a small XLSX before the spreadsheet reader sees it', async () => {
    const workbook = new ExcelJS.Workbook();
    workbook.addWorksheet('nodes').addRow(['id', 'name']);
    workbook.getWorksheet('nodes')!.addRow(['A', 'n'.repeat(3 * 1024 * 1024)]);
    const file = new Uint8Array(await workbook.xlsx.writeBuffer());
    expect(file.length).toBeLessThan(100_000);
    await expect(checkXlsxArchive('big.xlsx', { bytes: file })).rejects.toThrow(
      'big.xlsx: part "xl/sharedStrings.xml" holds a text of more than 1 MiB (the limit per cell, CWB_IMPORT_MAX_LINE_CHARS)',
    );
    await expect(
      checkXlsxArchive('big.xlsx', { bytes: file }, importLimits({ xlsxPartBytes: 1024 * 1024 })),
    ).rejects.toThrow(
      /^big\.xlsx: part "xl\/sharedStrings\.xml" uncompresses to 3\.0 MiB, over the limit of 1 MiB per part/,
    );
  });

  it('refuses a bit-flipped XLSX by its checksum', async () => {
    const file = await networkToXlsx(ringNetwork());
    const flipped = file.slice();
    flipped[200]! ^= 0x10;
    await expect(checkXlsxArchive('flip.xlsx', { bytes: flipped })).rejects.toThrow(
      /^flip\.xlsx is not a readable XLSX workbook: part ".*" is damaged/,
    );
  });
});

describe('encodings', () => {
  it('refuses a Latin-1 JSON file naming the byte, and stores nothing', async () => {
    app = freshApp();
    const json = serialiseJson({ ...ringNetwork(), name: 'Société Générale' });
    const latin1 = Uint8Array.from(Buffer.from(json, 'latin1'));
    const offset = latin1.indexOf(0xe9);
    expect(await refusalOf(importDataset(app.db, 'sg.json', latin1))).toBe(
      `sg.json is not UTF-8 (byte 0xE9 at offset ${offset}); save it as UTF-8`,
    );
    expect(counts(app.db)).toEqual([0, 0, 0, 0, 0, 0]);
    const graphml = Uint8Array.from(Buffer.from(networkToGraphml({ ...ringNetwork(), name: 'Société' }), 'latin1'));
    expect(await refusalOf(importDataset(app.db, 'sg.graphml', graphml))).toMatch(
      /^sg\.graphml is not UTF-8 \(byte 0xE9 at offset \d+\); save it as UTF-8$/,
    );
  });

  it('reads a UTF-8 JSON file with a BOM', async () => {
    app = freshApp();
    const withBom = bytes(`\uFEFF${serialiseJson(ringNetwork())}`);
    await expect(importDataset(app.db, 'bom.json', withBom)).resolves.toMatchObject({ versionId: 1 });
  });
});

const EBA_HEADER =
  '"WORKSHEET","INFORMATION_CODE","INFO_DATE_CODE","C_COUNTRY_CODE","SCENARIO_CODE","MATURITY_CODE","MEASURE_CODE"';
function eba(banks: string[], totalAssets: string[], equity: string[], interbank: string[]): string {
  const row = (sheet: string, code: string, country: string, cells: string[]) =>
    [sheet, code, '20101231', country, '', '', '', ...cells].map((cell) => `"${cell}"`).join(',');
  return [
    `${EBA_HEADER},${banks.map((b) => `"${b}"`).join(',')}`,
    row('1 - Aggregate information', '30029', '', totalAssets),
    row('1 - Aggregate information', '30021', '', equity),
    row('4 - EADs', '33010', 'TO', interbank),
  ].join('\n');
}

describe('the EBA disclosure importer', () => {
  const good = ['AT001', 'DE002'];
  it('reads plain decimal numbers', () => {
    const { document } = parseEbaDisclosure(eba(good, ['200', '100.5'], ['10', '5'], ['20', '1e1']), 'e.csv');
    expect(document.nodes.map((node) => [node.id, node.outsideAssets])).toEqual([
      ['AT001', 180],
      ['DE002', 90.5],
    ]);
  });

  it.each([
    [
      '∞ total assets',
      eba(good, ['∞', '100'], ['10', '5'], ['20', '10']),
      'e.csv: row 2, column "AT001": total assets (30029) is not a finite decimal number — "∞"',
    ],
    [
      'Infinity',
      eba(good, ['200', 'Infinity'], ['10', '5'], ['20', '10']),
      'e.csv: row 2, column "DE002": total assets (30029) is not a finite decimal number — "Infinity"',
    ],
    [
      'NaN equity',
      eba(good, ['200', '100'], ['NaN', '5'], ['20', '10']),
      'e.csv: row 3, column "AT001": equity (30021) is not a finite decimal number — "NaN"',
    ],
    [
      'hexadecimal',
      eba(good, ['200', '100'], ['10', '5'], ['0x64', '10']),
      'e.csv: row 4, column "AT001": interbank exposure (33010, TO) is not a finite decimal number — "0x64"',
    ],
    [
      'negative interbank',
      eba(good, ['200', '100'], ['10', '5'], ['20', '-10']),
      'e.csv: row 4, column "DE002": interbank exposure (33010, TO) must not be negative — "-10"',
    ],
    [
      'blank',
      eba(good, ['200', ''], ['10', '5'], ['20', '10']),
      'e.csv: row 2, column "DE002": total assets (30029) is blank (a number is required)',
    ],
    [
      '1e308',
      eba(good, ['1e308', '100'], ['10', '5'], ['20', '10']),
      'e.csv: row 2, column "AT001": total assets (30029) is beyond ±1e15 — "1e308"',
    ],
    [
      'duplicate bank',
      eba(['AT001', 'AT001'], ['200', '100'], ['10', '5'], ['20', '10']),
      'e.csv: row 1, columns 8 and 9: bank id "AT001" appears twice',
    ],
    [
      'blank bank',
      eba(['AT001', ' '], ['200', '100'], ['10', '5'], ['20', '10']),
      'e.csv: row 1, column 9: blank bank id (every bank column needs its code)',
    ],
  ])('refuses %s naming the cell', (_, text, message) => {
    expect(() => parseEbaDisclosure(text, 'e.csv')).toThrow(message);
  });
});

describe('the one validation path', () => {
  it('refuses amounts beyond 1e15 and an empty network, whichever way they arrive', async () => {
    const store = freshApp();
    app = store;
    const huge = ringNetwork();
    huge.nodes[1]!.outsideAssets = 1e308;
    expect(await refusalOf(importDataset(app.db, 'huge.json', bytes(JSON.stringify(huge))))).toBe(
      'huge.json: node 2 (id "B"), outside assets: must be at most 1e15 (larger amounts could overflow sums) — "1e+308"',
    );
    const empty = { ...ringNetwork(), nodes: [], liabilities: [] };
    expect(await refusalOf(importDataset(app.db, 'empty.json', bytes(JSON.stringify(empty))))).toBe(
      'empty.json: the network has no banks',
    );
    expect(
      await refusalOf(
        importDatasetTables(app.db, [
          { fileName: 'n.csv', bytes: bytes('id,c\n') },
          { fileName: 'e.csv', bytes: bytes('debtor,creditor,amount\n') },
        ]),
      ),
    ).toBe('n.csv + e.csv: the network has no banks');
    // Saved versions (editor, RAS, reconstruction) pass the same check in the store.
    const { versionId } = await importDataset(app.db, 'ring.json', bytes(JSON.stringify(ringNetwork())));
    const { network } = networks.getVersion(app.db, versionId);
    expect(() => networks.addVersion(store.db, network.id, huge, 'edited')).toThrow(
      /outside assets: must be at most 1e15/,
    );
    expect(() => networks.addVersion(store.db, network.id, empty, 'edited')).toThrow(/the network has no banks/);
    expect(counts(app.db)).toEqual([1, 1, 1, 0, 0, 0]);
  });

  it('re-imports the export of every importer’s accepted file to the same network', async () => {
    app = freshApp();
    const source: NetworkDocument = {
      ...ringNetwork('Round trip'),
      currency: 'EUR',
      unit: 'million',
    };
    source.nodes[0] = { ...source.nodes[0]!, name: 'Société "A", ltd', equity: -2, defaultProbability: 0.25 };
    const tables = networkToCsv(source);
    const imports: Array<[string, () => Promise<{ versionId: number }>]> = [
      ['network@1 JSON', () => importDataset(app!.db, 'n.json', bytes(serialiseJson(source)))],
      ['GraphML', () => importDataset(app!.db, 'n.graphml', bytes(networkToGraphml(source)))],
      ['XLSX', async () => importDataset(app!.db, 'n.xlsx', await networkToXlsx(source))],
      [
        'CSV tables',
        () =>
          importDatasetTables(app!.db, [
            { fileName: 'n-nodes.csv', bytes: bytes(tables.nodes) },
            { fileName: 'n-liabilities.csv', bytes: bytes(tables.liabilities) },
          ]),
      ],
      [
        'Parquet tables',
        () => {
          const parquet = networkToParquet(source);
          return importDatasetTables(app!.db, [
            { fileName: 'n-nodes.parquet', bytes: parquet.nodes },
            { fileName: 'n-liabilities.parquet', bytes: parquet.liabilities },
          ]);
        },
      ],
      [
        'CSV edge list',
        () => importDataset(app!.db, 'edges.csv', bytes(tables.liabilities.replace('\r\n', '\r\n\r\n'))),
      ],
      [
        'EBA CSV',
        () =>
          importDataset(
            app!.db,
            'eba.csv',
            bytes(eba(['AT001', 'DE002'], ['200', '100.5'], ['10', '5'], ['20', '10'])),
          ),
      ],
    ];
    let round = 0;
    for (const [name, run] of imports) {
      // A store per importer: the exports of one import are the very files another importer reads.
      await app.dispose();
      app = freshApp();
      const { versionId } = await run();
      const original = networks.getVersion(app.db, versionId).document;
      for (const format of ['network@1', 'graphml', 'xlsx', 'csv', 'parquet'] as const) {
        round += 1;
        const { files } = await exportVersion(app.db, versionId, format);
        const asBytes = files.map((file) => ({
          fileName: `r${round}-${file.fileName}`,
          bytes:
            file.encoding === 'base64' ? Uint8Array.from(Buffer.from(file.content, 'base64')) : bytes(file.content),
        }));
        // An export byte for byte equal to the imported file is refused as already imported: that is the same network.
        const again = await (
          asBytes.length === 2
            ? importDatasetTables(app.db, asBytes)
            : importDataset(app.db, asBytes[0]!.fileName, asBytes[0]!.bytes)
        ).catch((error: Error) => {
          if (!/already imported/.test(error.message)) throw error;
          return { versionId };
        });
        const back = networks.getVersion(app.db, again.versionId).document;
        const strip = (document: NetworkDocument) => ({
          nodes: document.nodes.map((node) =>
            Object.fromEntries(Object.entries(node).filter(([, value]) => value !== null && value !== undefined)),
          ),
          liabilities: document.liabilities,
        });
        expect(strip(back), `${name} → ${format}`).toEqual(strip(original));
      }
    }
  });
});

describe('cwb', () => {
  it('refuses an empty .xlsx in one line with exit 2', () => {
    const dir = tempDir();
    dirs.push(dir);
    const file = join(dir.path, 'empty.xlsx');
    writeFileSync(file, '');
    const result = spawnSync(process.execPath, [join(repoRoot, 'bin/cwb.mjs'), 'import', file], {
      env: { ...process.env, CWB_DATA_DIR: join(dir.path, 'data') },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(result.status, result.stderr).toBe(2);
    expect(result.stderr).toBe('cwb: empty.xlsx is empty (0 bytes)\n');
  });
});

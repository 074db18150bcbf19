/** network@1 as a Parquet pair: written by network-parquet.ts, read back by the table importers like a CSV pair. */
import { describe, expect, it } from 'vitest';
import { randomSparseNetwork } from '../../src-main/engines/synthetic';
import { importNetworkTables } from '../../src-main/io/importers';
import { networkToParquet } from '../../src-main/io/network-parquet';
import { readParquetTable } from '../../src-main/io/parquet-table';
import { previewTables } from '../../src-main/io/tables';
import type { NetworkDocument } from '../../src-shared/formats/network';

const MARKING = { marking: 'RESTRICTED', organisation: 'Supervision', exportedAt: '2026-01-02T03:04:05Z' };

function pair(document: NetworkDocument, stem = 'n') {
  const files = networkToParquet(document, MARKING);
  return [
    { fileName: `${stem}-nodes.parquet`, bytes: files.nodes },
    { fileName: `${stem}-liabilities.parquet`, bytes: files.liabilities },
  ];
}

const refusal = (promise: Promise<unknown>) =>
  promise.then(
    () => 'accepted',
    (error: Error) => error.message,
  );

describe('network@1 as Parquet', () => {
  it('export then import gives the network back exactly (fields, absent fields, amounts to the last bit, name, unit)', async () => {
    const document = { ...randomSparseNetwork(400, 12, 5), currency: 'EUR', unit: 'million' };
    document.nodes[3] = { ...document.nodes[3]!, name: 'Bank “três”', group: 'G-SIB', defaultProbability: undefined };
    delete document.nodes[3].defaultProbability;
    document.liabilities[0]!.amount = 0.1 + 0.2;
    const [nodes, liabilities] = pair(document);
    // Either order, as a CSV pair.
    for (const files of [
      [nodes!, liabilities!],
      [liabilities!, nodes!],
    ]) {
      const imported = await importNetworkTables(files);
      expect(imported.network.document).toEqual(document);
      expect(imported.report.importer).toBe('Parquet node table + edge list');
      expect(imported.network.note).toBe('imported from n-nodes.parquet + n-liabilities.parquet');
    }
  });

  it('carries the classification marking in both files and the name, currency and unit in the node file', async () => {
    const document = { ...randomSparseNetwork(5, 2, 1), name: 'Marked', currency: 'USD' };
    const [nodes, liabilities] = pair(document);
    const nodeTable = (await readParquetTable(nodes!.fileName, nodes!.bytes)).table;
    expect(nodeTable.properties).toMatchObject({
      'network.name': 'Marked',
      'network.currency': 'USD',
      'export.marking': 'RESTRICTED',
      'export.organisation': 'Supervision',
      'export.exportedAt': '2026-01-02T03:04:05Z',
    });
    const edgeTable = (await readParquetTable(liabilities!.fileName, liabilities!.bytes)).table;
    expect(edgeTable.properties).toEqual({
      'export.marking': 'RESTRICTED',
      'export.organisation': 'Supervision',
      'export.exportedAt': '2026-01-02T03:04:05Z',
    });
    expect(edgeTable.columns).toEqual(['debtor', 'creditor', 'amount']);
  });

  it('previews only the rows the dialog shows, with the row count of the whole file', async () => {
    const [, liabilities] = pair(randomSparseNetwork(300, 10, 2));
    const [preview] = await previewTables(liabilities!.fileName, liabilities!.bytes);
    expect(preview!.rows).toHaveLength(20);
    expect(preview!.rowCount).toBe(3000);
    expect(preview!.mapping.liabilities).toEqual({ debtor: 'debtor', creditor: 'creditor', amount: 'amount' });
  });

  it('refuses what the CSV importer refuses, in its words, and a damaged file in one line naming it', async () => {
    const document = randomSparseNetwork(20, 3, 6);
    document.liabilities[4]!.amount = -2;
    document.liabilities[7]!.creditor = 'NOBODY';
    const [nodes, liabilities] = pair(document);
    const rows = await refusal(importNetworkTables([nodes!, liabilities!]));
    expect(rows).toMatch(/row 6.*(negative|≥ 0)/i);
    expect(rows).toMatch(/NOBODY/);

    const good = pair(randomSparseNetwork(20, 3, 7))[1]!.bytes;
    const damaged = good.slice();
    damaged.fill(0xff, 30, 200);
    const cases: Array<[string, Uint8Array, RegExp]> = [
      ['x.parquet', new TextEncoder().encode('debtor,creditor,amount\n'), /^x\.parquet is not a Parquet file: /],
      ['cut.parquet', good.slice(0, good.length - 20), /^cut\.parquet is not a Parquet file: it does not end with/],
      ['bad.parquet', damaged, /^bad\.parquet is a damaged Parquet file: its data cannot be read \(/],
    ];
    for (const [fileName, bytes, expected] of cases) {
      const message = await refusal(importNetworkTables([nodes!, { fileName, bytes }]));
      expect(message).toMatch(expected);
      expect(message).not.toContain('\n');
    }
  });
});

import { describe, expect, it } from 'vitest';
import { importFile, importFileAsync, importNetworkTables, interbankNetworkOf } from '../../src-main/io/importers';
import { networkToCsv } from '../../src-main/io/tabular-network';
import { ringNetwork } from '../support/fixtures';

const utf8 = (text: string) => new TextEncoder().encode(text);

describe('importFileAsync and importNetworkTables', () => {
  it('reads JSON like the synchronous importFile', async () => {
    const bytes = utf8(JSON.stringify(ringNetwork()));
    expect(await importFileAsync('ring.json', bytes)).toEqual(importFile('ring.json', bytes));
  });

  it('reads a CSV edge list alone, with nodes inferred', async () => {
    const imported = await importFileAsync('edges.csv', utf8('from,to,weight\nA,B,1\nB,C,2\n'));
    expect(imported.kind).toBe('network');
    expect(imported.name).toBe('edges');
    expect(interbankNetworkOf(imported).nodes.map((node) => node.id)).toEqual(['A', 'B', 'C']);
    expect(imported.report.notes[0]).toMatch(/nodes inferred/);
  });

  it('asks for the liabilities when given a node table alone', async () => {
    await expect(importFileAsync('banks.csv', utf8('id,c,b\nA,1,1\n'))).rejects.toThrow(
      /looks like a table of nodes.*liabilities/,
    );
  });

  it('reads a node CSV and an edge CSV in either order, refusing the pair whole on a bad row', async () => {
    const { nodes, liabilities } = networkToCsv(ringNetwork());
    const files = [
      { fileName: 'liabilities.csv', bytes: utf8(liabilities) },
      { fileName: 'ring-nodes.csv', bytes: utf8(nodes) },
    ];
    const imported = await importNetworkTables(files);
    expect(imported.name).toBe('ring');
    expect(imported.network.document).toEqual({ ...ringNetwork('ring'), currency: undefined, unit: undefined });
    expect(imported.report.importer).toBe('CSV node table + edge list');
    const swapped = await importNetworkTables([...files].reverse());
    expect(swapped.sha256).toBe(imported.sha256);

    const bad = [files[1]!, { fileName: 'liabilities.csv', bytes: utf8(`${liabilities}A,Q,1\nB,A,-1\n`) }];
    await expect(importNetworkTables(bad)).rejects.toThrow(
      'liabilities.csv: 2 rows refused: row 5, column "creditor": unknown node id "Q"; row 6, column "amount": must be ≥ 0',
    );
  });

  it('reads a node CSV with a liability matrix', async () => {
    const imported = await importNetworkTables([
      { fileName: 'nodes.csv', bytes: utf8('id,c,b\nA,1,1\nB,2,2\n') },
      { fileName: 'matrix.csv', bytes: utf8(',A,B\nA,0,5\nB,1.5,\n') },
    ]);
    expect(imported.report.importer).toBe('CSV node table + liability matrix');
    expect(interbankNetworkOf(imported).liabilities).toEqual([
      { debtor: 'A', creditor: 'B', amount: 5 },
      { debtor: 'B', creditor: 'A', amount: 1.5 },
    ]);
  });

  it('still routes the EBA disclosure CSV to its importer', async () => {
    await expect(
      importFileAsync(
        'x.csv',
        utf8('WORKSHEET,INFORMATION_CODE,INFO_DATE_CODE,C_COUNTRY_CODE,SCENARIO_CODE,MATURITY_CODE,MEASURE_CODE\n'),
      ),
    ).rejects.toThrow(/no bank columns/);
  });
});

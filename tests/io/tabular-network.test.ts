import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { networkDocumentSchema } from '../../src-shared/formats/network';
import { suggestMapping } from '../../src-main/io/column-mapping';
import { RowErrorsImportError } from '../../src-main/io/row-errors';
import { parseCsv, plainDecimal, previewTables, readTables, type Table } from '../../src-main/io/tables';
import { networkFromTables, networkToCsv } from '../../src-main/io/tabular-network';
import { parseNetworkJson, serialiseJson } from '../../src-main/io/network-json';
import { ringNetwork } from '../support/fixtures';
import { networkArbitrary, withoutNulls } from './network-arbitrary';

const utf8 = (text: string) => new TextEncoder().encode(text);
const csv = (name: string, text: string): Table => parseCsv(name, text);

function refusal(run: () => unknown): RowErrorsImportError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(RowErrorsImportError);
    return error as RowErrorsImportError;
  }
  throw new Error('expected the import to be refused');
}

describe('CSV node table + edge list', () => {
  it('round-trips generated networks losslessly (network → CSV → network → CSV)', async () => {
    await fc.assert(
      fc.asyncProperty(networkArbitrary, async (document) => {
        const files = networkToCsv(document);
        const [nodes] = await readTables('nodes.csv', utf8(files.nodes));
        const [liabilities] = await readTables('liabilities.csv', utf8(files.liabilities));
        const back = networkFromTables({
          name: document.name,
          currency: document.currency,
          unit: document.unit,
          nodes,
          liabilities,
          fileName: 'pair',
        });
        expect(back).toEqual(withoutNulls(document));
        expect(networkToCsv(back)).toEqual(files);
      }),
      { numRuns: 150 },
    );
  });

  it('round-trips network@1 JSON losslessly', () => {
    fc.assert(
      fc.property(networkArbitrary, (document) => {
        expect(parseNetworkJson(serialiseJson(document), 'x.json')).toEqual(document);
      }),
      { numRuns: 100 },
    );
  });

  it('writes absent fields as blank cells and numbers as plain decimals', () => {
    const document = ringNetwork();
    document.nodes[0]!.equity = null;
    document.nodes[1]!.outsideAssets = 1e-7;
    const { nodes, liabilities } = networkToCsv(document);
    expect(nodes.split('\r\n')[0]).toBe('id,name,outsideAssets,outsideLiabilities,equity');
    expect(nodes).toContain('A,Bank A,20,15,\r\n');
    expect(nodes).toContain('B,Bank B,0.0000001,15,5');
    expect(liabilities).toBe('debtor,creditor,amount\r\nA,B,10\r\nB,C,10\r\nC,A,10\r\n');
  });

  it('names every bad row, its column and the rule', () => {
    const nodes = csv('nodes.csv', 'id,name,c,b\nA,Alpha,10,5\nB,Beta,x,5\nC,Gamma,3,-1\nA,Again,1,1\n,Nameless,1,1\n');
    const liabilities = csv('edges.csv', 'from,to,value\nA,B,10\nB,Z,3\nC,C,1\nA,B,2\nB,A,-4\nC,A,abc\n');
    const error = refusal(() => networkFromTables({ name: 'n', nodes, liabilities, fileName: 'pair' }));
    const messages = error.rowErrors.map((e) => `${e.file} row ${e.row} (${e.column ?? ''}): ${e.message}`);
    expect(messages).toEqual([
      'nodes.csv row 3 (c): not a number — "x"',
      'nodes.csv row 4 (b): must be ≥ 0',
      'nodes.csv row 5 (id): duplicate node id "A" (first on row 2)',
      'nodes.csv row 6 (id): missing node id',
      'edges.csv row 3 (to): unknown node id "Z"',
      'edges.csv row 4 (): self-loop on "C" is not allowed',
      'edges.csv row 5 (): second entry for debtor "A" → creditor "B" (first on row 2; at most one per ordered pair)',
      'edges.csv row 6 (value): must be ≥ 0',
      'edges.csv row 7 (value): not a number — "abc"',
    ]);
    expect(error.message).toMatch(/^9 rows refused: nodes\.csv row 3, column "c": not a number — "x"; /);
    expect(error.message).toMatch(/; … and \d+ more$/);
    expect(error.message.length).toBeLessThanOrEqual(300);
    expect(error.code).toBe('import_failed');
  });

  it('a CSV with two bad rows names both rows', () => {
    const liabilities = csv('edges.csv', 'debtor,creditor,amount\nA,B,1\nB,C,-2\nC,A,1\nA,C,lots\n');
    const error = refusal(() => networkFromTables({ name: 'n', liabilities, fileName: 'edges.csv' }));
    expect(error.message).toBe(
      'edges.csv: 2 rows refused: row 3, column "amount": must be ≥ 0; row 5, column "amount": not a number — "lots"',
    );
    expect(error.rowErrors.map((e) => e.row)).toEqual([3, 5]);
  });

  it('counts rows as a spreadsheet does: blank lines and quoted line breaks keep later row numbers right', () => {
    const liabilities = csv('edges.csv', 'debtor,creditor,amount\n"A\nx",B,1\n\nB,C,-2\n');
    const error = refusal(() => networkFromTables({ name: 'n', liabilities, fileName: 'edges.csv' }));
    expect(error.rowErrors).toEqual([{ file: 'edges.csv', row: 4, column: 'amount', message: 'must be ≥ 0' }]);
  });

  it('lists the first rows that fit in one line and counts the rest', () => {
    const body = Array.from({ length: 14 }, (_, i) => `N${i},M${i},-1`).join('\n');
    const error = refusal(() =>
      networkFromTables({
        name: 'n',
        liabilities: csv('e.csv', `debtor,creditor,amount\n${body}\n`),
        fileName: 'e.csv',
      }),
    );
    expect(error.rowErrors).toHaveLength(14);
    expect(error.message).toMatch(/^e\.csv: 14 rows refused: row 2, column "amount": must be ≥ 0; row 3, /);
    expect(error.message).toMatch(/: must be ≥ 0; … and \d+ more$/);
    expect(error.message.length).toBeLessThanOrEqual(300);
  });

  it('infers nodes from an edge list alone, in order of appearance, without balance-sheet fields', () => {
    const liabilities = csv('edges.csv', 'Source;Target;Weight\nb2;a1;5\na1;c3;2.5\n');
    const document = networkFromTables({ name: 'edges', liabilities, fileName: 'edges.csv' });
    expect(document.nodes).toEqual([{ id: 'b2' }, { id: 'a1' }, { id: 'c3' }]);
    expect(document.liabilities).toEqual([
      { debtor: 'b2', creditor: 'a1', amount: 5 },
      { debtor: 'a1', creditor: 'c3', amount: 2.5 },
    ]);
    expect(networkDocumentSchema.safeParse(document).success).toBe(true);
  });

  it('uses an explicit column mapping and names a mapped column that is not there', () => {
    const nodes = csv('n.csv', 'Bank,Ext assets,Ext liabilities\nA,10,8\nB,7,6\n');
    const liabilities = csv('e.csv', 'owes,owed,EUR m\nA,B,1\n');
    const mapping = {
      nodes: { id: 'Bank', outsideAssets: 'Ext assets', outsideLiabilities: 'Ext liabilities' },
      liabilities: { debtor: 'owes', creditor: 'owed', amount: 'EUR m' },
    };
    const document = networkFromTables({ name: 'x', nodes, liabilities, mapping, fileName: 'pair' });
    expect(document.nodes).toEqual([
      { id: 'A', outsideAssets: 10, outsideLiabilities: 8 },
      { id: 'B', outsideAssets: 7, outsideLiabilities: 6 },
    ]);
    expect(() =>
      networkFromTables({
        name: 'x',
        nodes,
        liabilities,
        fileName: 'pair',
        mapping: { ...mapping, nodes: { id: 'Code' } },
      }),
    ).toThrow(/column "Code" \(mapped to node id\) is not in the file/);
  });
});

describe('liability matrix', () => {
  const nodes = () => csv('nodes.csv', 'id,outside_assets,outside_liabilities\nA,20,15\nB,20,15\nC,20,15\n');

  it('reads rows as debtors and the header as creditors; blank and 0 are no entry', () => {
    const matrix = csv('matrix.csv', ',A,B,C\nA,,10,0\nB,0,,7.5\nC,3,,\n');
    const document = networkFromTables({ name: 'm', nodes: nodes(), matrix, fileName: 'pair' });
    expect(document.nodes[0]).toEqual({ id: 'A', outsideAssets: 20, outsideLiabilities: 15 });
    expect(document.liabilities).toEqual([
      { debtor: 'A', creditor: 'B', amount: 10 },
      { debtor: 'B', creditor: 'C', amount: 7.5 },
      { debtor: 'C', creditor: 'A', amount: 3 },
    ]);
  });

  it('refuses unknown ids, a non-zero diagonal, negative and non-numeric cells, naming each', () => {
    const matrix = csv('matrix.csv', 'debtor,A,B,Q\nA,5,1,\nB,-1,,\nZ,1,,\nC,x,,\n');
    const error = refusal(() => networkFromTables({ name: 'm', nodes: nodes(), matrix, fileName: 'pair' }));
    expect(error.rowErrors.map((e) => `row ${e.row} (${e.column}): ${e.message}`)).toEqual([
      'row 1 (Q): unknown node id "Q"',
      'row 2 (A): self-loop on "A" is not allowed (the diagonal must be blank or 0)',
      'row 3 (A): must be ≥ 0',
      'row 4 (debtor): unknown node id "Z"',
      'row 5 (A): not a number — "x"',
    ]);
  });
});

describe('column suggestions', () => {
  it('matches case, spaces and underscores and knows the usual synonyms', () => {
    expect(suggestMapping(['Bank ID', 'Label', 'C', 'b', 'Total_Assets', 'PD', 'Country']).nodes).toEqual({
      id: 'Bank ID',
      name: 'Label',
      outsideAssets: 'C',
      outsideLiabilities: 'b',
      totalAssets: 'Total_Assets',
      defaultProbability: 'PD',
      group: 'Country',
    });
    expect(suggestMapping(['Outside Assets', 'outside_liabilities', 'id']).nodes).toMatchObject({
      outsideAssets: 'Outside Assets',
      outsideLiabilities: 'outside_liabilities',
    });
    expect(suggestMapping(['From', 'To', 'Exposure']).liabilities).toEqual({
      debtor: 'From',
      creditor: 'To',
      amount: 'Exposure',
    });
    expect(suggestMapping(['source', 'target', 'weight']).liabilities).toEqual({
      debtor: 'source',
      creditor: 'target',
      amount: 'weight',
    });
    // A lender is owed by the borrower: lender = creditor, borrower = debtor.
    expect(suggestMapping(['lender', 'borrower', 'value']).liabilities).toEqual({
      debtor: 'borrower',
      creditor: 'lender',
      amount: 'value',
    });
  });
});

describe('reading CSV bytes', () => {
  it('strips a UTF-8 BOM and falls back to windows-1252 when the bytes are not UTF-8', async () => {
    const [withBom] = await readTables('x.csv', new Uint8Array([0xef, 0xbb, 0xbf, ...utf8('id,name\nA,Société\n')]));
    expect(withBom!.columns).toEqual(['id', 'name']);
    expect(withBom!.rows).toEqual([['A', 'Société']]);
    const latin = new Uint8Array([...utf8('id,name\nA,Soci'), 0xe9, ...utf8('t'), 0xe9, 0x80, ...utf8('\n')]);
    const [table] = await readTables('x.csv', latin);
    expect(table!.rows).toEqual([['A', 'Société€']]);
  });

  it('previews the first 20 rows with a suggested mapping', async () => {
    const body = Array.from({ length: 50 }, (_, i) => `N${i},N${i + 1},${i}`).join('\n');
    const [preview] = await previewTables('e.csv', utf8(`debtor,creditor,amount\n${body}\n`));
    expect(preview!.rows).toHaveLength(20);
    expect(preview!.rowCount).toBe(50);
    expect(preview!.mapping.liabilities).toEqual({ debtor: 'debtor', creditor: 'creditor', amount: 'amount' });
  });

  it('writes numbers as plain decimal text that parses back to the same number', () => {
    expect(plainDecimal(1e-7)).toBe('0.0000001');
    expect(plainDecimal(1.5e21)).toBe('1500000000000000000000');
    expect(plainDecimal(-2.5e-8)).toBe('-0.000000025');
    fc.assert(
      fc.property(
        fc.double({ noNaN: true, noDefaultInfinity: true }),
        (x) => Object.is(Number(plainDecimal(x)), x) || (x === 0 && Number(plainDecimal(x)) === 0),
      ),
    );
  });
});

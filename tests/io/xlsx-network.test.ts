import ExcelJS from 'exceljs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { importFileAsync } from '../../src-main/io/importers';
import { RowErrorsImportError } from '../../src-main/io/row-errors';
import { readTables } from '../../src-main/io/tables';
import { networkFromXlsx, networkToXlsx } from '../../src-main/io/xlsx-network';
import { ringNetwork } from '../support/fixtures';
import { networkArbitrary, withoutNulls } from './network-arbitrary';

async function workbookBytes(build: (workbook: ExcelJS.Workbook) => void): Promise<Uint8Array> {
  const workbook = new ExcelJS.Workbook();
  build(workbook);
  return new Uint8Array(await workbook.xlsx.writeBuffer());
}

describe('XLSX network workbook', () => {
  it('round-trips generated networks losslessly', async () => {
    await fc.assert(
      fc.asyncProperty(networkArbitrary, async (document) => {
        const bytes = await networkToXlsx(document);
        expect(await networkFromXlsx(bytes, 'net.xlsx')).toEqual(withoutNulls(document));
      }),
      { numRuns: 40 },
    );
  });

  it('writes nodes, liabilities, a matrix and the network properties, numbers as numbers', async () => {
    const document = ringNetwork();
    document.nodes[1]!.equity = null;
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load((await networkToXlsx(document)) as unknown as ExcelJS.Buffer);
    expect(workbook.worksheets.map((sheet) => sheet.name)).toEqual(['nodes', 'liabilities', 'matrix', 'network']);
    const nodes = workbook.getWorksheet('nodes')!;
    expect(nodes.getRow(1).values).toEqual([undefined, 'id', 'name', 'outsideAssets', 'outsideLiabilities', 'equity']);
    expect(nodes.getCell('C2').value).toBe(20);
    expect(nodes.getCell('E3').value).toBeNull();
    expect(workbook.getWorksheet('liabilities')!.getCell('C2').value).toBe(10);
    const matrix = workbook.getWorksheet('matrix')!;
    expect(matrix.getCell('C2').value).toBe(10); // A owes B
    expect(matrix.getCell('B2').value).toBeNull();
  });

  it('leaves out the matrix sheet above 300 nodes', async () => {
    const document = ringNetwork();
    document.nodes = Array.from({ length: 301 }, (_, i) => ({ id: `N${i}` }));
    document.liabilities = [{ debtor: 'N0', creditor: 'N300', amount: 1 }];
    const tables = await readTables('big.xlsx', await networkToXlsx(document));
    expect(tables.map((table) => table.name)).toEqual(['nodes', 'liabilities', 'network']);
  });

  it('reads a workbook with other sheet names (first two sheets), formulas, and plain decimal numbers', async () => {
    const bytes = await workbookBytes((workbook) => {
      const banks = workbook.addWorksheet('Banks');
      banks.addRow(['Bank ID', 'Outside Assets', 'Outside Liabilities']);
      banks.addRow(['A', 1e-7, 5]);
      banks.addRow(['B', { formula: '2*5', result: 10 }, 4]);
      const exposures = workbook.addWorksheet('Exposures');
      exposures.addRow(['Borrower', 'Lender', 'Exposure']);
      exposures.addRow(['A', 'B', 2.5]);
    });
    const [banks] = await readTables('book.xlsx', bytes);
    expect(banks!.rows[0]).toEqual(['A', '0.0000001', '5']);
    const document = await networkFromXlsx(bytes, 'book.xlsx');
    expect(document.name).toBe('book');
    expect(document.nodes).toEqual([
      { id: 'A', outsideAssets: 1e-7, outsideLiabilities: 5 },
      { id: 'B', outsideAssets: 10, outsideLiabilities: 4 },
    ]);
    expect(document.liabilities).toEqual([{ debtor: 'A', creditor: 'B', amount: 2.5 }]);
  });

  it('refuses bad rows naming the sheet and the row a spreadsheet shows', async () => {
    const bytes = await workbookBytes((workbook) => {
      const nodes = workbook.addWorksheet('nodes');
      nodes.addRow(['id', 'c', 'b']);
      nodes.addRow(['A', 1, 1]);
      nodes.addRow(['B', -1, 1]);
      const liabilities = workbook.addWorksheet('liabilities');
      liabilities.addRow(['debtor', 'creditor', 'amount']);
      liabilities.addRow(['A', 'B', 1]);
      liabilities.addRow([]);
      liabilities.addRow(['A', 'C', 1]);
    });
    const error = await networkFromXlsx(bytes, 'book.xlsx').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RowErrorsImportError);
    expect((error as RowErrorsImportError).rowErrors).toEqual([
      { file: 'book.xlsx [nodes]', row: 3, column: 'c', message: 'must be ≥ 0' },
      { file: 'book.xlsx [liabilities]', row: 4, column: 'creditor', message: 'unknown node id "C"' },
    ]);
  });

  it('is imported by importFileAsync', async () => {
    const imported = await importFileAsync('ring.xlsx', await networkToXlsx(ringNetwork()));
    expect(imported.kind).toBe('network');
    expect(imported.network.document).toEqual(ringNetwork());
    expect(imported.report.importer).toBe('XLSX workbook');
  });

  it('refuses a file that is not a workbook', async () => {
    await expect(networkFromXlsx(new TextEncoder().encode('id,name\n'), 'fake.xlsx')).rejects.toThrow(
      /fake\.xlsx is not a readable XLSX workbook/,
    );
  });
});

import { describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import { exportTable } from '../../src-main/io/table-export';

const request = {
  title: 'Whom to support, run 12',
  columns: [{ label: 'Firm' }, { label: 'Payment', unit: 'EUR million' }],
  rows: [
    ['=HYPERLINK("x")', 1711231.024990491],
    ['F2', null],
  ],
};

describe('a screen table as a file', () => {
  it('CSV: units in the header, formulas neutralised, numbers with all their digits', async () => {
    const file = await exportTable({ ...request, format: 'csv' });
    expect(file.fileName).toBe('Whom-to-support-run-12.csv');
    expect(file.content).toBe('Firm,Payment (EUR million)\r\n"\'=HYPERLINK(""x"")",1711231.024990491\r\nF2,\r\n');
  });

  it('XLSX: one sheet, the header bold, numbers as numbers', async () => {
    const file = await exportTable({ ...request, format: 'xlsx' });
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(Buffer.from(file.content, 'base64') as unknown as ArrayBuffer);
    const sheet = workbook.worksheets[0]!;
    expect(sheet.getRow(1).values).toEqual([undefined, 'Firm', 'Payment (EUR million)']);
    expect(sheet.getCell('B2').value).toBe(1711231.024990491);
    expect(sheet.getCell('A2').value).toBe('\'=HYPERLINK("x")');
  });
});

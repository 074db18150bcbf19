/**
 * One table of a screen as a file: CSV (every cell through csv-cell's formula neutralisation) or an XLSX workbook
 * of one sheet (exceljs), the column units in the header row, numbers as numbers. With the classification marking
 * (export-marking.ts), the CSV starts with a comment line "# marking · organisation" and the sheet with the marking
 * in red above the header row (frozen with it, and in the printed page header), so it stays in view in Excel.
 */
import type { ExportedFile, TableExportRequest } from '../../src-shared/contract';
import { csvRow, xlsxCell } from '../../src-shared/formats/csv-cell';
import { markingComment, markingLine, type ExportMetadata } from '../../src-shared/formats/export-marking';
import { MARKING_FONT, markPrintedPages, markWorkbook } from './xlsx-marking';

const header = (request: TableExportRequest) =>
  request.columns.map((c) => (c.unit ? `${c.label} (${c.unit})` : c.label));

/** A file name from the table's title: letters, digits and dashes only. */
const baseName = (title: string) =>
  title
    .replace(/[^\p{L}\p{N}]+/gu, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 80) || 'table';

export async function exportTable(request: TableExportRequest, metadata?: ExportMetadata): Promise<ExportedFile> {
  if (request.format === 'csv') {
    const lines = [
      ...(metadata ? [markingComment(metadata)] : []),
      csvRow(header(request)),
      ...request.rows.map((row) => csvRow(row)),
    ];
    return { fileName: `${baseName(request.title)}.csv`, content: `${lines.join('\r\n')}\r\n`, encoding: 'utf8' };
  }
  const { default: ExcelJS } = await import('exceljs');
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'Contagion Workbench';
  const sheet = workbook.addWorksheet(request.title.replace(/[\\/?*[\]:]/g, ' ').slice(0, 31) || 'Table', {
    views: [{ state: 'frozen', ySplit: metadata ? 2 : 1 }],
  });
  if (metadata) {
    markWorkbook(workbook, metadata);
    markPrintedPages(sheet, metadata);
    sheet.addRow([xlsxCell(markingLine(metadata))]).font = MARKING_FONT;
  }
  sheet.addRow(header(request).map(xlsxCell)).font = { bold: true };
  for (const row of request.rows) sheet.addRow(row.map(xlsxCell));
  request.columns.forEach((column, j) => {
    sheet.getColumn(j + 1).width = Math.min(60, Math.max(12, column.label.length + 4));
  });
  const bytes = new Uint8Array(await workbook.xlsx.writeBuffer());
  return {
    fileName: `${baseName(request.title)}.xlsx`,
    content: Buffer.from(bytes).toString('base64'),
    encoding: 'base64',
  };
}

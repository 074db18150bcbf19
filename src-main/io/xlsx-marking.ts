/**
 * The classification marking in an exported XLSX workbook (export-marking.ts): the workbook's properties (subject =
 * marking, company = organisation), the marking centred in every sheet's printed page header, and for network
 * workbooks a first sheet "Classification" with the marking, organisation and time of export.
 */
import type ExcelJS from 'exceljs';
import { MARKING_SHEET, markingLine, type ExportMetadata } from '../../src-shared/formats/export-marking';
import { xlsxCell } from '../../src-shared/formats/csv-cell';

/** The red of the brief annex's marking rows. */
export const MARKING_FONT = { bold: true, color: { argb: 'FFB42318' } } as const;

/** Subject and company of the workbook: what Excel's file properties show. */
export function markWorkbook(workbook: ExcelJS.Workbook, metadata: ExportMetadata): void {
  workbook.subject = metadata.marking;
  if (metadata.organisation) workbook.company = metadata.organisation;
}

/** The marking centred in the sheet's printed page header ("&" doubled: the header's codes start with one). */
export function markPrintedPages(sheet: ExcelJS.Worksheet, metadata: ExportMetadata): void {
  sheet.headerFooter.oddHeader = `&C${markingLine(metadata).replace(/&/g, '&&')}`;
}

/** The first sheet: the marking in red, then label/value rows (organisation, time of export, what was exported). */
export function addMarkingSheet(
  workbook: ExcelJS.Workbook,
  metadata: ExportMetadata,
  about: Array<[string, string]>,
): ExcelJS.Worksheet {
  const sheet = workbook.addWorksheet(MARKING_SHEET);
  sheet.addRow([xlsxCell(metadata.marking)]).font = { ...MARKING_FONT, size: 14 };
  sheet.addRow([]);
  const rows: Array<[string, string]> = [
    ['Classification', metadata.marking],
    ...(metadata.organisation ? [['Organisation', metadata.organisation] as [string, string]] : []),
    ...(metadata.exportedAt ? [['Exported at', metadata.exportedAt] as [string, string]] : []),
    ...(metadata.exportedBy ? [['Exported by', metadata.exportedBy] as [string, string]] : []),
    ...about,
  ];
  for (const [label, value] of rows) sheet.addRow([label, xlsxCell(value)]).getCell(1).font = { bold: true };
  sheet.getColumn(1).width = 18;
  sheet.getColumn(2).width = 60;
  markPrintedPages(sheet, metadata);
  return sheet;
}

/**
 * network@1 as an XLSX workbook (exceljs): sheet "nodes" (id and every node field in use, numbers as numbers,
 * blank = absent), sheet "liabilities" (debtor, creditor, amount: the debtor owes the creditor p̄_ij), a
 * "matrix" sheet (row = debtor, column = creditor, blank = no entry) for networks of at most 300 nodes, and a
 * "network" sheet with the name, currency and unit; an export starts with a "Classification" sheet (its marking,
 * organisation and time, xlsx-marking.ts), which readers skip. Reading takes the sheets named nodes and liabilities (or
 * matrix), else the first two sheets; network → XLSX → network is lossless (null read back as absent). Text cells
 * that could start a formula get a leading apostrophe, which the reader removes again (csv-cell.ts).
 */
import ExcelJS from 'exceljs';
import type { ExportMetadata } from '../../src-shared/formats/export-marking';
import type { NetworkDocument } from '../../src-shared/formats/network';
import { EDGE_FIELDS, looksLikeEdgeList, type ColumnMapping } from './column-mapping';
import { ImportError } from './import-error';
import { xlsxCell } from '../../src-shared/formats/csv-cell';
import { readXlsx, type Table } from './tables';
import { networkFromTables, usedNodeFields } from './tabular-network';
import { addMarkingSheet, markPrintedPages, markWorkbook } from './xlsx-marking';

/** Networks with more nodes than this get no matrix sheet (n² cells). */
export const XLSX_MATRIX_MAX_NODES = 300;

const NETWORK_SHEET = 'network';

export async function networkToXlsx(document: NetworkDocument, metadata?: ExportMetadata): Promise<Uint8Array> {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'Contagion Workbench';
  workbook.title = document.name;
  if (metadata) {
    markWorkbook(workbook, metadata);
    addMarkingSheet(workbook, metadata, [['Network', document.name]]);
  }

  const fields = usedNodeFields(document);
  const nodes = workbook.addWorksheet('nodes', { views: [{ state: 'frozen', ySplit: 1 }] });
  nodes.addRow(fields);
  for (const node of document.nodes) {
    nodes.addRow(fields.map((field) => xlsxCell(node[field])));
  }
  nodes.getRow(1).font = { bold: true };

  const liabilities = workbook.addWorksheet('liabilities', { views: [{ state: 'frozen', ySplit: 1 }] });
  liabilities.addRow([...EDGE_FIELDS]);
  for (const entry of document.liabilities)
    liabilities.addRow([xlsxCell(entry.debtor), xlsxCell(entry.creditor), entry.amount]);
  liabilities.getRow(1).font = { bold: true };

  if (document.nodes.length <= XLSX_MATRIX_MAX_NODES) {
    const matrix = workbook.addWorksheet('matrix', { views: [{ state: 'frozen', xSplit: 1, ySplit: 1 }] });
    const ids = document.nodes.map((node) => node.id);
    const indexOf = new Map(ids.map((id, index) => [id, index]));
    const cells: Array<Array<number | null>> = ids.map(() => ids.map(() => null));
    for (const entry of document.liabilities) {
      cells[indexOf.get(entry.debtor)!]![indexOf.get(entry.creditor)!] = entry.amount;
    }
    matrix.addRow(['debtor \\ creditor', ...ids.map(xlsxCell)]);
    ids.forEach((id, index) => matrix.addRow([xlsxCell(id), ...cells[index]!]));
    matrix.getRow(1).font = { bold: true };
  }

  const about = workbook.addWorksheet(NETWORK_SHEET);
  about.addRow(['property', 'value']);
  about.addRow(['format', document.format]);
  about.addRow(['name', xlsxCell(document.name)]);
  if (document.currency !== undefined) about.addRow(['currency', xlsxCell(document.currency)]);
  if (document.unit !== undefined) about.addRow(['unit', xlsxCell(document.unit)]);
  about.getRow(1).font = { bold: true };

  if (metadata) for (const sheet of workbook.worksheets) markPrintedPages(sheet, metadata);
  const buffer = await workbook.xlsx.writeBuffer();
  return new Uint8Array(buffer);
}

const findSheet = (tables: Table[], name: string) => tables.find((table) => table.name.trim().toLowerCase() === name);

/** Reads the name, currency and unit from a "network" sheet of property/value rows, when there is one. */
function readAbout(table: Table | undefined): { name?: string; currency?: string; unit?: string } {
  const about: { name?: string; currency?: string; unit?: string } = {};
  for (const [key, value] of table?.rows ?? []) {
    const property = (key ?? '').trim().toLowerCase();
    if (
      (property === 'name' || property === 'currency' || property === 'unit') &&
      value !== undefined &&
      value !== ''
    ) {
      about[property] = value;
    }
  }
  return about;
}

export async function networkFromXlsx(
  bytes: Uint8Array,
  fileName: string,
  mapping?: ColumnMapping,
): Promise<NetworkDocument> {
  const tables = await readXlsx(fileName, bytes);
  const about = readAbout(findSheet(tables, NETWORK_SHEET));
  let nodes = findSheet(tables, 'nodes');
  let liabilities = findSheet(tables, 'liabilities');
  let matrix = liabilities ? undefined : findSheet(tables, 'matrix');
  if (!nodes && !liabilities && !matrix) {
    // No sheet has a known name: the first two sheets, an edge list alone, or nodes then edges (or a matrix).
    const data = tables.filter((table) => table.name.trim().toLowerCase() !== NETWORK_SHEET);
    const [first, second] = data;
    if (!first) throw new ImportError(`${fileName}: no sheet of nodes or liabilities`);
    const isEdges = (table: Table) =>
      looksLikeEdgeList(table.columns) ||
      (mapping?.liabilities?.debtor !== undefined && table.columns.includes(mapping.liabilities.debtor));
    if (isEdges(first)) {
      liabilities = first;
    } else {
      nodes = first;
      if (second && isEdges(second)) liabilities = second;
      else matrix = second;
    }
  }
  const baseName = fileName.replace(/^.*[\\/]/, '').replace(/\.[^.]+$/, '');
  return networkFromTables({
    name: about.name ?? (baseName || 'network'),
    currency: about.currency,
    unit: about.unit,
    nodes,
    liabilities,
    matrix,
    mapping,
    fileName,
  });
}

/**
 * Chooses the importer for a file by its content and name; every importer returns a whole dataset or throws.
 * `importFile` (synchronous) reads network@1 JSON and the EBA disclosure CSV; `importFileAsync` also reads
 * GraphML, XLSX workbooks and a generic CSV or Parquet edge list; `importNetworkTables` reads a node table with an
 * edge list or a liability matrix given as two files (CSV, XLSX or Parquet).
 */
import { createHash } from 'node:crypto';
import type { DatasetKind, ImportReport } from '../../src-shared/domain';
import type { NetworkDocument } from '../../src-shared/formats/network';
import { looksLikeEdgeList, type ColumnMapping } from './column-mapping';
import { decodeLatin1, looksLikeEbaDisclosure, parseEbaDisclosure } from './eba-disclosure';
import { networkFromGraphml } from './graphml';
import { ImportError } from './import-error';
import { checkFileSize, checkLineLengths, checkXlsxArchive, decodeUtf8Strict } from './import-limits';
import { declaresFormat, parseEconomyJson, parseNetworkJson } from './network-json';
import { CROSSHOLDINGS_FORMAT } from '../../src-shared/formats/crossholdings';
import type { StoredDocument } from '../../src-shared/domain';
import { decodeText, isCsvName, isXlsxName, parseCsv, readTables, type Table } from './tables';
import { networkFromTables } from './tabular-network';
import { isParquetName, readParquetTable } from './parquet-table';
import { networkFromXlsx } from './xlsx-network';
import { looksLikeWiot, parseWiot } from './wiod';
import type { WiodOptionsInput } from '../../src-shared/formats/wiod';

export interface ImportedDataset {
  name: string;
  kind: DatasetKind;
  sha256: string;
  report: ImportReport;
  network: { name: string; note: string } & StoredDocument;
}

/** The interbank network of an import (throws for an economy: callers that expect a network say so). */
export function interbankNetworkOf(imported: ImportedDataset): NetworkDocument {
  if (imported.network.kind !== 'interbank')
    throw new ImportError(`${imported.name} is a cross-holdings economy, not an interbank network`);
  return imported.network.document;
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export function importFile(fileName: string, bytes: Uint8Array): ImportedDataset {
  checkFileSize(fileName, bytes.byteLength);
  const sha256 = sha256Hex(bytes);
  const lower = fileName.toLowerCase();
  if (lower.endsWith('.json')) {
    const text = decodeUtf8Strict(fileName, bytes);
    if (declaresFormat(text, CROSSHOLDINGS_FORMAT)) {
      const document = parseEconomyJson(text, fileName);
      return {
        name: document.name,
        kind: 'economy',
        sha256,
        report: { importer: 'crossholdings@1 JSON', kept: document.firms.length, skipped: [], notes: [] },
        network: { name: document.name, kind: 'crossholdings', document, note: `imported from ${fileName}` },
      };
    }
    const document = parseNetworkJson(text, fileName);
    return {
      name: document.name,
      kind: 'network',
      sha256,
      report: { importer: 'network@1 JSON', kept: document.nodes.length, skipped: [], notes: [] },
      network: { name: document.name, kind: 'interbank', document, note: `imported from ${fileName}` },
    };
  }
  if (lower.endsWith('.csv')) {
    const text = checkLineLengths(fileName, decodeLatin1(bytes));
    if (looksLikeEbaDisclosure(text)) {
      const { document, report } = parseEbaDisclosure(text, fileName);
      return {
        name: document.name,
        kind: 'banks',
        sha256,
        report,
        network: {
          name: document.name,
          kind: 'interbank',
          document,
          note: `balance sheets from ${fileName} (no bilateral exposures)`,
        },
      };
    }
    throw new ImportError(
      `${fileName}: unrecognised CSV layout (this version reads the EBA disclosure layout; see docs/formats.md)`,
    );
  }
  throw new ImportError(`${fileName}: unsupported file type (expected .json network@1 or an EBA disclosure .csv)`);
}

const baseName = (fileName: string) => fileName.replace(/^.*[\\/]/, '').replace(/\.[^.]+$/, '');

function networkDataset(
  document: NetworkDocument,
  sha256: string,
  importer: string,
  note: string,
  notes: string[] = [],
): ImportedDataset {
  return {
    name: document.name,
    kind: 'network',
    sha256,
    report: { importer, kept: document.nodes.length, skipped: [], notes },
    network: { name: document.name, kind: 'interbank', document, note },
  };
}

const isEdgeTable = (table: Table, mapping?: ColumnMapping): boolean =>
  mapping?.liabilities?.debtor !== undefined && mapping.liabilities.creditor !== undefined
    ? table.columns.includes(mapping.liabilities.debtor) && table.columns.includes(mapping.liabilities.creditor)
    : looksLikeEdgeList(table.columns);

/**
 * Any file the app reads: network@1 JSON, the EBA disclosure CSV, GraphML (.graphml, .xml), an XLSX workbook
 * (sheets nodes + liabilities or matrix; a WIOD world input-output table becomes a cross-holdings economy, io/wiod.ts)
 * and a CSV or Parquet edge list (debtor, creditor, amount; nodes inferred).
 * A single CSV or Parquet table of nodes is refused with a request for its liabilities (use `importNetworkTables`).
 */
export async function importFileAsync(
  fileName: string,
  bytes: Uint8Array,
  mapping?: ColumnMapping,
  wiod?: WiodOptionsInput,
): Promise<ImportedDataset> {
  const lower = fileName.toLowerCase();
  if (lower.endsWith('.json')) return importFile(fileName, bytes);
  checkFileSize(fileName, bytes.byteLength);
  const sha256 = sha256Hex(bytes);
  if (lower.endsWith('.graphml') || lower.endsWith('.xml')) {
    const document = networkFromGraphml(decodeUtf8Strict(fileName, bytes), fileName);
    return networkDataset(document, sha256, 'GraphML', `imported from ${fileName}`);
  }
  if (isXlsxName(lower)) await checkXlsxArchive(fileName, { bytes });
  if (isXlsxName(lower) && (await looksLikeWiot(bytes, fileName))) {
    const { document, report } = await parseWiot(bytes, fileName, wiod);
    return {
      name: document.name,
      kind: 'economy',
      sha256,
      report,
      network: { name: document.name, kind: 'crossholdings', document, note: `built from ${fileName} (WIOD, §4.1)` },
    };
  }
  if (isXlsxName(lower)) {
    const document = await networkFromXlsx(bytes, fileName, mapping);
    return networkDataset(document, sha256, 'XLSX workbook', `imported from ${fileName}`);
  }
  if (isCsvName(lower) || isParquetName(lower)) {
    const parquet = isParquetName(lower);
    if (!parquet && looksLikeEbaDisclosure(decodeLatin1(bytes.subarray(0, 4000)))) return importFile(fileName, bytes);
    const table = parquet
      ? (await readParquetTable(fileName, bytes)).table
      : parseCsv(fileName, checkLineLengths(fileName, decodeText(bytes)));
    if (!isEdgeTable(table, mapping)) {
      throw new ImportError(
        `${fileName} looks like a table of nodes (no debtor and creditor columns): import it together with its liabilities ` +
          '(an edge list with debtor, creditor and amount columns, or a liability matrix)',
      );
    }
    const document = networkFromTables({
      ...networkProperties(table, baseName(fileName) || 'network'),
      liabilities: table,
      mapping,
      fileName,
    });
    return networkDataset(document, sha256, `${tableKind(fileName)} edge list`, `imported from ${fileName}`, [
      'nodes inferred from the edge list: no balance-sheet fields',
    ]);
  }
  throw new ImportError(
    `${fileName}: unsupported file type (expected .json network@1, .graphml, .xlsx, an EBA disclosure .csv, or a CSV or Parquet edge list)`,
  );
}

/**
 * A network from separate table files: a node table and an edge list (or a liability matrix: first column =
 * debtor ids, header = creditor ids), in either order; one file alone goes to `importFileAsync`.
 */
export async function importNetworkTables(
  files: Array<{ fileName: string; bytes: Uint8Array }>,
  mapping?: ColumnMapping,
): Promise<ImportedDataset> {
  if (files.length === 0) throw new ImportError('no file to import');
  if (files.length === 1) return importFileAsync(files[0]!.fileName, files[0]!.bytes, mapping);
  if (files.length > 2) throw new ImportError(`expected a node table and a liability table, got ${files.length} files`);
  const tables = await Promise.all(
    files.map(async ({ fileName, bytes }) => {
      const [table] = await readTables(fileName, bytes);
      return { fileName, bytes, table: table! };
    }),
  );
  const edgeIndex = tables.findIndex(({ table }) => isEdgeTable(table, mapping));
  const nodeIndex = edgeIndex >= 0 ? 1 - edgeIndex : tables.findIndex(({ table }) => !isMatrixLike(table));
  const nodeFile = tables[nodeIndex >= 0 ? nodeIndex : 0]!;
  const otherFile = tables[nodeIndex >= 0 ? 1 - nodeIndex : 1]!;
  const fileLabel = `${nodeFile.fileName} + ${otherFile.fileName}`;
  const name = baseName(nodeFile.fileName).replace(/[-_ ]?nodes?$/i, '') || baseName(nodeFile.fileName) || 'network';
  const document = networkFromTables({
    ...networkProperties(nodeFile.table, name),
    nodes: nodeFile.table,
    ...(edgeIndex >= 0 ? { liabilities: otherFile.table } : { matrix: otherFile.table }),
    mapping,
    fileName: fileLabel,
  });
  // The dataset's fingerprint: the node file's hash and the liability file's hash, in that order.
  const sha256 = sha256Hex(new TextEncoder().encode(`${sha256Hex(nodeFile.bytes)}\n${sha256Hex(otherFile.bytes)}`));
  const kinds = [...new Set(files.map((file) => tableKind(file.fileName)))].join('/');
  return networkDataset(
    document,
    sha256,
    `${kinds} node table + ${edgeIndex >= 0 ? 'edge list' : 'liability matrix'}`,
    `imported from ${fileLabel}`,
  );
}

/** How the importer is named in the dataset's report. */
const tableKind = (fileName: string) => (isParquetName(fileName) ? 'Parquet' : isXlsxName(fileName) ? 'XLSX' : 'CSV');

/** The network's name (the file's when it carries none), currency and unit: a Parquet export keeps them in its metadata. */
function networkProperties(table: Table, fallbackName: string): { name: string; currency?: string; unit?: string } {
  const properties = table.properties ?? {};
  return {
    name: properties['network.name'] || fallbackName,
    ...(properties['network.currency'] ? { currency: properties['network.currency'] } : {}),
    ...(properties['network.unit'] ? { unit: properties['network.unit'] } : {}),
  };
}

/** A liability matrix's header repeats its first column's ids; a node table's header names fields. */
function isMatrixLike(table: Table): boolean {
  const header = new Set(table.columns.slice(1).map((column) => column.trim()));
  const firstColumn = table.rows.map((row) => (row[0] ?? '').trim()).filter((id) => id !== '');
  return firstColumn.length > 0 && firstColumn.some((id) => header.has(id));
}

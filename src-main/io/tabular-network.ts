/**
 * network@1 from tables and back: a node table with an edge list (one row per liability: debtor, creditor,
 * amount, where the debtor owes the creditor p̄_ij), a node table with a liability matrix (first column = debtor
 * ids, header = creditor ids, cell (i, j) = p̄_ij; blank or 0 = no entry), or an edge list alone (nodes inferred
 * in order of appearance, without balance-sheet fields).
 *
 * Every row is checked and every offending row is reported (non-numeric or negative numbers, a probability
 * outside [0, 1], missing or duplicate node ids, unknown ids, self-loops, a second entry for an ordered pair);
 * the file is refused whole with a RowErrorsImportError. Blank cells are absent fields; `networkToCsv` writes
 * absent and null fields as blank cells, so CSV → network → CSV and network → CSV → network are lossless
 * (with null read back as absent; name, currency and unit travel beside the tables).
 */
import {
  MAX_TEXT_LENGTH,
  NETWORK_FORMAT,
  networkDocumentSchema,
  type Liability,
  type NetworkDocument,
  type NetworkNode,
} from '../../src-shared/formats/network';
import {
  EDGE_FIELDS,
  NODE_FIELDS,
  NUMERIC_NODE_FIELDS,
  TEXT_NODE_FIELDS,
  suggestMapping,
  type ColumnMapping,
  type EdgeField,
  type NodeField,
} from './column-mapping';
import { ImportError, quote, listColumns } from './import-error';
import { describeDocumentIssues } from './network-json';
import { RowErrorsImportError, type RowError } from './row-errors';
import { csvText } from '../../src-shared/formats/csv-cell';
import { markingComment, type ExportMetadata } from '../../src-shared/formats/export-marking';
import { isBlankRow, parseNumberCell, rowNumberOf, sourceOf, type Table } from './tables';

export interface NetworkTablesInput {
  /** Network name (network@1 `name`). */
  name: string;
  nodes?: Table;
  liabilities?: Table;
  matrix?: Table;
  /** Source column names per field; fields left out are matched by `suggestMapping`. */
  mapping?: ColumnMapping;
  /** The file (or files) the tables came from, for messages. */
  fileName: string;
  currency?: string;
  unit?: string;
}

/** Stops collecting after this many row errors (the message lists the first ten, the error carries all). */
const MAX_ROW_ERRORS = 1000;

class RowErrorCollector {
  readonly errors: RowError[] = [];
  add(error: RowError): void {
    if (this.errors.length < MAX_ROW_ERRORS) this.errors.push(error);
  }
}

/** Resolves field → column index for the fields mapped (explicitly or by suggestion) to columns of the table. */
function columnIndexes<F extends string>(
  table: Table,
  explicit: Partial<Record<F, string>> | undefined,
  suggested: Partial<Record<F, string>> | undefined,
  fields: readonly F[],
  what: string,
): Partial<Record<F, number>> {
  const result: Partial<Record<F, number>> = {};
  for (const field of fields) {
    const column = explicit?.[field] ?? suggested?.[field];
    if (column === undefined || column === '') continue;
    const index = table.columns.indexOf(column);
    if (index < 0) {
      if (explicit?.[field] !== undefined) {
        throw new ImportError(
          `${sourceOf(table)}: column ${quote(column)} (mapped to ${what} ${field}) is not in the file; its columns are ${listColumns(table.columns)}`,
          field,
        );
      }
      continue;
    }
    result[field] = index;
  }
  return result;
}

interface NodeRead {
  nodes: NetworkNode[];
  ids: Set<string>;
}

function readNodeTable(table: Table, mapping: ColumnMapping | undefined, errors: RowErrorCollector): NodeRead {
  const at = columnIndexes<NodeField>(table, mapping?.nodes, suggestMapping(table.columns).nodes, NODE_FIELDS, 'node');
  const file = sourceOf(table);
  if (at.id === undefined) {
    throw new ImportError(
      `${file}: no node id column (columns are ${listColumns(table.columns)}); name one "id" or map a column to id`,
      'id',
    );
  }
  const idColumn = table.columns[at.id]!;
  const nodes: NetworkNode[] = [];
  const firstRowOf = new Map<string, number>();
  table.rows.forEach((cells, index) => {
    if (isBlankRow(cells)) return;
    const row = rowNumberOf(table, index);
    const id = (cells[at.id!] ?? '').trim();
    if (id === '') {
      errors.add({ file, row, column: idColumn, message: 'missing node id' });
    } else if (id.length > MAX_TEXT_LENGTH) {
      errors.add({
        file,
        row,
        column: idColumn,
        message: `node id longer than ${MAX_TEXT_LENGTH} characters — ${quote(id)}`,
      });
    } else if (firstRowOf.has(id)) {
      errors.add({
        file,
        row,
        column: idColumn,
        message: `duplicate node id ${quote(id)} (first on row ${firstRowOf.get(id)})`,
      });
    } else {
      firstRowOf.set(id, row);
    }
    const node: NetworkNode = { id };
    for (const field of TEXT_NODE_FIELDS) {
      const index = at[field];
      if (index === undefined) continue;
      const text = cells[index] ?? '';
      if (text.trim() !== '') node[field] = text;
    }
    for (const field of NUMERIC_NODE_FIELDS) {
      const index = at[field];
      if (index === undefined) continue;
      const column = table.columns[index]!;
      const value = parseNumberCell(cells[index]);
      if (value === null) continue;
      if (Number.isNaN(value)) {
        errors.add({ file, row, column, message: `not a number — ${quote((cells[index] ?? '').trim())}` });
      } else if (field === 'defaultProbability' && (value < 0 || value > 1)) {
        errors.add({ file, row, column, message: 'must be between 0 and 1' });
      } else if (field !== 'equity' && value < 0) {
        errors.add({ file, row, column, message: 'must be ≥ 0' });
      } else {
        node[field] = value;
      }
    }
    nodes.push(node);
  });
  return { nodes, ids: new Set(firstRowOf.keys()) };
}

/** Checks an entry against the node ids and earlier pairs; true when it can be kept. */
function checkEntry(
  debtor: string,
  creditor: string,
  known: Set<string> | undefined,
  pairs: Map<string, number>,
  where: { file: string; row: number; debtorColumn?: string; creditorColumn?: string },
  errors: RowErrorCollector,
): boolean {
  const { file, row } = where;
  let ok = true;
  if (known && !known.has(debtor)) {
    errors.add({ file, row, column: where.debtorColumn, message: `unknown node id ${quote(debtor)}` });
    ok = false;
  }
  if (known && !known.has(creditor)) {
    errors.add({ file, row, column: where.creditorColumn, message: `unknown node id ${quote(creditor)}` });
    ok = false;
  }
  if (debtor === creditor) {
    errors.add({ file, row, message: `self-loop on ${quote(debtor)} is not allowed` });
    return false;
  }
  const key = `${debtor}\u0000${creditor}`;
  const first = pairs.get(key);
  if (first !== undefined) {
    errors.add({
      file,
      row,
      message: `second entry for debtor ${quote(debtor)} → creditor ${quote(creditor)} (first on row ${first}; at most one per ordered pair)`,
    });
    return false;
  }
  pairs.set(key, row);
  return ok;
}

function readEdgeList(
  table: Table,
  mapping: ColumnMapping | undefined,
  known: Set<string> | undefined,
  errors: RowErrorCollector,
): { liabilities: Liability[]; order: string[] } {
  const at = columnIndexes<EdgeField>(
    table,
    mapping?.liabilities,
    suggestMapping(table.columns).liabilities,
    EDGE_FIELDS,
    'liability',
  );
  const file = sourceOf(table);
  const missing = EDGE_FIELDS.filter((field) => at[field] === undefined);
  if (missing.length > 0) {
    throw new ImportError(
      `${file}: no ${missing.join(', ')} column (columns are ${listColumns(table.columns)}); a liability row needs debtor, creditor and amount`,
      missing[0],
    );
  }
  const [debtorColumn, creditorColumn, amountColumn] = [at.debtor!, at.creditor!, at.amount!].map(
    (i) => table.columns[i]!,
  );
  const liabilities: Liability[] = [];
  const order: string[] = [];
  const seen = new Set<string>();
  const pairs = new Map<string, number>();
  table.rows.forEach((cells, index) => {
    if (isBlankRow(cells)) return;
    const row = rowNumberOf(table, index);
    const debtor = (cells[at.debtor!] ?? '').trim();
    const creditor = (cells[at.creditor!] ?? '').trim();
    let ok = true;
    if (debtor === '') {
      errors.add({ file, row, column: debtorColumn, message: 'missing debtor id' });
      ok = false;
    }
    if (creditor === '') {
      errors.add({ file, row, column: creditorColumn, message: 'missing creditor id' });
      ok = false;
    }
    const amount = parseNumberCell(cells[at.amount!]);
    if (amount === null) {
      errors.add({ file, row, column: amountColumn, message: 'missing amount' });
      ok = false;
    } else if (Number.isNaN(amount)) {
      errors.add({
        file,
        row,
        column: amountColumn,
        message: `not a number — ${quote((cells[at.amount!] ?? '').trim())}`,
      });
      ok = false;
    } else if (amount < 0) {
      errors.add({ file, row, column: amountColumn, message: 'must be ≥ 0' });
      ok = false;
    }
    if (debtor !== '' && creditor !== '') {
      ok = checkEntry(debtor, creditor, known, pairs, { file, row, debtorColumn, creditorColumn }, errors) && ok;
    }
    for (const id of [debtor, creditor]) {
      if (id !== '' && !seen.has(id)) {
        seen.add(id);
        order.push(id);
      }
    }
    if (ok) liabilities.push({ debtor, creditor, amount: amount! });
  });
  return { liabilities, order };
}

function readMatrix(
  table: Table,
  known: Set<string> | undefined,
  errors: RowErrorCollector,
): { liabilities: Liability[]; order: string[] } {
  const file = sourceOf(table);
  const creditors = table.columns.slice(1).map((id) => id.trim());
  const order: string[] = [];
  const seen = new Set<string>();
  const note = (id: string) => {
    if (id !== '' && !seen.has(id)) {
      seen.add(id);
      order.push(id);
    }
  };
  const usable: boolean[] = [];
  const headerAt = new Map<string, number>();
  creditors.forEach((id, index) => {
    const column = table.columns[index + 1]!;
    let ok = true;
    if (id === '') {
      errors.add({ file, row: 1, column: `column ${index + 2}`, message: 'missing creditor id in the header' });
      ok = false;
    } else if (headerAt.has(id)) {
      errors.add({ file, row: 1, column, message: `creditor ${quote(id)} appears twice in the header` });
      ok = false;
    } else if (known && !known.has(id)) {
      errors.add({ file, row: 1, column, message: `unknown node id ${quote(id)}` });
      ok = false;
    }
    headerAt.set(id, index);
    usable.push(ok);
    note(id);
  });
  const debtorColumn = table.columns[0] || 'column 1';
  const debtorRow = new Map<string, number>();
  const liabilities: Liability[] = [];
  table.rows.forEach((cells, index) => {
    if (isBlankRow(cells)) return;
    const row = rowNumberOf(table, index);
    const debtor = (cells[0] ?? '').trim();
    let rowOk = true;
    if (debtor === '') {
      errors.add({ file, row, column: debtorColumn, message: 'missing debtor id' });
      rowOk = false;
    } else if (debtorRow.has(debtor)) {
      errors.add({
        file,
        row,
        column: debtorColumn,
        message: `debtor ${quote(debtor)} has a second row (first on row ${debtorRow.get(debtor)})`,
      });
      rowOk = false;
    } else if (known && !known.has(debtor)) {
      errors.add({ file, row, column: debtorColumn, message: `unknown node id ${quote(debtor)}` });
      rowOk = false;
    }
    if (debtor !== '' && !debtorRow.has(debtor)) debtorRow.set(debtor, row);
    note(debtor);
    for (let j = 1; j < cells.length; j += 1) {
      const text = cells[j] ?? '';
      const column = table.columns[j] ?? `column ${j + 1}`;
      const amount = parseNumberCell(text);
      if (amount === null || amount === 0) continue;
      if (j > creditors.length) {
        errors.add({
          file,
          row,
          column: `column ${j + 1}`,
          message: 'value in a column without a creditor id in the header',
        });
        continue;
      }
      if (Number.isNaN(amount)) {
        errors.add({ file, row, column, message: `not a number — ${quote(text.trim())}` });
        continue;
      }
      if (amount < 0) {
        errors.add({ file, row, column, message: 'must be ≥ 0' });
        continue;
      }
      const creditor = creditors[j - 1]!;
      if (creditor === debtor && debtor !== '') {
        errors.add({
          file,
          row,
          column,
          message: `self-loop on ${quote(debtor)} is not allowed (the diagonal must be blank or 0)`,
        });
        continue;
      }
      if (rowOk && usable[j - 1]) liabilities.push({ debtor, creditor, amount });
    }
  });
  return { liabilities, order };
}

/**
 * Builds a network@1 document from a node table with an edge list or a matrix, or from an edge list alone.
 * Throws a RowErrorsImportError listing every refused row, or an ImportError when a needed column is missing.
 */
export function networkFromTables(input: NetworkTablesInput): NetworkDocument {
  const { nodes: nodeTable, liabilities: edgeTable, matrix, mapping, fileName } = input;
  if (edgeTable && matrix) {
    throw new ImportError(`${fileName}: give the liabilities either as an edge list or as a matrix, not both`);
  }
  if (!nodeTable && !edgeTable && !matrix) {
    throw new ImportError(`${fileName}: no table of nodes or liabilities to read`);
  }
  const errors = new RowErrorCollector();
  const nodeRead = nodeTable ? readNodeTable(nodeTable, mapping, errors) : undefined;
  const edgeRead = edgeTable
    ? readEdgeList(edgeTable, mapping, nodeRead?.ids, errors)
    : matrix
      ? readMatrix(matrix, nodeRead?.ids, errors)
      : { liabilities: [], order: [] };
  if (errors.errors.length > 0) throw new RowErrorsImportError(errors.errors);

  const nodes = nodeRead?.nodes ?? edgeRead.order.map((id) => ({ id }));
  const document: NetworkDocument = {
    format: NETWORK_FORMAT,
    name: input.name,
    ...(input.currency !== undefined ? { currency: input.currency } : {}),
    ...(input.unit !== undefined ? { unit: input.unit } : {}),
    nodes,
    liabilities: edgeRead.liabilities,
  };
  const parsed = networkDocumentSchema.safeParse(document);
  if (!parsed.success) {
    const { message, field } = describeDocumentIssues(parsed.error.issues, document);
    throw new ImportError(`${fileName}: ${message}`, field);
  }
  if (parsed.data.nodes.length === 0) throw new ImportError(`${fileName}: the network has no banks`, 'nodes');
  return parsed.data;
}

/** The node columns a document uses: id, then every field some node has a (non-null) value for. */
export function usedNodeFields(document: NetworkDocument): NodeField[] {
  return NODE_FIELDS.filter(
    (field) => field === 'id' || document.nodes.some((node) => node[field] !== undefined && node[field] !== null),
  );
}

/**
 * Node table and edge list as CSV text (header row, comma-separated, CRLF line ends as RFC 4180 has them); text
 * cells neutralised against formula injection (csv-cell.ts), which the CSV reader undoes. With `metadata`, each
 * file starts with the classification marking as a comment line ("# CONFIDENTIAL — … · organisation"), which the
 * CSV reader skips.
 */
export function networkToCsv(
  document: NetworkDocument,
  metadata?: ExportMetadata,
): { nodes: string; liabilities: string } {
  const fields = usedNodeFields(document);
  const comment = metadata ? `${markingComment(metadata)}\r\n` : '';
  return {
    nodes: comment + csvText([fields, ...document.nodes.map((node) => fields.map((field) => node[field]))]),
    liabilities:
      comment +
      csvText([[...EDGE_FIELDS], ...document.liabilities.map((entry) => [entry.debtor, entry.creditor, entry.amount])]),
  };
}

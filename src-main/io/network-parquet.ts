/**
 * network@1 as two Parquet files, for networks with millions of links: a node table (id and every balance-sheet
 * field the network uses, one row per bank) and a liability table (debtor, creditor, amount: the debtor owes the
 * creditor p̄_ij), the columns of the CSV export (tabular-network.ts). Written by hyparquet-writer (STRING and
 * DOUBLE columns, nullable where a field is absent; name, currency and unit in the node file's key-value
 * metadata); read by hyparquet in batches of rows into the tables the CSV importer checks (`networkFromTables`),
 * so the same rules and the same one-line refusals apply. Numbers travel as IEEE doubles: export then import is
 * lossless.
 */
import {
  asyncBufferFromFile,
  parquetMetadataAsync,
  parquetReadObjects,
  parquetSchema,
  type FileMetaData,
} from 'hyparquet';
import { parquetWriteBuffer, type ColumnSource } from 'hyparquet-writer';
import type { NetworkDocument } from '../../src-shared/formats/network';
import { EDGE_FIELDS, TEXT_NODE_FIELDS } from './column-mapping';
import { ImportError } from './import-error';
import type { Table } from './tables';
import { networkFromTables, usedNodeFields } from './tabular-network';
import { readerValueText } from './value-text';

/** Rows per Parquet read (bounds the memory of one batch whatever the file's row groups). */
const BATCH = 100_000;
const META_KEYS = ['name', 'currency', 'unit'] as const;

/** The node and liability tables of a network as Parquet file contents. */
export function networkToParquet(document: NetworkDocument): { nodes: Uint8Array; liabilities: Uint8Array } {
  const text = new Set<string>(['id', ...TEXT_NODE_FIELDS]);
  const nodeColumns: ColumnSource[] = usedNodeFields(document).map((field) => ({
    name: field,
    type: text.has(field) ? 'STRING' : 'DOUBLE',
    nullable: field !== 'id',
    data: document.nodes.map((node) => node[field] ?? null),
  }));
  const kvMetadata = META_KEYS.flatMap((key) =>
    document[key] === undefined ? [] : [{ key: `network.${key}`, value: String(document[key]) }],
  );
  const [debtor, creditor, amount] = EDGE_FIELDS;
  const liabilities: ColumnSource[] = [
    { name: debtor, type: 'STRING', nullable: false, data: document.liabilities.map((entry) => entry.debtor) },
    { name: creditor, type: 'STRING', nullable: false, data: document.liabilities.map((entry) => entry.creditor) },
    {
      name: amount,
      type: 'DOUBLE',
      nullable: false,
      data: Float64Array.from(document.liabilities, (entry) => entry.amount),
    },
  ];
  return {
    nodes: new Uint8Array(parquetWriteBuffer({ columnData: nodeColumns, kvMetadata })),
    liabilities: new Uint8Array(parquetWriteBuffer({ columnData: liabilities })),
  };
}

/** A Parquet file as a table of cell text (numbers in shortest round-trip form, null as a blank cell). */
async function parquetTable(path: string, fileName: string): Promise<{ table: Table; metadata: FileMetaData }> {
  let metadata: FileMetaData;
  const file = await asyncBufferFromFile(path);
  try {
    metadata = await parquetMetadataAsync(file);
  } catch (error) {
    throw new ImportError(`${fileName} is not a Parquet file: ${(error as Error).message}`);
  }
  const columns = parquetSchema(metadata).children.map((child) => child.element.name);
  const rows: string[][] = [];
  const total = Number(metadata.num_rows);
  for (let start = 0; start < total; start += BATCH) {
    const batch = await parquetReadObjects({ file, metadata, rowStart: start, rowEnd: Math.min(total, start + BATCH) });
    for (const row of batch) rows.push(columns.map((column) => readerValueText(row[column])));
  }
  return { table: { name: fileName, columns, rows }, metadata };
}

/**
 * Reads a network from its node and liability Parquet files; `name` is used when the node file carries none.
 * Throws an ImportError (or a RowErrorsImportError listing the refused rows) in the CSV importer's words.
 */
export async function readNetworkParquet(
  nodesPath: string,
  liabilitiesPath: string,
  names: { nodes: string; liabilities: string; name: string },
): Promise<NetworkDocument> {
  const nodes = await parquetTable(nodesPath, names.nodes);
  const { table: liabilities } = await parquetTable(liabilitiesPath, names.liabilities);
  const meta = new Map((nodes.metadata.key_value_metadata ?? []).map((entry) => [entry.key, entry.value ?? undefined]));
  return networkFromTables({
    name: meta.get('network.name') ?? names.name,
    currency: meta.get('network.currency'),
    unit: meta.get('network.unit'),
    nodes: nodes.table,
    liabilities,
    fileName: `${names.nodes} and ${names.liabilities}`,
  });
}

/**
 * network@1 as two Parquet files, for networks with millions of links: a node table (id and every balance-sheet
 * field the network uses, one row per bank) and a liability table (debtor, creditor, amount: the debtor owes the
 * creditor p̄_ij), the columns of the CSV export (tabular-network.ts). Written by hyparquet-writer (STRING and
 * DOUBLE columns, nullable where a field is absent; name, currency and unit in the node file's key-value
 * metadata, the classification marking in both files'). Read back by the table importers like a CSV pair
 * (parquet-table.ts into `importNetworkTables`), so the same rules and the same one-line refusals apply. Numbers
 * travel as IEEE doubles: export then import is lossless.
 */
import { parquetWriteBuffer, type ColumnSource } from 'hyparquet-writer';
import type { ExportMetadata } from '../../src-shared/formats/export-marking';
import type { NetworkDocument } from '../../src-shared/formats/network';
import { EDGE_FIELDS, TEXT_NODE_FIELDS } from './column-mapping';
import { usedNodeFields } from './tabular-network';

const META_KEYS = ['name', 'currency', 'unit'] as const;
const MARKING_KEYS = ['marking', 'organisation', 'exportedAt', 'exportedBy'] as const;

/** The node and liability tables of a network as Parquet file contents. */
export function networkToParquet(
  document: NetworkDocument,
  metadata?: ExportMetadata,
): { nodes: Uint8Array; liabilities: Uint8Array } {
  const text = new Set<string>(['id', ...TEXT_NODE_FIELDS]);
  const nodeColumns: ColumnSource[] = usedNodeFields(document).map((field) => ({
    name: field,
    type: text.has(field) ? 'STRING' : 'DOUBLE',
    nullable: field !== 'id',
    data: document.nodes.map((node) => node[field] ?? null),
  }));
  // The marking as `export.marking` etc. in both files (the importers read only the `network.` keys).
  const marking = MARKING_KEYS.flatMap((key) => {
    const value = metadata?.[key];
    return value === undefined ? [] : [{ key: `export.${key}`, value }];
  });
  const kvMetadata = [
    ...META_KEYS.flatMap((key) =>
      document[key] === undefined ? [] : [{ key: `network.${key}`, value: String(document[key]) }],
    ),
    ...marking,
  ];
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
    liabilities: new Uint8Array(parquetWriteBuffer({ columnData: liabilities, kvMetadata: marking })),
  };
}

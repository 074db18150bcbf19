/**
 * The fields of network@1 that a tabular file's columns can map to (the import dialog and the importers of
 * src-main/io share them).
 */

/** Node fields that hold numbers. */
export const NUMERIC_NODE_FIELDS = [
  'outsideAssets',
  'outsideLiabilities',
  'totalAssets',
  'totalLiabilities',
  'equity',
  'insideAssets',
  'insideLiabilities',
  'defaultProbability',
] as const;
export type NumericNodeField = (typeof NUMERIC_NODE_FIELDS)[number];

/** Node fields that hold text. */
export const TEXT_NODE_FIELDS = ['name', 'type', 'group'] as const;

export const NODE_FIELDS = ['id', ...TEXT_NODE_FIELDS, ...NUMERIC_NODE_FIELDS] as const;
export type NodeField = (typeof NODE_FIELDS)[number];

export const EDGE_FIELDS = ['debtor', 'creditor', 'amount'] as const;
export type EdgeField = (typeof EDGE_FIELDS)[number];

/** Values are source column names. */
export interface ColumnMapping {
  nodes: Partial<Record<NodeField, string>>;
  liabilities?: Partial<Record<EdgeField, string>>;
}

/** The first rows of one table (a CSV file or an XLSX sheet) with the mapping suggested from its header. */
export interface TablePreview {
  name: string;
  columns: string[];
  rows: string[][];
  /** Data rows in the whole table. */
  rowCount: number;
  mapping: ColumnMapping;
}

/**
 * Which source column holds which network@1 field. `suggestMapping` matches column names ignoring case, spaces,
 * underscores, hyphens and dots, and knows common synonyms: `c` = outside assets and `b` = outside liabilities
 * (Glasserman & Young 2015 notation); an edge `from`/`source`/`borrower` is the debtor and `to`/`target`/`lender`
 * the creditor (the debtor owes the creditor; a lender is owed by the borrower); `value`/`weight`/`exposure` are
 * the amount.
 */

import type { ColumnMapping, EdgeField, NodeField } from '../../src-shared/formats/columns';

export {
  EDGE_FIELDS,
  NODE_FIELDS,
  NUMERIC_NODE_FIELDS,
  TEXT_NODE_FIELDS,
  type ColumnMapping,
  type EdgeField,
  type NodeField,
  type NumericNodeField,
} from '../../src-shared/formats/columns';

/** Lower case without spaces, underscores, hyphens or dots: "Outside_Assets" → "outsideassets". */
export const normaliseColumnName = (name: string): string => name.toLowerCase().replace(/[\s_\-.]+/g, '');

const NODE_SYNONYMS: Record<NodeField, string[]> = {
  id: [
    'id',
    'nodeid',
    'node',
    'code',
    'bankid',
    'bankcode',
    'lei',
    'institutionid',
    'entityid',
    'key',
    'bank',
    'institution',
  ],
  name: ['name', 'label', 'nodename', 'bankname', 'institution', 'institutionname', 'entity', 'entityname'],
  type: ['type', 'nodetype', 'kind', 'category', 'institutiontype'],
  group: ['group', 'country', 'countrycode', 'region', 'cluster', 'community', 'sector'],
  outsideAssets: ['outsideassets', 'c', 'externalassets', 'nonbankassets', 'outside assets'],
  outsideLiabilities: ['outsideliabilities', 'b', 'externalliabilities', 'nonbankliabilities'],
  totalAssets: ['totalassets', 'assets', 'ta'],
  totalLiabilities: ['totalliabilities', 'liabilities', 'tl', 'pbar'],
  equity: ['equity', 'capital', 'networth', 'e'],
  insideAssets: ['insideassets', 'interbankassets', 'ibassets'],
  insideLiabilities: ['insideliabilities', 'interbankliabilities', 'ibliabilities'],
  defaultProbability: ['defaultprobability', 'pd', 'probabilityofdefault', 'probdefault'],
};

const EDGE_SYNONYMS: Record<EdgeField, string[]> = {
  debtor: ['debtor', 'from', 'source', 'src', 'borrower', 'obligor', 'payer', 'debtorid', 'fromid', 'sourceid', 'i'],
  creditor: ['creditor', 'to', 'target', 'tgt', 'dst', 'lender', 'payee', 'creditorid', 'toid', 'targetid', 'j'],
  amount: ['amount', 'value', 'weight', 'exposure', 'liability', 'notional', 'obligation'],
};

function match<F extends string>(
  columns: readonly string[],
  synonyms: Record<F, string[]>,
  taken: Set<string>,
): Partial<Record<F, string>> {
  const result: Partial<Record<F, string>> = {};
  const normalised = columns.map(normaliseColumnName);
  for (const field of Object.keys(synonyms) as F[]) {
    const wanted = synonyms[field].map(normaliseColumnName);
    for (const candidate of wanted) {
      const index = normalised.findIndex((name, at) => name === candidate && !taken.has(columns[at]!));
      if (index >= 0) {
        result[field] = columns[index]!;
        taken.add(columns[index]!);
        break;
      }
    }
  }
  return result;
}

/** Node fields matched by name alone (for GraphML attribute names and the like). */
export const suggestNodeFields = (columns: readonly string[]): Partial<Record<NodeField, string>> =>
  match(columns, NODE_SYNONYMS, new Set<string>());

/** Liability fields matched by name alone. */
export const suggestEdgeFields = (columns: readonly string[]): Partial<Record<EdgeField, string>> =>
  match(columns, EDGE_SYNONYMS, new Set<string>());

/**
 * Suggests which columns hold which fields. Liability columns are matched first, so an edge list's `source`
 * is never taken for a node field; each column is used at most once.
 */
export function suggestMapping(columns: readonly string[]): ColumnMapping {
  const taken = new Set<string>();
  const liabilities = match(columns, EDGE_SYNONYMS, taken);
  const isEdgeList = liabilities.debtor !== undefined && liabilities.creditor !== undefined;
  if (!isEdgeList) {
    // In a node table, "liabilities" or "value" are balance-sheet columns, not edge amounts.
    const nodes = match(columns, NODE_SYNONYMS, new Set<string>());
    return { nodes, liabilities: {} };
  }
  return { nodes: match(columns, NODE_SYNONYMS, taken), liabilities };
}

/** True when the columns name a debtor and a creditor (an edge list). */
export function looksLikeEdgeList(columns: readonly string[]): boolean {
  const { liabilities } = suggestMapping(columns);
  return liabilities?.debtor !== undefined && liabilities.creditor !== undefined;
}

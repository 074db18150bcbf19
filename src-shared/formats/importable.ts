/**
 * The file name endings the importers read, for the open dialogs (the desktop app's native dialog and the browser
 * mode's file input) to offer: networks and economies (network@1 or crossholdings@1 JSON, CSV or Parquet tables or
 * the EBA disclosure, GraphML, XLSX workbooks and WIOD tables) and holdings (CSV, XLSX, Parquet, SEC 13F XML).
 */
export const NETWORK_FILE_TYPES = ['json', 'csv', 'graphml', 'xml', 'xlsx', 'parquet'] as const;
export const HOLDINGS_FILE_TYPES = ['csv', 'xlsx', 'parquet', 'xml'] as const;
export const IMPORTABLE_FILE_TYPES: readonly string[] = [
  ...new Set<string>([...NETWORK_FILE_TYPES, ...HOLDINGS_FILE_TYPES]),
];

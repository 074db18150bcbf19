/**
 * A Parquet file (hyparquet) as a table of cell text, for the network importers (tables.ts `readTables`): the
 * schema's top-level column names as the header, one row per record read in batches of rows (memory bounded by a
 * batch, whatever the file's row groups), numbers in shortest round-trip form (IEEE doubles come back exactly),
 * null as a blank cell; the file's key-value metadata kept with the table. A file that is not Parquet, or whose
 * pages cannot be read, or that does not decode within its time limit (parquet-decode.ts), is refused in one line
 * that names it.
 */
import { ImportError } from './import-error';
import { firstLine } from './import-limits';
import { ParquetDecodeError, ParquetDecoder } from './parquet-decode';
import type { Table } from './table';

/** Rows per Parquet read. */
const BATCH = 100_000;

export const isParquetName = (fileName: string) => /\.parquet$/i.test(fileName);

export interface ParquetTable {
  table: Table;
  /** Data rows in the whole file (`table.rows` holds at most `limit` of them). */
  rowCount: number;
}

/**
 * The first `limit` rows (all by default) of a Parquet file given as its bytes or its path, decoded in a worker
 * thread within the file's time limit (parquet-decode.ts; `timeLimitMs` overrides it).
 */
export async function readParquetTable(
  fileName: string,
  source: Uint8Array | string,
  limit = Number.POSITIVE_INFINITY,
  options: { timeLimitMs?: number } = {},
): Promise<ParquetTable> {
  try {
    const { decoder, info } = await ParquetDecoder.open(fileName, source, { cellText: 'reader', ...options });
    try {
      const end = Math.min(info.rowCount, limit);
      const rows: string[][] = [];
      for (let start = 0; start < end; start += BATCH) {
        for (const row of await decoder.read(start, Math.min(end, start + BATCH))) rows.push(row);
      }
      return {
        table: { name: fileName, columns: info.columns, rows, properties: info.properties },
        rowCount: info.rowCount,
      };
    } finally {
      decoder.close();
    }
  } catch (error) {
    if (error instanceof ImportError) throw error;
    const reason = firstLine((error as Error).message);
    if (error instanceof ParquetDecodeError && error.stage === 'footer') {
      throw new ImportError(
        `${fileName} is not a Parquet file: ${/PAR1/.test(reason) ? 'it does not end with a Parquet footer (cut short, or another kind of file)' : reason}`,
      );
    }
    throw new ImportError(`${fileName} is a damaged Parquet file: its data cannot be read (${reason})`);
  }
}

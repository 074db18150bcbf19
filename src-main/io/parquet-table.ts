/**
 * A Parquet file (hyparquet) as a table of cell text, for the network importers (tables.ts `readTables`): the
 * schema's top-level column names as the header, one row per record read in batches of rows (memory bounded by a
 * batch, whatever the file's row groups), numbers in shortest round-trip form (IEEE doubles come back exactly),
 * null as a blank cell; the file's key-value metadata kept with the table. A file that is not Parquet, or whose
 * pages cannot be read, is refused in one line that names it.
 */
import {
  asyncBufferFromFile,
  parquetMetadataAsync,
  parquetReadObjects,
  parquetSchema,
  type AsyncBuffer,
} from 'hyparquet';
import { ImportError } from './import-error';
import { firstLine } from './import-limits';
import type { Table } from './tables';
import { readerValueText } from './value-text';

/** Rows per Parquet read. */
const BATCH = 100_000;

export const isParquetName = (fileName: string) => /\.parquet$/i.test(fileName);

export interface ParquetTable {
  table: Table;
  /** Data rows in the whole file (`table.rows` holds at most `limit` of them). */
  rowCount: number;
}

/** The first `limit` rows (all by default) of a Parquet file given as its bytes or its path. */
export async function readParquetTable(
  fileName: string,
  source: Uint8Array | string,
  limit = Number.POSITIVE_INFINITY,
): Promise<ParquetTable> {
  const file: AsyncBuffer =
    typeof source === 'string' ? await asyncBufferFromFile(source) : new Uint8Array(source).buffer; // a copy: hyparquet reads an ArrayBuffer, a Buffer may share a larger one
  let metadata;
  try {
    metadata = await parquetMetadataAsync(file);
  } catch (error) {
    const reason = firstLine((error as Error).message);
    throw new ImportError(
      `${fileName} is not a Parquet file: ${/PAR1/.test(reason) ? 'it does not end with a Parquet footer (cut short, or another kind of file)' : reason}`,
    );
  }
  try {
    const columns = parquetSchema(metadata).children.map((child) => child.element.name);
    const rowCount = Number(metadata.num_rows);
    const end = Math.min(rowCount, limit);
    const rows: string[][] = [];
    for (let start = 0; start < end; start += BATCH) {
      const batch = await parquetReadObjects({ file, metadata, rowStart: start, rowEnd: Math.min(end, start + BATCH) });
      for (const record of batch) rows.push(columns.map((column) => readerValueText(record[column])));
    }
    const properties = Object.fromEntries(
      (metadata.key_value_metadata ?? []).map((entry) => [entry.key, entry.value ?? '']),
    );
    return { table: { name: fileName, columns, rows, properties }, rowCount };
  } catch (error) {
    if (error instanceof ImportError) throw error;
    throw new ImportError(
      `${fileName} is a damaged Parquet file: its data cannot be read (${firstLine((error as Error).message)})`,
    );
  }
}

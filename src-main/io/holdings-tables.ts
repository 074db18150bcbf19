/**
 * Holdings from XLSX workbooks (first sheet, exceljs streaming reader) and Parquet files (hyparquet in a worker
 * thread under a time limit, parquet-decode.ts, read in row batches), with the same columns, mapping, row
 * validation and all-or-nothing transaction as the holdings CSV (./holdings-csv.ts, `HoldingsRowSink`): every
 * cell becomes text (dates as YYYY-MM-DD), the header row (XLSX) or the schema's column names (Parquet) are mapped
 * to fields, rows are numbered as a spreadsheet shows them (header = 1). The file's SHA-256 and the importer are
 * kept as provenance; a file seen before is refused naming the dataset. `importHoldingsFile` picks the reader by
 * extension (.csv/.txt, .xlsx, .parquet, and .xml for a SEC 13F information table, which needs the filer and the
 * report date: ./sec-13f.ts).
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import type { Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import type { Db } from '../store/db';
import { finishHoldingsDataset } from '../store/holdings';
import { datasets } from '../store/repositories';
import {
  HoldingsRowSink,
  holdingsInput,
  holdingsInputSize,
  importHoldingsCsv,
  insertPendingHoldingsDataset,
  MAX_HOLDINGS_ROW_ERRORS,
  type HoldingsImportOptions,
  type HoldingsImportResult,
} from './holdings-csv';
import { AppError } from '../../src-shared/errors';
import { alreadyImportedError, ImportError } from './import-error';
import {
  checkFileSize,
  checkXlsxArchive,
  decodeUtf8Strict,
  firstLine,
  unreadableXlsx,
  workbookPartsFirst,
} from './import-limits';
import { RowErrorsImportError } from './row-errors';
import { parse13fInformationTable } from './sec-13f';
import { ParquetDecodeError, ParquetDecoder } from './parquet-decode';
import { holdingsCellText } from './value-text';

/** A cell of any reader as text: dates as YYYY-MM-DD, formulas by their result, rich text joined. */
export const cellText = holdingsCellText;

function fileSha256(options: HoldingsImportOptions): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    holdingsInput(options)
      .on('data', (chunk: Buffer) => hash.update(chunk))
      .on('error', (error) => reject(new ImportError(`could not read ${options.fileName}: ${error.message}`)))
      .on('end', () => resolve(hash.digest('hex')));
  });
}

type RowSource = (sink: HoldingsRowSink, options: HoldingsImportOptions) => Promise<{ notes: string[] }>;

const xlsxRows: RowSource = async (sink, options) => {
  const { fileName } = options;
  // The archive is checked whole first (truncation, checksums, sizes, longest text); the reader gets only a sound zip,
  // its workbook parts before its worksheets
  const source = options.bytes ? { bytes: options.bytes } : { path: options.filePath ?? '' };
  const layout = await checkXlsxArchive(fileName, source);
  try {
    return await readXlsxRows(sink, options, workbookPartsFirst(source, layout));
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw unreadableXlsx(fileName, firstLine((error as Error).message));
  }
};

async function readXlsxRows(
  sink: HoldingsRowSink,
  options: HoldingsImportOptions,
  input: Readable,
): Promise<{ notes: string[] }> {
  const { fileName, onProgress, signal } = options;
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(input, {
    sharedStrings: 'cache',
    hyperlinks: 'ignore',
    styles: 'cache',
    worksheets: 'emit',
  });
  let sheetName = '';
  for await (const worksheet of reader) {
    sheetName = (worksheet as unknown as { name?: string }).name ?? 'sheet 1';
    let width = 0;
    for await (const row of worksheet) {
      if (signal?.aborted) throw new ImportError(`import of ${fileName} cancelled`);
      const values = (row.values as unknown[]).slice(1);
      if (!sink.hasHeader) width = values.length;
      const cells = Array.from({ length: Math.max(width, values.length) }, (_, k) => cellText(values[k]));
      sink.row(cells, row.number);
      if (sink.full) throw new RowErrorsImportError(sink.errors.slice(0, MAX_HOLDINGS_ROW_ERRORS));
      if (row.number % 10_000 === 0) onProgress?.(row.number - 1, 0, 0);
    }
    break; // the first sheet holds the positions
  }
  return { notes: [`sheet "${sheetName}"`] };
}

/** Rows per Parquet read: bounds memory whatever the file's row groups. */
const PARQUET_BATCH = 50_000;

/**
 * Holdings rows of a Parquet file, decoded in a worker thread within the file's time limit and the worker's memory
 * cap (parquet-decode.ts).
 */
const parquetRows =
  ({ timeLimitMs, memoryLimitMb }: { timeLimitMs?: number; memoryLimitMb?: number }): RowSource =>
  async (sink, { filePath, bytes, fileName, onProgress, signal }) => {
    try {
      const { decoder, info } = await ParquetDecoder.open(fileName, bytes ?? filePath ?? '', {
        cellText: 'holdings',
        timeLimitMs,
        memoryLimitMb,
        signal,
      });
      try {
        sink.row(info.columns, 1);
        const total = info.rowCount;
        for (let start = 0; start < total; start += PARQUET_BATCH) {
          if (signal?.aborted) throw new ImportError(`import of ${fileName} cancelled`);
          const rows = await decoder.read(start, Math.min(total, start + PARQUET_BATCH));
          rows.forEach((cells, k) => sink.row(cells, start + k + 2));
          if (sink.full) throw new RowErrorsImportError(sink.errors.slice(0, MAX_HOLDINGS_ROW_ERRORS));
          onProgress?.(Math.min(total, start + PARQUET_BATCH), 0, 0);
        }
        return { notes: [`${total} rows in ${info.rowGroups} row group(s)`] };
      } finally {
        decoder.close();
      }
    } catch (error) {
      if (error instanceof AppError) throw error;
      const reason = firstLine(error instanceof Error ? error.message : String(error));
      if (error instanceof ParquetDecodeError && error.stage === 'footer') {
        throw new ImportError(`${fileName} is not a Parquet file: ${reason}`);
      }
      throw new ImportError(`${fileName} is not a readable Parquet file: ${reason}`);
    }
  };

async function importWith(
  db: Db,
  options: HoldingsImportOptions,
  importer: string,
  source: RowSource,
): Promise<HoldingsImportResult> {
  const { fileName } = options;
  const sha256 = await fileSha256(options);
  const existing = datasets.findBySha256(db, sha256);
  if (existing) throw alreadyImportedError(fileName, existing);
  db.exec('BEGIN IMMEDIATE');
  try {
    const dataset = insertPendingHoldingsDataset(db, options, importer);
    const sink = new HoldingsRowSink(db, dataset.id, fileName, options.mapping);
    const { notes } = await source(sink, options);
    if (!sink.hasHeader) throw new ImportError(`${fileName} is empty (expected a header row)`);
    if (sink.errors.length > 0) throw new RowErrorsImportError(sink.errors);
    finishHoldingsDataset(db, dataset.id, sha256, {
      importer,
      kept: sink.positions,
      skipped: sink.skipped.map((row) => ({ id: `row ${row.row}`, reason: row.message })),
      notes: [`${sink.investors} investors, ${sink.assets} assets, ${sink.positions} positions`, ...notes],
    });
    db.exec('COMMIT');
    return {
      datasetId: dataset.id,
      investors: sink.investors,
      assets: sink.assets,
      positions: sink.positions,
      skipped: sink.skipped,
    };
  } catch (error) {
    if (db.inTransaction) db.exec('ROLLBACK');
    throw error;
  }
}

/** A 13F information table: one filer, one date; lines summed per CUSIP, put/call lines left out. */
function thirteenFRows(filer: { investor: string; date: string }): RowSource {
  return async (sink, { filePath, bytes, fileName }) => {
    const text = decodeUtf8Strict(fileName, bytes ?? (await readFile(filePath ?? '')));
    const { lines, options } = parse13fInformationTable(text, fileName);
    sink.row(['investor', 'asset', 'date', 'amount', 'assetClass', 'investorType'], 1);
    lines.forEach((line, k) =>
      sink.row([filer.investor, line.cusip, filer.date, String(line.value), line.titleOfClass, '13F filer'], k + 2),
    );
    return {
      notes: [
        `SEC 13F information table of ${filer.investor} at ${filer.date}; value in US dollars as filed`,
        `${options} put/call line(s) left out`,
      ],
    };
  };
}

/** Imports a holdings file (CSV, XLSX, Parquet or a 13F information table, by extension) as a new dataset; all or nothing. */
export async function importHoldingsFile(
  db: Db,
  options: HoldingsImportOptions & {
    filer?: { investor: string; date: string };
    /** The Parquet decoding time limit in milliseconds (parquet-decode.ts; by default from the file's size). */
    parquetTimeLimitMs?: number;
    /** The Parquet decoding worker's heap cap in MiB (parquet-decode.ts; PARQUET_DECODE_MEMORY_LIMIT_MB by default). */
    parquetMemoryLimitMb?: number;
  },
): Promise<HoldingsImportResult> {
  const extension = extname(options.fileName).toLowerCase();
  checkFileSize(options.fileName, holdingsInputSize(options));
  if (extension === '.xml') {
    if (!options.filer)
      throw new ImportError(
        `${options.fileName}: a 13F information table needs the filer and the report date (cwb import FILE.xml --holdings --investor ID --date YYYY-MM-DD)`,
      );
    return importWith(db, options, 'SEC 13F information table', thirteenFRows(options.filer));
  }
  if (extension === '.xlsx') return importWith(db, options, 'holdings XLSX', xlsxRows);
  if (extension === '.parquet')
    return importWith(
      db,
      options,
      'holdings Parquet',
      parquetRows({ timeLimitMs: options.parquetTimeLimitMs, memoryLimitMb: options.parquetMemoryLimitMb }),
    );
  return importHoldingsCsv(db, options);
}

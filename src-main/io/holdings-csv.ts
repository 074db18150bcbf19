/**
 * Streams a holdings CSV (one row per position: investor, asset, report date, amount, and optional investor
 * name/type/style/AUM and asset class/currency/amount outstanding) into the store in bounded memory: the file is read in chunks
 * (fs stream → SHA-256 and UTF-8 decoding, windows-1252 when the bytes are not UTF-8 → papaparse chunk mode),
 * each row is written through prepared statements, and investor and asset ids are cached in Maps.
 *
 * All or nothing: the whole import is one transaction (BEGIN … COMMIT around the stream; better-sqlite3 is
 * synchronous, so nothing else may use this connection meanwhile: run it in a worker with its own connection
 * or await it before the next store call). Any bad row (missing field, non-numeric or negative amount, a date
 * that is not YYYY-MM-DD, a second position for the same investor, asset and date) refuses the file: up to 100
 * row errors are collected, the transaction is rolled back and a RowErrorsImportError names them. A file whose
 * SHA-256 matches an earlier dataset is refused as a conflict, naming that dataset.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';
import { Readable, Transform, type TransformCallback } from 'node:stream';
import Papa from 'papaparse';
import type { Db } from '../store/db';
import { finishHoldingsDataset, holdingsWriter, type HoldingsWriter } from '../store/holdings';
import { datasets } from '../store/repositories';
import { normaliseColumnName } from './column-mapping';
import { alreadyImportedError, ImportError, quote } from './import-error';
import { MAX_TEXT_LENGTH } from '../../src-shared/formats/network';
import { LineLengthGuard } from './import-limits';
import { RowErrorsImportError, type RowError } from './row-errors';
import { parseNumberCell } from './tables';

/** Source column names per holdings field. */
export interface HoldingsMapping {
  investor: string;
  asset: string;
  date: string;
  amount: string;
  investorName?: string;
  investorType?: string;
  investorStyle?: string;
  assetClass?: string;
  assetCurrency?: string;
  /** Investor's assets under management (computed from the positions when absent). */
  investorAum?: string;
  /** Asset's amount outstanding (computed from the positions when absent). */
  assetOutstanding?: string;
}
export type HoldingsField = keyof HoldingsMapping;

export interface HoldingsImportOptions {
  /** The file to read; or give `bytes`. */
  filePath?: string;
  /** The file's content held in memory (an upload: read from here, never written to disk). */
  bytes?: Uint8Array;
  /** The name shown to the user and stored as the dataset's source file. */
  fileName: string;
  datasetName: string;
  /** Column names; fields left out are matched from the header by `suggestHoldingsMapping`. */
  mapping?: Partial<HoldingsMapping>;
  onProgress?: (rowsDone: number, bytesDone: number, bytesTotal: number) => void;
  /** Aborting stops the import and rolls it back. */
  signal?: AbortSignal;
}

export interface HoldingsImportResult {
  datasetId: number;
  investors: number;
  assets: number;
  positions: number;
  /** Rows left out without refusing the file: rows whose cells are all blank (e.g. ",,,"). */
  skipped: RowError[];
}

/** Refused rows collected before giving up. */
export const MAX_HOLDINGS_ROW_ERRORS = 100;

const REQUIRED: Array<'investor' | 'asset' | 'date' | 'amount'> = ['investor', 'asset', 'date', 'amount'];

const HOLDINGS_SYNONYMS: Record<HoldingsField, string[]> = {
  investor: ['investor', 'investorid', 'investorcode', 'holder', 'holderid', 'fund', 'fundid', 'fundcode', 'owner'],
  asset: ['asset', 'assetid', 'assetcode', 'isin', 'security', 'securityid', 'cusip', 'instrument', 'instrumentid'],
  date: ['date', 'reportdate', 'reportingdate', 'asof', 'asofdate', 'period', 'valuationdate'],
  amount: ['amount', 'value', 'marketvalue', 'holding', 'holdings', 'position', 'notional', 'mv', 'exposure'],
  investorName: ['investorname', 'holdername', 'fundname'],
  investorType: ['investortype', 'holdertype', 'fundtype', 'investorsector'],
  investorStyle: ['investorstyle', 'style', 'fundstyle', 'strategy'],
  assetClass: ['assetclass', 'class', 'securitytype', 'instrumenttype'],
  assetCurrency: ['assetcurrency', 'currency', 'ccy'],
  investorAum: ['investoraum', 'aum', 'assetsundermanagement', 'fundsize'],
  assetOutstanding: ['assetoutstanding', 'amountoutstanding', 'outstanding', 'issuesize', 'issueamount'],
};

/** Matches holdings fields to header columns ignoring case, spaces and underscores, with common synonyms. */
export function suggestHoldingsMapping(columns: readonly string[]): Partial<HoldingsMapping> {
  const normalised = columns.map(normaliseColumnName);
  const taken = new Set<number>();
  const result: Partial<HoldingsMapping> = {};
  for (const field of Object.keys(HOLDINGS_SYNONYMS) as HoldingsField[]) {
    for (const candidate of HOLDINGS_SYNONYMS[field]) {
      const index = normalised.findIndex((name, at) => name === candidate && !taken.has(at));
      if (index >= 0) {
        result[field] = columns[index]!;
        taken.add(index);
        break;
      }
    }
  }
  return result;
}

const DATE = /^(\d{4})[-/]?(\d{2})[-/]?(\d{2})(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;

/** "2024-03-31", "2024/03/31", "20240331" (optionally with a time) → "2024-03-31"; anything else → undefined. */
export function normaliseReportDate(text: string): string | undefined {
  const match = DATE.exec(text.trim());
  if (!match) return undefined;
  const [, year, month, day] = match;
  const iso = `${year}-${month}-${day}`;
  const date = new Date(`${iso}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === iso ? iso : undefined;
}

class NotUtf8 extends Error {}

/** Bytes → text in chunks, hashing the bytes on the way; counts bytes for progress. */
class DecodeAndHash extends Transform {
  readonly hash = createHash('sha256');
  bytes = 0;
  private readonly decoder: TextDecoder;
  private first = true;

  /** Refuses a line over the limit while streaming, so a 100 MB line never reaches the parser (bounded memory). */
  private readonly lines: LineLengthGuard;

  constructor(
    readonly encoding: 'utf-8' | 'windows-1252',
    fileName: string,
  ) {
    super({ readableObjectMode: true });
    this.decoder = new TextDecoder(encoding, { fatal: encoding === 'utf-8', ignoreBOM: true });
    this.lines = new LineLengthGuard(fileName);
  }

  private pushText(text: string): void {
    let out = text;
    if (this.first && out.length > 0) {
      this.first = false;
      if (out.charCodeAt(0) === 0xfeff) out = out.slice(1);
    }
    if (out.length > 0) this.push(out);
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    let text: string;
    try {
      text = this.decoder.decode(chunk, { stream: true });
    } catch {
      callback(new NotUtf8('not UTF-8'));
      return;
    }
    try {
      this.lines.check(text);
    } catch (error) {
      callback(error as Error);
      return;
    }
    this.pushText(text);
    callback();
  }

  override _flush(callback: TransformCallback): void {
    try {
      this.pushText(this.decoder.decode());
      callback();
    } catch {
      callback(new NotUtf8('not UTF-8'));
    }
  }
}

interface Pass {
  investors: number;
  assets: number;
  positions: number;
  skipped: RowError[];
  sha256: string;
}

function resolveMapping(
  header: string[],
  given: Partial<HoldingsMapping> | undefined,
  fileName: string,
): Record<HoldingsField, number> {
  const columns = header.map((cell) => cell.trim());
  // Fields the caller maps win; the others are matched from the header.
  const mapping: Partial<HoldingsMapping> = { ...suggestHoldingsMapping(columns), ...given };
  const listed = columns.map((column) => `${quote(column)}`).join(', ');
  const missing = REQUIRED.filter((field) => !mapping[field]);
  if (missing.length > 0) {
    throw new ImportError(
      `${fileName}: no ${missing.join(', ')} column (columns are ${listed}); a holdings row needs investor, asset, date and amount`,
      missing[0],
    );
  }
  const at = {} as Record<HoldingsField, number>;
  for (const field of Object.keys(HOLDINGS_SYNONYMS) as HoldingsField[]) {
    const column = mapping[field];
    if (column === undefined || column === '') {
      at[field] = -1;
      continue;
    }
    const index = columns.indexOf(column.trim());
    if (index < 0) {
      throw new ImportError(
        `${fileName}: column ${quote(column)} (mapped to ${field}) is not in the file; its columns are ${listed}`,
        field,
      );
    }
    at[field] = index;
  }
  return at;
}

/**
 * Validates and writes holdings rows (cells as text) of one file inside the caller's transaction: the first row
 * given is the header (mapped to fields), then one call per record. Shared by the CSV, XLSX and Parquet readers.
 * After the first refused row it only validates; `errors` holds up to MAX_HOLDINGS_ROW_ERRORS.
 */
export class HoldingsRowSink {
  readonly errors: RowError[] = [];
  readonly skipped: RowError[] = [];
  positions = 0;
  private readonly writer: HoldingsWriter;
  private readonly investorIds = new Map<string, number>();
  private readonly assetIds = new Map<string, number>();
  private readonly dates = new Map<string, string | undefined>();
  private at: Record<HoldingsField, number> | undefined;
  private header: string[] = [];

  constructor(
    db: Db,
    datasetId: number,
    private readonly fileName: string,
    private readonly mapping?: Partial<HoldingsMapping>,
  ) {
    this.writer = holdingsWriter(db, datasetId);
  }

  get investors(): number {
    return this.investorIds.size;
  }

  get assets(): number {
    return this.assetIds.size;
  }

  get hasHeader(): boolean {
    return this.at !== undefined;
  }

  get full(): boolean {
    return this.errors.length >= MAX_HOLDINGS_ROW_ERRORS;
  }

  private column(field: HoldingsField): string {
    return this.header[this.at![field]]?.trim() ?? field;
  }

  private refuse(row: number, field: HoldingsField | undefined, message: string): void {
    this.errors.push({ file: this.fileName, row, ...(field ? { column: this.column(field) } : {}), message });
  }

  /** An optional amount ≥ 0 (AUM, amount outstanding): null when blank; refuses the row otherwise. */
  private optionalAmount(cells: string[], field: HoldingsField, row: number): number | null {
    const text = cellOf(cells, this.at![field]);
    if (!text) return null;
    const value = parseNumberCell(text);
    if (value === null || Number.isNaN(value) || value < 0) {
      this.refuse(row, field, `not an amount ≥ 0 — ${quote(text)}`);
      return null;
    }
    return value;
  }

  /** The header row, then every record with its spreadsheet row number (header = 1). */
  row(cells: string[], row: number): void {
    if (!this.at) {
      this.header = cells;
      this.at = resolveMapping(cells, this.mapping, this.fileName);
      return;
    }
    const at = this.at;
    if (cells.every((cell) => cell.trim() === '')) {
      if (cells.length > 1) this.skipped.push({ file: this.fileName, row, message: 'empty row' });
      return;
    }
    const investor = cellOf(cells, at.investor)!;
    const asset = cellOf(cells, at.asset)!;
    const dateText = cellOf(cells, at.date)!;
    const amountText = cellOf(cells, at.amount)!;
    if (investor === '') this.refuse(row, 'investor', 'missing investor id');
    else if (investor.length > MAX_TEXT_LENGTH)
      this.refuse(row, 'investor', `investor id longer than ${MAX_TEXT_LENGTH} characters — ${quote(investor)}`);
    if (asset === '') this.refuse(row, 'asset', 'missing asset id');
    else if (asset.length > MAX_TEXT_LENGTH)
      this.refuse(row, 'asset', `asset id longer than ${MAX_TEXT_LENGTH} characters — ${quote(asset)}`);
    let date = this.dates.get(dateText);
    if (date === undefined && !this.dates.has(dateText)) {
      date = normaliseReportDate(dateText);
      if (this.dates.size < 10_000) this.dates.set(dateText, date);
    }
    if (dateText === '') this.refuse(row, 'date', 'missing report date');
    else if (date === undefined) this.refuse(row, 'date', `not a date (expected YYYY-MM-DD) — ${quote(dateText)}`);
    const amount = parseNumberCell(amountText);
    if (amount === null) this.refuse(row, 'amount', 'missing amount');
    else if (Number.isNaN(amount)) this.refuse(row, 'amount', `not a number — ${quote(amountText)}`);
    else if (amount < 0) this.refuse(row, 'amount', 'must be ≥ 0');
    const aum = this.optionalAmount(cells, 'investorAum', row);
    const outstanding = this.optionalAmount(cells, 'assetOutstanding', row);
    if (this.errors.length > 0) return; // after the first refused row, only validate

    let investorId = this.investorIds.get(investor);
    if (investorId === undefined) {
      investorId = this.writer.addInvestor({
        code: investor,
        name: cellOf(cells, at.investorName) || null,
        type: cellOf(cells, at.investorType) || null,
        style: cellOf(cells, at.investorStyle) || null,
        aum,
      });
      this.investorIds.set(investor, investorId);
    }
    let assetId = this.assetIds.get(asset);
    if (assetId === undefined) {
      assetId = this.writer.addAsset({
        code: asset,
        class: cellOf(cells, at.assetClass) || null,
        currency: cellOf(cells, at.assetCurrency) || null,
        amountOutstanding: outstanding,
      });
      this.assetIds.set(asset, assetId);
    }
    try {
      this.writer.addPosition(date!, investorId, assetId, amount!);
      this.positions += 1;
    } catch (error) {
      if ((error as { code?: string }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
        this.refuse(
          row,
          undefined,
          `second position of investor ${quote(investor)} in asset ${quote(asset)} on ${date} (one row per investor, asset and date)`,
        );
      } else {
        throw error;
      }
    }
  }
}

const cellOf = (cells: string[], index: number) => (index < 0 ? undefined : (cells[index] ?? '').trim());

const CHUNK = 1 << 20;

/** The import's input as a stream of 1 MiB chunks: the file, or the bytes in memory (not copied). */
export function holdingsInput(options: Pick<HoldingsImportOptions, 'filePath' | 'bytes'>): Readable {
  const { bytes, filePath } = options;
  if (bytes)
    return Readable.from(
      (function* () {
        for (let at = 0; at < bytes.byteLength; at += CHUNK)
          yield Buffer.from(bytes.buffer, bytes.byteOffset + at, Math.min(CHUNK, bytes.byteLength - at));
      })(),
    );
  if (filePath === undefined) throw new ImportError('no holdings file was given');
  return createReadStream(filePath, { highWaterMark: CHUNK });
}

export function holdingsInputSize(options: Pick<HoldingsImportOptions, 'filePath' | 'bytes'>): number {
  return options.bytes
    ? options.bytes.byteLength
    : options.filePath === undefined
      ? 0
      : statSync(options.filePath).size;
}

/** One pass over the file inside the caller's transaction; throws on the first fatal problem. */
function streamPass(
  db: Db,
  datasetId: number,
  options: HoldingsImportOptions,
  encoding: 'utf-8' | 'windows-1252',
): Promise<Pass> {
  const { fileName, onProgress, signal } = options;
  const bytesTotal = holdingsInputSize(options);
  const sink = new HoldingsRowSink(db, datasetId, fileName, options.mapping);
  let record = 0; // spreadsheet row of the last record seen (header = 1)

  return new Promise<Pass>((resolve, reject) => {
    const input = holdingsInput(options);
    const decode = new DecodeAndHash(encoding, fileName);
    let settled = false;
    const fail = (error: Error, parser?: Papa.Parser) => {
      if (settled) return;
      settled = true;
      input.destroy();
      decode.destroy();
      parser?.abort();
      reject(error);
    };
    input.on('error', (error) => fail(new ImportError(`${fileName} could not be read: ${error.message}`)));
    decode.on('error', (error) => fail(error));
    const text = input.pipe(decode);

    Papa.parse<string[]>(text, {
      skipEmptyLines: false,
      chunk(results, parser) {
        if (settled) return;
        try {
          if (signal?.aborted) throw new ImportError(`import of ${fileName} cancelled`);
          const first = record + 1;
          for (const error of results.errors) {
            if (error.code === 'UndetectableDelimiter') continue;
            sink.errors.push({ file: fileName, row: first + (error.row ?? 0), message: `CSV: ${error.message}` });
          }
          for (const cells of results.data) {
            record += 1;
            sink.row(cells, record);
            if (sink.full) break;
          }
          if (sink.full) {
            fail(new RowErrorsImportError(sink.errors.slice(0, MAX_HOLDINGS_ROW_ERRORS)), parser);
            return;
          }
          onProgress?.(record > 0 ? record - 1 : 0, decode.bytes, bytesTotal);
        } catch (error) {
          fail(
            error instanceof Error ? error : new ImportError(`${fileName} could not be read: ${String(error)}`),
            parser,
          );
        }
      },
      complete() {
        if (settled) return;
        if (!sink.hasHeader) return fail(new ImportError(`${fileName} is empty (expected a header row)`));
        if (sink.errors.length > 0) return fail(new RowErrorsImportError(sink.errors));
        settled = true;
        onProgress?.(record - 1, decode.bytes, bytesTotal);
        resolve({
          investors: sink.investors,
          assets: sink.assets,
          positions: sink.positions,
          skipped: sink.skipped,
          sha256: decode.hash.digest('hex'),
        });
      },
      error(error) {
        fail(
          error instanceof NotUtf8 || error instanceof ImportError
            ? error
            : new ImportError(`${fileName} could not be read: ${error.message}`),
        );
      },
    });
  });
}

/** The dataset row of an import in progress (inside the caller's transaction); its SHA-256 is set at the end. */
export function insertPendingHoldingsDataset(
  db: Db,
  options: Pick<HoldingsImportOptions, 'fileName' | 'datasetName'>,
  importer: string,
) {
  return datasets.insert(db, {
    name: options.datasetName,
    kind: 'holdings',
    sourceFile: options.fileName,
    sha256: `pending:${randomUUID()}`,
    report: { importer, kept: 0, skipped: [], notes: [] },
  });
}

/** Imports a holdings CSV as a new dataset of kind 'holdings'; all or nothing (see the module comment). */
export async function importHoldingsCsv(db: Db, options: HoldingsImportOptions): Promise<HoldingsImportResult> {
  const { fileName } = options;
  for (const encoding of ['utf-8', 'windows-1252'] as const) {
    db.exec('BEGIN IMMEDIATE');
    try {
      const dataset = insertPendingHoldingsDataset(db, options, 'holdings CSV');
      const pass = await streamPass(db, dataset.id, options, encoding);
      const existing = datasets.findBySha256(db, pass.sha256);
      if (existing) {
        throw alreadyImportedError(fileName, existing);
      }
      finishHoldingsDataset(db, dataset.id, pass.sha256, {
        importer: 'holdings CSV',
        kept: pass.positions,
        skipped: pass.skipped.map((row) => ({ id: `row ${row.row}`, reason: row.message })),
        notes: [
          `${pass.investors} investors, ${pass.assets} assets, ${pass.positions} positions`,
          ...(encoding === 'utf-8' ? [] : ['read as windows-1252 (the file is not valid UTF-8)']),
        ],
      });
      db.exec('COMMIT');
      return {
        datasetId: dataset.id,
        investors: pass.investors,
        assets: pass.assets,
        positions: pass.positions,
        skipped: pass.skipped,
      };
    } catch (error) {
      if (db.inTransaction) db.exec('ROLLBACK');
      if (error instanceof NotUtf8 && encoding === 'utf-8') continue;
      throw error;
    }
  }
  throw new ImportError(`${fileName} could not be decoded`);
}

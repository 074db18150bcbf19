/**
 * World Input-Output Tables (WIOD, 2016 release, e.g. `WIOT2014_Nov16_ROW.xlsx`) → a cross-holdings economy
 * (`crossholdings@1`), as in "Optimal intervention in economic networks using influence maximization methods" §4.1.
 *
 * Layout read (first worksheet, 1-based): row 3 sector/final-demand codes, row 4 descriptions, row 5 countries,
 * row 6 column numbers (c1, c2, …); data from row 7, with code, description, country and row number (r1, …) in
 * columns A–D and the values (millions of US$) from column E. Intermediate rows are the country–sector rows;
 * the rows of country TOT hold the totals, among them VA (value added at basic prices) and GO (output at basic
 * prices). Columns are country–sector columns, then final-demand columns (CONS_h, CONS_np, CONS_g, GFCF, INVEN per
 * country) and the total.
 *
 * Construction (§4.1 steps 1–9): F = the flows among country–sector rows and columns (row = supplier i,
 * column = user j); negative entries are moved to the transposed position (F ← F⁺ − (F⁻)ᵀ); columns are scaled to
 * sum to 1 including value added, A_ij = F_ij / (Σ_i F_ij + |VA_j|); C = A with a zero diagonal; sectors of the
 * excluded categories (T: households, near-zero value added) and sectors whose value added is at or below
 * `minValueAdded` are removed (their columns cannot be scaled below 1); Dp = GO (each sector holds its own output
 * asset, priced GO_j); β = k_β VA⁺; θ = max(0, v − k_θ VA⁺) with v = Ĉ (I − C)⁻¹ Dp, the market values without
 * failures. Final-demand columns carry no rows in the paper's array and hold no cross-holdings here. Shares below
 * `minShare` are not stored; the report counts them and their largest column total.
 */
import ExcelJS from 'exceljs';
import type { ImportReport } from '../../src-shared/domain';
import { formatAmount, formatCount, formatNumber } from '../../src-shared/format/numbers';
import { CROSSHOLDINGS_FORMAT, type EconomyDocument } from '../../src-shared/formats/crossholdings';
import { wiodOptionsSchema, type WiodOptions, type WiodOptionsInput } from '../../src-shared/formats/wiod';
import { cascade, fromDenseEconomy } from '../engines/cascade';
import { ImportError } from './import-error';
import { unreadableXlsx, workbookPartsFirst, xlsxArchiveLayout } from './import-limits';
import { readerValueText } from './value-text';

const CODE_ROW = 3;
const DESCRIPTION_ROW = 4;
const COUNTRY_ROW = 5;
const NUMBER_ROW = 6;
const FIRST_DATA_ROW = 7;
const FIRST_DATA_COLUMN = 5;
const TOTAL_COUNTRY = 'TOT';
/** The table's values are in millions of US dollars. */
const WIOT_UNIT = 'USD million';

type CellValue = ExcelJS.CellValue;

function cellText(value: CellValue): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'object' && 'result' in value) return cellText(value.result);
  if (typeof value === 'object' && 'richText' in value) return value.richText.map((part) => part.text).join('');
  return readerValueText(value).trim();
}

function cellNumber(value: CellValue, fileName: string, row: number, column: number): number {
  if (value === null || value === undefined || value === '') return 0;
  const raw = typeof value === 'object' && 'result' in value ? value.result : value;
  const number = typeof raw === 'number' ? raw : typeof raw === 'string' ? Number(raw.trim()) : Number.NaN;
  if (!Number.isFinite(number))
    throw new ImportError(
      `${fileName}: row ${row}, column ${columnName(column)}: "${cellText(value)}" is not a number`,
      `row ${row}`,
    );
  return number;
}

function columnName(column: number): string {
  let name = '';
  for (let c = column; c > 0; c = Math.floor((c - 1) / 26)) name = String.fromCharCode(65 + ((c - 1) % 26)) + name;
  return name;
}

interface RawTable {
  header: { codes: string[]; descriptions: string[]; countries: string[]; numbers: string[] };
  rows: Array<{ row: number; code: string; description: string; country: string; number: string; values: CellValue[] }>;
}

/**
 * Reads the first worksheet row by row (streaming: the official file has ~2,500 × 2,700 cells), the workbook's
 * parts given to the reader before its worksheets (`workbookPartsFirst`).
 */
async function readFirstSheet(bytes: Uint8Array, fileName: string, maxRows = Infinity): Promise<RawTable> {
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(
    workbookPartsFirst({ bytes }, xlsxArchiveLayout(fileName, bytes)),
    {
      sharedStrings: 'cache',
      hyperlinks: 'ignore',
      styles: 'ignore',
      worksheets: 'emit',
      entries: 'ignore',
    },
  );
  const table: RawTable = { header: { codes: [], descriptions: [], countries: [], numbers: [] }, rows: [] };
  const headerRow = (values: CellValue[]) => values.slice(FIRST_DATA_COLUMN).map(cellText);
  try {
    for await (const sheet of reader) {
      for await (const row of sheet) {
        const values = row.values as CellValue[];
        if (row.number === CODE_ROW) table.header.codes = headerRow(values);
        else if (row.number === DESCRIPTION_ROW) table.header.descriptions = headerRow(values);
        else if (row.number === COUNTRY_ROW) table.header.countries = headerRow(values);
        else if (row.number === NUMBER_ROW) table.header.numbers = headerRow(values);
        else if (row.number >= FIRST_DATA_ROW) {
          table.rows.push({
            row: row.number,
            code: cellText(values[1]),
            description: cellText(values[2]),
            country: cellText(values[3]),
            number: cellText(values[4]),
            values: values.slice(FIRST_DATA_COLUMN),
          });
        }
        if (row.number >= maxRows) break;
      }
      break;
    }
  } catch (error) {
    throw unreadableXlsx(fileName, (error as Error).message);
  }
  return table;
}

const looksLikeHeader = (table: RawTable) =>
  /^c0*1$/i.test(table.header.numbers[0] ?? '') &&
  /^[A-Z]{3}$/.test(table.header.countries[0] ?? '') &&
  (table.header.codes[0] ?? '') !== '';

/** Whether an XLSX workbook has the WIOT layout (reads only its first rows). */
export async function looksLikeWiot(bytes: Uint8Array, fileName: string): Promise<boolean> {
  try {
    const table = await readFirstSheet(bytes, fileName, FIRST_DATA_ROW);
    return looksLikeHeader(table) && /^r0*1$/i.test(table.rows[0]?.number ?? '');
  } catch {
    return false;
  }
}

export interface WiodImport {
  document: EconomyDocument;
  report: ImportReport;
}

type SheetRow = RawTable['rows'][number];

function wiodOptions(input: WiodOptionsInput): WiodOptions {
  const parsed = wiodOptionsSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ImportError(`WIOD option ${issue.path.join('.')}: ${issue.message}`, issue.path.join('.'));
  }
  return parsed.data;
}

/** The country–sector rows, their keys (country_code) and each one's column; refuses a repeated or unmatched key. */
function countrySectors(
  table: RawTable,
  fileName: string,
): { sectorRows: SheetRow[]; keys: string[]; columns: number[] } {
  const sectorRows = table.rows.filter((row) => row.country !== TOTAL_COUNTRY && row.code !== '');
  const columnOf = new Map<string, number>();
  table.header.codes.forEach((code, c) => columnOf.set(`${table.header.countries[c]}_${code}`, c));
  const keys = sectorRows.map((row) => `${row.country}_${row.code}`);
  const seen = new Set<string>();
  keys.forEach((key, index) => {
    if (seen.has(key)) throw new ImportError(`${fileName}: row ${sectorRows[index]!.row}: second row for ${key}`);
    seen.add(key);
    if (!columnOf.has(key))
      throw new ImportError(
        `${fileName}: row ${sectorRows[index]!.row}: no column for ${key} (country in row ${COUNTRY_ROW}, code in row ${CODE_ROW})`,
      );
  });
  return { sectorRows, keys, columns: keys.map((key) => columnOf.get(key)!) };
}

/** The flows between country–sectors, N × N; negative entries move to the transposed position (§4.1 step 3). */
function flowMatrix(sectorRows: SheetRow[], columns: number[], fileName: string): Float64Array {
  const N = sectorRows.length;
  const flows = new Float64Array(N * N);
  sectorRows.forEach((row, i) => {
    columns.forEach((c, j) => {
      const value = cellNumber(row.values[c], fileName, row.row, c + FIRST_DATA_COLUMN);
      if (value >= 0) flows[i * N + j]! += value;
      else flows[j * N + i]! -= value;
    });
  });
  return flows;
}

/** The sectors kept as firms (not an excluded category, value added above the minimum) and why the others are not. */
function keptSectors(
  sectorRows: SheetRow[],
  keys: string[],
  valueAdded: number[],
  options: WiodOptions,
  fileName: string,
) {
  const skipped: ImportReport['skipped'] = [];
  const kept: number[] = [];
  sectorRows.forEach((row, j) => {
    if (options.excludeCategories.includes(row.code))
      skipped.push({ id: keys[j]!, reason: `category ${row.code} excluded` });
    else if (!(valueAdded[j]! > options.minValueAdded))
      skipped.push({
        id: keys[j]!,
        reason: `value added ${formatAmount(valueAdded[j], WIOT_UNIT)}, at most the minimum ${formatAmount(options.minValueAdded, WIOT_UNIT)}`,
      });
    else kept.push(j);
  });
  if (kept.length === 0)
    throw new ImportError(
      `${fileName}: every sector was left out (categories ${options.excludeCategories.join(', ')}, value added at most ${formatAmount(options.minValueAdded, WIOT_UNIT)})`,
    );
  return { kept, skipped };
}

/**
 * Cross-holding shares among the kept sectors: every column scaled by its flows plus |VA| (over all sectors, before
 * removal), the diagonal zero, shares below `minShare` left out (counted, with the largest total left out of one firm).
 */
function crossHoldingShares(flows: Float64Array, valueAdded: number[], kept: number[], minShare: number) {
  const N = valueAdded.length;
  const divisor = new Float64Array(N);
  for (let j = 0; j < N; j++) {
    let sum = Math.abs(valueAdded[j]!);
    for (let i = 0; i < N; i++) sum += flows[i * N + j]!;
    divisor[j] = sum;
  }
  const n = kept.length;
  const crossHoldings = new Float64Array(n * n);
  let droppedEntries = 0;
  let droppedLargest = 0;
  for (let b = 0; b < n; b++) {
    const j = kept[b]!;
    let dropped = 0;
    for (let a = 0; a < n; a++) {
      const i = kept[a]!;
      if (a === b || divisor[j]! <= 0) continue;
      const share = flows[i * N + j]! / divisor[j]!;
      if (share <= 0) continue;
      if (share < minShare) {
        droppedEntries++;
        dropped += share;
      } else {
        crossHoldings[a * n + b] = share;
      }
    }
    droppedLargest = Math.max(droppedLargest, dropped);
  }
  return { crossHoldings, droppedEntries, droppedLargest };
}

/** The economy: one firm and one output asset per kept sector, thresholds from the healthy market values. */
function wiodEconomy(
  fileName: string,
  sectorRows: SheetRow[],
  ids: string[],
  kept: number[],
  valueAdded: number[],
  output: number[],
  crossHoldings: Float64Array,
  options: WiodOptions,
): EconomyDocument {
  const n = kept.length;
  const valueAddedKept = Float64Array.from(kept, (j) => Math.max(0, valueAdded[j]!));
  const assetValues = Float64Array.from(kept, (j) => Math.max(0, output[j]!));
  const healthy = cascade(
    fromDenseEconomy({
      ids,
      crossHoldings,
      assetValues,
      thresholds: new Float64Array(n),
      failureCosts: new Float64Array(n),
    }),
  ).marketValues;
  const document: EconomyDocument = {
    format: CROSSHOLDINGS_FORMAT,
    name: fileName.replace(/^.*[\\/]/, '').replace(/\.[^.]+$/, ''),
    firms: kept.map((j, a) => ({
      id: ids[a]!,
      name: `${sectorRows[j]!.country} – ${sectorRows[j]!.description}`,
      threshold: Math.max(0, healthy[a]! - options.thresholdValueAddedFactor * valueAddedKept[a]!),
      failureCost: options.failureCostFactor * valueAddedKept[a]!,
    })),
    assets: ids.map((id, a) => ({ id: `${id}_output`, price: assetValues[a]! })),
    assetHoldings: ids.map((id) => ({ firm: id, asset: `${id}_output`, share: 1 })),
    crossHoldings: [],
  };
  for (let a = 0; a < n; a++) {
    for (let b = 0; b < n; b++) {
      const share = crossHoldings[a * n + b]!;
      if (share > 0) document.crossHoldings.push({ holder: ids[a]!, issuer: ids[b]!, share });
    }
  }
  return document;
}

export async function parseWiot(
  bytes: Uint8Array,
  fileName: string,
  input: WiodOptionsInput = {},
): Promise<WiodImport> {
  const options = wiodOptions(input);
  const table = await readFirstSheet(bytes, fileName);
  if (!looksLikeHeader(table)) {
    throw new ImportError(
      `${fileName}: not the WIOT layout (expected column numbers c1… in row ${NUMBER_ROW}, country codes in row ${COUNTRY_ROW} and sector codes in row ${CODE_ROW} from column ${columnName(FIRST_DATA_COLUMN)})`,
    );
  }
  const totalRow = (code: string) => {
    const found = table.rows.find((row) => row.country === TOTAL_COUNTRY && row.code === code);
    if (!found)
      throw new ImportError(`${fileName}: no ${code} row (country ${TOTAL_COUNTRY}, code ${code} in columns A and C)`);
    return found;
  };
  const valueAddedRow = totalRow('VA');
  const outputRow = totalRow('GO');
  const { sectorRows, keys, columns } = countrySectors(table, fileName);
  const N = sectorRows.length;
  if (N === 0) throw new ImportError(`${fileName}: no country–sector rows from row ${FIRST_DATA_ROW}`);
  const flows = flowMatrix(sectorRows, columns, fileName);
  const valueAdded = columns.map((c) =>
    cellNumber(valueAddedRow.values[c], fileName, valueAddedRow.row, c + FIRST_DATA_COLUMN),
  );
  const output = columns.map((c) => cellNumber(outputRow.values[c], fileName, outputRow.row, c + FIRST_DATA_COLUMN));
  const { kept, skipped } = keptSectors(sectorRows, keys, valueAdded, options, fileName);
  const { crossHoldings, droppedEntries, droppedLargest } = crossHoldingShares(
    flows,
    valueAdded,
    kept,
    options.minShare,
  );
  const ids = kept.map((j) => keys[j]!);
  const document = wiodEconomy(fileName, sectorRows, ids, kept, valueAdded, output, crossHoldings, options);
  const finalDemand = table.header.codes.filter((_, c) => !columns.includes(c)).length;
  return {
    document,
    report: {
      importer: 'WIOD world input-output table (2016 release layout)',
      kept: kept.length,
      skipped,
      notes: [
        `${formatCount(N)} country–sector rows, ${formatCount(finalDemand)} other columns (final demand, totals) not used as firms`,
        `θ = max(0, v − ${options.thresholdValueAddedFactor}·VA), β = ${options.failureCostFactor}·VA, Dp = GO (millions of US$)`,
        `${formatCount(document.crossHoldings.length)} cross-holdings stored; ${formatCount(droppedEntries)} shares below ${formatNumber(options.minShare)} left out (at most ${formatNumber(droppedLargest)} of one firm)`,
      ],
    },
  };
}

/**
 * Importer for the EBA 2011 EU-wide stress test bank-by-bank disclosure (long layout, one column per bank).
 *
 * Per bank, at INFO_DATE_CODE 20101231 with no scenario code: 30029 total assets, 30021 equity; and the row
 * 33010 with C_COUNTRY_CODE "TO": total interbank exposure (EAD). As in Glasserman & Young (2015) and
 * Feinstein et al. (2018), interbank liabilities are taken equal to interbank assets (d_i = f_i), so
 *   outside assets      c_i = total assets − interbank assets,
 *   total liabilities   p̄_i = total assets − equity,
 *   outside liabilities b_i = p̄_i − interbank liabilities.
 * Banks with non-positive total assets or negative derived outside items are left out, with the reason.
 */
import Papa from 'papaparse';
import type { ImportReport } from '../../src-shared/domain';
import { formatAmount, formatNumber } from '../../src-shared/format/numbers';
import {
  MAX_AMOUNT,
  MAX_TEXT_LENGTH,
  NETWORK_FORMAT,
  type NetworkDocument,
  type NetworkNode,
} from '../../src-shared/formats/network';
import { ImportError, quote } from './import-error';
import { checkLineLengths, refusal } from './import-limits';
import { parseNumberCell } from './tables';

const FIXED_COLUMNS = [
  'WORKSHEET',
  'INFORMATION_CODE',
  'INFO_DATE_CODE',
  'C_COUNTRY_CODE',
  'SCENARIO_CODE',
  'MATURITY_CODE',
  'MEASURE_CODE',
] as const;

export const EBA_CODES = { totalAssets: '30029', equity: '30021', interbank: '33010' } as const;

/** True when the header looks like the EBA disclosure layout. */
export function looksLikeEbaDisclosure(text: string): boolean {
  const firstLine = text.slice(0, 2000).split(/\r?\n/, 1)[0] ?? '';
  return FIXED_COLUMNS.every((column) => firstLine.includes(column));
}

export function decodeLatin1(bytes: Uint8Array): string {
  return new TextDecoder('windows-1252').decode(bytes);
}

type NumberedRow = { cells: string[]; row: number };

/** The CSV's non-blank rows, each with its line number (header = row 1). */
function numberedRows(text: string, fileName: string): NumberedRow[] {
  checkLineLengths(fileName, text);
  const parsed = Papa.parse<string[]>(text, { skipEmptyLines: false });
  const errors = parsed.errors.filter((error) => error.code !== 'UndetectableDelimiter');
  if (errors.length > 0) {
    const first = errors[0]!;
    throw new ImportError(refusal(fileName, { row: (first.row ?? 0) + 1 }, `CSV error: ${first.message}`));
  }
  // Keep each row's line number (header = row 1) while leaving blank lines out.
  return parsed.data
    .map((cells, index) => ({ cells, row: index + 1 }))
    .filter(({ cells }) => cells.some((cell) => cell.trim() !== ''));
}

/** The bank ids after the fixed columns: each present, not too long, and given once. */
function bankIdsOf(header: string[], fileName: string): string[] {
  FIXED_COLUMNS.forEach((column, index) => {
    if (header[index] !== column) {
      throw new ImportError(
        refusal(fileName, { row: 1, column: `${index + 1}` }, `must be ${column}`, header[index] ?? ''),
      );
    }
  });
  const bankIds = header.slice(FIXED_COLUMNS.length).map((id) => id.trim());
  if (bankIds.length === 0) throw new ImportError(`${fileName}: no bank columns after ${FIXED_COLUMNS.join(', ')}`);
  const firstColumnOf = new Map<string, number>();
  bankIds.forEach((id, offset) => {
    const column = FIXED_COLUMNS.length + offset + 1;
    if (id === '')
      throw new ImportError(`${fileName}: row 1, column ${column}: blank bank id (every bank column needs its code)`);
    if (id.length > MAX_TEXT_LENGTH)
      throw new ImportError(
        refusal(fileName, { row: 1, column: `${column}` }, `bank id longer than ${MAX_TEXT_LENGTH} characters`, id),
      );
    const first = firstColumnOf.get(id);
    if (first !== undefined) {
      throw new ImportError(
        `${fileName}: row 1, columns ${first} and ${column}: bank id ${quote(id, 40)} appears twice`,
      );
    }
    firstColumnOf.set(id, column);
  });
  return bankIds;
}

/** The one row that matches, or a refusal naming what was looked for and where more than one was found. */
function pickRow(
  rows: NumberedRow[],
  fileName: string,
  predicate: (row: string[]) => boolean,
  what: string,
): NumberedRow {
  const matches = rows.filter(({ cells }) => predicate(cells));
  if (matches.length !== 1) {
    const at =
      matches.length > 1
        ? ` (rows ${matches
            .slice(0, 3)
            .map((m) => m.row)
            .join(', ')}${matches.length > 3 ? ', …' : ''})`
        : '';
    throw new ImportError(`${fileName}: expected exactly one row of ${what}, found ${matches.length}${at}`);
  }
  return matches[0]!;
}

/**
 * A bank's cell of a row: every cell read must be a finite decimal number (not blank, hexadecimal, ∞ or NaN); total
 * assets and interbank exposure must not be negative.
 */
function readCell(
  { cells, row }: NumberedRow,
  column: number,
  bankId: string,
  fileName: string,
  label: string,
  nonNegative: boolean,
): number {
  const cell = (cells[column] ?? '').trim();
  const where = { row, column: bankId };
  if (cell === '') throw new ImportError(refusal(fileName, where, `${label} is blank (a number is required)`));
  const value = parseNumberCell(cell);
  if (value === null || Number.isNaN(value))
    throw new ImportError(refusal(fileName, where, `${label} is not a finite decimal number`, cell));
  if (Math.abs(value) > MAX_AMOUNT) throw new ImportError(refusal(fileName, where, `${label} is beyond ±1e15`, cell));
  if (nonNegative && value < 0) throw new ImportError(refusal(fileName, where, `${label} must not be negative`, cell));
  return value;
}

/** The disclosure's amounts are in EUR million. */
const CURRENCY = 'EUR';
const UNIT = 'million';
/**
 * An amount of the disclosure as a report reads it: thousands separators and the unit ("17,691 EUR million", not
 * 17690.863). Written with separators, a figure such as 30,029 cannot be read as an EBA item code (explainEbaCodes).
 */
const amount = (value: number) => formatAmount(value, `${CURRENCY} ${UNIT}`);

/** A bank's node from its total assets, equity and interbank exposure, or the reason it is left out (items by code, amounts with units). */
function bankNode(bankId: string, ta: number, eq: number, ib: number): { node: NetworkNode } | { reason: string } {
  const outsideAssets = ta - ib;
  const totalLiabilities = ta - eq;
  const outsideLiabilities = totalLiabilities - ib;
  if (ta <= 0) return { reason: `total assets (${EBA_CODES.totalAssets}) are ${amount(ta)} (must be positive)` };
  if (outsideAssets < 0) {
    return {
      reason: `negative external assets: interbank exposure (${EBA_CODES.interbank}) ${amount(ib)} exceeds total assets (${EBA_CODES.totalAssets}) ${amount(ta)}`,
    };
  }
  if (outsideLiabilities < 0 || eq <= 0) {
    return {
      reason: `inconsistent balance sheet: equity (${EBA_CODES.equity}) ${formatNumber(eq)}, interbank exposure (${EBA_CODES.interbank}) ${formatNumber(ib)} and total assets (${EBA_CODES.totalAssets}) ${amount(ta)} give outside liabilities ${amount(outsideLiabilities)}`,
    };
  }
  return {
    node: {
      id: bankId,
      name: bankId,
      type: 'bank',
      group: bankId.slice(0, 2),
      outsideAssets,
      outsideLiabilities,
      totalAssets: ta,
      totalLiabilities,
      equity: eq,
      insideAssets: ib,
      insideLiabilities: ib,
    },
  };
}

export function parseEbaDisclosure(
  text: string,
  fileName: string,
): { document: NetworkDocument; report: ImportReport } {
  const [headerRow, ...rows] = numberedRows(text, fileName);
  if (!headerRow) throw new ImportError(`${fileName} is empty`);
  const bankIds = bankIdsOf(headerRow.cells, fileName);
  const pick = (predicate: (row: string[]) => boolean, what: string) => pickRow(rows, fileName, predicate, what);
  const baseline = (row: string[]) => row[2]?.startsWith('20101231') === true && row[4] === '';
  const totalAssetsRow = pick(
    (r) => r[1] === EBA_CODES.totalAssets && baseline(r),
    'code 30029 (total assets) at 20101231',
  );
  const equityRow = pick((r) => r[1] === EBA_CODES.equity && baseline(r), 'code 30021 (equity) at 20101231');
  const interbankRow = pick(
    (r) => r[1] === EBA_CODES.interbank && r[3] === 'TO',
    'code 33010 with country TO (interbank EAD)',
  );

  const nodes: NetworkNode[] = [];
  const skipped: ImportReport['skipped'] = [];
  bankIds.forEach((bankId, offset) => {
    const column = FIXED_COLUMNS.length + offset;
    const read = (row: NumberedRow, label: string, nonNegative: boolean) =>
      readCell(row, column, bankId, fileName, label, nonNegative);
    const totalAssets = read(totalAssetsRow, 'total assets (30029)', true);
    const equity = read(equityRow, 'equity (30021)', false);
    const interbank = read(interbankRow, 'interbank exposure (33010, TO)', true);
    const bank = bankNode(bankId, totalAssets, equity, interbank);
    if ('node' in bank) nodes.push(bank.node);
    else skipped.push({ id: bankId, reason: bank.reason });
  });
  if (nodes.length === 0) throw new ImportError(`${fileName}: no usable bank (all ${bankIds.length} were left out)`);

  return {
    document: {
      format: NETWORK_FORMAT,
      name: `EBA 2011, ${nodes.length} banks`,
      currency: CURRENCY,
      unit: UNIT,
      nodes,
      liabilities: [],
    },
    report: {
      importer: 'EBA 2011 disclosure',
      kept: nodes.length,
      skipped,
      notes: [
        'total assets 30029 and equity 30021 at 2010-12-31; interbank EAD 33010 (country TO)',
        'interbank liabilities assumed equal to interbank assets (Glasserman & Young 2015)',
        'no bilateral exposures are disclosed: reconstruct the network (maximum entropy) before clearing',
      ],
    },
  };
}

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
import { NETWORK_FORMAT, type NetworkDocument, type NetworkNode } from '../../src-shared/formats/network';
import { ImportError } from './import-error';

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

export function parseEbaDisclosure(text: string, fileName: string): { document: NetworkDocument; report: ImportReport } {
  const parsed = Papa.parse<string[]>(text, { skipEmptyLines: true });
  if (parsed.errors.length > 0) {
    const first = parsed.errors[0]!;
    throw new ImportError(`${fileName}: CSV error on row ${(first.row ?? 0) + 1}: ${first.message}`);
  }
  const [header, ...rows] = parsed.data;
  if (!header) throw new ImportError(`${fileName} is empty`);
  FIXED_COLUMNS.forEach((column, index) => {
    if (header[index] !== column) {
      throw new ImportError(`${fileName}: column ${index + 1} must be ${column}, found "${header[index] ?? ''}"`);
    }
  });
  const bankIds = header.slice(FIXED_COLUMNS.length);
  if (bankIds.length === 0) throw new ImportError(`${fileName}: no bank columns after ${FIXED_COLUMNS.join(', ')}`);

  const pick = (predicate: (row: string[]) => boolean, what: string): string[] => {
    const matches = rows.filter(predicate);
    if (matches.length !== 1) {
      throw new ImportError(`${fileName}: expected exactly one row of ${what}, found ${matches.length}`);
    }
    return matches[0]!;
  };
  const baseline = (row: string[]) => row[2]?.startsWith('20101231') === true && row[4] === '';
  const totalAssetsRow = pick((r) => r[1] === EBA_CODES.totalAssets && baseline(r), 'code 30029 (total assets) at 20101231');
  const equityRow = pick((r) => r[1] === EBA_CODES.equity && baseline(r), 'code 30021 (equity) at 20101231');
  const interbankRow = pick((r) => r[1] === EBA_CODES.interbank && r[3] === 'TO', 'code 33010 with country TO (interbank EAD)');

  const nodes: NetworkNode[] = [];
  const skipped: ImportReport['skipped'] = [];
  bankIds.forEach((bankId, offset) => {
    const column = FIXED_COLUMNS.length + offset;
    const read = (row: string[], label: string): number | string => {
      const cell = (row[column] ?? '').trim();
      const value = Number(cell);
      return cell === '' || !Number.isFinite(value) ? `${label} is missing or not a number ("${cell}")` : value;
    };
    const totalAssets = read(totalAssetsRow, 'total assets (30029)');
    const equity = read(equityRow, 'equity (30021)');
    const interbank = read(interbankRow, 'interbank exposure (33010, TO)');
    const problem = [totalAssets, equity, interbank].find((v): v is string => typeof v === 'string');
    if (problem) {
      skipped.push({ id: bankId, reason: problem });
      return;
    }
    const ta = totalAssets as number;
    const eq = equity as number;
    const ib = interbank as number;
    const outsideAssets = ta - ib;
    const totalLiabilities = ta - eq;
    const outsideLiabilities = totalLiabilities - ib;
    if (ta <= 0) {
      skipped.push({ id: bankId, reason: `total assets are ${ta} (must be positive)` });
    } else if (outsideAssets < 0) {
      skipped.push({
        id: bankId,
        reason: `negative external assets: interbank exposure ${ib} exceeds total assets ${ta}`,
      });
    } else if (outsideLiabilities < 0 || eq <= 0) {
      skipped.push({
        id: bankId,
        reason: `inconsistent balance sheet: equity ${eq}, interbank ${ib}, total assets ${ta} give outside liabilities ${outsideLiabilities}`,
      });
    } else {
      nodes.push({
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
      });
    }
  });
  if (nodes.length === 0) throw new ImportError(`${fileName}: no usable bank (all ${bankIds.length} were left out)`);

  return {
    document: {
      format: NETWORK_FORMAT,
      name: `EBA 2011, ${nodes.length} banks`,
      currency: 'EUR',
      unit: 'million',
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

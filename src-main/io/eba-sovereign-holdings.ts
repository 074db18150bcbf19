/**
 * The EBA 2011 gross direct sovereign exposures (information code 34010, 2011-12-31;
 * resources/samples/eba-2011-sovereign-holdings.csv) as a holdings panel: 90 banks (investors, type "bank") × the sovereign issuers
 * (assets, class "sovereign", currency of the issuer in 2011), EUR million, one report date. Rows for the total
 * ("TO") and for regional aggregates (codes with a digit, e.g. "A1", "E3") are left out; so are zero exposures.
 */
import Papa from 'papaparse';
import type { HoldingsPanel } from '../engines/holdings-panel';
import { ImportError } from './import-error';

const EURO_AREA_2011 = new Set([
  'AT',
  'BE',
  'CY',
  'DE',
  'EE',
  'ES',
  'FI',
  'FR',
  'GR',
  'IE',
  'IT',
  'LU',
  'MT',
  'NL',
  'PT',
  'SI',
  'SK',
]);
const NATIONAL_CURRENCY: Record<string, string> = {
  BG: 'BGN',
  CZ: 'CZK',
  DK: 'DKK',
  GB: 'GBP',
  HU: 'HUF',
  IS: 'ISK',
  JP: 'JPY',
  LI: 'CHF',
  LT: 'LTL',
  LV: 'LVL',
  NO: 'NOK',
  PL: 'PLN',
  RO: 'RON',
  SE: 'SEK',
  US: 'USD',
};

export const EBA_SOVEREIGN_FILE = 'eba-2011-sovereign-holdings.csv';

export function parseEbaSovereignHoldings(text: string, fileName = EBA_SOVEREIGN_FILE): HoldingsPanel {
  const rows = Papa.parse<string[]>(text.trim(), { skipEmptyLines: true }).data;
  const header = rows[0] ?? [];
  const countryColumn = header.indexOf('C_COUNTRY_CODE');
  const dateColumn = header.indexOf('INFO_DATE_CODE');
  const firstBank = header.indexOf('MEASURE_CODE') + 1;
  if (countryColumn < 0 || dateColumn < 0 || firstBank <= 0) {
    throw new ImportError(
      `${fileName}: expected the columns C_COUNTRY_CODE, INFO_DATE_CODE and MEASURE_CODE followed by one column per bank`,
    );
  }
  const banks = header.slice(firstBank);
  const issuers: string[] = [];
  const investor: number[] = [];
  const asset: number[] = [];
  const amount: number[] = [];
  let date = '';
  rows.slice(1).forEach((cells, k) => {
    const code = (cells[countryColumn] ?? '').trim();
    if (!/^[A-Z]{2}$/.test(code) || code === 'TO') return;
    const day = (cells[dateColumn] ?? '').trim();
    if (!/^\d{8}$/.test(day))
      throw new ImportError(`${fileName} row ${k + 2}: INFO_DATE_CODE "${day}" is not YYYYMMDD`, 'INFO_DATE_CODE');
    date = `${day.slice(0, 4)}-${day.slice(4, 6)}-${day.slice(6, 8)}`;
    const a = issuers.push(code) - 1;
    banks.forEach((bank, b) => {
      const value = Number(cells[firstBank + b]);
      if (!Number.isFinite(value) || value < 0)
        throw new ImportError(
          `${fileName} row ${k + 2}, column ${bank}: "${cells[firstBank + b]}" is not an exposure ≥ 0`,
          bank,
        );
      if (value > 0) {
        investor.push(b);
        asset.push(a);
        amount.push(value);
      }
    });
  });
  if (issuers.length === 0) throw new ImportError(`${fileName}: no sovereign rows`);
  const order = investor.map((_, k) => k).sort((x, y) => investor[x]! - investor[y]! || asset[x]! - asset[y]!);
  return {
    investors: banks.map((code) => ({ code, name: null, type: 'bank', style: null, aum: null })),
    assets: issuers.map((code) => ({
      code,
      name: null,
      class: 'sovereign',
      currency: EURO_AREA_2011.has(code) ? 'EUR' : (NATIONAL_CURRENCY[code] ?? null),
      amountOutstanding: null,
    })),
    snapshots: [
      {
        date,
        investor: Int32Array.from(order, (k) => investor[k]!),
        asset: Int32Array.from(order, (k) => asset[k]!),
        amount: Float64Array.from(order, (k) => amount[k]!),
      },
    ],
  };
}

/**
 * The real fire-sale instance: EBA 2011 banks × sovereign bonds (resources/samples/eba-2011-sovereign-holdings.csv,
 * gross direct exposures, code 34010, at 2011-12-31, million EUR) with linear price impact calibrated from average
 * daily trading volume (sovereign-average-daily-volume.csv, year 2011).
 *
 * Calibration: selling one day's average volume ADV_m moves the price of sovereign m by κ (default 0.25%, close to the 10 bp per 10 bn of sales of Greenwood, Landier & Thesmar 2015 for the larger markets), so the own
 * impact is B_mm = κ / ADV_m (p_m = 1 − B_mm ℓ_m). Issuers with a volume of their own: DE, ES, FR, IT, JP, GB, US;
 * the "Rest_of_the_world" volume is shared among the other issuers in proportion to the banks' total holdings of
 * each. Balance sheets: total exposure (TOT_EXP, code 33021) as total assets, equity (code 30011); other assets
 * o_n = total − sovereign holdings, liabilities L_n = total − equity, and a leverage target equal to each bank's
 * own pre-shock leverage (total / equity), as in Greenwood, Landier & Thesmar (2015). Banks without positive total
 * exposure or equity are left out (named in `excluded`). Shocks: a fraction in [0, 0.5%] of other assets lost (sovereigns are the only assets sold, so larger losses make most banks sell their whole sovereign book).
 */
import { FIRESALE_FORMAT, type FireSaleDocumentInput } from '../../src-shared/formats/firesale';
import { AppError } from '../../src-shared/errors';

const OWN_VOLUME = ['DE', 'ES', 'FR', 'IT', 'JP', 'GB', 'US'];

function splitCsvLine(line: string): string[] {
  return line.split(',').map((cell) => cell.trim().replace(/^"|"$/g, ''));
}

export interface EbaFireSaleOptions {
  /** Price fall caused by selling one average day's volume (a fraction). */
  impactPerDailyVolume: number;
  year: number;
}

export const DEFAULT_EBA_FIRESALE: EbaFireSaleOptions = { impactPerDailyVolume: 0.0025, year: 2011 };

export function ebaSovereignFireSale(
  holdingsCsv: string,
  volumeCsv: string,
  options: EbaFireSaleOptions = DEFAULT_EBA_FIRESALE,
): { document: FireSaleDocumentInput; excluded: string[]; volumes: Record<string, number> } {
  const lines = holdingsCsv.split(/\r?\n/).filter((line) => line.trim() !== '');
  const header = splitCsvLine(lines[0]!);
  const bankColumns = header.slice(7);
  const rowsOf = (name: string) =>
    lines
      .slice(1)
      .map(splitCsvLine)
      .filter((cells) => cells[0]!.split(/\s+/)[0] === name);
  const sovereignRows = rowsOf('SOV_EXP_DIRECT');
  const total = rowsOf('TOT_EXP')[0];
  const equity = rowsOf('EQUITY')[0];
  if (!total || !equity || sovereignRows.length === 0)
    throw new AppError(
      'invalid_input',
      'holdings file: rows SOV_EXP_DIRECT, TOT_EXP and EQUITY are required',
      'holdings',
    );
  const number = (cells: string[], column: number, what: string) => {
    const value = Number(cells[7 + column]);
    if (!Number.isFinite(value))
      throw new AppError(
        'invalid_input',
        `holdings file: ${what}, bank ${bankColumns[column]}: "${cells[7 + column]}" is not a number`,
        bankColumns[column],
      );
    return value;
  };
  const assets = sovereignRows.map((cells) => cells[3]!);
  const excluded: string[] = [];
  const banks: FireSaleDocumentInput['banks'] = [];
  const holdings: FireSaleDocumentInput['holdings'] = [];
  const heldTotal = new Map<string, number>();
  bankColumns.forEach((bank, column) => {
    const totalExposure = number(total, column, 'TOT_EXP');
    const bankEquity = number(equity, column, 'EQUITY');
    if (!(totalExposure > 0) || !(bankEquity > 0)) {
      excluded.push(bank);
      return;
    }
    let sovereign = 0;
    sovereignRows.forEach((cells, m) => {
      const units = Math.max(0, number(cells, column, `SOV_EXP_DIRECT ${assets[m]}`));
      if (units <= 0) return;
      sovereign += units;
      holdings.push({ bank, asset: assets[m]!, units });
      heldTotal.set(assets[m]!, (heldTotal.get(assets[m]!) ?? 0) + units);
    });
    banks.push({
      id: bank,
      liabilities: totalExposure - bankEquity,
      otherAssets: Math.max(0, totalExposure - sovereign),
      cash: 0,
      maxLeverage: Math.max(1.01, totalExposure / bankEquity),
    });
  });
  const volumeRows = volumeCsv
    .split(/\r?\n/)
    .slice(1)
    .filter((line) => line.trim() !== '')
    .map(splitCsvLine);
  const volumeOf = (country: string) => {
    const row = volumeRows.find((cells) => cells[0] === country && Number(cells[1]) === options.year);
    if (!row) throw new AppError('invalid_input', `volume file: no ${options.year} volume for ${country}`, 'volume');
    return Number(row[2]);
  };
  const rest = assets.filter((asset) => !OWN_VOLUME.includes(asset));
  const restHeld = rest.reduce((sum, asset) => sum + (heldTotal.get(asset) ?? 0), 0);
  const restVolume = volumeOf('Rest_of_the_world');
  const volumes: Record<string, number> = {};
  for (const asset of assets) {
    volumes[asset] = OWN_VOLUME.includes(asset)
      ? volumeOf(asset)
      : (restVolume * (heldTotal.get(asset) ?? 0)) / Math.max(restHeld, 1e-12);
  }
  const held = assets.filter((asset) => (heldTotal.get(asset) ?? 0) > 0 && volumes[asset]! > 0);
  return {
    document: {
      format: FIRESALE_FORMAT,
      name: `EBA 2011 sovereign holdings (${banks.length} banks × ${held.length} sovereigns), impact ${options.impactPerDailyVolume * 100}% per ADV`,
      unit: 'EUR million',
      banks,
      assets: held.map((id) => ({ id, impact: options.impactPerDailyVolume / volumes[id]! })),
      holdings: holdings.filter((h) => held.includes(h.asset)),
      inverseDemand: { form: 'linear', crossImpact: [] },
      strategy: 'leverage-target',
      shocks: { channel: 'other-assets', low: 0, high: 0.005 },
    },
    excluded,
    volumes,
  };
}

/**
 * The SEC Form 13F information table (EDGAR XML, namespace …/thirteenf/informationtable): one `infoTable` per
 * security line of one filer — nameOfIssuer, titleOfClass, cusip, value (US dollars; thousands before 2023),
 * shrsOrPrnAmt/sshPrnamt. The table names neither the filer nor the period, so the caller gives both. Lines of the
 * same CUSIP (several managers or discretion types) are summed into one position; put and call lines are options,
 * not holdings, and are left out and counted. Rows go through the holdings row validation (`HoldingsRowSink`).
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { ImportError, quote } from './import-error';
import { readerValueText } from './value-text';

export interface ThirteenFLine {
  cusip: string;
  issuer: string;
  titleOfClass: string;
  value: number;
  shares: number | null;
}

const parser = new XMLParser({
  ignoreAttributes: true,
  removeNSPrefix: true,
  parseTagValue: false,
  isArray: (name) => name === 'infoTable',
});

export function parse13fInformationTable(xml: string, fileName: string): { lines: ThirteenFLine[]; options: number } {
  let document: { informationTable?: { infoTable?: Array<Record<string, unknown>> } };
  if (/<!ENTITY/i.test(xml)) throw new ImportError(`${fileName}: entity declarations (<!ENTITY) are not accepted`);
  const valid = XMLValidator.validate(xml);
  if (valid !== true) {
    throw new ImportError(
      `${fileName}: row ${valid.err.line}, column ${valid.err.col}: not well-formed XML (${valid.err.msg})`,
    );
  }
  try {
    document = parser.parse(xml) as typeof document;
  } catch (error) {
    throw new ImportError(`${fileName} is not XML: ${(error as Error).message}`);
  }
  const rows = document.informationTable?.infoTable;
  if (!rows)
    throw new ImportError(
      `${fileName}: no <informationTable> with <infoTable> entries (a 13F information table is expected)`,
    );
  const byCusip = new Map<string, ThirteenFLine>();
  let options = 0;
  rows.forEach((row, k) => {
    const text = (key: string) => readerValueText(row[key]).trim();
    if (text('putCall')) {
      options++;
      return;
    }
    const cusip = text('cusip').toUpperCase();
    const value = Number(text('value').replace(/,/g, ''));
    if (!/^[0-9A-Z]{9}$/.test(cusip))
      throw new ImportError(
        `${fileName}: infoTable ${k + 1}, cusip: not 9 letters or digits — ${quote(cusip)}`,
        'cusip',
      );
    if (!/^\d[\d,]*(\.\d+)?$/.test(text('value')) || !Number.isFinite(value) || value > 1e15) {
      throw new ImportError(
        `${fileName}: infoTable ${k + 1} (${cusip}), value: not a decimal amount between 0 and 1e15 — ${quote(text('value'))}`,
        'value',
      );
    }
    const amount = (row.shrsOrPrnAmt as Record<string, unknown> | undefined)?.sshPrnamt;
    const shares = amount === undefined ? null : Number(readerValueText(amount).replace(/,/g, ''));
    const line = byCusip.get(cusip);
    if (line) {
      line.value += value;
      line.shares = line.shares === null || shares === null ? null : line.shares + shares;
    } else {
      byCusip.set(cusip, { cusip, issuer: text('nameOfIssuer'), titleOfClass: text('titleOfClass'), value, shares });
    }
  });
  return { lines: [...byCusip.values()], options };
}

/** A small world input-output table in the layout of WIOT2014_Nov16_ROW.xlsx (WIOD 2016 release), built with exceljs. */
import ExcelJS from 'exceljs';

const COUNTRIES = ['AUS', 'DEU'];
const SECTORS = [
  { code: 'A01', description: 'Crop and animal production' },
  { code: 'C29', description: 'Manufacture of motor vehicles' },
  { code: 'T', description: 'Activities of households as employers' },
];
const FINAL = ['CONS_h', 'GFCF'];

/** Flows among the 6 country–sectors (row = supplier, column = user), one negative entry at (0, 1). */
export function flows(): number[][] {
  return Array.from({ length: 6 }, (_, i) =>
    Array.from({ length: 6 }, (_, j) =>
      i === 0 && j === 1 ? -4 : SECTORS[j % 3]!.code === 'T' ? 0.1 : 3 + ((i * 7 + j * 5) % 11),
    ),
  );
}
export const VALUE_ADDED = [40, 55, 0.5, 35, 70, 0.2];

/** The workbook: 2 countries × 3 sectors (T has near-zero value added), 2 final-demand columns per country, GO. */
export async function syntheticWiot(overrides: (sheet: ExcelJS.Worksheet) => void = () => {}): Promise<Uint8Array> {
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet('2014');
  const sectorColumns = COUNTRIES.flatMap((country) => SECTORS.map((sector) => ({ country, ...sector })));
  const finalColumns = COUNTRIES.flatMap((country) => FINAL.map((code) => ({ country, code, description: code })));
  const columns = [...sectorColumns, ...finalColumns, { country: 'TOT', code: 'GO', description: 'Total output' }];
  sheet.addRow(['World Input-Output Table 2014']);
  sheet.addRow(['(millions of US$)']);
  sheet.addRow(['', '', '', '', ...columns.map((c) => c.code)]);
  sheet.addRow(['', '', '', '', ...columns.map((c) => c.description)]);
  sheet.addRow(['', '', '', '', ...columns.map((c) => c.country)]);
  sheet.addRow(['', '', '', '', ...columns.map((_, c) => `c${c + 1}`)]);
  const f = flows();
  const finalDemand = 20;
  const output = sectorColumns.map((_, j) => f.reduce((sum, row) => sum + Math.abs(row[j]!), 0) + VALUE_ADDED[j]!);
  sectorColumns.forEach((row, i) => {
    const total = f[i]!.reduce((a, b) => a + b, 0) + finalDemand * FINAL.length * COUNTRIES.length;
    sheet.addRow([
      row.code,
      row.description,
      row.country,
      `r${i + 1}`,
      ...f[i]!,
      ...finalColumns.map(() => finalDemand),
      total,
    ]);
  });
  const totals = (code: string, values: number[]) =>
    sheet.addRow([code, code, 'TOT', '', ...values, ...finalColumns.map(() => null), null]);
  totals(
    'II_fob',
    sectorColumns.map((_, j) => f.reduce((sum, row) => sum + row[j]!, 0)),
  );
  totals('VA', VALUE_ADDED);
  totals('GO', output);
  overrides(sheet);
  return new Uint8Array(await workbook.xlsx.writeBuffer());
}

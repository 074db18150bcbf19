/** A DataTable in an end-to-end test: a header click sorts it (again to reverse), and CSV saves it. */
import { readFileSync } from 'node:fs';
import type { Page } from '@playwright/test';
import { expect } from './support';

/** The first figure of a cell: '1,234', '98.123 %', '< 0.01 %', '12 s (…)', '2 min 05 s'; NaN for '—'. */
export function firstFigure(text: string): number {
  const minutes = /^(\d+) min (\d+) s/.exec(text);
  return minutes ? 60 * Number(minutes[1]) + Number(minutes[2]) : parseFloat(text.replace(/,/g, '').replace(/^< /, ''));
}

export interface SortedTable {
  testid: string;
  /** The header of the column sorted (its button's name). */
  header: RegExp;
  /** That column's place, from 1. */
  column: number;
  /** The CSV file's name before its run number ('Tail-sampling-run' for Tail-sampling-run-3.csv). */
  file: string;
  /** What the CSV's header row holds (labels with their units). */
  csvHeader: string;
}

/** Two clicks on the header sort the table largest first; its CSV download is named for it and carries its header. */
export async function expectSortsAndSaves(
  page: Page,
  { testid, header, column, file, csvHeader }: SortedTable,
): Promise<void> {
  const table = page.getByTestId(testid);
  await table.getByRole('button', { name: header }).click();
  await table.getByRole('button', { name: header }).click();
  await expect(table.locator('th[aria-sort="descending"]')).toHaveCount(1);
  const figures = (await table.locator(`tbody tr td:nth-child(${column})`).allInnerTexts())
    .map(firstFigure)
    .filter((v) => !Number.isNaN(v));
  expect(figures.length, `${testid} has figures`).toBeGreaterThan(0);
  expect(figures, `${testid} sorted, largest first`).toEqual([...figures].sort((a, b) => b - a));
  const download = page.waitForEvent('download');
  await page.getByTestId(`${testid}-csv`).click();
  const csv = await download;
  expect(csv.suggestedFilename()).toMatch(new RegExp(`^${file}-\\d+\\.csv$`));
  // the header row, after the classification marking's comment line
  expect(
    readFileSync(await csv.path(), 'utf8')
      .split(/\r?\n/)
      .find((line) => !line.startsWith('#')),
  ).toContain(csvHeader);
}

/**
 * Briefs of fire-sale equilibria (run kind "firesale"), saved by `firesales:simulate`: case study 1 at a milder
 * scenario and the EBA 2011 banks × sovereign bonds (90 × 37, so the tables are capped). The PDF and the DOCX hold
 * the key figures as the runs saved them, every page is drawn, and no internal identifier reaches the reader.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BriefSection, ComposedBrief } from '../../src-shared/briefs';
import { cellText, formatNumber, formatPercent, numberedBrief } from '../../src-shared/brief-format';
import type { FireSaleDocument } from '../../src-shared/formats/firesale';
import type { FireSaleRunResults } from '../../src-shared/results/fire-sales';
import { runs } from '../../src-main/store/repositories';
import { freshApp } from '../support/app';
import { tempDir } from '../support/fixtures';
import { composedBrief, inkPerPage, internalIdentifiers } from './support';

let app: ReturnType<typeof freshApp>;
let ids: { case1: number; eba: number };
let brief: ComposedBrief;
let pdf: string;
let docx: string;
let pdfPath: string;
const dir = tempDir();

async function simulated(
  name: 'case1-linear' | 'eba-2011',
  change: (doc: FireSaleDocument) => FireSaleDocument = (doc) => doc,
): Promise<number> {
  const loaded = await app.router.handle('firesales:example', { name });
  if (!loaded.ok) throw new Error(loaded.error.message);
  const saved = await app.router.handle('firesales:simulate', { system: change(loaded.value as FireSaleDocument) });
  if (!saved.ok) throw new Error(saved.error.message);
  return (saved.value as { runId: number }).runId;
}

beforeAll(async () => {
  app = freshApp();
  ids = {
    case1: await simulated('case1-linear', (doc) => ({
      ...doc,
      scenario: { liabilities: { 'bank 1': 0.62, 'bank 2': 0.62 } },
    })),
    eba: await simulated('eba-2011'),
  };
  ({ brief, pdf, docx, pdfPath } = await composedBrief(
    app,
    [ids.case1, ids.eba],
    'Fire-sale equilibria',
    dir.path,
    'fire-sales.pdf',
  ));
}, 240_000);
afterAll(async () => {
  await app?.dispose();
  dir.remove();
});

const results = (id: number) => runs.get(app.db, id).results as FireSaleRunResults;
const section = (id: number) => brief.sections.find((s) => s.runId === id)!;
const figure = (s: BriefSection, label: string) => s.keyFigures.find((f) => f.label === label)!;
const falls = (r: FireSaleRunResults) => r.prices.map((p, m) => (r.initialPrices[m]! - p) / r.initialPrices[m]!);

describe('a brief of fire-sale equilibria', () => {
  it('has a section of its own per run, its key figures those the run saved', () => {
    for (const id of [ids.case1, ids.eba]) {
      const r = results(id);
      const s = section(id);
      expect(s.heading).toMatch(new RegExp(`^Fire-sale equilibrium — run #${id}, `));
      expect(figure(s, 'Total loss from the fire sale').value).toBe(r.totalLoss);
      expect(figure(s, 'Banks in default (equity ≤ 0)').value).toBe(r.defaulted.filter(Boolean).length);
      expect(figure(s, 'Largest price fall').value).toBe(Math.max(...falls(r)));
      expect(figure(s, 'Units sold in all').value).toBeCloseTo(
        r.assetLiquidations.reduce((a, b) => a + b, 0),
        9,
      );
      expect(figure(s, 'Rounds to converge').value).toBe(r.iterations);
      // the summary states the decision-relevant result in figures with their units
      expect(s.summary).toContain(
        `${figure(s, 'Total loss from the fire sale').text} ${r.unit.replace(/ \(.*\)$/, '')} in all`,
      );
      expect(s.summary).toContain(formatPercent(Math.max(...falls(r)), 2));
      expect(s.summary).toContain(`${r.defaulted.filter(Boolean).length} of them`);
      expect(s.summary).toContain(`converged in ${r.iterations} rounds`);
    }
  });

  it('prints the key figures, prices and convergence in the PDF and the DOCX', () => {
    for (const id of [ids.case1, ids.eba]) {
      const r = results(id);
      const s = section(id);
      for (const f of s.keyFigures) {
        expect(pdf, `${f.label} in the PDF`).toContain(f.text);
        expect(docx, `${f.label} in the DOCX`).toContain(f.text);
      }
      const prices = s.tables.find((t) => t.title.startsWith('Prices before and after'))!;
      for (const row of prices.rows) {
        const m = r.assetIds.indexOf(row[0] as string);
        expect(row[2]).toBe(r.prices[m]);
        expect(pdf).toContain(
          `${row[0]} 1.0000 ${formatNumber(r.prices[m]!, 4)} ${formatNumber(100 * falls(r)[m]!, 2)}`,
        );
      }
      const convergence = s.tables.find((t) => t.title === 'Convergence of the fixed point')!;
      expect(convergence.rows.find((row) => row[0] === 'Rounds of the price iteration')![1]).toBe(
        `${r.iterations} steps`,
      );
      expect(convergence.rows.find((row) => row[0] === 'Converged')![1]).toBe(r.converged ? 'yes' : 'no');
      expect(pdf).toContain('Tolerance 1 × 10⁻¹²');
    }
    // case study 1 at liabilities 0.62: the greater root of p² − 1.45p + 0.465 = 0
    const b = 1.45;
    expect(results(ids.case1).prices[0]).toBeCloseTo((b + Math.sqrt(b * b - 4 * 0.465)) / 2, 9);
  });

  it('caps the tables of 90 banks and 37 assets and keeps every row for the annex', () => {
    const r = results(ids.eba);
    const s = section(ids.eba);
    const losses = s.tables.find((t) => t.title === 'Losses by bank (largest first)')!;
    expect(losses.rows).toHaveLength(25);
    expect(losses.annexRows).toHaveLength(r.bankIds.length);
    const largest = r.losses.indexOf(Math.max(...r.losses));
    expect(losses.rows[0]!.slice(0, 2)).toEqual([r.bankIds[largest], r.losses[largest]]);
    expect(losses.note).toContain('the annex (XLSX/CSV) lists all 90');
    const sold = s.tables.find((t) => t.title.startsWith('Units sold by each bank'))!;
    expect(sold.annexRows).toHaveLength(r.bankIds.length);
    expect((sold.annexRows ?? []).reduce((sum, row) => sum + (row[1] as number), 0)).toBeCloseTo(
      r.assetLiquidations.reduce((a, b) => a + b, 0),
      3,
    );
    // the liquidation matrix is printed per bank and asset where the assets are few
    const matrix = section(ids.case1).tables.find((t) => t.title.startsWith('Units sold by each bank'))!;
    expect(matrix.columns.map((c) => c.label)).toEqual(['Bank', 'asset 1', 'Total', 'Share of its holdings sold']);
    expect(s.charts.map((c) => c.title)).toEqual(['Price fall by asset', 'Prices over the rounds of the fixed point']);
  });

  it('holds the same tables in the DOCX as in the PDF', () => {
    for (const s of numberedBrief(brief).sections) {
      for (const table of s.tables) {
        expect(docx, table.title).toContain(table.title);
        for (const row of table.rows)
          for (const [j, cell] of row.entries()) expect(docx).toContain(cellText(cell, table.columns[j]?.digits));
      }
    }
  });

  it('draws every page and names nothing by an internal identifier', () => {
    const ink = inkPerPage(pdfPath);
    expect(ink.length).toBeGreaterThanOrEqual(4);
    for (const [i, share] of ink.entries()) expect(share, `page ${i + 1}`).toBeGreaterThan(0.002);
    expect(internalIdentifiers(pdf), 'PDF').toEqual([]);
    expect(internalIdentifiers(docx), 'DOCX').toEqual([]);
    for (const text of [pdf, docx]) expect(text).not.toMatch(/firesale\b|leverage-target|\d\.\d+e-\d/);
  });
});

/**
 * Briefs of the learning runs: the graph transformer (metrics against the baseline by split, investor group and
 * date) and the dual-network paper reproduction (Tables 2–7 with four significant digits beside the paper's values,
 * Figure 2, the Table 6 regression), read from saved runs made by the app's jobs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ComposedBrief } from '../../src-shared/briefs';
import { cellText, formatSignificant, numberedBrief } from '../../src-shared/brief-format';
import type { ReproductionReport } from '../../src-shared/results/fire-sales';
import type { GtMetrics } from '../../src-shared/results/graph-transformer';
import { runs } from '../../src-main/store/repositories';
import { freshApp } from '../support/app';
import { tempDir } from '../support/fixtures';
import { composedBrief, inkPerPage, internalIdentifiers } from './support';

let app: ReturnType<typeof freshApp>;
let gtRun: number;
let reproduceRun: number;
let brief: ComposedBrief;
let pdf: string;
let docx: string;
let pdfPath: string;
const dir = tempDir();

beforeAll(async () => {
  app = freshApp();
  const generated = await app.router.handle('holdings:generate', {
    kind: 'synthetic',
    investors: 30,
    assets: 60,
    dates: 4,
    positionsPerInvestor: 5,
    seed: 2,
  });
  if (!generated.ok) throw new Error(generated.error.message);
  const gt = await app.jobs.start('gt-train', {
    datasetId: (generated.value as { datasetId: number }).datasetId,
    backend: 'cpu',
    config: { hidden: 8, embedding: 4, layers: 1, heads: 1, keyDim: 4, categoryDim: 2 },
    training: { maxEpochs: 3, patience: 50, validationDates: 1, seed: 3 },
    stressIndex: [
      { date: '2015-06-30', value: 2.2 },
      { date: '2015-03-31', value: 0.1 },
    ],
  }).done;
  if (gt.status !== 'succeeded') throw new Error(gt.error);
  gtRun = gt.runId!;
  const reproduced = await app.jobs.start('idf-reproduce', {
    seed: 4,
    samples: 120,
    maxEpochs: 30,
    only: ['case1'],
    backend: 'cpu',
  }).done;
  if (reproduced.status !== 'succeeded') throw new Error(reproduced.error);
  reproduceRun = reproduced.runId!;
  ({ brief, pdf, docx, pdfPath } = await composedBrief(
    app,
    [gtRun, reproduceRun],
    'Learning runs',
    dir.path,
    'learning.pdf',
  ));
}, 300_000);
afterAll(async () => {
  await app?.dispose();
  dir.remove();
});

describe('briefs of learning runs', () => {
  it('print the graph transformer’s correlations against the baseline with four significant digits', () => {
    const m = runs.get(app.db, gtRun).results as GtMetrics;
    for (const value of [m.trade.validation.model, m.trade.validation.baseline, m.reconstruction.validation.model])
      expect(pdf).toContain(formatSignificant(value, 4));
    const byDate = brief.sections[0]!.tables.find((t) => t.title === 'Trade prediction by report date')!;
    expect(byDate.rows.map((row) => [row[0], row[2]])).toEqual(
      m.byDate.map((d) => [d.date, d.stressed === null ? 'no index' : d.stressed ? 'yes' : 'no']),
    );
  });

  it('print every reproduced value of the paper’s tables beside the published one, four significant digits', () => {
    const r = runs.get(app.db, reproduceRun).results as ReproductionReport;
    expect(r.rows.length).toBeGreaterThan(0);
    for (const row of r.rows) {
      if (row.measured !== null) expect(pdf).toContain(formatSignificant(row.measured, 4));
      if (row.published !== null) expect(pdf).toContain(formatSignificant(row.published, 4));
    }
    const section = brief.sections[1]!;
    expect(section.charts.map((c) => c.title)).toEqual([
      'Figure 2 of the paper: learned inverse demand against the truth',
    ]);
    expect(section.tables.find((t) => t.title === 'Table 3 of the paper, reproduced')!.note).toContain('0.9706');
  });

  it('have no internal identifier, the same tables in the DOCX, and no blank page', () => {
    expect(internalIdentifiers(pdf), 'PDF').toEqual([]);
    expect(internalIdentifiers(docx), 'DOCX').toEqual([]);
    for (const section of numberedBrief(brief).sections) {
      for (const table of section.tables) {
        expect(docx).toContain(table.title);
        for (const row of table.rows)
          for (const [j, cell] of row.entries())
            expect(docx).toContain(cellText(cell, table.columns[j]?.digits).replace(/\s+/g, ' '));
      }
    }
    for (const share of inkPerPage(pdfPath)) expect(share).toBeGreaterThan(0.002);
  });

  it('name the training backends in words: no backend or package identifier, the device and the facts kept', () => {
    for (const section of brief.sections) {
      const backend = section.provenance.find((p) => p.label === 'Training backend')!.value;
      expect(backend).toMatch(/^CPU \(plain JavaScript\) on .+\(\d+ threads?\)/);
      expect(backend).not.toMatch(/\b(wasm|webgpu|cpu|tensorflow)\b|@tensorflow|tfjs/);
    }
    expect(brief.software.learningBackend).not.toMatch(/\b(wasm|webgpu|cpu|tensorflow)\b|@tensorflow|tfjs/);
    for (const text of [pdf, docx]) expect(text).not.toMatch(/@tensorflow|\btfjs\b|\bwasm\b/);
  });
});

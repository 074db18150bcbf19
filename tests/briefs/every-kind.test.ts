/**
 * A brief of eight runs, one of each kind a committee sees (stress test, reconstruction, intervention, bailout,
 * fire-sale model, capital, policy lab, fire-sale equilibrium), read as the committee reads it: the words (no internal names), the
 * figures (equal to each run's saved results), the DOCX (the same tables) and the layout (contents, numbering,
 * no heading last on a page, no page under a third full but a section's last).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ComposedBrief } from '../../src-shared/briefs';
import { cellText, formatNumber, formatSignificant, numberedBrief, summaryBlocks } from '../../src-shared/brief-format';
import type { CapitalRunResults } from '../../src-shared/results/capital';
import type { DualNetworkRunResults, FireSaleRunResults } from '../../src-shared/results/fire-sales';
import type { EconomyInterventionResults, InterbankBailoutResults } from '../../src-shared/results/intervention';
import type { PolicyLabResult } from '../../src-shared/results/policy';
import type { ReconstructionRunResults } from '../../src-shared/results/reconstruction';
import type { StressRunResults } from '../../src-shared/results/stress';
import { composeBrief } from '../../src-main/io/briefs/compose';
import { renderBrief } from '../../src-main/io/briefs/render';
import { runs } from '../../src-main/store/repositories';
import { freshApp } from '../support/app';
import { tempDir } from '../support/fixtures';
import {
  docxText as docxTextOf,
  fillPerPage,
  inkPerPage,
  internalIdentifiers,
  pdfPageLines,
  savedStressRun,
  sevenRuns,
  SEVEN_KINDS,
} from './support';

let app: ReturnType<typeof freshApp>;
let ids: Record<(typeof SEVEN_KINDS)[number], number>;
let brief: ComposedBrief;
let pages: Array<Array<{ text: string; top: number }>>;
let pdfText: string;
let docxText: string;
let pdfPath: string;
const dir = tempDir();

beforeAll(async () => {
  app = freshApp();
  ids = await sevenRuns(app);
  brief = await composeBrief(app.db, {
    runIds: SEVEN_KINDS.map((kind) => ids[kind]),
    title: 'Seven runs',
    marking: 'CONFIDENTIAL — supervisory use',
  });
  const pdf = await renderBrief(brief, 'pdf');
  pdfPath = join(dir.path, 'seven.pdf');
  writeFileSync(pdfPath, pdf);
  pages = await pdfPageLines(pdf);
  pdfText = pages.map((lines) => lines.map((l) => l.text).join('\n')).join('\n');
  docxText = await docxTextOf(await renderBrief(brief, 'docx'));
}, 240_000);
afterAll(async () => {
  await app?.dispose();
  dir.remove();
});

const results = <T>(kind: (typeof SEVEN_KINDS)[number]) => runs.get(app.db, ids[kind]).results as T;
/** Text as the PDF extracts it: words may be split over lines, so compare with whitespace collapsed. */
const flat = (text: string) => text.replace(/\s+/g, ' ');

describe('a brief of every run kind', () => {
  it('has no internal identifier in the PDF or the DOCX: no camelCase, no snake_case, no job kind or method id', () => {
    expect(internalIdentifiers(pdfText), 'PDF').toEqual([]);
    expect(internalIdentifiers(docxText), 'DOCX').toEqual([]);
  });

  it('prints each kind’s key figures as the run saved them', () => {
    const text = flat(pdfText);
    const stress = results<StressRunResults>('stress');
    const reconstruction = results<ReconstructionRunResults>('reconstruct');
    const economy = results<EconomyInterventionResults>('intervention');
    const bailout = results<InterbankBailoutResults>('bailout');
    const model = results<DualNetworkRunResults>('idf-train');
    const capital = results<CapitalRunResults>('capital');
    const policy = results<PolicyLabResult>('policy');
    const fireSale = results<FireSaleRunResults>('firesale');
    const expected = [
      formatNumber(stress.expectedLoss, 1),
      formatNumber(stress.lossRatio!, 4),
      ...reconstruction.outcomes.map(
        (o) =>
          `${formatNumber(o.evaluation.expectedLoss, 2)} ± ${formatNumber(o.evaluation.expectedLossStandardError, 2)}`,
      ),
      `from ${economy.display.failedBefore} to ${economy.display.failedAfter}`,
      `${formatNumber(economy.study.chosen.failedAfter.mean, 2)} ± ${formatNumber(economy.study.chosen.failedAfter.halfWidth, 2)}`,
      formatNumber(economy.display.spent, 2),
      `leaves ${bailout.display.failedAfter} in default`,
      formatNumber(bailout.display.spent, 2),
      formatSignificant(model.metrics.mseProposed, 4),
      ...model.metrics.liquidationCorrelation.map((c) => formatSignificant(c!, 4)),
      formatNumber(100 * capital.noCapital.statistic, 3),
      `${formatNumber(policy.welfare.full.welfare, 4)} ± ${formatNumber(policy.welfare.full.welfareStandardError!, 4)}`,
      `converged in ${fireSale.iterations} rounds`,
      formatNumber(100 * (1 - Math.min(...fireSale.prices)), 2),
    ];
    for (const value of expected) expect(text).toContain(value);
    // the reconstructed networks drawn as liability heatmaps, worst case and maximum entropy on one colour scale
    const reconstructionCharts = brief.sections.find((s) => s.runId === ids.reconstruct)!.charts;
    expect(reconstructionCharts.map((c) => c.title)).toEqual([
      'Loss distributions of the reconstructed networks',
      'Liabilities of the worst case network',
      'Liabilities of the maximum entropy network',
    ]);
    const largest = Math.max(
      ...reconstruction.outcomes
        .filter((o) => o.objective !== 'best')
        .flatMap((o) => o.document.liabilities.map((l) => l.amount)),
    );
    for (const chart of reconstructionCharts.slice(1)) expect(chart.svg).toContain(formatNumber(largest, 0));
    // correlations with four significant digits, not two decimals
    expect(formatSignificant(0.99571, 4)).toBe('0.9957');
  });

  it('ranks whom to support with each payment, its share and the failures it averts, within what all payments avert', () => {
    const economy = results<EconomyInterventionResults>('intervention');
    const section = brief.sections.find((s) => s.runId === ids.intervention)!;
    const table = section.tables.find((t) => t.title === 'Whom to support and how much')!;
    const paid = economy.display.nodes.filter((n) => n.payment > 0).sort((a, b) => b.payment - a.payment);
    expect(table.rows.map((row) => row[0])).toEqual(paid.map((n) => n.id));
    const column = (label: string) => table.columns.findIndex((c) => c.label === label);
    table.rows.forEach((row, i) => {
      expect(row[column('Payment')]).toBe(paid[i]!.payment);
      expect(row[column('Share of the amount spent')]).toBeCloseTo((100 * paid[i]!.payment) / economy.display.spent, 9);
      const averted = row[column('Failures averted by this payment')] as number;
      // the cascade is monotone in the thresholds: one payment withdrawn undoes at most what all of them avert
      expect(averted).toBeGreaterThanOrEqual(0);
      expect(averted).toBeLessThanOrEqual(economy.display.failedBefore - economy.display.failedAfter);
    });
    const shares = table.rows.reduce((sum, row) => sum + (row[column('Share of the amount spent')] as number), 0);
    expect(shares).toBeCloseTo(100, 6);
    const methods = section.tables.find((t) => t.title.startsWith('The method against the baselines'))!;
    expect(methods.rows.map((row) => row[0])).toEqual([
      'DiscountFrac adapted to costs',
      'DiscountFrac (published)',
      'Baseline: largest first',
      'Baseline: first layer of defaults',
    ]);
  });

  it('holds the same tables in the DOCX as in the PDF', () => {
    const text = flat(docxText);
    for (const section of numberedBrief(brief).sections) {
      expect(text).toContain(section.heading);
      for (const table of section.tables) {
        expect(text, table.title).toContain(table.title);
        expect(flat(pdfText), table.title).toContain(flat(table.title).slice(0, 40));
        for (const row of table.rows)
          for (const [j, cell] of row.entries()) expect(text).toContain(cellText(cell, table.columns[j]?.digits));
      }
    }
  });

  it('renders every page non-blank, with a contents page whose page numbers point at the sections', () => {
    const ink = inkPerPage(pdfPath);
    expect(ink).toHaveLength(pages.length);
    for (const [i, share] of ink.entries()) expect(share, `page ${i + 1}`).toBeGreaterThan(0.002);
    const numbered = numberedBrief(brief);
    const first = pages[0]!.map((l) => l.text);
    for (const section of numbered.sections) {
      const entry = first.find((line) => line.startsWith(section.heading.slice(0, 40)));
      expect(entry, section.heading).toBeDefined();
      const page = Number(/(\d+)$/.exec(entry!)![1]);
      expect(
        pages[page - 1]!.some((l) => l.text.startsWith(section.heading.slice(0, 40))),
        `${section.heading} on page ${page}`,
      ).toBe(true);
    }
    // figures and tables numbered through the brief
    const captions = numbered.sections.flatMap((s) =>
      [...(s.network ? [s.network] : []), ...s.charts].map((c) => c.title),
    );
    captions.forEach((title, i) => expect(title.startsWith(`Figure ${i + 1}. `)).toBe(true));
  });

  it('never ends a page with a heading, and fills every page at least a third but a section’s last', () => {
    const numbered = numberedBrief(brief);
    const headings = [
      'Contents',
      'Executive summary',
      'Appendix: method and provenance',
      ...numbered.sections.flatMap((s) => [
        s.heading,
        ...(s.network ? [s.network.title] : []),
        ...s.charts.map((c) => c.title),
        ...s.tables.map((t) => t.title),
      ]),
    ].map((h) => h.slice(0, 30));
    const subheading = /^\d+\.\d+ (Scenario and data|Charts|Tables)$/;
    for (const [i, lines] of pages.entries()) {
      const body = lines.filter((l) => l.top > 64 && l.top < 842 - 64);
      const last = body.at(-1)!.text;
      expect(
        headings.some((h) => last.startsWith(h)) || subheading.test(last),
        `page ${i + 1} ends with "${last}"`,
      ).toBe(false);
    }
    const contents = pages[0]!
      .map((l) => /(\d+)$/.exec(l.text))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => Number(m[1]));
    const starts = new Set(contents);
    const fill = fillPerPage(pdfPath);
    for (const [i, share] of fill.entries()) {
      const lastOfSection = starts.has(i + 2) || i === fill.length - 1;
      if (!lastOfSection) expect(share, `page ${i + 1}`).toBeGreaterThanOrEqual(1 / 3);
    }
  });
});

describe('runs of the same kind', () => {
  it('are compared side by side in one table of the executive summary', async () => {
    const second = await savedStressRun(app, runs.get(app.db, ids.stress).networkVersionId!);
    const two = await composeBrief(app.db, {
      runIds: [ids.stress, second, ids.policy],
      title: 'Two stress tests',
      marking: 'CONFIDENTIAL',
    });
    const blocks = summaryBlocks(two);
    expect(blocks).toHaveLength(2);
    const [stress] = blocks;
    expect(stress!.paragraphs).toHaveLength(2);
    expect(stress!.table.columns.map((c) => c.label)).toEqual([
      'Figure',
      'Unit',
      `Run #${ids.stress}`,
      `Run #${second}`,
    ]);
    const loss = stress!.table.rows.find((row) => row[0] === 'Expected system loss E[L]')!;
    for (const [k, id] of [ids.stress, second].entries()) {
      expect(String(loss[2 + k])).toContain(
        formatNumber((runs.get(app.db, id).results as StressRunResults).expectedLoss, 1),
      );
    }
  });
});

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import JSZip from 'jszip';
import Papa from 'papaparse';
import { afterEach, describe, expect, it } from 'vitest';
import type { BriefSummary, ComposedBrief } from '../../src-shared/briefs';
import type { ExportedFile } from '../../src-shared/contract';
import type { PolicyLabResult } from '../../src-shared/results/policy';
import type { StressRunResults } from '../../src-shared/results/stress';
import { toClearingSystem } from '../../src-main/engines/network-arrays';
import { runStressBatch, summariseStress } from '../../src-main/engines/stress';
import { composeBrief } from '../../src-main/io/briefs/compose';
import { cellText, formatNumber, withoutEmptyColumns } from '../../src-shared/brief-format';
import { renderBrief } from '../../src-main/io/briefs/render';
import { briefs } from '../../src-main/store/briefs';
import { runs } from '../../src-main/store/repositories';
import { freshApp } from '../support/app';
import { tempDir } from '../support/fixtures';
import { importNetwork, inkPerPage, pdfPageTexts, savedStressRun, sixBanks, STRESS_PARAMS } from './support';

let app: ReturnType<typeof freshApp>;
const dirs: Array<{ remove(): void }> = [];
afterEach(async () => {
  await app?.dispose();
  dirs.splice(0).forEach((d) => d.remove());
});

const MARKING = 'SECRET — committee only';

async function stressBrief() {
  app = freshApp();
  const versionId = await importNetwork(app, sixBanks());
  const runId = await savedStressRun(app, versionId);
  const brief = await composeBrief(app.db, { runIds: [runId], title: 'Six-bank stress brief', marking: MARKING });
  return { runId, brief };
}

/** The same stress test computed directly with the engine, independent of the job, the store and the brief. */
function engineSummary() {
  const system = toClearingSystem(sixBanks());
  return summariseStress(
    runStressBatch(system, STRESS_PARAMS.shockModel, STRESS_PARAMS.seed, 0, STRESS_PARAMS.samples),
    sixBanks(),
  );
}

describe('brief of a stress run', () => {
  it('has the key figures of the engine, the largest contributors first, and the provenance of the run', async () => {
    const { runId, brief } = await stressBrief();
    const direct = engineSummary();
    const [section] = brief.sections;
    expect(section!.kind).toBe('stress');
    const figure = (label: string) => section!.keyFigures.find((f) => f.label.startsWith(label))!;
    expect(figure('Expected system loss').value).toBeCloseTo(direct.expectedLoss, 9);
    expect(figure('Expected system loss').text).toBe(formatNumber(direct.expectedLoss, 1));
    expect(figure('Loss ratio').value).toBeCloseTo(direct.lossRatio!, 12);
    expect(figure('Value at risk, 99%').value).toBeCloseTo(direct.lossQuantiles['0.99'], 9);
    const contributors = section!.tables.find((t) => t.title.includes('loss contributors'))!;
    const expectedOrder = Object.entries(direct.lossContribution)
      .sort((a, b) => b[1] - a[1])
      .map(([id]) => id);
    expect(contributors.rows.map((row) => row[0])).toEqual(expectedOrder);
    // Contributions add up to E[L] (Glasserman–Young decomposition).
    const total = contributors.rows.reduce((sum, row) => sum + (row[3] as number), 0);
    expect(total).toBeCloseTo(direct.expectedLoss, 6);
    const provenance = Object.fromEntries(section!.provenance.map((p) => [p.label, p.value]));
    expect(provenance.Seed).toBe(String(STRESS_PARAMS.seed));
    expect(provenance['Dataset file SHA-256']).toMatch(/^[0-9a-f]{64}$/);
    expect(provenance['Network version SHA-256']).toMatch(/^[0-9a-f]{64}$/);
    expect(provenance['TensorFlow.js backend of the run']).toMatch(/none/);
    expect(brief.asOf).toBe(runs.get(app.db, runId).startedAt);
    // Charts are vector drawings; the network picture has one dot per bank.
    expect(section!.charts.map((c) => c.title)).toEqual([
      'Loss distribution',
      'Number of defaults',
      'Largest contributions to the expected loss',
    ]);
    for (const chart of section!.charts) expect(chart.svg).toMatch(/^<svg[^>]*>.*<path/s);
    expect(section!.network!.svg.match(/<circle /g)!.length).toBe(6 + 2); // six banks, two legend dots
  });

  it('renders a PDF whose text has the figures and the marking on every page, whose pages are not blank, byte for byte reproducible', async () => {
    const { brief } = await stressBrief();
    const pdf = await renderBrief(brief, 'pdf');
    expect(Buffer.from(pdf.subarray(0, 5)).toString('latin1')).toBe('%PDF-');
    const pages = await pdfPageTexts(pdf);
    expect(pages.length).toBeGreaterThanOrEqual(4);
    for (const [index, text] of pages.entries()) {
      expect(text.split(MARKING).length - 1, `page ${index + 1}`).toBeGreaterThanOrEqual(2);
      expect(text).toContain(`page ${index + 1} of ${pages.length}`);
    }
    const all = pages.join('\n');
    const direct = engineSummary();
    for (const value of [
      formatNumber(direct.expectedLoss, 1),
      formatNumber(direct.lossRatio!, 4),
      formatNumber(direct.lossQuantiles['0.99'], 1),
      formatNumber(direct.nvi!, 4),
    ]) {
      expect(all).toContain(value);
    }
    expect(all).toContain('Appendix: method and provenance');
    expect(all).toContain('Six banks v1');

    const dir = tempDir();
    dirs.push(dir);
    const file = join(dir.path, 'brief.pdf');
    writeFileSync(file, pdf);
    const ink = inkPerPage(file);
    expect(ink).toHaveLength(pages.length);
    for (const share of ink) expect(share).toBeGreaterThan(0.002);
    // Chart pages carry far more ink than the marking alone.
    expect(Math.max(...ink)).toBeGreaterThan(0.02);

    expect(
      Buffer.from(
        await renderBrief(
          await composeBrief(app.db, { runIds: brief.runIds, title: brief.title, marking: brief.marking }),
          'pdf',
        ),
      ).equals(Buffer.from(pdf)),
    ).toBe(true);
  });

  it('renders a valid DOCX with the tables, the marking in header and footer, native charts with their data, and the network as SVG', async () => {
    const { brief } = await stressBrief();
    const zip = await JSZip.loadAsync(await renderBrief(brief, 'docx'));
    const document = await zip.file('word/document.xml')!.async('string');
    expect(document.match(/<w:tbl>/g)!.length).toBeGreaterThanOrEqual(4);
    const contributors = brief.sections[0]!.tables.find((t) => t.title.includes('loss contributors'))!;
    for (const row of contributors.rows) expect(document).toContain(`<w:t xml:space="preserve">${row[0]}</w:t>`);
    expect(document).toContain(brief.sections[0]!.keyFigures[0]!.text);
    const headers = await Promise.all(
      Object.keys(zip.files)
        .filter((f) => /^word\/(header|footer)\d*\.xml$/.test(f))
        .map((f) => zip.file(f)!.async('string')),
    );
    expect(headers.filter((xml) => xml.includes(MARKING)).length).toBeGreaterThanOrEqual(2);
    const media = Object.keys(zip.files).filter((f) => f.startsWith('word/media/'));
    expect(media.filter((f) => f.endsWith('.svg'))).toHaveLength(1);
    const charts = Object.keys(zip.files)
      .filter((f) => /^word\/charts\/chart\d+\.xml$/.test(f))
      .sort();
    expect(charts).toHaveLength(brief.sections[0]!.charts.length);
    // The contributions chart carries its values, editable in Word (largest contributor's value in the chart part).
    const contributionsXml = await Promise.all(charts.map((f) => zip.file(f)!.async('string')));
    const largest = contributors.rows[0]![3] as number;
    expect(contributionsXml.some((xml) => xml.includes(`<c:v>${largest}</c:v>`))).toBe(true);
    expect(await zip.file('[Content_Types].xml')!.async('string')).toContain('wordprocessingml.document.main+xml');
  });

  it('writes the annex: every table row in the XLSX and the CSV, with the run values', async () => {
    const { brief } = await stressBrief();
    const results = runs.get(app.db, brief.runIds[0]!).results as StressRunResults;
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(Buffer.from(await renderBrief(brief, 'xlsx')) as unknown as ArrayBuffer);
    const sheet = workbook.worksheets.find((s) => s.name.includes('loss contributors'))!;
    expect(sheet.getCell('A1').value).toBe(MARKING);
    const rows = sheet.getSheetValues().slice(4) as unknown[][];
    expect(rows).toHaveLength(6);
    for (const row of rows) expect(row[4]).toBeCloseTo(results.lossContribution[row[1] as string]!, 9);

    const csv = Buffer.from(await renderBrief(brief, 'csv')).toString('utf8');
    expect(csv.split('\n')[0]).toBe(`# ${MARKING}`);
    const parsed = Papa.parse<Record<string, string>>(csv, { header: true, comments: '#', skipEmptyLines: true });
    expect(parsed.errors).toEqual([]);
    const contributions = parsed.data.filter(
      (r) => r.table!.includes('loss contributors') && r.column === 'Contribution to E[L]',
    );
    expect(contributions).toHaveLength(6);
    expect(contributions.reduce((s, r) => s + Number(r.value), 0)).toBeCloseTo(results.expectedLoss, 6);
  });

  it('exports through the API, saves the brief, downloads the same bytes, and refuses bad requests without saving', async () => {
    const { runId } = await stressBrief();
    const exported = await app.router.handle('briefs:export', { runIds: [runId], title: 'API brief', format: 'pdf' });
    expect(exported.ok).toBe(true);
    const { brief, file } = (exported as { ok: true; value: { brief: BriefSummary; file: ExportedFile } }).value;
    expect(brief).toMatchObject({ title: 'API brief', runIds: [runId], format: 'pdf' });
    expect(file.fileName).toBe(`api-brief-runs-${runId}.pdf`);
    const pages = await pdfPageTexts(Buffer.from(file.content, 'base64'));
    expect(pages.every((text) => text.includes('CONFIDENTIAL — supervisory use'))).toBe(true);
    const listed = await app.router.handle('briefs:list', {});
    expect(listed).toMatchObject({
      ok: true,
      value: [{ id: brief.id, bytes: Buffer.from(file.content, 'base64').length }],
    });
    expect(await app.router.handle('briefs:download', { id: brief.id })).toMatchObject({
      ok: true,
      value: { content: file.content },
    });

    const before = briefs.list(app.db).length;
    expect(await app.router.handle('briefs:export', { runIds: [999], title: 'x', format: 'pdf' })).toMatchObject({
      ok: false,
      error: { code: 'not_found' },
    });
    expect(await app.router.handle('briefs:export', { runIds: [runId], title: ' ', format: 'pdf' })).toMatchObject({
      ok: false,
      error: { code: 'invalid_input', field: 'title' },
    });
    expect(await app.router.handle('briefs:export', { runIds: [runId], title: 'x', format: 'odt' })).toMatchObject({
      ok: false,
      error: { code: 'invalid_input', field: 'format' },
    });
    expect(await app.router.handle('briefs:compose', { runIds: [], title: 'x' })).toMatchObject({
      ok: false,
      error: { code: 'invalid_input', field: 'runIds' },
    });
    expect(briefs.list(app.db).length).toBe(before);
  });
});

describe('brief of a run kind without its own provider (a kind the brief does not know)', () => {
  it('shows numbers as figures, maps as ranked tables, records as tables, parameters in the provenance', async () => {
    app = freshApp();
    const versionId = await importNetwork(app, sixBanks());
    const runId = runs.insertFinished(app.db, {
      kind: 'support-study',
      method: 'DiscountFrac, budget 50',
      networkVersionId: versionId,
      params: { versionId, budget: 50, method: 'discountfrac' },
      seed: null,
      status: 'succeeded',
      startedAt: '2026-01-02T03:04:05.000Z',
      durationMs: 12,
      softwareVersion: '0.1.0',
      results: {
        unit: 'EUR million',
        spent: 42.5,
        meanSquaredError: 2.5e-5,
        payments: { P1: 20, P2: 12.5, P3: 10, P4: 0 },
        failedBefore: ['P1', 'P2', 'P3'],
        failedAfter: ['P3'],
        budgetCurve: [
          { budget: 0, failures: 3 },
          { budget: 25, failures: 2 },
          { budget: 50, failures: 1 },
        ],
        samples: [
          { shocks: [1, 2], losses: [0, 3] },
          { shocks: [2, 1], losses: [1, 0] },
        ],
      },
    });
    const brief: ComposedBrief = await composeBrief(app.db, {
      runIds: [runId],
      title: 'Intervention',
      marking: MARKING,
    });
    const section = brief.sections[0]!;
    expect(section.heading).toMatch(/^Support study — run #/);
    expect(section.keyFigures).toEqual([
      expect.objectContaining({ label: 'Spent', value: 42.5, unit: 'EUR million' }),
      // a value that four decimals would round away is printed with its significant digits
      expect.objectContaining({ label: 'Mean squared error', value: 2.5e-5, text: '2.50e-5' }),
    ]);
    expect(cellText(0.004)).toBe('4.00e-3');
    expect(cellText(0.25)).toBe('0.25');
    expect(cellText(0)).toBe('0');
    const payments = section.tables.find((t) => t.title === 'Payments')!;
    expect(payments.rows).toEqual([
      ['P1', 20],
      ['P2', 12.5],
      ['P3', 10],
      ['P4', 0],
    ]);
    const curve = section.tables.find((t) => t.title === 'Budget curve')!;
    expect(curve.columns.map((c) => c.label)).toEqual(['Budget', 'Failures']);
    expect(curve.rows).toHaveLength(3);
    expect(section.scenario).toContain('Failed after (1): P3.');
    // Records holding only lists have nothing to print as columns: a line says where they are, no empty table.
    expect(section.tables.find((t) => t.title === 'Samples')).toBeUndefined();
    expect(section.scenario).toContain("Samples: 2 records of lists, in the run's data.");
    expect(section.provenance).toContainEqual({ label: 'Setting: Budget', value: '50' });
    expect(section.provenance).toContainEqual({ label: 'Seed', value: 'none (deterministic run)' });
    // The first list of failures is highlighted on the network: three red dots (plus the legend's).
    expect(section.network!.svg.match(/fill="#b42318"/g)!.length).toBe(3 + 1);
    const text = (await pdfPageTexts(await renderBrief(brief, 'pdf'))).join('\n');
    expect(text).toContain('42.5');
    expect(text).toContain('Payments');
  });

  it('refuses a run that did not succeed', async () => {
    app = freshApp();
    const runId = runs.insertFinished(app.db, {
      kind: 'stress',
      method: 'x',
      networkVersionId: null,
      params: {},
      seed: 1,
      status: 'failed',
      startedAt: '2026-01-01T00:00:00.000Z',
      durationMs: 1,
      softwareVersion: '0.1.0',
      results: null,
      error: 'boom',
    });
    await expect(composeBrief(app.db, { runIds: [runId], title: 't', marking: MARKING })).rejects.toThrow(
      /failed; a brief needs succeeded runs/,
    );
  });
});

describe('table helpers', () => {
  it('drops a column only when it is empty in every row, printed and annex alike', () => {
    const table = {
      title: 't',
      columns: [
        { label: 'Bank', numeric: false },
        { label: 'Name', numeric: false },
        { label: 'Loss', numeric: true },
      ],
      rows: [['A', '', 1]],
      annexRows: [
        ['A', '', 1],
        ['B', null, 2],
      ],
    };
    expect(withoutEmptyColumns(table)).toEqual({
      ...table,
      columns: [table.columns[0], table.columns[2]],
      rows: [['A', 1]],
      annexRows: [
        ['A', 1],
        ['B', 2],
      ],
    });
    const named = {
      ...table,
      annexRows: [
        ['A', '', 1],
        ['B', 'Bank B', 2],
      ],
    };
    expect(withoutEmptyColumns(named)).toBe(named);
    const empty = { ...table, rows: [], annexRows: [] };
    expect(withoutEmptyColumns(empty)).toBe(empty);
  });
});

describe('brief of a policy-lab run', () => {
  it('states every expected welfare, gain, value of a model and Δ(τ*) with ± its standard error, with the marking on every page', async () => {
    app = freshApp();
    const example = await app.router.handle('policy:example', {});
    if (!example.ok) throw new Error(example.error.message);
    const saved = await app.jobs.start('policy', { document: (example.value as { document: never }).document }).done;
    expect(saved.status, saved.error).toBe('succeeded');
    const runId = saved.runId!;
    const brief = await composeBrief(app.db, { runIds: [runId], title: 'Policy brief', marking: MARKING });
    const results = runs.get(app.db, runId).results as PolicyLabResult;
    const section = brief.sections[0]!;
    expect(section.kind).toBe('policy');
    const figure = (label: string) => section.keyFigures.find((f) => f.label === label)!;
    expect(figure('Expected welfare without intervention').value).toBe(results.welfare.baseline);
    expect(figure('Expected welfare without intervention').note).toBe(
      `± ${formatNumber(results.welfare.baselineStandardError!, 4)} (standard error)`,
    );
    expect(figure('Gain over no intervention, causal model').value).toBe(results.welfare.causal.gainOverNoIntervention);
    expect(figure('Gain over no intervention, causal model').note).toBe(
      `± ${formatNumber(results.welfare.causal.gainOverNoInterventionStandardError!, 4)} (standard error)`,
    );
    expect(figure('Regulatory cost Δ(τ*)').note).toMatch(/^± \S+ \(standard error\)$/);
    const valueOfPredictive = `${formatNumber(results.welfare.predictive.valueOfModel, 4)} ± ${formatNumber(results.welfare.predictive.valueOfModelStandardError!, 4)}`;
    expect(section.tables[0]!.rows[2]![3]).toBe(valueOfPredictive);
    const equilibrium = section.tables.find((t) => t.title.startsWith('Equilibrium at the central parameters'))!;
    const welfareRow = equilibrium.rows.at(-1)!;
    expect(welfareRow.slice(1)).toEqual([
      results.central.noIntervention.welfare,
      results.central.optimal.welfare,
      results.central.optimal.welfare - results.central.noIntervention.welfare,
    ]);
    expect(equilibrium.rows[1]!.slice(1, 3)).toEqual([
      results.central.noIntervention.price[0],
      results.central.optimal.price[0],
    ]);
    const terms = section.tables.find((t) => t.title.includes('Proposition 2'))!;
    expect(terms.rows.map((row) => row[1])).toEqual([
      results.welfare.predictive.meanTerm,
      results.welfare.predictive.covarianceTerm,
      results.welfare.predictive.valueOfModel,
    ]);
    const pages = await pdfPageTexts(await renderBrief(brief, 'pdf'));
    const text = pages.join(' ');
    expect(pages.every((page) => page.includes(MARKING))).toBe(true);
    expect(text).toContain(`Policy lab — ${results.name}, run #${runId}`);
    // the PDF prints "±" beside the figures: the key figure's note and the table cells
    expect(text).toContain(`± ${formatNumber(results.welfare.baselineStandardError!, 4)}`);
    expect(text).toContain(valueOfPredictive);
    expect(text).toContain(
      `${formatNumber(results.welfare.full.welfare, 4)} ± ${formatNumber(results.welfare.full.welfareStandardError!, 4)}`,
    );
  });
});

/**
 * Briefs benchmark: a brief of one stress run on the EBA 2011 network (87 banks, 7,482 liabilities, 20,000
 * scenarios): compose (section provider, Vega charts, network picture), then PDF, DOCX, XLSX and CSV; and a brief of
 * five runs; and a brief of seven runs, one of each kind a committee sees (tests/briefs/support.ts sevenRuns): compose
 * and preview (the composed brief as it travels to the screen, JSON there and back), target under 5 s, then its PDF.
 * Reference: a plain PDFKit document with the same key figures and tables as text only (no charts, no
 * network picture), so the ratio is the cost of the vector pictures.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cellText } from '../src-shared/brief-format';
import type { ComposedBrief } from '../src-shared/briefs';
import { createApp } from '../src-main/app';
import { composeBrief } from '../src-main/io/briefs/compose';
import { fontsDir } from '../src-main/io/briefs/fonts';
import { renderBrief } from '../src-main/io/briefs/render';
import { seedSamples } from '../src-main/api/samples';
import { sevenRuns } from '../tests/briefs/support';

const REPEATS = 3;

async function median<T>(work: () => Promise<T>): Promise<{ seconds: number; value: T }> {
  const times: number[] = [];
  let value!: T;
  for (let k = 0; k < REPEATS; k++) {
    const started = performance.now();
    value = await work();
    times.push((performance.now() - started) / 1000);
  }
  return { seconds: times.sort((a, b) => a - b)[Math.floor(REPEATS / 2)]!, value };
}

/** The plain reference: the same figures and tables written as text lines with PDFKit. */
async function plainPdf(brief: ComposedBrief): Promise<number> {
  const { default: PDFDocument } = await import('pdfkit');
  const doc = new PDFDocument({ size: 'A4' });
  doc.registerFont('Body', `${fontsDir()}DejaVuSans.ttf`);
  doc.font('Body').fontSize(9);
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<void>((resolve) => doc.on('end', () => resolve()));
  for (const section of brief.sections) {
    doc.text(section.summary);
    for (const f of section.keyFigures) doc.text(`${f.label}: ${f.text} ${f.unit}`);
    for (const table of section.tables)
      for (const row of table.rows) doc.text(row.map((cell) => cellText(cell)).join('  '));
  }
  doc.end();
  await done;
  return Buffer.concat(chunks).length;
}

export async function run(): Promise<Record<string, unknown>> {
  const dataDir = mkdtempSync(join(tmpdir(), 'cwb-bench-briefs-'));
  const app = createApp({ dataDir, transport: 'cli', key: randomBytes(32) });
  try {
    const [versionId] = seedSamples(app.db);
    // The seven-run brief first, in this fresh process: its first composition loads Vega, the fonts and the engines.
    const seven = Object.values(await sevenRuns(app));
    const sevenRequest = { runIds: seven, title: 'Seven runs', marking: 'CONFIDENTIAL — supervisory use' };
    const coldStarted = performance.now();
    JSON.parse(JSON.stringify(await composeBrief(app.db, sevenRequest)));
    const firstComposeSeconds = (performance.now() - coldStarted) / 1000;
    const runIds: number[] = [];
    for (let seed = 1; seed <= 5; seed++) {
      const final = await app.jobs.start('stress', {
        versionId,
        shockModel: { kind: 'uniform', maxFraction: 0.1 },
        samples: 20_000,
        seed,
      }).done;
      runIds.push(final.runId!);
    }
    const request = { runIds: [runIds[0]!], title: 'EBA 2011 stress brief', marking: 'CONFIDENTIAL — supervisory use' };
    const composed = await median(() => composeBrief(app.db, request));
    const brief = composed.value;
    const formats: Record<string, { seconds: number; bytes: number }> = {};
    for (const format of ['pdf', 'docx', 'xlsx', 'csv'] as const) {
      const rendered = await median(() => renderBrief(brief, format));
      formats[format] = { seconds: rendered.seconds, bytes: rendered.value.length };
    }
    const reference = await median(() => plainPdf(brief));
    const five = await median(async () => renderBrief(await composeBrief(app.db, { ...request, runIds }), 'pdf'));
    const preview = await median(
      async () => JSON.parse(JSON.stringify(await composeBrief(app.db, sevenRequest))) as ComposedBrief,
    );
    const sevenPdf = await median(() => renderBrief(preview.value, 'pdf'));
    return {
      network: '87 banks, 7,482 liabilities; stress runs of 20,000 scenarios',
      composeSeconds: composed.seconds,
      formats,
      plainTextPdf: { seconds: reference.seconds, bytes: reference.value },
      pdfOverPlainText: formats.pdf!.seconds / reference.seconds,
      fiveRunBriefPdf: { seconds: five.seconds, bytes: five.value.length },
      sevenKindsComposeAndPreview: {
        seconds: preview.seconds,
        firstSeconds: firstComposeSeconds,
        targetSeconds: 5,
        sections: preview.value.sections.length,
      },
      sevenKindsPdf: { seconds: sevenPdf.seconds, bytes: sevenPdf.value.length },
    };
  } finally {
    await app.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

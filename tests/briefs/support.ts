/** Brief test helpers: a small interbank network with a saved stress run, PDF text per page, page rendering. */
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { NETWORK_FORMAT, type NetworkDocument } from '../../src-shared/formats/network';
import { jobParamSchemas } from '../../src-shared/jobs';
import { ECONOMY_METHODS } from '../../src-shared/results/intervention';
import { RECONSTRUCTION_OBJECTIVE_NAMES } from '../../src-shared/results/reconstruction';
import type { AppContext } from '../../src-main/app';
import { tempDir, picked } from '../support/fixtures';

/** Six banks in two groups: a core pair with large mutual exposures and four periphery banks. */
export function sixBanks(): NetworkDocument {
  const node = (id: string, group: string, c: number, b: number) => ({
    id,
    name: `Bank ${id}`,
    group,
    outsideAssets: c,
    outsideLiabilities: b,
    totalAssets: c + 40,
  });
  return {
    format: NETWORK_FORMAT,
    name: 'Six banks',
    currency: 'EUR',
    unit: 'million',
    nodes: [
      node('C1', 'core', 200, 180),
      node('C2', 'core', 180, 165),
      node('P1', 'periphery', 60, 50),
      node('P2', 'periphery', 50, 42),
      node('P3', 'periphery', 40, 33),
      node('P4', 'periphery', 30, 24),
    ],
    liabilities: [
      { debtor: 'C1', creditor: 'C2', amount: 30 },
      { debtor: 'C2', creditor: 'C1', amount: 25 },
      { debtor: 'P1', creditor: 'C1', amount: 12 },
      { debtor: 'P2', creditor: 'C1', amount: 10 },
      { debtor: 'P3', creditor: 'C2', amount: 9 },
      { debtor: 'P4', creditor: 'C2', amount: 7 },
      { debtor: 'C1', creditor: 'P1', amount: 8 },
      { debtor: 'C2', creditor: 'P3', amount: 6 },
    ],
  };
}

export async function importNetwork(app: AppContext, document: NetworkDocument): Promise<number> {
  const result = await app.router.handle(
    'datasets:import',
    picked(app, `${document.name}.json`, JSON.stringify(document)),
  );
  if (!result.ok) throw new Error(result.error.message);
  return (result.value as { versionId: number }).versionId;
}

export const STRESS_PARAMS = { shockModel: { kind: 'uniform' as const, maxFraction: 0.5 }, samples: 4000, seed: 11 };

export async function savedStressRun(app: AppContext, versionId: number): Promise<number> {
  const final = await app.jobs.start('stress', { versionId, ...STRESS_PARAMS }).done;
  if (final.status !== 'succeeded') throw new Error(final.error);
  return final.runId!;
}

/** The text of each page of a PDF (pdfjs-dist, legacy build for Node). */
export async function pdfPageTexts(bytes: Uint8Array): Promise<string[]> {
  const { getDocument } = await import('pdfjs-dist/legacy/build/pdf.mjs');
  const pdf = await getDocument({ data: new Uint8Array(bytes), useSystemFonts: false, disableFontFace: true }).promise;
  const pages: string[] = [];
  for (let n = 1; n <= pdf.numPages; n++) {
    const content = await (await pdf.getPage(n)).getTextContent();
    pages.push(content.items.map((item) => ('str' in item ? item.str : '')).join(' '));
  }
  await pdf.destroy();
  return pages;
}

/** The lines of text of each page, top to bottom (items on the same baseline joined), with their height from the top in points. */
export async function pdfPageLines(bytes: Uint8Array): Promise<Array<Array<{ text: string; top: number }>>> {
  const { getDocument } = await import('pdfjs-dist/legacy/build/pdf.mjs');
  const pdf = await getDocument({ data: new Uint8Array(bytes), useSystemFonts: false, disableFontFace: true }).promise;
  const pages: Array<Array<{ text: string; top: number }>> = [];
  for (let n = 1; n <= pdf.numPages; n++) {
    const page = await pdf.getPage(n);
    const height = page.getViewport({ scale: 1 }).height;
    const lines = new Map<number, string[]>();
    for (const item of (await page.getTextContent()).items) {
      if (!('str' in item) || item.str.trim() === '') continue;
      const top = Math.round(height - item.transform[5]!);
      lines.set(top, [...(lines.get(top) ?? []), item.str]);
    }
    pages.push(
      [...lines.entries()].sort((a, b) => a[0] - b[0]).map(([top, parts]) => ({ top, text: parts.join(' ') })),
    );
  }
  await pdf.destroy();
  return pages;
}

/** Renders every page with poppler's pdftoppm (grey, 40 dpi) and returns each page's share of non-white pixels. */
export function inkPerPage(pdfPath: string): number[] {
  return renderedPages(pdfPath).map(({ pixels }) => {
    let ink = 0;
    for (const value of pixels) if (value < 200) ink++;
    return ink / pixels.length;
  });
}

/**
 * How full each page is: the lowest inked row between the brief's top and bottom margins (64 pt on A4), as a share
 * of the height between them (the marking lines above and below are outside).
 */
export function fillPerPage(pdfPath: string): number[] {
  return renderedPages(pdfPath).map(({ width, height, pixels }) => {
    const top = Math.ceil((64 / 842) * height);
    const bottom = Math.floor(((842 - 64) / 842) * height);
    let last = top;
    for (let row = top; row < bottom; row++) {
      for (let x = 0; x < width; x++) {
        if (pixels[row * width + x]! < 200) {
          last = row;
          break;
        }
      }
    }
    return (last - top) / (bottom - top);
  });
}

function renderedPages(pdfPath: string): Array<{ width: number; height: number; pixels: Uint8Array }> {
  const out = tempDir('cwb-pages-');
  try {
    const result = spawnSync('pdftoppm', ['-gray', '-r', '40', pdfPath, join(out.path, 'page')], { encoding: 'utf8' });
    if (result.status !== 0)
      throw new Error(`pdftoppm failed (install poppler-utils): ${result.error?.message ?? result.stderr}`);
    return readdirSync(out.path)
      .filter((f) => f.endsWith('.pgm'))
      .sort()
      .map((file) => {
        const bytes = readFileSync(join(out.path, file));
        // Binary PGM: "P5\n<w> <h>\n<max>\n" then one byte per pixel.
        const header = /^P5\s+(\d+)\s+(\d+)\s+(\d+)\s/.exec(bytes.subarray(0, 40).toString('latin1'))!;
        return { width: Number(header[1]), height: Number(header[2]), pixels: bytes.subarray(header[0].length) };
      });
  } finally {
    out.remove();
  }
}

/** The kinds of the seven-run brief (now with the fire-sale equilibrium, eight), in the order the runs are made. */
export const SEVEN_KINDS = [
  'stress',
  'reconstruct',
  'intervention',
  'bailout',
  'idf-train',
  'capital',
  'policy',
  'firesale',
] as const;

async function succeeded(
  app: AppContext,
  kind: Parameters<AppContext['jobs']['start']>[0],
  params: unknown,
): Promise<number> {
  const final = await app.jobs.start(kind, params).done;
  if (final.status !== 'succeeded') throw new Error(`${kind}: ${final.error}`);
  return final.runId!;
}

/**
 * One small saved run of each kind a committee sees — stress test, reconstruction, intervention on an economy,
 * interbank bailout, fire-sale model, capital allocation, policy lab, fire-sale equilibrium — made by the app's own
 * jobs and services.
 */
export async function sevenRuns(app: AppContext): Promise<Record<(typeof SEVEN_KINDS)[number], number>> {
  const { economyDocumentOf, generateEconomy } = await import('../../src-main/engines/economy-generator');
  const { documentOfSpec } = await import('../../src-main/engines/fire-sale-document');
  const { caseStudy1 } = await import('../../src-main/engines/fire-sales');
  const banks = await importNetwork(app, sixBanks());
  const economy = await importNetwork(
    app,
    economyDocumentOf(generateEconomy({ firms: 24, seed: 3 }), 'Generated economy') as never,
  );
  const stress = await savedStressRun(app, banks);
  const { randomSparseNetwork } = await import('../../src-main/engines/synthetic');
  const created = await app.router.handle('networks:create', { document: randomSparseNetwork(10, 3, 21) });
  if (!created.ok) throw new Error(created.error.message);
  const sparse = (created.value as { versionId: number }).versionId;
  const reconstruct = await succeeded(app, 'reconstruct', {
    versionId: sparse,
    objectives: ['best', 'maxent', 'worst'],
    shockModel: { kind: 'uniform', maxFraction: 0.5 },
    samples: 40,
    evaluationSamples: 300,
    seed: 5,
    starts: 1,
    hops: 1,
  });
  const intervention = await succeeded(app, 'intervention', {
    target: 'economy',
    versionId: economy,
    method: 'discountfrac',
    budgetFraction: 0.01,
    shocks: { rho: 0.5, sigma: 0.15, drift: -0.2 },
    scenarios: 240,
    seed: 11,
    maxBudgetFraction: 0.02,
    budgetCount: 5,
    quantiles: [0, 0.5, 0.9, 0.99],
    tail: { thresholdFraction: 0.75, aggregateShockFraction: 0.05, samples: 400 },
  });
  const bailout = await succeeded(app, 'intervention', {
    target: 'interbank',
    versionId: banks,
    method: 'greedy',
    budget: 40,
    shockFraction: 0.9,
    budgetCount: 6,
  });
  const idf = await succeeded(app, 'idf-train', {
    system: documentOfSpec(caseStudy1('linear'), 'case study 1'),
    samples: 200,
    seed: 3,
    maxEpochs: 60,
    hidden: 8,
    backend: 'cpu',
  });
  const capital = await succeeded(app, 'capital', {
    versionId: banks,
    tiers: 2,
    kMax: 0.5,
    shockModel: { kind: 'uniform', maxFraction: 1 },
    scenarios: 80,
    samples: 40,
    samplers: ['uniform'],
    models: ['logistic'],
    training: { epochs: 40 },
    backend: 'cpu',
    seed: 2,
  });
  const example = await app.router.handle('policy:example', {});
  if (!example.ok) throw new Error(example.error.message);
  const policy = await succeeded(app, 'policy', { document: (example.value as { document: unknown }).document });
  const fireSale = await app.router.handle('firesales:simulate', {
    system: documentOfSpec(caseStudy1('linear'), 'case study 1'),
  });
  if (!fireSale.ok) throw new Error(fireSale.error.message);
  return {
    stress,
    reconstruct,
    intervention,
    bailout,
    'idf-train': idf,
    capital,
    policy,
    firesale: (fireSale.value as { runId: number }).runId,
  };
}

/** Names only the code uses: job kinds, method ids, objective names, option values. */
const INTERNAL_NAMES = [
  ...Object.keys(jobParamSchemas).filter((kind) => /[-A-Z_]/.test(kind)),
  'gtTrain', // the graph-transformer job's name before migration 4
  ...ECONOMY_METHODS.filter((m) => m.includes('-')),
  ...RECONSTRUCTION_OBJECTIVE_NAMES.filter((name) => !['worst', 'best'].includes(name)),
  'mean-shock',
  'none-failed',
  'all-failed',
];

/** The internal identifiers in a text a person reads: camelCase and snake_case tokens, and the names above. */
export function internalIdentifiers(text: string): string[] {
  return [
    ...(text.match(/\b[a-z]+[A-Z][A-Za-z]*\b/g) ?? []),
    // x_i, p_i are mathematics; two letters or more on both sides is a field name
    ...(text.match(/\b[a-z]{2,}_[a-z0-9]{2,}\w*\b/g) ?? []),
    ...INTERNAL_NAMES.filter((name) => text.includes(name)),
  ];
}

/** The text of a DOCX's body, one run per line. */
export async function docxText(bytes: Uint8Array): Promise<string> {
  const { default: JSZip } = await import('jszip');
  const xml = await (await JSZip.loadAsync(bytes)).file('word/document.xml')!.async('string');
  return [...xml.matchAll(/<w:t[^>]*>([^<]*)<\/w:t>/g)]
    .map((m) =>
      m[1]!
        .replace(/&amp;/g, '&')
        .replace(/&lt;/g, '<')
        .replace(/&gt;/g, '>')
        .replace(/&quot;/g, '"')
        .replace(/&apos;/g, "'"),
    )
    .join('\n');
}

/**
 * A brief of `runIds` composed as the app composes it, its PDF written to `folder/fileName`, and the text of the PDF
 * and of the DOCX with runs of white space made one space (what the tests search).
 */
export async function composedBrief(
  app: AppContext,
  runIds: number[],
  title: string,
  folder: string,
  fileName: string,
) {
  const { composeBrief } = await import('../../src-main/io/briefs/compose');
  const { renderBrief } = await import('../../src-main/io/briefs/render');
  const brief = await composeBrief(app.db, { runIds, title, marking: 'CONFIDENTIAL — supervisory use' });
  const bytes = await renderBrief(brief, 'pdf');
  const pdfPath = join(folder, fileName);
  writeFileSync(pdfPath, bytes);
  const flat = (text: string) => text.replace(/\s+/g, ' ');
  return {
    brief,
    pdfPath,
    pdf: flat((await pdfPageTexts(bytes)).join('\n')),
    docx: flat(await docxText(await renderBrief(brief, 'docx'))),
  };
}

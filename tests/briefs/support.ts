/** Brief test helpers: a small interbank network with a saved stress run, PDF text per page, page rendering. */
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { NETWORK_FORMAT, type NetworkDocument } from '../../src-shared/formats/network';
import type { AppContext } from '../../src-main/app';
import { tempDir, toBase64 } from '../support/fixtures';

/** Six banks in two groups: a core pair with large mutual exposures and four periphery banks. */
export function sixBanks(): NetworkDocument {
  const node = (id: string, group: string, c: number, b: number) => ({ id, name: `Bank ${id}`, group, outsideAssets: c, outsideLiabilities: b, totalAssets: c + 40 });
  return {
    format: NETWORK_FORMAT,
    name: 'Six banks',
    currency: 'EUR',
    unit: 'million',
    nodes: [node('C1', 'core', 200, 180), node('C2', 'core', 180, 165), node('P1', 'periphery', 60, 50), node('P2', 'periphery', 50, 42), node('P3', 'periphery', 40, 33), node('P4', 'periphery', 30, 24)],
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
  const result = await app.router.handle('datasets:import', { fileName: `${document.name}.json`, contentBase64: toBase64(JSON.stringify(document)) });
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

/** Renders every page with poppler's pdftoppm (grey, 40 dpi) and returns each page's share of non-white pixels. */
export function inkPerPage(pdfPath: string): number[] {
  const out = tempDir('cwb-pages-');
  try {
    const result = spawnSync('pdftoppm', ['-gray', '-r', '40', pdfPath, join(out.path, 'page')], { encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`pdftoppm failed (install poppler-utils): ${result.error?.message ?? result.stderr}`);
    return readdirSync(out.path)
      .filter((f) => f.endsWith('.pgm'))
      .sort()
      .map((file) => {
        const bytes = readFileSync(join(out.path, file));
        // Binary PGM: "P5\n<w> <h>\n<max>\n" then one byte per pixel.
        const header = /^P5\s+(\d+)\s+(\d+)\s+(\d+)\s/.exec(bytes.subarray(0, 40).toString('latin1'))!;
        const pixels = bytes.subarray(header[0].length);
        let ink = 0;
        for (const value of pixels) if (value < 200) ink++;
        return ink / pixels.length;
      });
  } finally {
    out.remove();
  }
}

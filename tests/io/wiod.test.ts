import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot, tempDir } from '../support/fixtures';
import { flows, syntheticWiot, VALUE_ADDED } from '../support/wiot';
import { withEntriesLast } from '../support/zip-order';
import { economyDocumentSchema } from '../../src-shared/formats/crossholdings';
import { cascade, toEconomySystem } from '../../src-main/engines/cascade';
import { importFileAsync } from '../../src-main/io/importers';
import { looksLikeWiot, parseWiot } from '../../src-main/io/wiod';

describe('WIOD importer', () => {
  it('builds C, Dp, θ and β as in §4.1: negatives transposed, columns scaled with VA, zero diagonal, T removed', async () => {
    const bytes = await syntheticWiot();
    expect(await looksLikeWiot(bytes, 'WIOT2014_Nov16_ROW.xlsx')).toBe(true);
    const { document, report } = await parseWiot(bytes, 'WIOT2014_Nov16_ROW.xlsx', { minShare: 0 });
    expect(economyDocumentSchema.safeParse(document).success).toBe(true);
    expect(document.firms.map((f) => f.id)).toEqual(['AUS_A01', 'AUS_C29', 'DEU_A01', 'DEU_C29']);
    expect(report.skipped.map((s) => s.id)).toEqual(['AUS_T', 'DEU_T']);
    // Independent construction from the table.
    const f = flows();
    const adjusted = f.map((row) => row.map((v) => Math.max(0, v)));
    adjusted[1]![0]! += 4; // −4 at (AUS_A01 → AUS_C29) becomes +4 at (AUS_C29 → AUS_A01)
    const kept = [0, 1, 3, 4];
    const column = (j: number) => adjusted.reduce((sum, row) => sum + row[j]!, 0) + VALUE_ADDED[j]!;
    const share = (holder: string, issuer: string) =>
      document.crossHoldings.find((e) => e.holder === holder && e.issuer === issuer)?.share ?? 0;
    const ids = ['AUS_A01', 'AUS_C29', 'AUS_T', 'DEU_A01', 'DEU_C29', 'DEU_T'];
    for (const i of kept) {
      for (const j of kept) {
        expect(share(ids[i]!, ids[j]!)).toBeCloseTo(i === j ? 0 : adjusted[i]![j]! / column(j), 12);
      }
    }
    const output = ids.map((_, j) => f.reduce((sum, row) => sum + Math.abs(row[j]!), 0) + VALUE_ADDED[j]!);
    kept.forEach((j, a) => expect(document.assets[a]!.price).toBeCloseTo(output[j]!, 12));
    const system = toEconomySystem({
      ...document,
      firms: document.firms.map((firm) => ({ ...firm, threshold: 0, failureCost: 0 })),
    });
    const healthy = cascade(system).marketValues;
    kept.forEach((j, a) => {
      expect(document.firms[a]!.failureCost).toBeCloseTo(0.1 * VALUE_ADDED[j]!, 12);
      expect(document.firms[a]!.threshold).toBeCloseTo(Math.max(0, healthy[a]! - VALUE_ADDED[j]!), 9);
    });
    // Without failures market values add up to Σ Dp (1ᵀĈ(I − C)⁻¹ = 1ᵀ).
    expect(healthy.reduce((a, b) => a + b, 0)).toBeCloseTo(
      kept.reduce((sum, j) => sum + output[j]!, 0),
      9,
    );
  });

  it('reads a table whose workbook part is stored after its worksheet as one stored in the usual order', async () => {
    const bytes = await syntheticWiot();
    const last = (name: string) => name.startsWith('xl/worksheets/') || name === 'xl/workbook.xml';
    const reordered = withEntriesLast(bytes, last);
    expect(Buffer.from(reordered).equals(Buffer.from(bytes))).toBe(false);
    const [usual, moved] = await Promise.all([parseWiot(bytes, 'w.xlsx'), parseWiot(reordered, 'w.xlsx')]);
    expect(moved.document).toEqual(usual.document);
  });

  it('the choices are parameters: threshold and failure-cost factors, excluded categories, small shares', async () => {
    const bytes = await syntheticWiot();
    const { document } = await parseWiot(bytes, 'w.xlsx', {
      thresholdValueAddedFactor: 0.5,
      failureCostFactor: 0.3,
      excludeCategories: [],
      minValueAdded: 0.3,
      minShare: 0.1,
    });
    expect(document.firms.map((f) => f.id)).toEqual(['AUS_A01', 'AUS_C29', 'AUS_T', 'DEU_A01', 'DEU_C29']);
    expect(document.firms[0]!.failureCost).toBeCloseTo(0.3 * 40, 12);
    expect(document.crossHoldings.every((e) => e.share >= 0.1)).toBe(true);
    await expect(parseWiot(bytes, 'w.xlsx', { failureCostFactor: -1 })).rejects.toThrow(/failureCostFactor/);
  });

  it('names the row and column of a bad cell, and a missing VA row; lands as an economy through the importer', async () => {
    const bad = await syntheticWiot((sheet) => {
      sheet.getCell('F8').value = 'n/a';
    });
    await expect(parseWiot(bad, 'bad.xlsx')).rejects.toThrow('bad.xlsx: row 8, column F: "n/a" is not a number');
    const noVa = await syntheticWiot((sheet) => {
      sheet.getCell('A14').value = 'VAX';
    });
    await expect(parseWiot(noVa, 'nova.xlsx')).rejects.toThrow(/no VA row/);
    const imported = await importFileAsync('WIOT2014_Nov16_ROW.xlsx', await syntheticWiot());
    expect(imported.kind).toBe('economy');
    expect(imported.network.kind).toBe('crossholdings');
    expect(imported.report.kept).toBe(4);
  });

  it('cwb import takes the WIOD choices as flags and stores a cross-holdings economy version', async () => {
    const data = tempDir();
    try {
      const file = join(data.path, 'WIOT2014_Nov16_ROW.xlsx');
      writeFileSync(file, await syntheticWiot());
      const cwb = (args: string[]) =>
        spawnSync(process.execPath, [join(repoRoot, 'bin/cwb.mjs'), ...args, '--data-dir', data.path], {
          encoding: 'utf8',
        });
      const bad = cwb(['import', file, '--wiod-failure-cost-factor', 'x']);
      expect(bad.status).toBe(2);
      expect(bad.stderr).toMatch(/--wiod-failure-cost-factor must be a number/);
      const imported = cwb(['import', file, '--wiod-failure-cost-factor', '0.2', '--json']);
      expect(imported.status, imported.stderr).toBe(0);
      const { versionId } = JSON.parse(imported.stdout) as { versionId: number };
      const out = join(data.path, '..', `${basename(data.path)}-economy.json`); // never into the data folder
      const exported = cwb(['export', String(versionId), '--out', out]);
      expect(exported.status, exported.stderr).toBe(0);
      const economy = economyDocumentSchema.parse(JSON.parse(readFileSync(out, 'utf8')));
      expect(economy.firms[0]!.failureCost).toBeCloseTo(0.2 * 40, 12);
      rmSync(out);
    } finally {
      data.remove();
    }
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import type { PolicyLabResult } from '../../src-shared/results/policy';
import { freshApp } from '../support/app';

let app: ReturnType<typeof freshApp>;
afterEach(async () => app?.dispose());

describe('policy:* channels', () => {
  it('loads a worked example, solves it and saves it as a run of kind "policy"', async () => {
    app = freshApp();
    const example = await app.router.handle('policy:example', { name: 'policy-two-sectors.json' });
    expect(example.ok).toBe(true);
    if (!example.ok) return;
    const document = { ...(example.value as { document: Record<string, unknown> }).document, exAnte: false };
    const solved = await app.router.handle('policy:solve', { document, forecastCsv: 'asset,predicted\nCorpBonds,9\nTreasuries,45\n' });
    expect(solved.ok).toBe(true);
    if (!solved.ok) return;
    const result = solved.value as PolicyLabResult;
    expect(JSON.parse(JSON.stringify(result))).toEqual(result);
    expect(result.forecast?.values).toEqual([9, 45]);

    const saved = await app.router.handle('policy:save', { document });
    expect(saved.ok).toBe(true);
    if (!saved.ok) return;
    const { runId } = saved.value as { runId: number };
    const listed = await app.router.handle('runs:list', { kind: 'policy' });
    expect(listed.ok && (listed.value as Array<{ id: number; seed: number }>)).toEqual([expect.objectContaining({ id: runId, seed: 7, kind: 'policy' })]);
    const run = await app.router.handle('runs:get', { id: runId });
    expect(run.ok && (run.value as { results: PolicyLabResult }).results.optimalWedges).toEqual(result.optimalWedges);
  });

  it('refuses a bad configuration or forecast and stores nothing', async () => {
    app = freshApp();
    const example = await app.router.handle('policy:example', {});
    if (!example.ok) throw new Error('no example');
    const document = (example.value as { document: { intermediaries: Array<{ rollover: unknown[] }> } }).document;
    const badForecast = await app.router.handle('policy:save', { document, forecastCsv: 'asset,predicted\nGold,1\n' });
    expect(badForecast).toMatchObject({ ok: false, error: { code: 'invalid_input', field: 'forecastCsv' } });
    const broken = structuredClone(document);
    broken.intermediaries[0]!.rollover = [];
    const refused = await app.router.handle('policy:solve', { document: broken });
    expect(refused).toMatchObject({ ok: false, error: { code: 'invalid_input', field: 'document.intermediaries.0.rollover' } });
    const listed = await app.router.handle('runs:list', { kind: 'policy' });
    expect(listed).toEqual({ ok: true, value: [] });
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import type { StressRunResults } from '../../src-shared/results/stress';
import { formatNumber } from '../../src-shared/brief-format';
import { composeBrief } from '../../src-main/io/briefs/compose';
import { renderBrief } from '../../src-main/io/briefs/render';
import { runs } from '../../src-main/store/repositories';
import { freshApp } from '../support/app';
import { importNetwork, pdfPageTexts, savedStressRun, sixBanks } from './support';

let app: ReturnType<typeof freshApp>;
afterEach(async () => app?.dispose());

describe('stress brief: how sure each figure is', () => {
  it('prints ± beside the expected defaults and the ES, the VaR interval and each bank’s default-probability interval', async () => {
    app = freshApp();
    const runId = await savedStressRun(app, await importNetwork(app, sixBanks()));
    const r = runs.get(app.db, runId).results as StressRunResults;
    const brief = await composeBrief(app.db, { runIds: [runId], title: 'Stress brief', marking: 'CONFIDENTIAL' });
    const section = brief.sections[0]!;
    const figure = (label: string) => section.keyFigures.find((f) => f.label === label)!;
    expect(figure('Expected number of defaults').note).toBe(
      `± ${formatNumber(r.expectedDefaultsStandardError!, 3)}; ${formatNumber(r.expectedContagionDefaults, 3)} by contagion`,
    );
    expect(figure('Expected shortfall, 99%').note).toBe(
      `± ${formatNumber(r.expectedShortfallStandardError!['0.99'], 1)} (standard error)`,
    );
    const [low, high] = r.lossQuantileInterval!['0.99'];
    expect(figure('Value at risk, 99%').note).toBe(`95% interval ${formatNumber(low, 1)} – ${formatNumber(high, 1)}`);
    const text = (await pdfPageTexts(await renderBrief(brief, 'pdf'))).join(' ');
    expect(text).toContain(`± ${formatNumber(r.expectedDefaultsStandardError!, 3)}`);
    expect(text).toContain(`± ${formatNumber(r.expectedShortfallStandardError!['0.95'], 1)}`);
    expect(text).toContain(`${formatNumber(low, 1)} – ${formatNumber(high, 1)}`);
    const [id, p] = Object.entries(r.defaultProbability).sort((a, b) => b[1] - a[1])[0]!;
    const [pLow, pHigh] = r.defaultProbabilityInterval![id]!;
    expect(pLow).toBeLessThanOrEqual(p);
    expect(text).toContain(`${formatNumber(100 * pLow, 2)} – ${formatNumber(100 * pHigh, 2)}`);
  });
});

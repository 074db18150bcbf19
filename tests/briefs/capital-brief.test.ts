import { afterEach, describe, expect, it } from 'vitest';
import type { CapitalRunResults } from '../../src-shared/results/capital';
import { AcceptanceEvaluator } from '../../src-main/engines/capital-allocation';
import { toClearingSystem } from '../../src-main/engines/network-arrays';
import { composeBrief } from '../../src-main/io/briefs/compose';
import { renderBrief } from '../../src-main/io/briefs/render';
import { runs } from '../../src-main/store/repositories';
import { freshApp } from '../support/app';
import { importNetwork, pdfPageTexts, sixBanks } from './support';

let app: ReturnType<typeof freshApp>;
afterEach(async () => app?.dispose());

const shockModel = { kind: 'uniform', maxFraction: 1 } as const;

describe('brief of a capital-allocation run', () => {
  it('states the tiers, the criterion and the least certified capital, with the boundary chart and the run’s backend', async () => {
    app = freshApp();
    const versionId = await importNetwork(app, sixBanks());
    const final = await app.jobs.start('capital', {
      versionId,
      tiers: 2,
      kMax: 0.5,
      shockModel,
      scenarios: 80,
      samples: 40,
      samplers: ['uniform'],
      models: ['logistic', 'monotone-network'],
      training: { epochs: 40 },
      backend: 'cpu',
      seed: 2,
    }).done;
    expect(final.status, final.error).toBe('succeeded');
    const results = runs.get(app.db, final.runId!).results as CapitalRunResults;
    const brief = await composeBrief(app.db, {
      runIds: [final.runId!],
      title: 'Capital brief',
      marking: 'CONFIDENTIAL',
    });
    const section = brief.sections[0]!;
    expect(section.kind).toBe('capital');
    // the no-capital figure against the engine directly
    const direct = new AcceptanceEvaluator(toClearingSystem(sixBanks()), {
      tiers: 2,
      shockModel,
      scenarios: 80,
      seed: 2,
    }).evaluate([0, 0]);
    const noCapital = section.keyFigures.find((f) => f.label === 'Society receives with no added capital')!;
    expect(noCapital.value).toBeCloseTo(100 * direct.statistic, 10);
    if (results.best) {
      const least = section.keyFigures.find((f) => f.label === 'Least certified capital')!;
      expect(least.value).toBe(results.best.cost);
      expect(least.unit).toBe('EUR million');
      // the pinned allocation leads, read from the run
      const boundary = results.boundary!;
      expect(boundary.acceptable).toBe(true);
      const pinned = section.keyFigures[0]!;
      expect(pinned.label).toMatch(
        boundary.pinned ? /pinned to the acceptance boundary/ : /acceptable at the boundary search/,
      );
      expect(pinned.value).toBe(boundary.cost);
      expect(section.summary).toContain(
        boundary.pinned ? 'Pinned to the boundary' : 'Not pinned within the scenario budget',
      );
    }
    expect(section.tables[0]!.rows.map((row) => row[1])).toEqual(results.tiers.map((t) => t.banks.length));
    expect(section.charts.map((c) => c.title)).toEqual([
      'Learned boundary of the acceptable set (T = 2)',
      'Loss convergence',
    ]);
    expect(section.charts[0]!.svg).toContain('<svg');
    expect(brief.sections[0]!.provenance.some((p) => p.value.startsWith('CPU (plain JavaScript) on '))).toBe(true);
    const pages = await pdfPageTexts(await renderBrief(brief, 'pdf'));
    expect(pages.join(' ')).toContain('Capital allocation');
  });
});

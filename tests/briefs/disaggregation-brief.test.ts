/**
 * Briefs of node disaggregations (run kind "disaggregate"), saved by the `disaggregate` job with the version
 * they make: the proportional split and the worst case of a core bank of the six-bank network. The PDF and the DOCX
 * hold each part's balance sheet as the run saved it (read from the run, and checked against the stored version),
 * every page is drawn, and no internal identifier reaches the reader.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ComposedBrief } from '../../src-shared/briefs';
import { formatNumber } from '../../src-shared/brief-format';
import type { DisaggregationRunResults } from '../../src-shared/results/reconstruction';
import { networks, runs } from '../../src-main/store/repositories';
import { freshApp } from '../support/app';
import { tempDir } from '../support/fixtures';
import { composedBrief, importNetwork, inkPerPage, internalIdentifiers, sixBanks } from './support';

let app: ReturnType<typeof freshApp>;
let ids: { proportional: number; worst: number };
let brief: ComposedBrief;
let pdf: string;
let docx: string;
let pdfPath: string;
const dir = tempDir();
const results = (id: number) => runs.get(app.db, id).results as DisaggregationRunResults;

beforeAll(async () => {
  app = freshApp();
  const versionId = await importNetwork(app, sixBanks());
  const split = async (objective: 'maxent' | 'worst') => {
    const parts = [
      { id: 'C1-retail', share: 3 },
      { id: 'C1-invest', share: 1 },
    ];
    const final = await app.jobs.start('disaggregate', {
      versionId,
      nodeId: 'C1',
      parts,
      objective,
      samples: 60,
      seed: 4,
    }).done;
    if (final.runId === undefined) throw new Error(`split failed: ${final.error}`);
    return final.runId;
  };
  ids = { proportional: await split('maxent'), worst: await split('worst') };
  ({ brief, pdf, docx, pdfPath } = await composedBrief(
    app,
    [ids.proportional, ids.worst],
    'Disaggregations',
    dir.path,
    'disaggregation.pdf',
  ));
}, 240_000);
afterAll(async () => {
  await app?.dispose();
  dir.remove();
});

describe('a brief of node disaggregations', () => {
  it('saves each split as a run beside the version it made, the parts keeping the aggregate’s totals', () => {
    for (const id of [ids.proportional, ids.worst]) {
      const r = results(id);
      const stored = networks.getVersion(app.db, r.versionId).document;
      expect(stored.nodes.map((n) => n.id)).toEqual(expect.arrayContaining(['C1-retail', 'C1-invest']));
      expect(stored.nodes.map((n) => n.id)).not.toContain('C1');
      for (const part of r.parts)
        expect(stored.nodes.find((n) => n.id === part.id)!.outsideAssets).toBe(part.outsideAssets);
      const sum = (field: 'outsideAssets' | 'outsideLiabilities' | 'netWorth') =>
        r.parts.reduce((total, part) => total + part[field], 0);
      expect(sum('outsideAssets')).toBeCloseTo(r.aggregate.outsideAssets, 6);
      expect(sum('outsideLiabilities')).toBeCloseTo(r.aggregate.outsideLiabilities, 6);
      expect(sum('netWorth')).toBeCloseTo(r.aggregate.netWorth, 6);
      expect(r.aggregate).toMatchObject({
        id: 'C1',
        outsideAssets: 200,
        outsideLiabilities: 180,
        interbankClaims: 12 + 10 + 25,
        interbankObligations: 30 + 8,
      });
    }
    expect(results(ids.proportional).parts.map((p) => p.share)).toEqual([0.75, 0.25]);
    expect(results(ids.proportional).evaluation).toBeUndefined();
    expect(results(ids.worst).evaluation!.samples).toBeGreaterThan(0);
  });

  it('prints each part’s balance sheet and the worst case against the proportional split, in the PDF and the DOCX', () => {
    for (const id of [ids.proportional, ids.worst]) {
      const r = results(id);
      const heading = `Node disaggregation — C1 into 2 parts, run #${id}`;
      expect(brief.sections.find((s) => s.runId === id)!.heading).toBe(heading);
      for (const text of [pdf, docx]) {
        expect(text).toContain(heading);
        expect(text).toContain(`the result is version ${r.version} of the network`);
        for (const part of r.parts) {
          expect(text).toContain(part.id);
          expect(text).toContain(formatNumber(part.outsideAssets, 0));
          expect(text).toContain(formatNumber(part.netWorth, 0));
        }
      }
    }
    const e = results(ids.worst).evaluation!;
    for (const text of [pdf, docx])
      expect(text).toContain(
        `${formatNumber(e.difference, 2)} ± ${formatNumber(e.differenceStandardError, 2)} against the proportional split`,
      );
    expect(
      brief.sections
        .find((s) => s.runId === ids.proportional)!
        .keyFigures.find((f) => f.label.startsWith('Largest part'))!.text,
    ).toBe('75.0%');
    expect(pdf).toContain('the worst case of expected loss');
    expect(pdf).toContain('the proportional split (maximum entropy)');
  });

  it('draws every page and shows no internal identifier', () => {
    for (const [page, ink] of inkPerPage(pdfPath).entries())
      expect(ink, `page ${page + 1} has ink`).toBeGreaterThan(0.005);
    expect(internalIdentifiers(pdf)).toEqual([]);
    expect(internalIdentifiers(docx)).toEqual([]);
  });
});

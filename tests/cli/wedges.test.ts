import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { call } from '../../src-main/api/router';
import { UsageError, type CommandIo } from '../../src-main/cli/command';
import { wedgesCommand } from '../../src-main/cli/commands/wedges';
import { parseForecastCsv, policyDocumentSchema } from '../../src-shared/formats/policy';
import type { PolicyLabResult } from '../../src-shared/results/policy';
import { freshApp } from '../support/app';
import { bundledSample } from '../support/fixtures';
import { stringMatching } from '../support/matchers';

const apps: Array<ReturnType<typeof freshApp>> = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.dispose()));
});
/** A store of its own for each test (the runs are saved there). */
function store() {
  const app = freshApp();
  apps.push(app);
  return app;
}

function capture(): CommandIo & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (t) => stdout.push(t), err: (t) => stderr.push(t) };
}
const noContext = () => {
  throw new Error('no app context needed');
};
const sample = () =>
  JSON.parse(readFileSync(bundledSample('policy-two-sectors.json'), 'utf8')) as Record<string, unknown> & {
    intermediaries: Array<Record<string, unknown>>;
  };

async function withFiles(files: Record<string, string>, fn: (dir: string) => Promise<void>) {
  const dir = mkdtempSync(join(tmpdir(), 'cwb-wedges-'));
  try {
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    await fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('policy@1 configurations and forecasts', () => {
  it('the bundled worked examples are valid and run without warnings', () => {
    for (const name of ['policy-two-sectors.json', 'policy-three-sectors.json']) {
      const parsed = policyDocumentSchema.safeParse(JSON.parse(readFileSync(bundledSample(name), 'utf8')));
      expect(parsed.success, name).toBe(true);
    }
  });

  it('refuses wrong dimensions, naming the field', () => {
    const doc = sample();
    doc.intermediaries[1]!.positions = [1, 2, 3];
    const parsed = policyDocumentSchema.safeParse(doc);
    expect(parsed.success).toBe(false);
    expect(parsed.error!.issues[0]!.path).toEqual(['intermediaries', 1, 'positions']);
    expect(parsed.error!.issues[0]!.message).toMatch(/needs 2 entries/);
    const noCosts = sample();
    delete noCosts.intermediaries[0]!.holdingCost;
    expect(policyDocumentSchema.safeParse(noCosts).error!.issues[0]!.message).toMatch(/ex-ante analysis needs/);
  });

  it('reads a forecast CSV, summing intermediaries, and names the row and column of a bad value', () => {
    const ok = parseForecastCsv(
      'intermediary,asset,predicted\nBanks,CorpBonds,3\nFunds,CorpBonds,2.5\nBanks,Treasuries,40\n',
      ['CorpBonds', 'Treasuries'],
    );
    expect(ok).toEqual({ ok: true, values: [5.5, 40], rows: 3 });
    expect(parseForecastCsv('asset,predicted\nCorpBonds,x\n', ['CorpBonds'], 'f.csv')).toEqual({
      ok: false,
      message: 'f.csv row 2, column "predicted": "x" is not a number',
    });
    expect(parseForecastCsv('asset,predicted\nGold,1\n', ['CorpBonds'], 'f.csv')).toMatchObject({
      ok: false,
      message: stringMatching(/row 2, column "asset": unknown asset "Gold"/),
    });
    expect(parseForecastCsv('asset,predicted\nA,1\n', ['A', 'B'])).toMatchObject({
      ok: false,
      message: stringMatching(/no forecast for asset\(s\) "B"/),
    });
    expect(parseForecastCsv('name,value\n', ['A'])).toMatchObject({ ok: false });
  });
});

describe('cwb wedges', () => {
  it('--json reports τ*, Δ(τ*), the welfare of each model and, with --forecast, the wedges set on it; the run is saved', async () => {
    const doc = sample();
    doc.exAnte = false;
    await withFiles(
      { 'config.json': JSON.stringify(doc), 'forecast.csv': 'asset,predicted\nCorpBonds,12\nTreasuries,40\n' },
      async (dir) => {
        const io = capture();
        const app = store();
        expect(
          await wedgesCommand.run(
            { positionals: [join(dir, 'config.json')], flags: { json: true, forecast: join(dir, 'forecast.csv') } },
            io,
            () => app,
          ),
        ).toBe(0);
        const { runId, ...result } = JSON.parse(io.stdout.join('')) as PolicyLabResult & { runId: number };
        expect(io.stderr).toContain(`wedges: saved as run ${runId}`);
        const saved = await call(app.router, 'runs:get', { id: runId });
        expect(saved).toMatchObject({
          kind: 'policy',
          seed: 7,
          params: { forecastCsv: 'asset,predicted\nCorpBonds,12\nTreasuries,40\n' },
        });
        expect(saved.results).toEqual(result);
        expect(result.optimalWedges).toHaveLength(2);
        expect(result.inputs).toMatchObject({ seed: 7, causalDraws: 8, predictiveDraws: 40, draws: 320 });
        const { none, predictive, causal, full } = result.welfare;
        expect(predictive.valueOfModel).toBeGreaterThan(0);
        expect(causal.valueOfModel).toBeGreaterThan(0);
        expect(full.welfare).toBeGreaterThan(Math.max(predictive.welfare, causal.welfare));
        expect(none.welfare).toBeGreaterThan(result.welfare.baseline);
        // the example's fire-sale asset: τ* taxes corporate-bond sales and lowers their liquidation
        expect(result.optimalWedges[0]![0]).toBeGreaterThan(0);
        expect(result.central.optimal.total[0]).toBeLessThan(result.central.noIntervention.total[0]!);
        expect(result.central.optimal.price[0]).toBeGreaterThan(result.central.noIntervention.price[0]!);
        // the subsidy version (§2.7) pays on q − ℓ what the tax collects on ℓ: the two add up to Σ_i q_iᵀτ_i
        const { tax, subsidy } = result.central.optimal.transfers;
        const onPositions = doc.intermediaries.reduce(
          (sum, x, i) => sum + (x.positions as number[]).reduce((s, q, a) => s + q * result.optimalWedges[i]![a]!, 0),
          0,
        );
        expect(tax + subsidy).toBeCloseTo(onPositions, 12);
        expect(tax).toBeCloseTo(
          result.central.optimal.liquidations.flat().reduce((s, l, k) => s + l * result.optimalWedges.flat()[k]!, 0),
          12,
        );
        // a forecast of larger bond sales than expected asks for a larger bond wedge (Corollary 1)
        expect(result.forecast!.values).toEqual([12, 40]);
        expect(result.prior.forecastMean[0]).toBeLessThan(12);
        expect(result.forecast!.wedges[0]![0]).toBeGreaterThan(result.optimalWedges[0]![0]!);
      },
    );
  });

  it("the same seed gives the same numbers; --lemma adds Lemma 1's matrices to the saved run", async () => {
    const io1 = capture();
    const io2 = capture();
    const path = bundledSample('policy-three-sectors.json');
    const app = store();
    await wedgesCommand.run({ positionals: [path], flags: { json: true } }, io1, () => app);
    await wedgesCommand.run({ positionals: [path], flags: { json: true } }, io2, () => app);
    const { runId: first, ...one } = JSON.parse(io1.stdout.join('')) as PolicyLabResult & { runId: number };
    const { runId: second, ...two } = JSON.parse(io2.stdout.join('')) as PolicyLabResult & { runId: number };
    expect(two).toEqual(one);
    expect([first, second]).toEqual([1, 2]);
    expect(one.lemma).toBeUndefined();
    const io3 = capture();
    await wedgesCommand.run({ positionals: [path], flags: { json: true, lemma: true } }, io3, () => app);
    const { runId: third, ...withLemma } = JSON.parse(io3.stdout.join('')) as PolicyLabResult & { runId: number };
    expect(withLemma.lemma!.benchmark.length).toBeGreaterThan(0);
    expect((await call(app.router, 'runs:get', { id: third })).results).toMatchObject({ lemma: withLemma.lemma });
    // the text summary is unchanged by saving
    const text = capture();
    await wedgesCommand.run({ positionals: [path], flags: {} }, text, () => app);
    expect(text.stdout.join('\n')).toMatch(/^τ\* with no model \(per unit sold\):$/m);
    expect(text.stdout.join('\n')).toMatch(/^expected welfare /m);
  });

  it('--example prints a configuration; bad input is refused with a reason', async () => {
    const io = capture();
    expect(await wedgesCommand.run({ positionals: [], flags: { example: true } }, io, noContext)).toBe(0);
    expect(policyDocumentSchema.safeParse(JSON.parse(io.stdout.join(''))).success).toBe(true);
    await expect(wedgesCommand.run({ positionals: [], flags: {} }, capture(), noContext)).rejects.toThrow(UsageError);
    const app = store();
    await expect(
      wedgesCommand.run({ positionals: ['nope.json'], flags: { example: true } }, capture(), noContext),
    ).rejects.toThrow(/--example takes one of/);
    const doc = sample();
    (doc.intermediaries[0]! as { liquidationCost: number[][] }).liquidationCost = [
      [0.001, 0.5],
      [0, 0.002],
    ];
    await withFiles({ 'bad.json': JSON.stringify(doc), 'bad.csv': 'asset,predicted\nCorpBonds,1\n' }, async (dir) => {
      await expect(
        wedgesCommand.run({ positionals: [join(dir, 'bad.json')], flags: {} }, capture(), () => app),
      ).rejects.toThrow(/H\^ℓ of "Banks" must be symmetric/);
      await expect(
        wedgesCommand.run(
          { positionals: [bundledSample('policy-two-sectors.json')], flags: { forecast: join(dir, 'bad.csv') } },
          capture(),
          () => app,
        ),
      ).rejects.toThrow(/no forecast for asset\(s\) "Treasuries"/);
      expect(await call(app.router, 'runs:list', {})).toEqual([]);
    });
  });
});

/**
 * Numbers never silently wrong (docs/data-protection/numbers-and-crashes.md): results hold no NaN, ∞ or a JSON
 * null standing for one; a ratio with a zero denominator is left out with a `…Note` in words; amounts that would
 * overflow are refused in one line; dense n × n work above the memory limit is refused before it allocates.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { NetworkDocument } from '../../src-shared/formats/network';
import {
  LOSS_RATIO_UNDEFINED_NOTE,
  NVI_NO_OUTSIDE_ASSETS_NOTE,
  NVI_UNBOUNDED_NOTE,
} from '../../src-shared/results/stress';
import { RESIDUAL_UNDEFINED_NOTE } from '../../src-shared/results/reconstruction';
import { CROSSHOLDINGS_FORMAT, type EconomyDocument } from '../../src-shared/formats/crossholdings';
import { main } from '../../src-main/cli/main';
import { checkEconomy } from '../../src-main/engines/cascade';
import {
  assertFiniteResult,
  firstNonFinite,
  formatBytes,
  MAX_SUPPORTED_AMOUNT,
  memoryLimitBytes,
} from '../../src-main/engines/limits';
import { maxentReconstruct } from '../../src-main/engines/maxent';
import { fromDenseLiabilities, toClearingSystem } from '../../src-main/engines/network-arrays';
import { problemFromDocument } from '../../src-main/engines/reconstruction/problem';
import { runStressBatch, summariseStress } from '../../src-main/engines/stress';
import { tempDir } from '../support/fixtures';

const dir = tempDir('cwb-finite-');
afterAll(() => dir.remove());

const network = (
  name: string,
  nodes: NetworkDocument['nodes'],
  liabilities: NetworkDocument['liabilities'] = [],
): NetworkDocument => ({
  format: 'contagion-workbench/network@1',
  name,
  nodes,
  liabilities,
});

function writeNetwork(document: NetworkDocument | Record<string, unknown>, file: string): string {
  const path = join(dir.path, file);
  writeFileSync(path, JSON.stringify(document));
  return path;
}

/** `cwb ARGS` through its entry point: exit code, standard output, standard error. */
async function cwb(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main([...args, '--data-dir', join(dir.path, 'store')], {
    out: (t) => void out.push(t),
    err: (t) => void err.push(t),
  });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

/** Paths of every null in a parsed JSON value. */
function nullsIn(value: unknown, path = '$'): string[] {
  if (value === null) return [path];
  if (typeof value !== 'object') return [];
  return Object.entries(value as Record<string, unknown>).flatMap(([key, entry]) => nullsIn(entry, `${path}.${key}`));
}

const NOT_A_NUMBER = /NaN|Infinity|∞/;

/** No outside assets: no shock can touch anything, E[L⁰] = 0 (and Σ c = 0 for the NVI); A and B default anyway. */
const zeroLoss = network(
  'zero losses',
  [
    { id: 'A', outsideAssets: 0, outsideLiabilities: 5 },
    { id: 'B', outsideAssets: 0, outsideLiabilities: 5 },
    { id: 'C', outsideAssets: 0, outsideLiabilities: 0 },
  ],
  [
    { debtor: 'A', creditor: 'B', amount: 3 },
    { debtor: 'C', creditor: 'A', amount: 2 },
  ],
);

/** Every bank owes only inside the network: β⁺ = 1, so 1/(1 − β⁺) is infinite. */
const closedRing = network(
  'closed ring',
  ['A', 'B', 'C'].map((id) => ({ id, outsideAssets: 10, outsideLiabilities: 0 })),
  [
    { debtor: 'A', creditor: 'B', amount: 30 },
    { debtor: 'B', creditor: 'C', amount: 30 },
    { debtor: 'C', creditor: 'A', amount: 30 },
  ],
);

/** Balance sheets with every inside total zero (nothing to reconstruct, nothing relative to anything). */
const zeroInside = network(
  'zero inside totals',
  ['A', 'B', 'C'].map((id) => ({
    id,
    outsideAssets: 10,
    outsideLiabilities: 5,
    insideAssets: 0,
    insideLiabilities: 0,
  })),
);

/** The attack: balances of 1e308 (sums and squares overflow to ∞, then NaN). */
const huge = {
  ...network(
    'huge',
    ['A', 'B', 'C'].map((id) => ({ id, outsideAssets: 1e308, outsideLiabilities: 1e307 })),
  ),
  liabilities: [
    { debtor: 'A', creditor: 'B', amount: 1e308 },
    { debtor: 'B', creditor: 'C', amount: 1e308 },
  ],
};

describe('cwb stress: no null, NaN or ∞ in any result', () => {
  it('zero losses without contagion: the ratio and the NVI are left out with their reasons, exit 0', async () => {
    const path = writeNetwork(zeroLoss, 'zero-loss.json');
    const json = await cwb(['stress', path, '--shock-model', 'uniform', '--samples', '2000', '--json']);
    expect(json.code, json.err).toBe(0);
    expect(json.out).not.toMatch(NOT_A_NUMBER);
    const summary = JSON.parse(json.out) as Record<string, unknown>;
    expect(nullsIn(summary)).toEqual([]);
    expect(summary.expectedUnconnectedLoss).toBe(0);
    expect(summary.expectedLoss).toBeCloseTo(5, 12); // A and B default on their own: 2 + 3 lost by creditors
    expect(summary).not.toHaveProperty('lossRatio');
    expect(summary).not.toHaveProperty('lossRatioStandardError');
    expect(summary.lossRatioNote).toBe(LOSS_RATIO_UNDEFINED_NOTE);
    expect(summary).not.toHaveProperty('nvi');
    expect(summary).not.toHaveProperty('glassermanYoungBound');
    expect(summary.nviNote).toBe(NVI_NO_OUTSIDE_ASSETS_NOTE);
    const text = await cwb(['stress', path, '--shock-model', 'uniform', '--samples', '2000']);
    expect(text.code).toBe(0);
    expect(text.out).not.toMatch(NOT_A_NUMBER);
    expect(text.out).toContain('loss ratio E[L]/E[L0]           undefined (no loss without contagion)');
  });

  it('β⁺ = 1: the Glasserman–Young bound is said to bound nothing instead of being ∞', async () => {
    const path = writeNetwork(closedRing, 'closed-ring.json');
    const json = await cwb(['stress', path, '--shock-model', 'uniform', '--samples', '2000', '--json']);
    expect(json.code, json.err).toBe(0);
    const summary = JSON.parse(json.out) as Record<string, unknown>;
    expect(nullsIn(summary)).toEqual([]);
    expect(summary.maxConnectivity).toBe(1);
    expect(summary.lossRatio).toBeCloseTo(1, 12); // nobody defaults: every loss is the shock itself
    expect(summary).not.toHaveProperty('nvi');
    expect(summary.nviNote).toBe(NVI_UNBOUNDED_NOTE);
    const text = await cwb(['stress', path, '--shock-model', 'uniform', '--samples', '2000']);
    expect(text.out).not.toMatch(NOT_A_NUMBER);
    expect(text.out).toContain(NVI_UNBOUNDED_NOTE);
  });

  it('balances of 1e308 are refused in one line naming the limit (exit 2), as JSON and as text', async () => {
    const path = writeNetwork(huge, 'huge.json');
    for (const args of [['--json'], []]) {
      const run = await cwb(['stress', path, '--shock-model', 'uniform', '--samples', '100', ...args]);
      expect(run.code).toBe(2);
      expect(run.out).toBe('');
      expect(run.err.split('\n')).toHaveLength(1);
      expect(run.err).toMatch(/1e\+?308/);
      expect(run.err).toMatch(/1e15/);
      expect(run.err).not.toMatch(NOT_A_NUMBER);
    }
  });

  it('the engines refuse such amounts too when they come as arrays (bypassing the file format)', () => {
    const ids = ['A', 'B'];
    const build = () =>
      fromDenseLiabilities(
        ids,
        Float64Array.from([0, 1e308, 0, 0]),
        Float64Array.from([1, 1]),
        Float64Array.from([1, 1]),
      );
    expect(build).toThrow(
      "amounts up to 1e308 (liability A → B) overflow the computation; the largest supported amount is 1e15 in the network's unit",
    );
    expect(() => maxentReconstruct(ids, [2e15, 1], [1, 2e15])).toThrow(
      /amounts up to 2e15 \(node "A", insideLiabilities\) overflow the computation/,
    );
    // at the limit the results stay finite: 1e15 everywhere, 20,000 scenarios
    const system = fromDenseLiabilities(
      ids,
      Float64Array.from([0, MAX_SUPPORTED_AMOUNT, MAX_SUPPORTED_AMOUNT, 0]),
      Float64Array.from([MAX_SUPPORTED_AMOUNT, MAX_SUPPORTED_AMOUNT]),
      Float64Array.from([MAX_SUPPORTED_AMOUNT, MAX_SUPPORTED_AMOUNT]),
    );
    const summary = summariseStress(runStressBatch(system, { kind: 'uniform', maxFraction: 1 }, 1, 0, 20_000));
    expect(firstNonFinite(summary)).toBeNull();
    expect(summary.expectedUnconnectedLoss).toBeGreaterThan(0.9 * MAX_SUPPORTED_AMOUNT);
    expect(summary.lossRatio).toBeGreaterThanOrEqual(1);
  });
});

describe('cwb reconstruct: relative residuals with zero totals', () => {
  it('reports the residual as undefined in words, with no null in the JSON and no NaN in the text', async () => {
    const path = writeNetwork(zeroInside, 'zero-inside.json');
    for (const objective of ['maxent', 'worst']) {
      const json = await cwb([
        'reconstruct',
        path,
        '--objective',
        objective,
        '--samples',
        '50',
        '--evaluation-samples',
        '200',
        '--starts',
        '1',
        '--hops',
        '0',
        '--json',
      ]);
      expect(json.code, json.err).toBe(0);
      expect(json.out).not.toMatch(NOT_A_NUMBER);
      expect(json.err).not.toMatch(NOT_A_NUMBER);
      const output = JSON.parse(json.out) as {
        liabilities: unknown[];
        reconstruction: { residual: Record<string, unknown> };
      };
      expect(nullsIn(output)).toEqual([]);
      expect(output.liabilities).toEqual([]);
      expect(output.reconstruction.residual).toEqual({
        relativeNote: RESIDUAL_UNDEFINED_NOTE,
        absolute: 0,
        complementarity: 0,
      });
      const text = await cwb([
        'reconstruct',
        path,
        '--objective',
        objective,
        '--samples',
        '50',
        '--evaluation-samples',
        '200',
        '--starts',
        '1',
        '--hops',
        '0',
      ]);
      expect(text.code).toBe(0);
      expect(`${text.out}\n${text.err}`).not.toMatch(NOT_A_NUMBER);
      expect(text.out).toContain('largest constraint residual undefined (every inside total is zero)');
    }
  });

  it('a loss-ratio objective with no outside assets to shock is refused in one line', async () => {
    const path = writeNetwork(
      network(
        'shocked',
        ['A', 'B', 'C'].map((id) => ({
          id,
          totalAssets: 30,
          totalLiabilities: 25,
          insideAssets: 10,
          insideLiabilities: 10,
        })),
      ),
      'shocked.json',
    );
    const ok = await cwb([
      'reconstruct',
      path,
      '--objective',
      'worst',
      '--measure',
      'loss-ratio',
      '--samples',
      '30',
      '--evaluation-samples',
      '100',
      '--starts',
      '1',
      '--hops',
      '0',
      '--json',
    ]);
    expect(ok.code, ok.err).toBe(0);
    expect(nullsIn(JSON.parse(ok.out))).toEqual([]);
    const zero = writeNetwork(
      network(
        'zero shocks',
        ['A', 'B', 'C'].map((id) => ({
          id,
          totalAssets: 8,
          totalLiabilities: 8,
          insideAssets: 8,
          insideLiabilities: 8,
        })),
      ),
      'zero-shocks.json',
    );
    const refused = await cwb([
      'reconstruct',
      zero,
      '--objective',
      'worst',
      '--measure',
      'loss-ratio',
      '--samples',
      '30',
      '--evaluation-samples',
      '100',
      '--starts',
      '1',
      '--hops',
      '0',
      '--json',
    ]);
    expect(refused.code).toBe(2);
    expect(refused.err.split('\n').filter((line) => line.startsWith('cwb:'))).toEqual([
      // the reconstruct job's worker refuses it; cwb says the job failed and why
      'cwb: reconstruct failed: the loss ratio E[L]/E[L⁰] is undefined here: the shocks reach no outside assets (E[L⁰] = 0); optimise the expected loss instead',
    ]);
  });
});

describe('bounded memory: dense n × n work is refused before it allocates', () => {
  const saved = process.env.CWB_MEMORY_LIMIT_MB;
  afterEach(() => {
    if (saved === undefined) delete process.env.CWB_MEMORY_LIMIT_MB;
    else process.env.CWB_MEMORY_LIMIT_MB = saved;
  });

  const banks = (n: number, withInside: boolean): NetworkDocument =>
    network(
      `${n} banks`,
      Array.from({ length: n }, (_, i) => ({
        id: `B${i}`,
        outsideAssets: 10,
        outsideLiabilities: 8,
        ...(withInside ? { insideAssets: 5, insideLiabilities: 5, totalAssets: 15, totalLiabilities: 13 } : {}),
      })),
    );

  it('the limit is half the machine by default, else CWB_MEMORY_LIMIT_MB; a bad value is refused in one line', () => {
    delete process.env.CWB_MEMORY_LIMIT_MB;
    expect(memoryLimitBytes()).toBeGreaterThan(0);
    process.env.CWB_MEMORY_LIMIT_MB = '64';
    expect(memoryLimitBytes()).toBe(64 * 2 ** 20);
    expect(formatBytes(memoryLimitBytes())).toBe('64 MB');
    process.env.CWB_MEMORY_LIMIT_MB = 'lots';
    expect(() => memoryLimitBytes()).toThrow('CWB_MEMORY_LIMIT_MB must be a positive number of megabytes, got "lots"');
  });

  it('maximum entropy, clearing and reconstruction of 4,000 banks under a 64 MB limit: one-line refusals, no spike', () => {
    process.env.CWB_MEMORY_LIMIT_MB = '64';
    const n = 4000; // one dense n × n array is 122 MB
    const document = banks(n, true);
    const margins = new Float64Array(n).fill(5);
    const before = process.memoryUsage();
    const refusal = (run: () => unknown) => {
      try {
        run();
      } catch (error) {
        return (error as Error).message;
      }
      return 'no refusal';
    };
    expect(
      refusal(() =>
        maxentReconstruct(
          document.nodes.map((node) => node.id),
          margins,
          margins,
        ),
      ),
    ).toBe('a maximum-entropy network of 4,000 banks needs about 122 MB; the limit is 64 MB (CWB_MEMORY_LIMIT_MB)');
    expect(refusal(() => toClearingSystem(document))).toBe(
      'clearing a network of 4,000 banks needs about 244 MB; the limit is 64 MB (CWB_MEMORY_LIMIT_MB)',
    );
    expect(refusal(() => problemFromDocument(document))).toMatch(
      /^reconstructing a network of 4,000 banks needs about 2\.\d GB; the limit is 64 MB \(CWB_MEMORY_LIMIT_MB\)$/,
    );
    const firms = document.nodes.map((node) => node.id);
    const economy: EconomyDocument = {
      format: CROSSHOLDINGS_FORMAT,
      name: 'wide',
      firms: firms.map((id) => ({ id, threshold: 1, failureCost: 0 })),
      assets: [{ id: 'X', price: 1 }],
      assetHoldings: [{ firm: firms[0]!, asset: 'X', share: 1 }],
      crossHoldings: [],
    };
    expect(refusal(() => checkEconomy(economy))).toBe(
      'a cross-holdings economy of 4,000 firms needs about 244 MB; the limit is 64 MB (CWB_MEMORY_LIMIT_MB)',
    );
    const after = process.memoryUsage();
    // not one of the dense arrays was allocated
    expect(after.arrayBuffers - before.arrayBuffers).toBeLessThan(16 * 2 ** 20);
    expect(after.rss - before.rss).toBeLessThan(100 * 2 ** 20);
  });

  it('cwb reconstruct --objective maxent is refused in one line (exit 2) under the limit, and runs under a larger one', async () => {
    const path = writeNetwork(banks(1500, true), 'banks-1500.json');
    process.env.CWB_MEMORY_LIMIT_MB = '32';
    const before = process.memoryUsage().rss;
    const refused = await cwb([
      'reconstruct',
      path,
      '--objective',
      'maxent',
      '--samples',
      '10',
      '--evaluation-samples',
      '100',
      '--json',
    ]);
    expect(refused.code).toBe(2);
    expect(refused.out).toBe('');
    // the reconstruct job refuses it when it is planned, before any worker starts (standard error says first what runs)
    const refusals = refused.err.split('\n').filter((line) => line.startsWith('cwb:'));
    expect(refusals).toHaveLength(1);
    expect(refusals[0]).toMatch(
      /^cwb: reconstructing a network of 1,500 banks needs about \d+ MB; the limit is 32 MB \(CWB_MEMORY_LIMIT_MB\)$/,
    );
    expect(process.memoryUsage().rss - before).toBeLessThan(100 * 2 ** 20);
    const small = writeNetwork(banks(30, true), 'banks-30.json');
    const ran = await cwb([
      'reconstruct',
      small,
      '--objective',
      'maxent',
      '--samples',
      '10',
      '--evaluation-samples',
      '100',
      '--json',
    ]);
    expect(ran.code, ran.err).toBe(0);
    expect(nullsIn(JSON.parse(ran.out))).toEqual([]);
  });
});

describe('the last guard: assertFiniteResult', () => {
  it('names the first non-finite number of a result and refuses it in one line', () => {
    expect(firstNonFinite({ a: 1, b: [0, { c: Number.NaN }] })).toEqual({ path: 'b[1].c', value: Number.NaN });
    expect(firstNonFinite({ m: Float64Array.from([1, Infinity]) })).toEqual({ path: 'm[1]', value: Infinity });
    expect(firstNonFinite({ a: 1, b: 'NaN', c: null, d: [1, 2] })).toBeNull();
    expect(() => assertFiniteResult({ lossRatio: -Infinity }, 'stress result')).toThrow(
      'the stress result has a non-finite number at lossRatio (-Infinity); nothing was written — please report this',
    );
  });
});

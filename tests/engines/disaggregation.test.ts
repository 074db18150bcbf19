import type { Highs } from 'highs';
import { beforeAll, describe, expect, it } from 'vitest';
import { disaggregate, type DisaggregationObjective } from '../../src-main/engines/disaggregation';
import { toClearingSystem } from '../../src-main/engines/network-arrays';
import { randomSparseNetwork } from '../../src-main/engines/synthetic';
import { loadHighs } from '../../src-main/io/lp-solver';

const source = randomSparseNetwork(12, 4, 21);
const aggregateId = source.nodes[5]!.id;
let highs: Highs;
beforeAll(async () => {
  highs = await loadHighs();
});

/** |a − b| within 1e-9 of the larger magnitude. */
function expectRelativelyClose(actual: number, expected: number) {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(
    1e-9 * Math.max(Math.abs(expected), Math.abs(actual), 1e-300),
  );
}

function check(objective: DisaggregationObjective) {
  const parts = [
    { id: 'P1', name: 'Life insurers', share: 2 },
    { id: 'P2', name: 'Non-life insurers', share: 1 },
    { id: 'P3', share: 1 },
  ];
  const result = disaggregate(source, {
    nodeId: aggregateId,
    parts,
    objective,
    optimiser: {
      shockModel: { kind: 'uniform' },
      samples: 40,
      seed: 3,
      starts: 2,
      hops: 1,
      evaluationSamples: 200,
      maxIterations: 15,
      highs,
    },
  });
  const before = toClearingSystem(source);
  const after = toClearingSystem(result.document);
  const g = before.ids.indexOf(aggregateId);
  const partIndex = ['P1', 'P2', 'P3'].map((id) => after.ids.indexOf(id));
  const sum = (values: Float64Array) => partIndex.reduce((total, i) => total + values[i]!, 0);
  // the aggregate's totals are kept (§3.1 constraints 1, 2 and 4), to 1e-9 relative
  expectRelativelyClose(sum(after.outsideAssets), before.outsideAssets[g]!);
  expectRelativelyClose(sum(after.outsideLiabilities), before.outsideLiabilities[g]!);
  expectRelativelyClose(sum(after.totalObligations), before.totalObligations[g]!);
  expectRelativelyClose(sum(after.interbankAssets), before.interbankAssets[g]!);
  expectRelativelyClose(sum(after.netWorth), before.netWorth[g]!);
  // the rules 0 < w < c, 1e-5 ≤ b and c ≤ c_AGG hold for every new node; the sizes follow the shares
  for (const i of partIndex) {
    expect(after.netWorth[i]).toBeGreaterThan(0);
    expect(after.netWorth[i]).toBeLessThan(after.outsideAssets[i]!);
    expect(after.outsideLiabilities[i]).toBeGreaterThanOrEqual(1e-5 * (1 - 1e-9));
    expect(after.outsideAssets[i]).toBeLessThanOrEqual(before.outsideAssets[g]!);
  }
  expectRelativelyClose(after.totalObligations[partIndex[0]!]! / before.totalObligations[g]!, 0.5);
  // every other bank keeps its balance sheet, and its links to and from the parts add up to those with the aggregate
  for (const id of before.ids) {
    if (id === aggregateId) continue;
    const i = before.ids.indexOf(id);
    const a = after.ids.indexOf(id);
    expectRelativelyClose(after.totalObligations[a]!, before.totalObligations[i]!);
    expectRelativelyClose(after.netWorth[a]!, before.netWorth[i]!);
    const toParts = partIndex.reduce((t, m) => t + after.pbarMatrix[a * after.nBanks + m]!, 0);
    const fromParts = partIndex.reduce((t, m) => t + after.pbarMatrix[m * after.nBanks + a]!, 0);
    expect(Math.abs(toParts - before.pbarMatrix[i * before.nBanks + g]!)).toBeLessThanOrEqual(
      1e-9 * before.totalObligations[i]!,
    );
    expect(Math.abs(fromParts - before.pbarMatrix[g * before.nBanks + i]!)).toBeLessThanOrEqual(
      1e-9 * before.totalObligations[g]!,
    );
  }
  // no links among the parts; the new nodes are named and explained
  for (const m of partIndex) for (const l of partIndex) expect(after.pbarMatrix[m * after.nBanks + l]).toBe(0);
  expect(result.document.nodes.find((node) => node.id === 'P3')!.name).toMatch(/part 3 of 3/);
  expect(result.explanation).toHaveLength(4);
  expect(result.explanation[1]).toMatch(
    /P1 "Life insurers": share 50\.0% of p̄ and α; b = [\d,.]+, f = [\d,.]+, c = [\d,.]+, d = [\d,.]+/,
  );
  return { result, after, partIndex };
}

describe('disaggregation (§3)', () => {
  it('maximum entropy is the proportional split: each part takes its share of b, c, d and f', () => {
    const { after, partIndex } = check('maxent');
    const before = toClearingSystem(source);
    const g = before.ids.indexOf(aggregateId);
    expectRelativelyClose(after.outsideAssets[partIndex[0]!]!, 0.5 * before.outsideAssets[g]!);
    expectRelativelyClose(after.outsideLiabilities[partIndex[1]!]!, 0.25 * before.outsideLiabilities[g]!);
  });

  it('worst and best splits free b and c within the totals, and order E[L]: worst ≥ maximum entropy ≥ best', () => {
    const worst = check('worst');
    const best = check('best');
    const maxentLoss = worst.result.referenceInSample!.expectedLoss;
    // the same shocks (seed, samples, drawn at the proportional split) for the three
    expect(best.result.referenceInSample!.expectedLoss).toBe(maxentLoss);
    expect(worst.result.optimised!.inSample.expectedLoss).toBeGreaterThanOrEqual(maxentLoss);
    expect(best.result.optimised!.inSample.expectedLoss).toBeLessThanOrEqual(maxentLoss);
    expect(worst.result.optimised!.inSample.expectedLoss).toBeGreaterThan(best.result.optimised!.inSample.expectedLoss);
    expect(worst.result.optimised!.residual.relative).toBeLessThan(1e-9);
    expect(best.result.optimised!.residual.relative).toBeLessThan(1e-9);
    // the parts' outside assets are no longer the proportional shares: c is a variable of the split
    const before = toClearingSystem(source);
    const cAggregate = before.outsideAssets[before.ids.indexOf(aggregateId)]!;
    const shares = [0.5, 0.25, 0.25];
    const moved = worst.partIndex.map(
      (i, m) => Math.abs(worst.after.outsideAssets[i]! - shares[m]! * cAggregate) / cAggregate,
    );
    expect(Math.max(...moved)).toBeGreaterThan(1e-6);
    expect(worst.result.explanation[0]).toMatch(
      /worst case of expected loss \(40 uniform shocks, seed 3; in sample E\[L\]/,
    );
  });

  it('refuses an aggregate whose net worth is not between 0 and its outside assets, clashing ids, and worst without the optimiser', () => {
    const broke = structuredClone(source);
    broke.nodes[5]!.outsideAssets = 0.5;
    expect(() =>
      disaggregate(broke, { nodeId: aggregateId, parts: [{ id: 'X1' }, { id: 'X2' }], objective: 'maxent' }),
    ).toThrow(/0 < w < c/);
    expect(() =>
      disaggregate(source, {
        nodeId: aggregateId,
        parts: [{ id: source.nodes[0]!.id }, { id: 'X2' }],
        objective: 'maxent',
      }),
    ).toThrow(/already used/);
    expect(() =>
      disaggregate(source, { nodeId: 'nope', parts: [{ id: 'X1' }, { id: 'X2' }], objective: 'maxent' }),
    ).toThrow(/no node "nope"/);
    expect(() =>
      disaggregate(source, { nodeId: aggregateId, parts: [{ id: 'X1' }, { id: 'X2' }], objective: 'worst' }),
    ).toThrow(/optimiser/);
  });
});

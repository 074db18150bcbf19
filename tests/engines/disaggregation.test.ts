import { describe, expect, it } from 'vitest';
import { disaggregate } from '../../src-main/engines/disaggregation';
import { toClearingSystem } from '../../src-main/engines/network-arrays';
import { randomSparseNetwork } from '../../src-main/engines/synthetic';

const source = randomSparseNetwork(12, 4, 21);
const aggregateId = source.nodes[5]!.id;

function check(objective: 'maxent' | 'worst' | 'best') {
  const parts = [
    { id: 'P1', name: 'Life insurers', share: 2 },
    { id: 'P2', name: 'Non-life insurers', share: 1 },
    { id: 'P3', share: 1 },
  ];
  const result = disaggregate(source, {
    nodeId: aggregateId,
    parts,
    objective,
    optimiser: { shockModel: { kind: 'uniform' }, samples: 40, seed: 3, starts: 1, hops: 1, evaluationSamples: 200, maxIterations: 10 },
  });
  const before = toClearingSystem(source);
  const after = toClearingSystem(result.document);
  const g = before.ids.indexOf(aggregateId);
  const partIndex = ['P1', 'P2', 'P3'].map((id) => after.ids.indexOf(id));
  const sum = (values: Float64Array) => partIndex.reduce((total, i) => total + values[i]!, 0);
  // the aggregate's totals are kept
  expect(sum(after.outsideAssets)).toBeCloseTo(before.outsideAssets[g]!, 6);
  expect(sum(after.outsideLiabilities)).toBeCloseTo(before.outsideLiabilities[g]!, 6);
  expect(sum(after.totalObligations)).toBeCloseTo(before.totalObligations[g]!, 6);
  expect(sum(after.interbankAssets)).toBeCloseTo(before.interbankAssets[g]!, 6);
  expect(sum(after.netWorth)).toBeCloseTo(before.netWorth[g]!, 6);
  // the rules 0 < w < c hold for every new node; the shares are as asked
  for (const i of partIndex) {
    expect(after.netWorth[i]).toBeGreaterThan(0);
    expect(after.netWorth[i]).toBeLessThan(after.outsideAssets[i]!);
  }
  expect(after.outsideAssets[partIndex[0]!]! / before.outsideAssets[g]!).toBeCloseTo(0.5, 12);
  // every other bank keeps its balance sheet, and its links to and from the parts add up to those with the aggregate
  for (const id of before.ids) {
    if (id === aggregateId) continue;
    const i = before.ids.indexOf(id);
    const a = after.ids.indexOf(id);
    expect(after.totalObligations[a]).toBeCloseTo(before.totalObligations[i]!, 6);
    expect(after.netWorth[a]).toBeCloseTo(before.netWorth[i]!, 6);
    const toParts = partIndex.reduce((t, m) => t + after.pbarMatrix[a * after.nBanks + m]!, 0);
    const fromParts = partIndex.reduce((t, m) => t + after.pbarMatrix[m * after.nBanks + a]!, 0);
    expect(toParts).toBeCloseTo(before.pbarMatrix[i * before.nBanks + g]!, 6);
    expect(fromParts).toBeCloseTo(before.pbarMatrix[g * before.nBanks + i]!, 6);
  }
  // no links among the parts; the new nodes are named and explained
  for (const m of partIndex) for (const l of partIndex) expect(after.pbarMatrix[m * after.nBanks + l]).toBe(0);
  expect(result.document.nodes.find((node) => node.id === 'P3')!.name).toMatch(/part 3 of 3/);
  expect(result.explanation).toHaveLength(4);
  expect(result.explanation[1]).toMatch(/P1 "Life insurers": share 50\.0%/);
  return result;
}

describe('disaggregation (§3)', () => {
  it('proportional split keeps the aggregate totals and 0 < w < c', () => {
    check('maxent');
  });

  it('worst and best splits keep the same totals and rules, and order the expected loss', () => {
    const worst = check('worst');
    const best = check('best');
    expect(worst.optimised!.inSample.expectedLoss).toBeGreaterThanOrEqual(best.optimised!.inSample.expectedLoss);
    expect(worst.optimised!.residual.relative).toBeLessThan(1e-6);
    expect(best.optimised!.residual.relative).toBeLessThan(1e-6);
  });

  it('refuses an aggregate whose net worth is not between 0 and its outside assets, and clashing ids', () => {
    const broke = structuredClone(source);
    broke.nodes[5]!.outsideAssets = 0.5;
    expect(() => disaggregate(broke, { nodeId: aggregateId, parts: [{ id: 'X1' }, { id: 'X2' }], objective: 'maxent' })).toThrow(/0 < w < c/);
    expect(() => disaggregate(source, { nodeId: aggregateId, parts: [{ id: source.nodes[0]!.id }, { id: 'X2' }], objective: 'maxent' })).toThrow(/already used/);
    expect(() => disaggregate(source, { nodeId: 'nope', parts: [{ id: 'X1' }, { id: 'X2' }], objective: 'maxent' })).toThrow(/no node "nope"/);
  });
});

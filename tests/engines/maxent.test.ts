import { describe, expect, it } from 'vitest';
import { checkBalances } from '../../src-main/engines/balance-check';
import {
  maxentFeasibility,
  maxentFromDocument,
  maxentReconstruct,
  withLiabilities,
} from '../../src-main/engines/maxent';
import { toClearingSystem } from '../../src-main/engines/network-arrays';
import { randomSparseNetwork } from '../../src-main/engines/synthetic';

describe('maximum-entropy reconstruction (RAS)', () => {
  it('meets the margins to 1e-8 with a zero diagonal', () => {
    const source = randomSparseNetwork(60, 6, 9);
    const result = maxentFromDocument(source);
    expect(result.converged).toBe(true);
    const n = result.nBanks;
    for (let i = 0; i < n; i++) expect(result.matrix[i * n + i]).toBe(0);
    source.nodes.forEach((node, i) => {
      let row = 0;
      let column = 0;
      for (let j = 0; j < n; j++) {
        row += result.matrix[i * n + j]!;
        column += result.matrix[j * n + i]!;
      }
      expect(Math.abs(row - node.insideLiabilities!)).toBeLessThan(1e-8);
      expect(Math.abs(column - node.insideAssets!)).toBeLessThan(1e-8);
    });
    expect(result.maxResidual).toBeLessThan(1e-8);
    // the rebuilt document keeps every balance-sheet identity of the source
    const rebuilt = withLiabilities(source, result.matrix);
    expect(rebuilt.nodes).toEqual(source.nodes);
    const before = toClearingSystem(source);
    const after = toClearingSystem(rebuilt);
    for (let i = 0; i < n; i++) expect(after.netWorth[i]).toBeCloseTo(before.netWorth[i]!, 6);
    expect(checkBalances(rebuilt)).toEqual([]);
  });

  it('refuses infeasible margins naming the bank', () => {
    expect(maxentFeasibility(['A', 'B', 'C'], [10, 1, 1], [1, 1, 10]).feasible).toBe(true);
    expect(() => maxentReconstruct(['A', 'B', 'C'], [10, 1, 1], [10, 1, 1])).toThrow(
      /node "A": insideLiabilities \+ insideAssets exceeds/,
    );
    expect(() => maxentReconstruct(['A', 'B'], [1, -1], [1, -1])).toThrow(/node "B": insideLiabilities must be ≥ 0/);
    expect(() => maxentReconstruct(['A', 'B'], [1, 2], [1, 1])).toThrow(/different totals/);
  });
});

describe('balance check', () => {
  it('lists nodes whose stated equity differs from w_i = c_i + Σ_j p̄_ji − p̄_i', () => {
    const document = randomSparseNetwork(10, 3, 2);
    expect(checkBalances(document)).toEqual([]);
    document.nodes[4]!.equity = document.nodes[4]!.equity! + 100;
    const issues = checkBalances(document);
    expect(issues).toHaveLength(1);
    expect(issues[0]!.id).toBe(document.nodes[4]!.id);
    expect(issues[0]!.difference).toBeCloseTo(-100, 6);
  });
});

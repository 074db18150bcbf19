import { describe, expect, it } from 'vitest';
import { Rng } from '../../src-main/engines/random';
import type { DateGraph } from '../../src-main/learning/graph-transformer';
import { sampleMask } from '../../src-main/learning/gt-training';

/** A date graph of `investors` × `assets` holding exactly the pairs given. */
function graphOf(investors: number, assets: number, pairs: Array<[number, number]>): DateGraph {
  return {
    date: '2026-06-30',
    investors,
    assets,
    investorNumeric: new Float32Array(investors * 4),
    investorCategory: new Int32Array(investors * 2),
    assetNumeric: new Float32Array(assets * 4),
    assetCategory: new Int32Array(assets * 2),
    edgeInvestor: Int32Array.from(pairs, ([i]) => i),
    edgeAsset: Int32Array.from(pairs, ([, a]) => a),
    edgeWeight: Float32Array.from(pairs, () => 1),
  };
}

describe('masked positions and non-edges', () => {
  it('refuses, in one line naming the date, a date on which every investor holds every asset (no non-edge to draw)', () => {
    const complete = graphOf(3, 2, [
      [0, 0],
      [0, 1],
      [1, 0],
      [1, 1],
      [2, 0],
      [2, 1],
    ]);
    expect(() => sampleMask(complete, 0.5, new Rng(1))).toThrow(/^on 2026-06-30 every investor holds every asset: .*$/);
  });

  it('draws its non-edges among the pairs that are not positions, even when only one such pair is left', () => {
    const nearlyComplete = graphOf(3, 2, [
      [0, 0],
      [0, 1],
      [1, 0],
      [1, 1],
      [2, 0],
    ]);
    const mask = sampleMask(nearlyComplete, 0.4, new Rng(2));
    expect(mask.masked).toBe(2);
    for (let k = mask.masked; k < 2 * mask.masked; k++) {
      expect([mask.pairInvestor[k], mask.pairAsset[k]]).toEqual([2, 1]);
    }
    expect(mask.visible.length).toBe(3);
  });
});

import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  columnFormatter,
  formatAmount,
  formatCount,
  formatDuration,
  formatNumber,
  formatPercent,
  formatPercentWithError,
  formatWithError,
} from '../../src-shared/format/numbers';
import {
  explainEbaCodes,
  fieldLabel,
  issueInWords,
  issuesInWords,
  runKindWords,
  runLabel,
  versionLabel,
} from '../../src-shared/format/labels';

describe('numbers as a user reads them', () => {
  it('amounts carry their unit, separators and digits that suit their size', () => {
    expect(formatAmount(1711231.024990491, 'EUR million')).toBe('1,711,231 EUR million');
    expect(formatAmount(12.3456, 'EUR million')).toBe('12.3 EUR million');
    expect(formatNumber(0.001414)).toBe('0.00141');
    expect(formatNumber(0)).toBe('0');
    expect(formatNumber(Number.NaN)).toBe('—');
    expect(formatNumber(-2500.75)).toBe('-2,501');
    expect(formatNumber(7.88304e-8)).toBe('7.88 × 10⁻⁸');
    expect(formatNumber(-1.5e-12, 2)).toBe('-1.5 × 10⁻¹²');
  });

  it('counts are integers, never "1.00"', () => {
    expect(formatCount(1)).toBe('1');
    expect(formatCount(12034.4)).toBe('12,034');
    expect(formatCount(undefined)).toBe('—');
  });

  it('probabilities are percent, with their error in the same decimals', () => {
    expect(formatPercent(0.96654)).toBe('96.7 %');
    expect(formatPercent(0.00141)).toBe('0.14 %');
    expect(formatPercent(0.0000001)).toBe('< 0.01 %');
    expect(formatPercent(0)).toBe('0.0 %');
    expect(formatPercentWithError(0.9665, 0.00402)).toBe('96.65 % ± 0.40 %');
    expect(formatWithError(1204.51, 3.21, 'EUR million')).toBe('1,204.5 ± 3.2 EUR million');
  });

  it('one notation per column: the same decimals in every cell, chosen from the largest value', () => {
    const format = columnFormatter([0.00141, 0.000278, 0.0005], 'number');
    expect([0.00141, 0.000278].map(format)).toEqual(['0.00141', '0.00028']);
    const shares = columnFormatter([0.5, 0.0123], 'percent');
    expect([0.5, 0.0123].map(shares)).toEqual(['50.0 %', '1.2 %']);
    expect(columnFormatter([1, 2.5], 'count')(2.5)).toBe('3');
    // a column of tiny figures: one power of ten, the largest's, in every cell
    const tiny = columnFormatter([7.883e-8, 2.3077e-7, 5.6e-9, 0, null], 'number', 3);
    expect([2.3077e-7, 7.883e-8, 5.6e-9, 0, null, -1.2e-7].map(tiny)).toEqual([
      '2.31 × 10⁻⁷',
      '0.79 × 10⁻⁷',
      '0.06 × 10⁻⁷',
      '0',
      '—',
      '-1.20 × 10⁻⁷',
    ]);
  });

  it('durations read as a person says them', () => {
    expect(formatDuration(0.42)).toBe('0.42 s');
    expect(formatDuration(33.2)).toBe('33 s');
    expect(formatDuration(125)).toBe('2 min 05 s');
    expect(formatDuration(3840)).toBe('1 h 04 min');
  });
});

describe('words instead of identifiers', () => {
  it('field labels and run kinds are human', () => {
    expect(fieldLabel('outsideAssets')).toBe('Outside assets');
    expect(fieldLabel('someNewField')).toBe('Some new field');
    expect(runKindWords('gt-train')).toBe('graph-transformer training');
    expect(runKindWords('idf-train')).toBe('dual-network training');
    expect(
      runLabel({ id: 4, kind: 'gt-train', name: null, method: 'graph transformer', startedAt: '2026-12-02T14:05:09Z' }),
    ).toBe('#4 graph-transformer training — graph transformer (2026-12-02 14:05)');
    expect(versionLabel({ name: 'EBA 2011' }, { version: 2, note: 'max entropy', nodeCount: 87 })).toBe(
      'EBA 2011 v2 — max entropy (87 banks)',
    );
  });

  it('EBA item codes are explained beside their meaning', () => {
    expect(explainEbaCodes('total assets 30029 and equity 30021; interbank EAD 33010')).toBe(
      'total assets (EBA item 30029) and equity (EBA item 30021); interbank EAD (EBA item 33010)',
    );
    expect(explainEbaCodes('code 34010 at 2011-12-31')).toBe(
      'code EBA item 34010 (gross direct sovereign exposure) at 2011-12-31',
    );
    expect(explainEbaCodes('interbank EAD 33010 (country TO); total assets (30029)')).toBe(
      'interbank EAD (EBA item 33010) (country TO); total assets (EBA item 30029)',
    );
    expect(explainEbaCodes('missing (30021) at 20101231')).toBe(
      'missing (EBA item 30021: equity (Core Tier 1 capital)) at 20101231',
    );
  });

  it('validation messages speak the field and its unit, not the schema path', () => {
    const schema = z.object({
      shockModel: z.object({ maxFraction: z.number().gt(0).max(1) }),
      samples: z.number().int().min(1),
    });
    const tooBig = schema.safeParse({ shockModel: { maxFraction: 1.5 }, samples: 10 });
    expect(tooBig.success || issueInWords(tooBig.error.issues[0]!)).toBe('Max shock must be between 0 and 100 %');
    const tooFew = schema.safeParse({ shockModel: { maxFraction: 0.5 }, samples: 0 });
    expect(tooFew.success || issuesInWords(tooFew.error.issues)).toBe('Samples must be at least 1');
    const nodes = z.object({ nodes: z.array(z.object({ outsideAssets: z.number().min(0, 'must be ≥ 0') })) });
    const negative = nodes.safeParse({ nodes: [{ outsideAssets: 1 }, { outsideAssets: -1 }] });
    expect(negative.success || issuesInWords(negative.error.issues)).toBe('Bank 2, outside assets must be ≥ 0');
    const missing = nodes.safeParse({ nodes: [{}] });
    expect(missing.success || issuesInWords(missing.error.issues)).toBe('Bank 1, outside assets is missing');
  });
});

/** Log-axis tick labels (use-chart.ts): two significant digits, and fewer labels the more decades the axis spans. */
import { describe, expect, it } from 'vitest';
import { logTick } from '../../src-renderer/src/components/use-chart';

/** Chart.js's ticks of a log axis from 10^from to 10^to: every m × 10^k, m = 1 … 9. */
const ticksOver = (from: number, to: number) =>
  Array.from({ length: (to - from) * 9 + 1 }, (_, k) => ({
    value: Number(((1 + (k % 9)) * 10 ** (from + Math.floor(k / 9))).toPrecision(6)),
  }));

const labels = (ticks: Array<{ value: number }>) => ticks.map((t, k) => logTick(t.value, k, ticks)).filter(Boolean);

describe('log-axis ticks', () => {
  it('label every tick within a decade, with two significant digits', () => {
    const ticks = ticksOver(0, 1).filter((t) => t.value >= 2 && t.value <= 6);
    expect(labels(ticks)).toEqual(['2', '3', '4', '5', '6']);
    expect(logTick(0.65)).toBe('0.65');
  });

  it('label 1, 2 and 5 over two decades, 1 and 3 over four, powers of ten beyond (the fire-sales loss curve crowded)', () => {
    expect(labels(ticksOver(-5, -3))).toEqual([
      '1.0 × 10⁻⁵',
      '2.0 × 10⁻⁵',
      '5.0 × 10⁻⁵',
      '1.0 × 10⁻⁴',
      '2.0 × 10⁻⁴',
      '5.0 × 10⁻⁴',
      '0.001',
    ]);
    expect(labels(ticksOver(0, 4))).toEqual(['1', '3', '10', '30', '100', '300', '1000', '3000', '10000']);
    expect(labels(ticksOver(0, 6))).toEqual(['1', '10', '100', '1000', '10000', '1.0 × 10⁵', '1.0 × 10⁶']);
  });
});

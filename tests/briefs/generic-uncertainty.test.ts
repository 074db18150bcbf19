import { describe, expect, it } from 'vitest';
import { genericSection } from '../../src-main/io/briefs/sections/generic';
import type { RunContext } from '../../src-main/io/briefs/context';

describe('generic brief section: uncertainty beside the figures', () => {
  it('prints a mean with its 95% half-width as one figure "± h", and a nested residual as columns of the outcomes table', async () => {
    const run = {
      id: 7,
      kind: 'intervention',
      method: 'study',
      seed: 1,
      params: {},
      networkVersionId: null,
      results: {
        study: { failedBefore: { mean: 12.5, halfWidth: 0.75 } },
        outcomes: [
          {
            objective: 'worst',
            frankWolfeGap: 1e-9,
            relativeGap: 2e-10,
            residual: { relative: 3e-12, absolute: 1e-9, complementarity: 0 },
          },
        ],
      },
    };
    const section = await genericSection.describe({ run, network: undefined } as unknown as RunContext);
    const figure = section.keyFigures.find((f) => f.label === 'Study — Failed before')!;
    expect(figure.value).toBe(12.5);
    expect(figure.note).toBe('± 0.7500 (95% interval)');
    const table = section.tables.find((t) => t.title === 'Outcomes')!;
    expect(table.columns.map((c) => c.label)).toEqual([
      'Objective',
      'Frank wolfe gap',
      'Relative gap',
      'Residual — Relative',
      'Residual — Absolute',
      'Residual — Complementarity',
    ]);
    expect(table.rows[0]).toEqual(['worst', 1e-9, 2e-10, 3e-12, 1e-9, 0]);
  });
});

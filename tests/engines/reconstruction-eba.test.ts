import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { problemFromDocument } from '../../src-main/engines/reconstruction/problem';
import { reconstruct } from '../../src-main/engines/reconstruction/reconstruct';
import { decodeLatin1, parseEbaDisclosure } from '../../src-main/io/eba-disclosure';
import { bundledSample } from '../support/fixtures';

describe('reconstruction of the EBA 2011 network', () => {
  it('EBA 2011, 87 banks, uniform shocks: worst ≥ maximum entropy ≥ best in expected loss, constraints to 1e-6', () => {
    const { document } = parseEbaDisclosure(
      decodeLatin1(readFileSync(bundledSample('eba-2011-disclosure.csv'))),
      'eba.csv',
    );
    const problem = problemFromDocument(document);
    const common = {
      shockModel: { kind: 'uniform' as const },
      samples: 40,
      seed: 1,
      starts: 1,
      evaluationSamples: 1000,
    };
    const worst = reconstruct(problem, { ...common, objective: 'worst', hops: 0 });
    const maxent = reconstruct(problem, { ...common, objective: 'maxent' });
    const best = reconstruct(problem, { ...common, objective: 'best', maxIterations: 8 });
    expect(worst.inSample.expectedLoss).toBeGreaterThan(maxent.inSample.expectedLoss);
    expect(maxent.inSample.expectedLoss).toBeGreaterThan(best.inSample.expectedLoss);
    for (const result of [worst, maxent, best]) expect(result.residual.relative).toBeLessThan(1e-6);
    expect(worst.residual.complementarity).toBe(0);
    expect(best.residual.complementarity).toBe(0);
    // the out-of-sample difference to maximum entropy is reported with its standard error
    expect(worst.evaluation.differenceStandardError).toBeGreaterThan(0);
    expect(maxent.evaluation.differenceToMaxent).toBe(0);
  });
});

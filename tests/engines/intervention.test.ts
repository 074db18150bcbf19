import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cascade, toEconomySystem, type EconomySystem } from '../../src-main/engines/cascade';
import { chainEconomy, economyArbitrary } from '../support/economies';
import {
  discountFracAdapted,
  discountFracPublished,
  evaluatePayments,
  exhaustiveIntervention,
  expectedRescue,
  firstLayer,
  greedyFractional,
  greedyIntegral,
  intervene,
  largestFirst,
  minimumInjections,
  rescueCost,
  rescueProblem,
  sampleInterventionThresholds,
  savedByPayments,
  type InterventionResult,
  type RescueProblem,
} from '../../src-main/engines/intervention';
import { UsageError, type CommandIo } from '../../src-main/cli/command';
import { cascadeCommand } from '../../src-main/cli/commands/cascade';
import { interveneCommand } from '../../src-main/cli/commands/intervene';
import { interventionStudyCommand } from '../../src-main/cli/commands/intervention-study';
import { call } from '../../src-main/api/router';
import type { SingleInterventionResults } from '../../src-shared/results/intervention';
import { freshApp } from '../support/app';

const budgetFraction = fc.double({ min: 0, max: 1, noNaN: true });

/** A budget between 0 and the cost of saving every failing firm. */
function budgetFor(problem: RescueProblem, fraction: number): number {
  return fraction * rescueCost(problem, new Uint8Array(problem.failing.length).fill(1)).cost;
}

/**
 * Optimum by enumeration: max w(T) over T ⊆ F with Σ_{i∈T}(θ̃_i − f_i(T))⁺ ≤ B. Unpadded (with a 1e-9 tolerance) it
 * bounds every method from above; with the payments' rounding pads it is what an exhaustive search must attain.
 */
function optimumOverSets(problem: RescueProblem, budget: number, padded: boolean): number {
  const k = problem.failing.length;
  const set = new Uint8Array(k);
  let best = 0;
  for (let mask = 0; mask < 1 << k; mask++) {
    for (let a = 0; a < k; a++) set[a] = (mask >> a) & 1;
    const cost = rescueCost(problem, set, padded).cost;
    if (padded ? cost > budget : cost > budget * (1 + 1e-9) + 1e-9) continue;
    let w = 0;
    set.forEach((s, a) => (w += s ? problem.weights[a]! : 0));
    best = Math.max(best, w);
  }
  return best;
}

const methods = (problem: RescueProblem, budget: number): Record<string, InterventionResult> => ({
  discountfrac: discountFracAdapted(problem, budget),
  discountfracPublished: discountFracPublished(problem, budget),
  greedy: greedyIntegral(problem, budget, { uncertainty: 0 }),
  greedyRandom: greedyIntegral(problem, budget, { uncertainty: 0.3, samples: 50, seed: 7 }),
  greedyFractional: greedyFractional(problem, budget, { uncertainty: 0.3, samples: 30, seed: 7, steps: 8 }),
  largest: largestFirst(problem, budget),
  firstLayer: firstLayer(problem, budget),
  exhaustive: exhaustiveIntervention(problem, budget),
});

describe('intervention: the 3-firm chain', () => {
  it('the intervention threshold of the root firm saves the whole chain', () => {
    const system = toEconomySystem(chainEconomy());
    const problem = rescueProblem(system);
    expect(Array.from(problem.failing)).toEqual([0, 1, 2]);
    // θ̃_C = θ_C/Ĉ_C − V_C − M_CC β_C = 8/0.7 − 5 − 5 = 10/7
    expect(problem.interventionThresholds[2]).toBeCloseTo(8 / 0.7 - 10, 12);
    const injections = minimumInjections(problem);
    expect(injections[2]).toBeCloseTo(10 / 7, 6);
    const result = discountFracAdapted(problem, 1.5);
    expect(result.failedAfter).toEqual([]);
    expect(result.payments[2]).toBeCloseTo(10 / 7, 6);
    expect(result.spent).toBeLessThanOrEqual(1.5);
    expect(result.objective).toBe(3);
    // too small a budget: nothing affordable saves anyone
    expect(discountFracAdapted(problem, 0.1).failedAfter).toEqual([0, 1, 2]);
    // as published (the authors' pad 1e-5): the same single rescue of C
    expect(discountFracPublished(problem, 1.5).payments[2]).toBeCloseTo((10 / 7) * (1 + 1e-5), 9);
  });

  it('market value saved equals the failure costs averted', () => {
    const system = toEconomySystem(chainEconomy());
    const result = intervene(system, 1.5, { method: 'exhaustive', objective: 'value' });
    expect(result.objective).toBeCloseTo(15, 10);
  });
});

describe('intervention: properties on random economies', () => {
  it('the transformed problem reproduces the full cascade, and each minimum injection saves its firm', () => {
    fc.assert(
      fc.property(
        economyArbitrary(),
        fc.array(fc.double({ min: 0, max: 3, noNaN: true }), { minLength: 8, maxLength: 8 }),
        (system, draw) => {
          const problem = rescueProblem(system);
          const k = problem.failing.length;
          const x = Float64Array.from(draw.slice(0, k));
          const saved = savedByPayments(problem, x);
          const full = evaluatePayments(problem, x);
          problem.failing.forEach((i, a) => expect(full.after.failed[i]).toBe(saved[a] ? 0 : 1));
          const needs = minimumInjections(problem, x);
          problem.failing.forEach((i, a) => {
            if (saved[a]) return;
            const more = x.slice();
            more[a]! += needs[i]!;
            expect(evaluatePayments(problem, more).after.failed[i]).toBe(0);
          });
        },
      ),
      { numRuns: 100 },
    );
  });

  it('every method stays within the budget, never adds failures, and is bounded by the exhaustive optimum', () => {
    fc.assert(
      fc.property(
        economyArbitrary(),
        budgetFraction,
        fc.constantFrom<'failures' | 'value'>('failures', 'value'),
        (system, fraction, objective) => {
          const problem = rescueProblem(system, objective);
          const budget = budgetFor(problem, fraction);
          const bound = optimumOverSets(problem, budget, false);
          const results = methods(problem, budget);
          for (const [, result] of Object.entries(results)) {
            expect(result.spent).toBeLessThanOrEqual(budget * (1 + 1e-12) + 1e-12);
            expect(result.payments.every((x) => x >= 0)).toBe(true);
            expect(result.failedAfter.every((i) => result.failedBefore.includes(i))).toBe(true);
            expect(result.objective).toBeGreaterThanOrEqual(-1e-9);
            expect(result.objective).toBeLessThanOrEqual(bound + 1e-6);
          }
          // the exhaustive search attains the optimum over the sets it can pay for, rounding pads included
          expect(results.exhaustive!.objective).toBeGreaterThanOrEqual(optimumOverSets(problem, budget, true) - 1e-9);
          if (objective === 'value') {
            for (const result of Object.values(results)) {
              let averted = 0;
              for (const i of result.failedBefore)
                if (!result.failedAfter.includes(i)) averted += system.failureCosts[i]!;
              expect(result.objective).toBeCloseTo(averted, 8);
            }
          }
        },
      ),
      { numRuns: 120 },
    );
  });

  it('on average DiscountFrac and greedy reach at least the baselines (and the exhaustive optimum bounds all)', () => {
    const totals: Record<string, number> = {};
    let instances = 0;
    fc.assert(
      fc.property(economyArbitrary(4, 8), budgetFraction, (system: EconomySystem, fraction) => {
        const problem = rescueProblem(system);
        if (problem.failing.length < 2) return;
        instances++;
        for (const [name, result] of Object.entries(methods(problem, budgetFor(problem, fraction))))
          totals[name] = (totals[name] ?? 0) + result.objective;
      }),
      { numRuns: 300, seed: 20240601 },
    );
    expect(instances).toBeGreaterThan(50);
    const baseline = Math.max(totals.largest!, totals.firstLayer!);
    expect(totals.discountfrac).toBeGreaterThanOrEqual(baseline);
    expect(totals.greedy).toBeGreaterThanOrEqual(baseline);
    expect(totals.exhaustive).toBeGreaterThanOrEqual(Math.max(...Object.values(totals)) - 1e-9);
  });

  it('the random-threshold objective is monotone and submodular on sampled sets (U = 1)', () => {
    fc.assert(
      fc.property(
        economyArbitrary(3, 7),
        fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 8, maxLength: 8 }),
        fc.nat(),
        fc.integer({ min: 1, max: 1000 }),
        (system, membership, pick, seed) => {
          const problem = rescueProblem(system);
          const k = problem.failing.length;
          if (k < 2) return;
          // A ⊆ B: membership 2 → in A and B, 1 → in B only; v ∉ B
          const a = Uint8Array.from({ length: k }, (_, i) => (membership[i] === 2 ? 1 : 0));
          const b = Uint8Array.from({ length: k }, (_, i) => (membership[i]! >= 1 ? 1 : 0));
          const outside = Array.from({ length: k }, (_, i) => i).filter((i) => !b[i]);
          if (outside.length === 0) return;
          const v = outside[pick % outside.length]!;
          const av = a.slice();
          av[v] = 1;
          const bv = b.slice();
          bv[v] = 1;
          const samples = 3000;
          const draws = sampleInterventionThresholds(problem, samples, seed, 1);
          // per-draw differences (common random numbers), mean and standard error
          let sum = 0;
          let sumSq = 0;
          for (let s = 0; s < samples; s++) {
            const d = draws.subarray(s * k, (s + 1) * k);
            const diff =
              expectedRescue(problem, d, av) -
              expectedRescue(problem, d, a) -
              (expectedRescue(problem, d, bv) - expectedRescue(problem, d, b));
            sum += diff;
            sumSq += diff * diff;
          }
          const mean = sum / samples;
          const se = Math.sqrt(Math.max(0, sumSq / samples - mean * mean) / samples);
          expect(mean).toBeGreaterThanOrEqual(-4 * se - 1e-12);
          // monotone: σ(A) ≤ σ(B) holds draw by draw
          expect(expectedRescue(problem, draws, a)).toBeLessThanOrEqual(expectedRescue(problem, draws, b) + 1e-12);
        },
      ),
      { numRuns: 80 },
    );
  });

  it('with narrow uncertainty (U < 1) the objective can be supermodular: two half-pushes save a third firm', () => {
    // firm 2 is saved only when both 0 and 1 are: σ({0,1}) − σ({1}) = 2 > σ({0}) − σ(∅) = 1
    const problem: RescueProblem = {
      ...rescueProblem(toEconomySystem(chainEconomy())),
      failing: Int32Array.from([0, 1, 2]),
      influence: Float64Array.from([0, 0, 0, 0, 0, 0, 0.6, 0.6, 0]),
      interventionThresholds: Float64Array.from([1, 1, 1]),
      weights: Float64Array.from([1, 1, 1]),
    };
    const draws = sampleInterventionThresholds(problem, 200, 3, 0.1);
    const s = (mask: number[]) => expectedRescue(problem, draws, Uint8Array.from(mask));
    expect(s([1, 1, 0]) - s([0, 1, 0])).toBeGreaterThan(s([1, 0, 0]) - s([0, 0, 0]));
  });
});

describe('cwb cascade / cwb intervene', () => {
  function capture(): CommandIo & { stdout: string[] } {
    const stdout: string[] = [];
    return { stdout, out: (t) => stdout.push(t), err: () => undefined };
  }
  const withEconomy = async (fn: (path: string) => Promise<void>) => {
    const dir = mkdtempSync(join(tmpdir(), 'cwb-cascade-'));
    try {
      const path = join(dir, 'chain.json');
      writeFileSync(path, JSON.stringify(chainEconomy()));
      await fn(path);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  const noContext = () => {
    throw new Error('no app context needed');
  };

  it('cascade --json writes marketValues, bookValues, failed (+ rounds, worst)', async () => {
    await withEconomy(async (path) => {
      const io = capture();
      expect(await cascadeCommand.run({ positionals: [path], flags: { json: true, worst: true } }, io, noContext)).toBe(
        0,
      );
      const json = JSON.parse(io.stdout.join('')) as Record<string, unknown>;
      expect(Object.keys(json).sort()).toEqual(['bookValues', 'failed', 'marketValues', 'rounds', 'worst']);
      expect(json.failed).toEqual(['A', 'B', 'C']);
      expect(json.rounds).toEqual({ A: 3, B: 2, C: 1 });
      expect((json.marketValues as Record<string, number>).B).toBeCloseTo(5.2, 10);
      expect(Object.keys(json.worst as object).sort()).toEqual(['bookValues', 'failed', 'marketValues']);
      const expected = cascade(toEconomySystem(chainEconomy()));
      expect((json.bookValues as Record<string, number>).A).toBeCloseTo(expected.bookValues[0]!, 12);
    });
  });

  it('intervene --json writes payments, spent, failedBefore, failedAfter (the engine’s numbers) and saves the run', async () => {
    await withEconomy(async (path) => {
      const app = freshApp();
      try {
        const system = toEconomySystem(chainEconomy());
        for (const method of ['discountfrac', 'discountfrac-adapted', 'discountfrac-published', 'greedy']) {
          const io = capture();
          const flags = { json: true as const, budget: '1.5', method, samples: '20', seed: '3', uncertainty: '0.03' };
          expect(await interveneCommand.run({ positionals: [path], flags }, io, () => app)).toBe(0);
          const { runId, ...json } = JSON.parse(io.stdout.join('')) as {
            runId: number;
            payments: Record<string, number>;
            spent: number;
            failedBefore: string[];
            failedAfter: string[];
            objective: number;
          };
          expect(Object.keys(json).sort()).toEqual(['failedAfter', 'failedBefore', 'objective', 'payments', 'spent']);
          expect(Object.keys(json.payments)).toEqual(['A', 'B', 'C']);
          expect(json.failedBefore).toEqual(['A', 'B', 'C']);
          expect(json.failedAfter).toEqual([]);
          expect(json.spent).toBeLessThanOrEqual(1.5);
          const direct = intervene(system, 1.5, {
            method: method as 'greedy',
            samples: 20,
            seed: 3,
            uncertainty: 0.03,
          });
          expect(json).toEqual({
            payments: Object.fromEntries(system.ids.map((id, i) => [id, direct.payments[i]])),
            spent: direct.spent,
            failedBefore: direct.failedBefore.map((i) => system.ids[i]),
            failedAfter: direct.failedAfter.map((i) => system.ids[i]),
            objective: direct.objective,
          });
          const saved = await call(app.router, 'runs:get', { id: runId });
          expect(saved).toMatchObject({
            kind: 'intervention',
            networkVersionId: 1,
            params: { target: 'economy-single', budget: 1.5, greedySamples: 20, seed: 3, uncertainty: 0.03 },
          });
          expect((saved.results as SingleInterventionResults).display.spent).toBe(direct.spent);
        }
        expect((await call(app.router, 'runs:list', { kind: 'intervention' })).map((r) => r.id)).toEqual([4, 3, 2, 1]);
        // --version, the text output, and a brief of the saved run
        const text = capture();
        expect(
          await interveneCommand.run(
            { positionals: [], flags: { version: '1', budget: '1.5', method: 'discountfrac' } },
            text,
            () => app,
          ),
        ).toBe(0);
        expect(text.stdout[0]).toMatch(
          /^chain v1, DiscountFrac adapted to costs: 3 firm\(s\) fail before, 0 after; spent [\d.]+ of 1\.5$/,
        );
        expect(text.stdout[1]).toBe('objective (failures averted): 3');
        const brief = await call(app.router, 'briefs:compose', { runIds: [5], title: 'Single intervention' });
        expect(JSON.stringify(brief)).toContain('Whom to support and how much');
      } finally {
        await app.dispose();
      }
    });
  });

  it('intervention-study --curve chooses the DiscountFrac variant of the budget curve and says it in words', async () => {
    await withEconomy(async (path) => {
      const io = capture();
      const flags = { curve: 'discountfrac-published', method: 'discountfrac', scenarios: '20', budgets: '3' };
      const app = freshApp();
      try {
        expect(await interventionStudyCommand.run({ positionals: [path], flags }, io, () => app)).toBe(0);
      } finally {
        await app.dispose();
      }
      const text = io.stdout.join('\n');
      expect(text).toContain('budget curve by DiscountFrac (published)');
      expect(text).toContain('DiscountFrac adapted to costs with budget');
      await expect(
        interventionStudyCommand.run({ positionals: [path], flags: { curve: 'greedy' } }, capture(), noContext),
      ).rejects.toThrow(/--curve must be one of/);
    });
  });

  it('refuses bad flags with a UsageError naming the flag', async () => {
    await withEconomy(async (path) => {
      const run = (flags: Record<string, string | true>) =>
        interveneCommand.run({ positionals: [path], flags }, capture(), noContext);
      await expect(run({ method: 'greedy' })).rejects.toThrow(/--budget/);
      await expect(run({ budget: '-1', method: 'greedy' })).rejects.toThrow(UsageError);
      await expect(run({ budget: '1', method: 'magic' })).rejects.toThrow(/--method must be one of/);
      await expect(run({ budget: '1', method: 'greedy', objective: 'fun' })).rejects.toThrow(/--objective/);
      await expect(run({ budget: '1', method: 'greedy', uncertainty: '2' })).rejects.toThrow(/--uncertainty/);
      // The job's limit on greedy draws (the Intervention screen's): at most 10,000.
      await expect(run({ budget: '1', method: 'greedy', samples: '20000' })).rejects.toThrow(
        /--samples must be a whole number, 1 ≤ N ≤ 10,000, got "20000"/,
      );
    });
  });
});
